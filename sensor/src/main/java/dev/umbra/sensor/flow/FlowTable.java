package dev.umbra.sensor.flow;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/*
 * Design notes.
 *
 * One entry per transport flow, found from either direction by its canonical key (the direction
 * whose source sorts first), so a packet costs one lookup. The side that sent the first
 * packet (for TCP, the SYN when it was seen) is the client, so bytesOut counts what the client sent:
 * the upload volume. Bytes are transport payload bytes (what the application sent), not frame bytes.
 *
 * A TCP flow starts with a SYN or a segment carrying data: the bare ACKs and FINs that trail a
 * flow already ended do not start a new one. A flow ends on RST, when both sides have sent FIN, after idleNanos without packets (probed a few
 * entries at a time from the least recently used end), when the table is full (the least recently
 * used flow is evicted, counted flow_evicted), or at flush(). Each end goes to the consumer once.
 * The map is access-ordered, so the eldest entry is the one idle longest.
 *
 * The idle probe runs on every packet, so it is skipped when it cannot find anything: oldestBound
 * is at most the lastNanos of every flow, and when now - oldestBound <= idleNanos no flow is idle
 * (the probe would stop at the first entry). While capture time never went backwards the eldest
 * entry has the smallest lastNanos, and a probe that stops there raises the bound to it.
 */
/**
 * A bounded table of transport flows with packets and bytes in each direction. Not thread-safe.
 */
public final class FlowTable {
    /** One flow. Counters are public fields for the decoder that owns the table. */
    public static final class Flow {
        /** The client to server direction. */
        public final FlowKey client;
        /** Capture time of the first packet. */
        public final long firstNanos;
        /** Capture time of the last packet. */
        public long lastNanos;
        /** Packets and payload bytes client to server. */
        public long packetsOut;
        /** Payload bytes client to server. */
        public long bytesOut;
        /** Packets server to client. */
        public long packetsIn;
        /** Payload bytes server to client. */
        public long bytesIn;
        /** The name the flow was seen going to (SNI, Host), or {@code null}. */
        public String name;
        boolean finOut;
        boolean finIn;

        Flow(FlowKey client, long now) {
            this.client = client;
            this.firstNanos = now;
            this.lastNanos = now;
        }
    }

    /** Default cap on flows tracked at once. */
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    /** Default idle time after which a flow ends. */
    public static final long DEFAULT_IDLE_NANOS = 120_000_000_000L;
    private static final int PROBE_EXPIRED = 4;

    private final AnomalyCounters anomalies;
    private final int maxFlows;
    private final long idleNanos;
    private final Consumer<Flow> onEnd;
    private final Map<FlowKey, Flow> flows = new LinkedHashMap<>(1024, 0.75f, true);
    // at most every flow's lastNanos; see the design notes
    private long oldestBound = Long.MAX_VALUE;
    private long latest = Long.MIN_VALUE;
    private boolean timeOrdered = true;
    // the last two keys seen and their canonical forms (the caller reuses keys of recent packets)
    private FlowKey recentKey;
    private FlowKey recentCanonical;
    private FlowKey olderKey;
    private FlowKey olderCanonical;

    /**
     * @param maxFlows flows tracked at once, at least 1
     * @param idleNanos time without packets after which a flow ends, positive
     * @param onEnd receives each flow once when it ends
     */
    public FlowTable(AnomalyCounters anomalies, int maxFlows, long idleNanos, Consumer<Flow> onEnd) {
        if (maxFlows < 1) {
            throw new IllegalArgumentException("maxFlows must be at least 1: " + maxFlows);
        }
        if (idleNanos <= 0) {
            throw new IllegalArgumentException("idleNanos must be positive: " + idleNanos);
        }
        this.anomalies = anomalies;
        this.maxFlows = maxFlows;
        this.idleNanos = idleNanos;
        this.onEnd = onEnd;
    }

    /** Flows tracked now. */
    public int size() {
        return flows.size();
    }

    /**
     * Counts one packet.
     *
     * @param key the packet's direction
     * @param payloadBytes transport payload bytes
     * @param syn true for a TCP SYN without ACK (its sender is the client)
     * @param fin true when the packet carries FIN
     * @param rst true when the packet carries RST (the flow ends)
     * @return the flow, or {@code null} when the packet ended it
     */
    public Flow onPacket(FlowKey key, long now, int payloadBytes, boolean syn, boolean fin, boolean rst) {
        if (now < latest) {
            timeOrdered = false;
        } else {
            latest = now;
        }
        expire(now);
        FlowKey canonical = canonical(key);
        Flow f = flows.get(canonical);
        if (f == null) {
            if (!syn && payloadBytes == 0 && key.protocol() == 6) {
                return null; // a bare ACK, FIN or RST of a flow that ended (or began before the capture)
            }
            if (flows.size() >= maxFlows) {
                Iterator<Flow> it = flows.values().iterator();
                Flow eldest = it.next();
                it.remove();
                anomalies.count(Anomaly.FLOW_EVICTED);
                onEnd.accept(eldest);
            }
            f = new Flow(key, now);
            flows.put(canonical, f);
            oldestBound = Math.min(oldestBound, now);
        }
        boolean out = key.equals(f.client);
        if (syn && !out && f.packetsOut + f.packetsIn <= 1) {
            // the first packet we saw was the server's: the SYN's sender is the client
            Flow swapped = new Flow(key, f.firstNanos);
            swapped.packetsIn = f.packetsOut;
            swapped.bytesIn = f.bytesOut;
            f = swapped;
            flows.put(canonical, f);
            out = true;
        }
        f.lastNanos = now;
        oldestBound = Math.min(oldestBound, now);
        if (out) {
            f.packetsOut++;
            f.bytesOut += payloadBytes;
            f.finOut |= fin;
        } else {
            f.packetsIn++;
            f.bytesIn += payloadBytes;
            f.finIn |= fin;
        }
        if (rst || (f.finOut && f.finIn)) {
            flows.remove(canonical);
            onEnd.accept(f);
            return null;
        }
        return f;
    }

    /** The canonical key, without allocating the reverse key again for a key seen just before. */
    private FlowKey canonical(FlowKey key) {
        if (key == recentKey) {
            return recentCanonical;
        }
        FlowKey c = key == olderKey ? olderCanonical : key.canonical();
        olderKey = recentKey;
        olderCanonical = recentCanonical;
        recentKey = key;
        recentCanonical = c;
        return c;
    }

    /** Ends every flow (end of capture). */
    public void flush() {
        for (Flow f : flows.values()) {
            onEnd.accept(f);
        }
        flows.clear();
    }

    /** Ends every flow idle for longer than the timeout at {@code now} (a clock tick without packets). */
    public void expireIdle(long now) {
        expire(now, Integer.MAX_VALUE);
    }

    private void expire(long now) {
        expire(now, PROBE_EXPIRED);
    }

    private void expire(long now, int max) {
        if (flows.isEmpty() || now - oldestBound <= idleNanos) {
            return; // no flow can be idle yet
        }
        Iterator<Flow> it = flows.values().iterator();
        for (int i = 0; i < max && it.hasNext(); i++) {
            Flow f = it.next();
            if (now - f.lastNanos <= idleNanos) {
                if (timeOrdered) {
                    oldestBound = f.lastNanos; // the eldest is the oldest while time runs forward
                }
                return;
            }
            it.remove();
            onEnd.accept(f);
        }
    }
}
