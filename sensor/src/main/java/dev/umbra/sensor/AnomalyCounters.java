package dev.umbra.sensor;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts {@link Anomaly anomalies}. Increments are cheap and thread-safe; readers see a consistent
 * value per counter.
 */
public final class AnomalyCounters {
    private static final Anomaly[] ALL = Anomaly.values();
    private final AtomicLongArray counts = new AtomicLongArray(ALL.length);

    /** Counts one occurrence. */
    public void count(Anomaly anomaly) {
        counts.incrementAndGet(anomaly.ordinal());
    }

    /** The count of one anomaly. */
    public long get(Anomaly anomaly) {
        return counts.get(anomaly.ordinal());
    }

    /** The non-zero counters, in declaration order. */
    public Map<Anomaly, Long> nonZero() {
        Map<Anomaly, Long> out = new EnumMap<>(Anomaly.class);
        for (Anomaly a : ALL) {
            long v = counts.get(a.ordinal());
            if (v != 0) {
                out.put(a, v);
            }
        }
        return out;
    }

    /** The sum of every counter. */
    public long total() {
        long sum = 0;
        for (int i = 0; i < ALL.length; i++) {
            sum += counts.get(i);
        }
        return sum;
    }
}
