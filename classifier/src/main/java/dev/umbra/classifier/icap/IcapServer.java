package dev.umbra.classifier.icap;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.ScanResult;
import dev.umbra.classifier.payload.Extracted;
import dev.umbra.classifier.payload.PayloadExtractor;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An ICAP service (RFC 3507) for REQMOD: proxies such as Squid send each outbound request to it,
 * it classifies the body and reports an {@link IcapFinding} to the listener, then answers 204
 * (monitor mode, or nothing to block) or a 403 block page (block mode). Binds to loopback unless
 * configured otherwise. Counters are named snake_case anomalies ({@link #counters()}).
 */
public final class IcapServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(IcapServer.class);

    private final IcapConfig config;
    private final Classifier classifier;
    private final PayloadExtractor extractor;
    private final Consumer<IcapFinding> listener;
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;

    /**
     * A service that reports to {@code listener} (called on an I/O thread; it must not block).
     */
    public IcapServer(IcapConfig config, Classifier classifier, Consumer<IcapFinding> listener) {
        this.config = config;
        this.classifier = classifier;
        this.extractor = new PayloadExtractor(Math.max(1024, config.maxBodyBytes()));
        this.listener = listener;
    }

    /** Binds and starts serving; returns the bound port. */
    public synchronized int start() throws InterruptedException {
        boss = new NioEventLoopGroup(1);
        workers = new NioEventLoopGroup(2);
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new IcapHandler(IcapServer.this));
                    }
                });
        channel = b.bind(config.host(), config.port()).sync().channel();
        int port = ((InetSocketAddress) channel.localAddress()).getPort();
        LOG.info("ICAP service listening on {}:{} ({} mode)", config.host(), port, config.block() ? "block" : "monitor");
        return port;
    }

    /** Named counters: requests, responses by kind, anomalies. */
    public Map<String, Long> counters() {
        Map<String, Long> out = new java.util.TreeMap<>();
        counters.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    void count(String name) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).incrementAndGet();
    }

    IcapConfig config() {
        return config;
    }

    /** Classifies one request and decides; never throws. */
    boolean decide(IcapHandler.Request r, byte[] body, int bodyLen) {
        byte[] exact = bodyLen == body.length ? body : java.util.Arrays.copyOf(body, bodyLen);
        Extracted x = extractor.extract(exact, r.contentType, r.contentEncoding);
        ScanResult result = classifier.scan(x.text());
        boolean block = false;
        if (config.block()) {
            for (Detection d : result.detections()) {
                if (config.blockOn().contains(d.category())) {
                    block = true;
                    break;
                }
            }
        }
        try {
            listener.accept(new IcapFinding(r.clientIp, r.user, r.httpMethod, r.url(), x.api(), result.detections(), block,
                    x.anomalies()));
        } catch (RuntimeException e) {
            count("icap_listener_failed");
            LOG.warn("ICAP finding listener failed: {}", e.toString());
        }
        return block;
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
            workers.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
