package dev.umbra.sensor.syslog;

import dev.umbra.sensor.AddressBlocks;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/*
 * Design notes.
 *
 * Netty NIO: one event loop group of two threads serves the UDP socket, the TCP acceptor and the
 * connections. UDP: RFC 5426 puts one message in a datagram; the datagram is read up to 64 KiB
 * and, since some senders (Squid's udp:// logger) pack several lines into one, split at LF.
 * TCP: RFC 6587 framing by SyslogFrameDecoder, optionally under TLS (RFC 5425). The allow-list is
 * checked per datagram and per connection (a refused connection is closed before any byte is
 * read). Messages go to the listener on the event loop: a slow listener slows intake, and TCP
 * back-pressure then reaches the sender instead of messages being dropped; UDP has no such
 * guarantee, and the kernel's receive buffer (4 MiB asked) is what absorbs bursts.
 */

/** The syslog listener: UDP and TCP (optionally TLS), loopback by default. */
public final class SyslogServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(SyslogServer.class);
    private static final int UDP_RECEIVE_BUFFER = 4 * 1024 * 1024;
    private static final int MAX_DATAGRAM = 65535;

    private final SyslogConfig config;
    private final SyslogListener listener;
    private final SyslogStats stats = new SyslogStats();
    private final AddressBlocks allowList;
    private EventLoopGroup group;
    private Channel udp;
    private Channel tcp;

    /**
     * @param config addresses, ports, TLS, limits and allow-list
     * @param listener receives every accepted message on the I/O threads
     */
    public SyslogServer(SyslogConfig config, SyslogListener listener) {
        this.config = config;
        this.listener = listener;
        this.allowList = AddressBlocks.parse(config.allowedSenders(), "syslog.allowed.senders");
    }

    /**
     * Binds the configured listeners.
     *
     * @throws IOException when a port cannot be bound or the TLS files cannot be read
     */
    public SyslogServer start() throws IOException {
        SslContext ssl = null;
        if (config.tlsCertificate() != null) {
            try {
                ssl = SslContextBuilder.forServer(config.tlsCertificate().toFile(), config.tlsKey().toFile()).build();
            } catch (Exception e) {
                throw new IOException("cannot load syslog TLS certificate " + config.tlsCertificate() + " and key "
                        + config.tlsKey() + ": " + e.getMessage(), e);
            }
        }
        group = new NioEventLoopGroup(2);
        try {
            if (config.udpPort() >= 0) {
                udp = new Bootstrap().group(group).channel(NioDatagramChannel.class)
                        .option(ChannelOption.SO_RCVBUF, UDP_RECEIVE_BUFFER)
                        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                        .handler(new UdpHandler())
                        .bind(new InetSocketAddress(config.bind(), config.udpPort())).sync().channel();
            }
            if (config.tcpPort() >= 0) {
                SslContext sslContext = ssl;
                tcp = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 256)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                InetSocketAddress remote = ch.remoteAddress();
                                SyslogStats.Peer peer = stats.peer(remote.getAddress());
                                if (!allowList.allows(remote.getAddress())) {
                                    stats.rejected(peer);
                                    ch.close();
                                    return;
                                }
                                stats.connection(peer);
                                if (sslContext != null) {
                                    ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
                                }
                                ch.pipeline().addLast(new SyslogFrameDecoder(config.maxMessageLength(), listener, stats,
                                        peer, remote));
                                ch.pipeline().addLast(new ErrorHandler(peer));
                            }
                        })
                        .bind(new InetSocketAddress(config.bind(), config.tcpPort())).sync().channel();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IOException("interrupted while binding the syslog listener", e);
        } catch (RuntimeException e) {
            close();
            throw new IOException("cannot bind the syslog listener on " + config.bind().getHostAddress() + ": "
                    + e.getMessage(), e);
        }
        return this;
    }

    /** The bound UDP port, or -1 when UDP is off. */
    public int udpPort() {
        return udp == null ? -1 : ((InetSocketAddress) udp.localAddress()).getPort();
    }

    /** The bound TCP port, or -1 when TCP is off. */
    public int tcpPort() {
        return tcp == null ? -1 : ((InetSocketAddress) tcp.localAddress()).getPort();
    }

    /** The counters. */
    public SyslogStats stats() {
        return stats;
    }

    /** Closes the listeners and waits (briefly) for the I/O threads to stop. */
    @Override
    public void close() {
        if (udp != null) {
            udp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (tcp != null) {
            tcp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** One datagram: one message, or several separated by LF. */
    private final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final byte[] buf = new byte[MAX_DATAGRAM];

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            InetSocketAddress sender = packet.sender();
            SyslogStats.Peer peer = stats.peer(sender.getAddress());
            if (!allowList.allows(sender.getAddress())) {
                stats.rejected(peer);
                return;
            }
            ByteBuf content = packet.content();
            int n = content.readableBytes();
            content.getBytes(content.readerIndex(), buf, 0, n);
            int s = 0;
            for (int i = 0; i <= n; i++) {
                if (i < n && buf[i] != '\n') {
                    continue;
                }
                int e = i;
                if (e > s && buf[e - 1] == '\r') {
                    e--;
                }
                while (e > s && buf[e - 1] == 0) {
                    e--;
                }
                if (e > s) {
                    if (e - s > config.maxMessageLength()) {
                        stats.oversize(peer);
                    } else {
                        stats.message(peer, e - s);
                        listener.onMessage(sender, buf, s, e - s);
                    }
                }
                s = i + 1;
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("syslog UDP listener: {}", cause.toString());
        }
    }

    /** Closes a connection whose TLS handshake or decoding failed; the listener keeps running. */
    private final class ErrorHandler extends ChannelInboundHandlerAdapter {
        private final SyslogStats.Peer peer;

        ErrorHandler(SyslogStats.Peer peer) {
            this.peer = peer;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            stats.framingError(peer);
            LOG.debug("syslog connection from {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }
}
