package dev.umbra.sensor.proxylog;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one log source: lines read, observations produced, and {@link LogAnomaly anomalies}
 * with the line numbers of the first few bad lines. Thread-safe: syslog peers share one.
 */
public final class LogStats {
    /** How many bad lines are remembered by number. */
    public static final int MAX_REMEMBERED_BAD_LINES = 10;

    private static final LogAnomaly[] ALL = LogAnomaly.values();

    /** A bad line remembered by number. */
    public record BadLine(long lineNumber, LogAnomaly anomaly) {
    }

    private final AtomicLong lines = new AtomicLong();
    private final AtomicLong observations = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLongArray anomalies = new AtomicLongArray(ALL.length);
    private final List<BadLine> firstBad = new ArrayList<>();

    void line() {
        lines.incrementAndGet();
    }

    void observation() {
        observations.incrementAndGet();
    }

    void skipped() {
        skipped.incrementAndGet();
    }

    /** Counts one bad line. */
    public void bad(LogAnomaly anomaly, long lineNumber) {
        anomalies.incrementAndGet(anomaly.ordinal());
        synchronized (firstBad) {
            if (firstBad.size() < MAX_REMEMBERED_BAD_LINES) {
                firstBad.add(new BadLine(lineNumber, anomaly));
            }
        }
    }

    /** Lines read, good or bad (header and comment lines included). */
    public long lines() {
        return lines.get();
    }

    /** Observations produced. */
    public long observations() {
        return observations.get();
    }

    /**
     * Well-formed records that name no destination by design (a PAN-OS TRAFFIC record, a Zeek DNS
     * record without a query, a Suricata flow event): not bad, not observed.
     */
    public long skippedRecords() {
        return skipped.get();
    }

    /** The count of one anomaly. */
    public long get(LogAnomaly anomaly) {
        return anomalies.get(anomaly.ordinal());
    }

    /** The sum of every anomaly counter: the number of bad lines. */
    public long badLines() {
        long sum = 0;
        for (int i = 0; i < ALL.length; i++) {
            sum += anomalies.get(i);
        }
        return sum;
    }

    /** The non-zero anomaly counters, in declaration order. */
    public Map<LogAnomaly, Long> nonZero() {
        Map<LogAnomaly, Long> out = new EnumMap<>(LogAnomaly.class);
        for (LogAnomaly a : ALL) {
            long v = anomalies.get(a.ordinal());
            if (v != 0) {
                out.put(a, v);
            }
        }
        return out;
    }

    /**
     * The first {@value #MAX_REMEMBERED_BAD_LINES} bad lines met, sorted by line number (lines held
     * back for format detection are met after the ones counted at once).
     */
    public List<BadLine> firstBadLines() {
        synchronized (firstBad) {
            List<BadLine> out = new ArrayList<>(firstBad);
            out.sort(java.util.Comparator.comparingLong(BadLine::lineNumber));
            return List.copyOf(out);
        }
    }
}
