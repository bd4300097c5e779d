package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What a {@link LineParser} reports to: the sink of its observations, the name of the log put into
 * every observation, and the counters of the stream.
 */
public final class LogContext {
    private final String source;
    private final Consumer<Observation> sink;
    private final LogStats stats;

    /**
     * @param source the log's name (file path, {@code syslog://peer}), put into every observation
     * @param sink receives observations on the parsing thread
     * @param stats counts lines, observations and anomalies
     */
    public LogContext(String source, Consumer<Observation> sink, LogStats stats) {
        this.source = Objects.requireNonNull(source, "source");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.stats = Objects.requireNonNull(stats, "stats");
    }

    /** The log's name. */
    public String source() {
        return source;
    }

    /** The counters of the stream. */
    public LogStats stats() {
        return stats;
    }

    /** Hands one observation to the sink. */
    public void emit(Observation o) {
        stats.observation();
        sink.accept(o);
    }

    /** Counts one well-formed record that names no destination by design. */
    public void skip() {
        stats.skipped();
    }

    /** Counts one bad line. */
    public void bad(LogAnomaly anomaly, long lineNumber) {
        stats.bad(anomaly, lineNumber);
    }
}
