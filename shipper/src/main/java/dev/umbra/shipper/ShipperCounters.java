package dev.umbra.shipper;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Delivery counters of one shipper: what was queued, spooled, sent, acknowledged, retried and
 * dropped (by reason), and delivery errors (by kind). Increments are cheap and thread-safe.
 *
 * <p>Invariant once the shipper is drained: {@code queued = acked + dropped(total) + pending in spool}.
 */
public final class ShipperCounters {
    private static final DropReason[] REASONS = DropReason.values();
    private static final DeliveryError[] ERRORS = DeliveryError.values();

    private final LongAdder queued = new LongAdder();
    private final LongAdder spooled = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder acked = new LongAdder();
    private final LongAdder retried = new LongAdder();
    private final AtomicLong spooledBytes = new AtomicLong();
    private final AtomicLongArray dropped = new AtomicLongArray(REASONS.length);
    private final AtomicLongArray errors = new AtomicLongArray(ERRORS.length);

    /** A finding was accepted by the hand-off. */
    public void countQueued() {
        queued.increment();
    }

    /** Records were appended to the spool. */
    public void countSpooled(long n) {
        spooled.add(n);
    }

    /** A record was handed to the producer. */
    public void countSent() {
        sent.increment();
    }

    /** The broker acknowledged a record. */
    public void countAcked() {
        acked.increment();
    }

    /** A record is being sent again after a failure. */
    public void countRetried() {
        retried.increment();
    }

    /** Counts {@code n} dropped records. */
    public void countDropped(DropReason reason, long n) {
        dropped.addAndGet(reason.ordinal(), n);
    }

    /** Counts one delivery error. */
    public void countError(DeliveryError error) {
        errors.incrementAndGet(error.ordinal());
    }

    /** Sets the current size of the spool on disk. */
    public void spooledBytes(long bytes) {
        spooledBytes.set(bytes);
    }

    public long queued() {
        return queued.sum();
    }

    public long spooled() {
        return spooled.sum();
    }

    public long sent() {
        return sent.sum();
    }

    public long acked() {
        return acked.sum();
    }

    public long retried() {
        return retried.sum();
    }

    /** Bytes currently in the spool files. */
    public long spooledBytes() {
        return spooledBytes.get();
    }

    public long dropped(DropReason reason) {
        return dropped.get(reason.ordinal());
    }

    /** Drops over every reason. */
    public long droppedTotal() {
        long sum = 0;
        for (int i = 0; i < REASONS.length; i++) {
            sum += dropped.get(i);
        }
        return sum;
    }

    public long errors(DeliveryError error) {
        return errors.get(error.ordinal());
    }

    /** Every counter by its snake_case name, zero or not, for metrics and {@code -v} output. */
    public Map<String, Long> snapshot() {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        out.put("queued", queued());
        out.put("spooled", spooled());
        out.put("sent", sent());
        out.put("acked", acked());
        out.put("retried", retried());
        out.put("spooled_bytes", spooledBytes());
        for (DropReason r : REASONS) {
            out.put("dropped_" + r.code(), dropped(r));
        }
        for (DeliveryError e : ERRORS) {
            out.put("error_" + e.code(), errors(e));
        }
        return out;
    }

    /** The non-zero drop counters. */
    public Map<DropReason, Long> droppedNonZero() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) {
            if (dropped(r) != 0) {
                out.put(r, dropped(r));
            }
        }
        return out;
    }
}
