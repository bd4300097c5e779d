package dev.umbra.sensor.flow;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.util.Arrays;
import java.util.function.Consumer;

/*
 * Design notes.
 *
 * One entry per transport flow, found from either direction, so a packet costs one lookup. The
 * side that sent the first packet (for TCP, the SYN when it was seen) is the client, so bytesOut
 * counts what the client sent: the upload volume. Bytes are transport payload bytes (what the
 * application sent), not frame bytes.
 *
 * A TCP flow starts with a SYN or a segment carrying data: the bare ACKs and FINs that trail a
 * flow already ended do not start a new one. A flow ends on RST, when both sides have sent FIN,
 * after idleNanos without packets (probed a few entries at a time from the least recently used
 * end), when the table is full (the least recently used flow is evicted, counted flow_evicted), or
 * at flush(). Each end the EndFilter wants goes to the consumer once, as a Flow record made then; the
 * filter is asked first, because a full table evicts a flow for each new one and a record per eviction
 * (175 000 on the 1 M-frame generated capture, most of them a scan's) was 6 % of all allocation. The table is
 * access-ordered, so the eldest entry is the one idle longest.
 *
 * Storage: flows are rows of a long array, not objects. Every live flow survives the young
 * collections until it ends, and a scan makes a flow per packet; as one or two objects per flow
 * (the flow and its key) they were 70 % of the young collections' time on the generated capture
 * (docs/benchmarks.md). A row is ROW longs (96 bytes, two or three cache lines): the client
 * direction's addresses, ports and protocol, first and last capture time, packets and bytes each
 * way, and the least-recently-used links as row ids. Names sit in a String array by id. Ids are
 * reused through a free list; the arrays grow by doubling up to maxFlows.
 *
 * Lookup: an open-addressed index (linear probing, backward-shift deletion, at most half full) of
 * ids, with each slot's hash beside it, so a probe reads two dense int arrays and touches a row
 * only when the hash matches. The hash does not depend on the direction; a match compares the row
 * with the key both ways. This replaced a LinkedHashMap keyed by the canonical key, then a table of
 * Flow objects; the orders are the same: lookups move a flow to the young end, eviction, the idle
 * probe and flush() go from the old end.
 *
 * The idle probe runs on every packet, so it is skipped when it cannot find anything: oldestBound
 * is at most the lastNanos of every flow, and when now - oldestBound <= idleNanos no flow is idle
 * (the probe would stop at the first entry). While capture time never went backwards the eldest
 * entry has the smallest lastNanos, and a probe that stops there raises the bound to it.
 */
/**
 * A bounded table of transport flows with packets and bytes in each direction. Not thread-safe.
 * {@link #onPacket} gives a flow's id, valid until the flow ends; the ids of ended flows are
 * reused.
 */
public final class FlowTable {
    /**
     * A flow as it ended (or as it is, from {@link #flow}).
     *
     * @param client the client to server direction
     * @param firstNanos capture time of the first packet
     * @param lastNanos capture time of the last packet
     * @param packetsOut packets client to server
     * @param bytesOut transport payload bytes client to server
     * @param packetsIn packets server to client
     * @param bytesIn transport payload bytes server to client
     * @param name the name the flow was seen going to (SNI, Host), or {@code null}
     * @param path the URL path of the first plaintext HTTP request on the flow, or {@code null}
     * @param user the user the flow's client named to a proxy (Proxy-Authorization, SOCKS), or {@code null}
     */
    public record Flow(FlowKey client, long firstNanos, long lastNanos, long packetsOut, long bytesOut,
            long packetsIn, long bytesIn, String name, String path, String user) {
    }

    /** Default cap on flows tracked at once. */
    public static final int DEFAULT_MAX_FLOWS = 65_536;
    /** Default idle time after which a flow ends. */
    public static final long DEFAULT_IDLE_NANOS = 120_000_000_000L;
    /** No flow (what {@link #onPacket} gives when the packet ended or started none). */
    public static final int NONE = -1;
    private static final int PROBE_EXPIRED = 4;
    private static final int INITIAL_ROWS = 256;

    // the row layout
    private static final int SRC_HI = 0;
    private static final int SRC_LO = 1;
    private static final int DST_HI = 2;
    private static final int DST_LO = 3;
    private static final int PORTS = 4; // srcPort << 32 | dstPort << 16 | protocol << 8 | fin bits
    private static final int FIRST = 5;
    private static final int LAST = 6;
    private static final int PACKETS_OUT = 7;
    private static final int BYTES_OUT = 8;
    private static final int PACKETS_IN = 9;
    private static final int BYTES_IN = 10;
    private static final int LINKS = 11; // (older + 1) << 32 | (newer + 1); 0 for none
    private static final int ROW = 12;
    private static final long FIN_OUT = 1;
    private static final long FIN_IN = 2;

    private final AnomalyCounters anomalies;
    private final int maxFlows;
    private final long idleNanos;
    private final Consumer<Flow> onEnd;
    private final EndFilter wanted;

    private long[] rows = new long[INITIAL_ROWS * ROW];
    private String[] names = new String[INITIAL_ROWS];
    // the URL path of each flow's first plaintext HTTP request (a self-hosted runtime's flow is known by it)
    private String[] paths = new String[INITIAL_ROWS];
    private String[] users = new String[INITIAL_ROWS];
    // the hash of each row's flow, for finding its slot when it is removed
    private int[] rowHash = new int[INITIAL_ROWS];
    // ids of rows free for reuse; rows at or after `used` were never used
    private int[] free = new int[INITIAL_ROWS];
    private int freeCount;
    private int used;

    // the index: id + 1 per slot (0 empty) and the slot's hash
    private int[] slots = new int[1024];
    private int[] slotHash = new int[1024];
    private int count;
    // the least and the most recently used flow, NONE when empty
    private int eldest = NONE;
    private int youngest = NONE;
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
        this(anomalies, maxFlows, idleNanos, (name, path, port, hi, lo) -> true, onEnd);
    }

    /**
     * Which ended flows the consumer wants, asked before the Flow record is made: a full table evicts a
     * flow for every new one, and most evicted flows (a scan's) are of no interest to anyone.
     */
    @FunctionalInterface
    public interface EndFilter {
        /**
         * @param name the name the flow was seen going to, or {@code null}
         * @param path the URL path of the flow's first plaintext HTTP request, or {@code null}
         * @param serverPort the server's port
         * @param serverHi the server address's high 64 bits (FlowKey layout)
         * @param serverLo the server address's low 64 bits
         */
        boolean wants(String name, String path, int serverPort, long serverHi, long serverLo);
    }

    /**
     * @param wanted which ended flows go to {@code onEnd}; the others end without a record
     * @param onEnd receives each wanted flow once when it ends
     */
    public FlowTable(AnomalyCounters anomalies, int maxFlows, long idleNanos, EndFilter wanted, Consumer<Flow> onEnd) {
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
        this.wanted = wanted;
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
     * @return the flow's id, or {@link #NONE} when the packet ended it or started none
     */
    public int onPacket(FlowKey key, long now, int payloadBytes, boolean syn, boolean fin, boolean rst) {
        if (now < latest) {
            timeOrdered = false;
        } else {
            latest = now;
        }
        expire(now);
        int hash = hash(key);
        int id = find(key, hash);
        boolean out;
        if (id == NONE) {
            if (!syn && payloadBytes == 0 && key.protocol() == 6) {
                return NONE; // a bare ACK, FIN or RST of a flow that ended (or began before the capture)
            }
            if (count >= maxFlows) {
                anomalies.count(Anomaly.FLOW_EVICTED);
                end(eldest);
            }
            id = allocate();
            int r = id * ROW;
            direction(r, key);
            rows[r + FIRST] = now;
            rows[r + PACKETS_OUT] = 0;
            rows[r + BYTES_OUT] = 0;
            rows[r + PACKETS_IN] = 0;
            rows[r + BYTES_IN] = 0;
            names[id] = null;
            paths[id] = null;
            users[id] = null;
            insert(id, hash);
            oldestBound = Math.min(oldestBound, now);
            out = true;
        } else {
            toYoungEnd(id);
            out = isClient(id * ROW, key);
        }
        long[] t = rows;
        int r = id * ROW;
        if (syn && !out && t[r + PACKETS_OUT] + t[r + PACKETS_IN] <= 1) {
            // the first packet we saw was the server's: the SYN's sender is the client, and the flow
            // starts over from that packet in that direction
            direction(r, key);
            t[r + PACKETS_IN] = t[r + PACKETS_OUT];
            t[r + BYTES_IN] = t[r + BYTES_OUT];
            t[r + PACKETS_OUT] = 0;
            t[r + BYTES_OUT] = 0;
            names[id] = null;
            paths[id] = null;
            users[id] = null;
            out = true;
        }
        t[r + LAST] = now;
        oldestBound = Math.min(oldestBound, now);
        long ports = t[r + PORTS];
        if (out) {
            t[r + PACKETS_OUT]++;
            t[r + BYTES_OUT] += payloadBytes;
            ports |= fin ? FIN_OUT : 0;
        } else {
            t[r + PACKETS_IN]++;
            t[r + BYTES_IN] += payloadBytes;
            ports |= fin ? FIN_IN : 0;
        }
        t[r + PORTS] = ports;
        if (rst || (ports & (FIN_OUT | FIN_IN)) == (FIN_OUT | FIN_IN)) {
            end(id);
            return NONE;
        }
        return id;
    }

    /** The name a live flow was seen going to, or {@code null}. */
    public String name(int id) {
        return names[id];
    }

    /** Names a live flow. */
    public void name(int id, String name) {
        names[id] = name;
    }

    /** The URL path of a live flow's first plaintext HTTP request, or {@code null}. */
    public String path(int id) {
        return paths[id];
    }

    /** Sets the URL path of a live flow's first plaintext HTTP request. */
    public void path(int id, String path) {
        paths[id] = path;
    }

    /** The user a live flow's client named to a proxy, or {@code null}. */
    public String user(int id) {
        return users[id];
    }

    /** Sets the user a live flow's client named to a proxy. */
    public void user(int id, String user) {
        users[id] = user;
    }

    /**
     * True when the payload of the packet just counted is all the payload the live flow has carried,
     * in either direction: it is the flow's first (what a protocol read from its opening bytes needs).
     */
    public boolean firstPayload(int id, int payloadBytes) {
        int r = id * ROW;
        return payloadBytes > 0 && rows[r + BYTES_OUT] + rows[r + BYTES_IN] == payloadBytes;
    }

    /** True when a live flow has carried packets in both directions: the capture sees its answers. */
    public boolean bothWays(int id) {
        int r = id * ROW;
        return rows[r + PACKETS_OUT] > 0 && rows[r + PACKETS_IN] > 0;
    }

    /** A live flow as it is now (a new record on each call). */
    public Flow flow(int id) {
        return snapshot(id);
    }

    /** Writes the client direction (fin bits cleared) into row {@code r}. */
    private void direction(int r, FlowKey k) {
        long[] t = rows;
        t[r + SRC_HI] = k.srcHi();
        t[r + SRC_LO] = k.srcLo();
        t[r + DST_HI] = k.dstHi();
        t[r + DST_LO] = k.dstLo();
        t[r + PORTS] = (long) k.srcPort() << 32 | (long) k.dstPort() << 16 | (long) (k.protocol() & 0xff) << 8;
    }

    /** True when {@code k} is the client to server direction of row {@code r}. */
    private boolean isClient(int r, FlowKey k) {
        long[] t = rows;
        return t[r + SRC_LO] == k.srcLo() && t[r + DST_LO] == k.dstLo() && t[r + SRC_HI] == k.srcHi()
                && t[r + DST_HI] == k.dstHi() && ((t[r + PORTS] >>> 16) & 0xffff_ffffL) == ((long) k.srcPort() << 16 | k.dstPort());
    }

    /** True when {@code k} is either direction of row {@code r}'s flow. */
    private boolean sameFlow(int r, FlowKey k) {
        long[] t = rows;
        long ports = t[r + PORTS];
        if (((ports >>> 8) & 0xff) != (k.protocol() & 0xff)) {
            return false;
        }
        int srcPort = (int) (ports >>> 32) & 0xffff;
        int dstPort = (int) (ports >>> 16) & 0xffff;
        return (srcPort == k.srcPort() && dstPort == k.dstPort() && t[r + SRC_LO] == k.srcLo()
                && t[r + DST_LO] == k.dstLo() && t[r + SRC_HI] == k.srcHi() && t[r + DST_HI] == k.dstHi())
                || (srcPort == k.dstPort() && dstPort == k.srcPort() && t[r + SRC_LO] == k.dstLo()
                && t[r + DST_LO] == k.srcLo() && t[r + SRC_HI] == k.dstHi() && t[r + DST_HI] == k.srcHi());
    }

    /** Removes the flow and hands its record to the consumer when the filter wants it (asked first). */
    private void end(int id) {
        Flow ended = wanted(id) ? snapshot(id) : null;
        remove(id);
        if (ended != null) {
            onEnd.accept(ended);
        }
    }

    private boolean wanted(int id) {
        int r = id * ROW;
        return wanted.wants(names[id], paths[id], (int) (rows[r + PORTS] >>> 16) & 0xffff, rows[r + DST_HI],
                rows[r + DST_LO]);
    }

    private Flow snapshot(int id) {
        long[] t = rows;
        int r = id * ROW;
        long ports = t[r + PORTS];
        FlowKey client = new FlowKey(t[r + SRC_HI], t[r + SRC_LO], t[r + DST_HI], t[r + DST_LO],
                (int) (ports >>> 32) & 0xffff, (int) (ports >>> 16) & 0xffff, (int) (ports >>> 8) & 0xff);
        return new Flow(client, t[r + FIRST], t[r + LAST], t[r + PACKETS_OUT], t[r + BYTES_OUT], t[r + PACKETS_IN],
                t[r + BYTES_IN], names[id], paths[id], users[id]);
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

    private int find(FlowKey key, int hash) {
        int[] s = slots;
        int[] h = slotHash;
        int mask = s.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            int entry = s[i];
            if (entry == 0) {
                return NONE;
            }
            if (h[i] == hash && sameFlow((entry - 1) * ROW, key)) {
                return entry - 1;
            }
        }
    }

    /** A free row id, the arrays grown when every row is taken. */
    private int allocate() {
        if (freeCount > 0) {
            return free[--freeCount];
        }
        if (used == names.length) {
            int n = names.length * 2;
            rows = Arrays.copyOf(rows, n * ROW);
            names = Arrays.copyOf(names, n);
            paths = Arrays.copyOf(paths, n);
            users = Arrays.copyOf(users, n);
            rowHash = Arrays.copyOf(rowHash, n);
            free = Arrays.copyOf(free, n);
        }
        return used++;
    }

    private int slotOf(int id) {
        int[] s = slots;
        int mask = s.length - 1;
        for (int i = rowHash[id] & mask; ; i = (i + 1) & mask) {
            if (s[i] == id + 1) {
                return i;
            }
        }
    }

    /** Adds a flow to the index and at the young end of the list. */
    private void insert(int id, int hash) {
        if ((count + 1) * 2 > slots.length) {
            grow();
        }
        rowHash[id] = hash;
        place(slots, slotHash, id, hash);
        count++;
        setLinks(id, youngest, NONE);
        if (youngest != NONE) {
            setNewer(youngest, id);
        } else {
            eldest = id;
        }
        youngest = id;
    }

    private static void place(int[] s, int[] h, int id, int hash) {
        int mask = s.length - 1;
        int i = hash & mask;
        while (s[i] != 0) {
            i = (i + 1) & mask;
        }
        s[i] = id + 1;
        h[i] = hash;
    }

    private void grow() {
        int[] s = new int[slots.length * 2];
        int[] h = new int[s.length];
        for (int i = 0; i < slots.length; i++) {
            if (slots[i] != 0) {
                place(s, h, slots[i] - 1, slotHash[i]);
            }
        }
        slots = s;
        slotHash = h;
    }

    /** Removes a flow from the index (linear probing: later entries of its run shift back) and the list. */
    private void remove(int id) {
        int[] s = slots;
        int[] h = slotHash;
        int mask = s.length - 1;
        int i = slotOf(id);
        s[i] = 0;
        for (int j = (i + 1) & mask; s[j] != 0; j = (j + 1) & mask) {
            int home = h[j] & mask;
            // s[j] may move to the hole at i when its home is not in the cyclic range (i, j]
            boolean stays = i <= j ? (i < home && home <= j) : (i < home || home <= j);
            if (!stays) {
                s[i] = s[j];
                h[i] = h[j];
                s[j] = 0;
                i = j;
            }
        }
        count--;
        unlink(id);
        names[id] = null;
        paths[id] = null;
        users[id] = null;
        free[freeCount++] = id;
    }

    private int older(int id) {
        return (int) (rows[id * ROW + LINKS] >>> 32) - 1;
    }

    private int newer(int id) {
        return (int) rows[id * ROW + LINKS] - 1;
    }

    private void setLinks(int id, int older, int newer) {
        rows[id * ROW + LINKS] = (long) (older + 1) << 32 | (newer + 1) & 0xffff_ffffL;
    }

    private void setOlder(int id, int older) {
        setLinks(id, older, newer(id));
    }

    private void setNewer(int id, int newer) {
        setLinks(id, older(id), newer);
    }

    private void unlink(int id) {
        int older = older(id);
        int newer = newer(id);
        if (older != NONE) {
            setNewer(older, newer);
        } else {
            eldest = newer;
        }
        if (newer != NONE) {
            setOlder(newer, older);
        } else {
            youngest = older;
        }
        setLinks(id, NONE, NONE);
    }

    private void toYoungEnd(int id) {
        if (id == youngest) {
            return;
        }
        unlink(id);
        setLinks(id, youngest, NONE);
        setNewer(youngest, id);
        youngest = id;
    }

    /** Ends every flow (end of capture), least recently used first. */
    public void flush() {
        int id = eldest;
        Flow[] ended = new Flow[count];
        int n = 0;
        while (id != NONE) {
            if (wanted(id)) {
                ended[n++] = snapshot(id);
            }
            id = newer(id);
        }
        eldest = NONE;
        youngest = NONE;
        slots = new int[1024];
        slotHash = new int[1024];
        count = 0;
        freeCount = 0;
        used = 0;
        Arrays.fill(names, null);
        for (int i = 0; i < n; i++) {
            onEnd.accept(ended[i]);
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
        for (int i = 0; i < max && eldest != NONE; i++) {
            int id = eldest;
            long last = rows[id * ROW + LAST];
            if (now - last <= idleNanos) {
                if (timeOrdered) {
                    oldestBound = last; // the eldest is the oldest while time runs forward
                }
                return;
            }
            end(id);
        }
    }
}
