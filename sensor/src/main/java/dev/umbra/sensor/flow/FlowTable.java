package dev.umbra.sensor.flow;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
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
 * The table is access-ordered, so the eldest entry is the one idle longest.
 *
 * Storage: an open-addressed table (linear probing, backward-shift deletion, at most half full) of
 * the Flow objects themselves, found from either direction by a hash that does not depend on the
 * direction and a comparison with the flow's client key both ways; and a doubly linked list through
 * the flows, least recently used first. This replaced a LinkedHashMap keyed by the canonical key,
 * which cost a canonical (often reversed) key, an entry object and their equals per packet, and was
 * the decoder's largest item in the profile. Orders are the same: lookups move a flow to the young
 * end, eviction, the idle probe and flush() go from the old end.
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
        // table internals: the direction-free hash of the key, and the least-recently-used list
        int hash;
        Flow older;
        Flow newer;

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
    private Flow[] slots = new Flow[1024];
    private int count;
    // the least and the most recently used flow
    private Flow eldest;
    private Flow youngest;
    // at most every flow's lastNanos; see the design notes
    private long oldestBound = Long.MAX_VALUE;
    private long latest = Long.MIN_VALUE;
    private boolean timeOrdered = true;

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
        return count;
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
        int hash = hash(key);
        Flow f = find(key, hash);
        if (f == null) {
            if (!syn && payloadBytes == 0 && key.protocol() == 6) {
                return null; // a bare ACK, FIN or RST of a flow that ended (or began before the capture)
            }
            if (count >= maxFlows) {
                Flow e = eldest;
                remove(e);
                anomalies.count(Anomaly.FLOW_EVICTED);
                onEnd.accept(e);
            }
            f = new Flow(key, now);
            insert(f, hash);
            oldestBound = Math.min(oldestBound, now);
        } else {
            toYoungEnd(f);
        }
        boolean out = key.equals(f.client);
        if (syn && !out && f.packetsOut + f.packetsIn <= 1) {
            // the first packet we saw was the server's: the SYN's sender is the client
            Flow swapped = new Flow(key, f.firstNanos);
            swapped.packetsIn = f.packetsOut;
            swapped.bytesIn = f.bytesOut;
            replace(f, swapped);
            f = swapped;
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
            remove(f);
            onEnd.accept(f);
            return null;
        }
        return f;
    }

    /** A hash of the flow a key belongs to, the same from both directions. */
    private static int hash(FlowKey k) {
        long a = mix(k.srcHi() * 0x9E3779B97F4A7C15L + k.srcLo() * 0xC2B2AE3D27D4EB4FL + k.srcPort());
        long b = mix(k.dstHi() * 0x9E3779B97F4A7C15L + k.dstLo() * 0xC2B2AE3D27D4EB4FL + k.dstPort());
        long h = mix(a + b + k.protocol());
        return (int) (h ^ (h >>> 32));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** True when {@code k} is either direction of the flow whose client direction is {@code c}. */
    private static boolean sameFlow(FlowKey c, FlowKey k) {
        if (c.protocol() != k.protocol()) {
            return false;
        }
        return (c.srcPort() == k.srcPort() && c.dstPort() == k.dstPort() && c.srcLo() == k.srcLo()
                && c.dstLo() == k.dstLo() && c.srcHi() == k.srcHi() && c.dstHi() == k.dstHi())
                || (c.srcPort() == k.dstPort() && c.dstPort() == k.srcPort() && c.srcLo() == k.dstLo()
                && c.dstLo() == k.srcLo() && c.srcHi() == k.dstHi() && c.dstHi() == k.srcHi());
    }

    private Flow find(FlowKey key, int hash) {
        Flow[] t = slots;
        int mask = t.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            Flow f = t[i];
            if (f == null) {
                return null;
            }
            if (f.hash == hash && sameFlow(f.client, key)) {
                return f;
            }
        }
    }

    private int indexOf(Flow f) {
        Flow[] t = slots;
        int mask = t.length - 1;
        for (int i = f.hash & mask; ; i = (i + 1) & mask) {
            if (t[i] == f) {
                return i;
            }
        }
    }

    /** Adds a flow at the young end. */
    private void insert(Flow f, int hash) {
        if ((count + 1) * 2 > slots.length) {
            grow();
        }
        f.hash = hash;
        place(slots, f);
        count++;
        f.older = youngest;
        f.newer = null;
        if (youngest != null) {
            youngest.newer = f;
        } else {
            eldest = f;
        }
        youngest = f;
    }

    private static void place(Flow[] t, Flow f) {
        int mask = t.length - 1;
        int i = f.hash & mask;
        while (t[i] != null) {
            i = (i + 1) & mask;
        }
        t[i] = f;
    }

    private void grow() {
        Flow[] t = new Flow[slots.length * 2];
        for (Flow f : slots) {
            if (f != null) {
                place(t, f);
            }
        }
        slots = t;
    }

    /** Removes a flow from the table and the list (linear probing: later entries of its run shift back). */
    private void remove(Flow f) {
        Flow[] t = slots;
        int mask = t.length - 1;
        int i = indexOf(f);
        t[i] = null;
        for (int j = (i + 1) & mask; t[j] != null; j = (j + 1) & mask) {
            int home = t[j].hash & mask;
            // t[j] may move to the hole at i when its home is not in the cyclic range (i, j]
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                t[i] = t[j];
                t[j] = null;
                i = j;
            }
        }
        count--;
        unlink(f);
    }

    /** Puts {@code next} where {@code old} was, in the table and in the list. */
    private void replace(Flow old, Flow next) {
        next.hash = old.hash;
        slots[indexOf(old)] = next;
        next.older = old.older;
        next.newer = old.newer;
        if (old.older != null) {
            old.older.newer = next;
        } else {
            eldest = next;
        }
        if (old.newer != null) {
            old.newer.older = next;
        } else {
            youngest = next;
        }
        old.older = null;
        old.newer = null;
    }

    private void unlink(Flow f) {
        if (f.older != null) {
            f.older.newer = f.newer;
        } else {
            eldest = f.newer;
        }
        if (f.newer != null) {
            f.newer.older = f.older;
        } else {
            youngest = f.older;
        }
        f.older = null;
        f.newer = null;
    }

    private void toYoungEnd(Flow f) {
        if (f == youngest) {
            return;
        }
        unlink(f);
        f.older = youngest;
        youngest.newer = f;
        youngest = f;
    }

    /** Ends every flow (end of capture), least recently used first. */
    public void flush() {
        Flow f = eldest;
        eldest = null;
        youngest = null;
        slots = new Flow[1024];
        count = 0;
        while (f != null) {
            Flow next = f.newer;
            f.older = null;
            f.newer = null;
            onEnd.accept(f);
            f = next;
        }
    }

    /** Ends every flow idle for longer than the timeout at {@code now} (a clock tick without packets). */
    public void expireIdle(long now) {
        expire(now, Integer.MAX_VALUE);
    }

    private void expire(long now) {
        expire(now, PROBE_EXPIRED);
    }

    private void expire(long now, int max) {
        if (count == 0 || now - oldestBound <= idleNanos) {
            return; // no flow can be idle yet
        }
        for (int i = 0; i < max && eldest != null; i++) {
            Flow f = eldest;
            if (now - f.lastNanos <= idleNanos) {
                if (timeOrdered) {
                    oldestBound = f.lastNanos; // the eldest is the oldest while time runs forward
                }
                return;
            }
            remove(f);
            onEnd.accept(f);
        }
    }
}
