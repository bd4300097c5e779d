package dev.umbra.cli.daemon;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * {@code /healthz} and {@code /metrics} over HTTP/1.1 on Netty, bound to loopback unless configured
 * otherwise. {@code /healthz} answers 200 "ok" only while the daemon is ready (capture and shipper
 * up), 503 with the reason otherwise. Requests are capped at 8 KiB; anything else is 404 or 405.
 */
public final class HealthServer implements AutoCloseable {
    /** Largest request accepted. */
    public static final int MAX_REQUEST_BYTES = 8192;

    private final EventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel channel;

    /**
     * Starts listening.
     *
     * @param address where to listen
     * @param metrics the metrics to expose
     * @param readiness null when ready, else why not
     * @throws java.io.IOException when the address cannot be bound (port in use, bad address)
     */
    public HealthServer(InetSocketAddress address, MetricsRegistry metrics, Supplier<String> readiness)
            throws java.io.IOException {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(4096, 8192, 8192),
                                new HttpObjectAggregator(MAX_REQUEST_BYTES), new Handler(metrics, readiness));
                    }
                });
        try {
            channel = b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
            throw new java.io.IOException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final MetricsRegistry metrics;
        private final Supplier<String> readiness;

        Handler(MetricsRegistry metrics, Supplier<String> readiness) {
            this.metrics = metrics;
            this.readiness = readiness;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            if (!request.decoderResult().isSuccess()) {
                send(ctx, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n");
                return;
            }
            if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
                send(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain", "only GET\n");
                return;
            }
            String path = request.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            switch (path) {
                case "/healthz" -> {
                    String notReady = readiness.get();
                    if (notReady == null) {
                        send(ctx, HttpResponseStatus.OK, "text/plain", "ok\n");
                    } else {
                        send(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "text/plain", "not ready: " + notReady + "\n");
                    }
                }
                case "/metrics" -> send(ctx, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8",
                        metrics.scrape());
                default -> send(ctx, HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }

        private static void send(ChannelHandlerContext ctx, HttpResponseStatus status, String type, String body) {
            ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
            // the connection is closed after each answer: say so, or a client reuses it and reads nothing
            response.headers().set(HttpHeaderNames.CONNECTION, io.netty.handler.codec.http.HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
