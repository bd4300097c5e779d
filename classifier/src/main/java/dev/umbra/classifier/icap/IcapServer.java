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
 * An ICAP service (RFC 3507) for REQMOD: proxies such as Squid send each outbound request to it;
 * for a request in its {@link IcapScope} it classifies the body and reports an {@link IcapFinding}
 * to the listener, then answers 204 (monitor mode, or nothing to block) or a 403 block page (block
 * mode). A request out of scope is let through as soon as its headers (and preview) are read, its
 * body neither kept nor classified nor reported. Binds to loopback unless configured otherwise.
 * Counters are named snake_case anomalies ({@link #counters()}).
 */
public final class IcapServer implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(IcapServer.class);

    private final IcapConfig config;
    private final Classifier classifier;
    private final PayloadExtractor extractor;
    private final Consumer<IcapFinding> listener;
    private final IcapScope scope;
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel channel;

    /**
     * A service that classifies every request and reports to {@code listener} (called on an I/O
     * thread; it must not block).
     */
    public IcapServer(IcapConfig config, Classifier classifier, Consumer<IcapFinding> listener) {
        this(config, classifier, IcapScope.ALL, listener);
    }

    /**
     * A service that classifies the requests in {@code scope} (asked on an I/O thread, once per
     * request, before its body is read; it must not block) and reports them to {@code listener}.
     */
    public IcapServer(IcapConfig config, Classifier classifier, IcapScope scope, Consumer<IcapFinding> listener) {
        this.config = config;
        this.classifier = classifier;
        this.extractor = new PayloadExtractor(Math.max(1024, config.maxBodyBytes()));
        this.scope = scope;
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

    /**
     * Whether the request is classified; counts {@code icap_out_of_scope} when it is not. A scope
     * that fails keeps the request in scope (classified as without a scope) and counts
     * {@code icap_scope_failed}.
     */
    boolean inScope(IcapHandler.Request r) {
        boolean in;
        try {
            in = scope.covers(r.hostName(), r.clientIp, r.user);
        } catch (RuntimeException e) {
            count("icap_scope_failed");
            LOG.warn("ICAP scope failed: {}", e.toString());
            in = true;
        }
        if (!in) {
            count("icap_out_of_scope");
        }
        return in;
    }

    /** Classifies one request and decides; never throws. */
    boolean decide(IcapHandler.Request r, byte[] body, int bodyLen) {
        byte[] exact = bodyLen == body.length ? body : java.util.Arrays.copyOf(body, bodyLen);
        // gRPC-Web and Connect bodies say their compression per message (PayloadExtractor.isLengthPrefixed)
        String encoding = PayloadExtractor.isLengthPrefixed(r.contentType) ? r.messageEncoding : r.contentEncoding;
        Extracted x = extractor.extract(exact, r.contentType, encoding);
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
