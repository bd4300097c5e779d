package dev.umbra.sensor.syslog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Feeds syslog messages to the log parsers: the header (RFC 5424, RFC 3164, or none, as Squid's
 * {@code udp://} and {@code tcp://} loggers send) is read and stripped, and the text goes to one
 * {@link LogStream} per (sender address, APP-NAME), whose format is given or detected from its
 * first messages. Thread-safe: each stream is used under its own lock.
 */
public final class SyslogLogIntake implements SyslogListener {
    /** Streams kept; messages of further (sender, app) pairs share one stream. */
    public static final int MAX_STREAMS = 1024;

    private final LogOptions options;
    private final Consumer<Observation> sink;
    private final LogStats stats;
    private final Map<String, LogStream> streams = new ConcurrentHashMap<>();
    private final ThreadLocal<SyslogHeader> headers = ThreadLocal.withInitial(SyslogHeader::new);
    private final AtomicLong headerless = new AtomicLong();

    /**
     * @param sink receives observations on the listener's threads; must be thread-safe
     * @param stats counts lines and anomalies of every stream
     */
    public SyslogLogIntake(LogOptions options, Consumer<Observation> sink, LogStats stats) {
        this.options = options;
        this.sink = sink;
        this.stats = stats;
    }

    @Override
    public void onMessage(InetSocketAddress peer, byte[] buf, int off, int len) {
        SyslogHeader h = headers.get();
        String app = null;
        int body = off;
        if (h.parse(buf, off, len, true)) {
            body = h.bodyStart();
            app = h.appName();
        } else {
            headerless.incrementAndGet();
        }
        String host = peer.getAddress().getHostAddress();
        String key = app == null ? host : host + "/" + app;
        LogStream s = streams.get(key);
        if (s == null) {
            if (streams.size() >= MAX_STREAMS) {
                key = "other";
            }
            String k = key;
            s = streams.computeIfAbsent(k, x -> new LogStream(options, new LogContext("syslog://" + k, sink, stats)));
        }
        synchronized (s) {
            s.line(buf, body, off + len - body);
        }
    }

    /** Messages that had no syslog header (the whole message was taken as text). */
    public long headerless() {
        return headerless.get();
    }

    /** The streams by "address/app", for their formats and line counts. */
    public Map<String, LogStream> streams() {
        return Map.copyOf(streams);
    }

    /** Ends every stream: those still detecting their format decide now. */
    public void finish() {
        for (LogStream s : streams.values()) {
            synchronized (s) {
                s.finish();
            }
        }
    }
}
