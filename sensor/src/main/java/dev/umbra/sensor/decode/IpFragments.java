package dev.umbra.sensor.decode;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/*
 * Design notes.
 *
 * Bounded reassembly of IPv4 (RFC 791 3.2, RFC 815) and IPv6 (RFC 8200 4.5) fragments, so that a
 * DNS answer (or any UDP or TCP payload) split over fragments is read whole.
 *
 * A datagram is identified by (version, source, destination, identification, protocol for IPv4).
 * Its fragments are copied into one growing buffer behind a rebuilt header: for IPv4 the first
 * fragment's header with the fragment fields cleared and the total length set; for IPv6 a 40-byte
 * header whose next header is the fragment header's (the unfragmentable extension headers are not
 * needed to read the transport). When the last fragment has arrived and the pieces cover the
 * datagram without a gap, the rebuilt packet goes back to the decoder as an unfragmented one.
 *
 * Hostile input is bounded and counted, never trusted:
 * - overlapping fragments (RFC 5722: IPv6 must discard; for IPv4 they are an evasion tool) drop the
 *   whole datagram (ip_fragment_overlap); later fragments of it are ignored until it times out. An
 *   exact duplicate (same offset, length and bytes: a capture seeing a packet twice) is ignored;
 * - a non-last fragment whose length is not a multiple of 8, a fragment past the end the last one
 *   gave, or two different ends: ip_fragment_malformed, datagram dropped;
 * - over MAX_DATAGRAM_BYTES or MAX_FRAGMENTS pieces: ip_fragment_oversize, datagram dropped;
 * - at most maxDatagrams in progress and maxBytes held in all (the eldest evicted first), each
 *   for at most timeoutNanos of capture time: ip_fragment_incomplete when one ends unfinished. If
 *   its first fragment was there, the bytes up to the first gap are decoded then, as a cut-off
 *   packet (a DNS question, the start of a hello), which is what was read before reassembly existed.
 *
 * Callbacks happen after the datagram left the table, so a reassembled packet that holds fragments
 * of a tunnelled packet can come back here; the encapsulation depth bounds that.
 */
/** Reassembles IP fragments within fixed bounds; one per {@link PacketDecoder}. Not thread-safe. */
final class IpFragments {
    /** Receives a reassembled (or, at its end, cut-off) packet: an IPv4 or IPv6 header and its payload. */
    interface Sink {
        void packet(boolean ipv6, byte[] b, int len, int depth);
    }

    /** Largest IPv4 packet or IPv6 payload (no jumbograms). */
    static final int MAX_DATAGRAM_BYTES = 65_535;
    /** Pieces kept per datagram. */
    static final int MAX_FRAGMENTS = 64;
    /** Default cap on datagrams in progress. */
    static final int DEFAULT_MAX_DATAGRAMS = 1024;
    /** Default cap on bytes held over all datagrams in progress. */
    static final int DEFAULT_MAX_BYTES = 4 << 20;
    /** Default time a datagram may wait for its missing fragments (Linux ipfrag_time). */
    static final long DEFAULT_TIMEOUT_NANOS = 30_000_000_000L;

    private static final int PROBE_EXPIRED = 4;

    private final AnomalyCounters anomalies;
    private final Sink sink;
    private final int maxDatagrams;
    private final int maxBytes;
    private final long timeoutNanos;
    // insertion order: the eldest first, for expiry by age and for eviction
    private final Map<ByteBuffer, Datagram> datagrams = new LinkedHashMap<>();
    private int heldBytes;

    private static final class Datagram {
        final long firstSeen;
        final int depth;
        /** Rebuilt header, then the payload at {@link #header}. */
        byte[] buf;
        int header;
        /** Payload bytes the last fragment announced, or -1 until it arrived. */
        int total = -1;
        /** Sorted, non-overlapping [start, end) payload ranges received. */
        int[] starts = new int[4];
        int[] ends = new int[4];
        int pieces;
        /** True once dropped (overlap, malformed, oversize): later fragments are ignored. */
        boolean dropped;

        Datagram(long firstSeen, int depth) {
            this.firstSeen = firstSeen;
            this.depth = depth;
        }

        int contiguous() {
            return pieces > 0 && starts[0] == 0 ? ends[0] : 0;
        }
    }

    IpFragments(AnomalyCounters anomalies, Sink sink, int maxDatagrams, int maxBytes, long timeoutNanos) {
        if (maxDatagrams < 1) {
            throw new IllegalArgumentException("maxDatagrams must be at least 1: " + maxDatagrams);
        }
        if (maxBytes < MAX_DATAGRAM_BYTES) {
            throw new IllegalArgumentException("maxBytes must be at least " + MAX_DATAGRAM_BYTES + ": " + maxBytes);
        }
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos must be positive: " + timeoutNanos);
        }
        this.anomalies = anomalies;
        this.sink = sink;
        this.maxDatagrams = maxDatagrams;
        this.maxBytes = maxBytes;
        this.timeoutNanos = timeoutNanos;
    }

    /** Datagrams in progress (dropped ones included until they time out). */
    int size() {
        return datagrams.size();
    }

    /** Bytes held over all datagrams in progress. */
    int heldBytes() {
        return heldBytes;
    }

    /**
     * An IPv4 fragment (MF set or offset non-zero): header at {@code off} of {@code headerLength}
     * bytes, payload up to {@code end}.
     */
    void ipv4(byte[] b, int off, int headerLength, int end, int flagsAndOffset, boolean cut, int depth, long now) {
        expire(now, PROBE_EXPIRED);
        byte[] key = new byte[1 + 4 + 4 + 2 + 1];
        key[0] = 4;
        System.arraycopy(b, off + 12, key, 1, 8);
        key[9] = b[off + 4];
        key[10] = b[off + 5];
        key[11] = b[off + 9];
        int fragmentOffset = (flagsAndOffset & 0x1fff) * 8;
        boolean more = (flagsAndOffset & 0x2000) != 0;
        Datagram d = datagram(ByteBuffer.wrap(key), depth, now);
        if (d.buf == null) {
            d.header = headerLength;
            d.buf = new byte[headerLength + 2048];
            heldBytes += d.buf.length;
        }
        if (fragmentOffset == 0 && !d.dropped) {
            // the first fragment's header (options included) heads the rebuilt packet
            if (headerLength != d.header) {
                move(d, headerLength);
            }
            System.arraycopy(b, off, d.buf, 0, headerLength);
        }
        int n = end - off - headerLength;
        if (cut || (fragmentOffset == 0 && more && (n & 7) != 0)) {
            cutFragment(ByteBuffer.wrap(key), d, false, fragmentOffset, b, off, headerLength, end,
                    cut ? Anomaly.IP_FRAGMENT_INCOMPLETE : Anomaly.IP_FRAGMENT_MALFORMED);
            return;
        }
        add(ByteBuffer.wrap(key), d, false, fragmentOffset, more, b, off + headerLength, end - off - headerLength,
                MAX_DATAGRAM_BYTES - d.header);
    }

    /**
     * An IPv6 fragment: fixed header at {@code off}, Fragment header at {@code fragmentHeader}
     * (next header, reserved, offset and M flag, identification), payload up to {@code end}.
     */
    void ipv6(byte[] b, int off, int fragmentHeader, int end, boolean cut, int depth, long now) {
        expire(now, PROBE_EXPIRED);
        byte[] key = new byte[1 + 16 + 16 + 4];
        key[0] = 6;
        System.arraycopy(b, off + 8, key, 1, 32);
        System.arraycopy(b, fragmentHeader + 4, key, 33, 4);
        int field = ((b[fragmentHeader + 2] & 0xff) << 8) | (b[fragmentHeader + 3] & 0xff);
        int fragmentOffset = field & 0xfff8;
        boolean more = (field & 1) != 0;
        Datagram d = datagram(ByteBuffer.wrap(key), depth, now);
        if (d.buf == null) {
            d.header = 40;
            d.buf = new byte[40 + 2048];
            heldBytes += d.buf.length;
        }
        if (fragmentOffset == 0 && !d.dropped) {
            System.arraycopy(b, off, d.buf, 0, 40);
            d.buf[6] = b[fragmentHeader]; // the fragmentable part's first header follows directly
        }
        int payload = fragmentHeader + 8;
        if (cut || (fragmentOffset == 0 && more && ((end - payload) & 7) != 0)) {
            cutFragment(ByteBuffer.wrap(key), d, true, fragmentOffset, b, off, fragmentHeader, end,
                    cut ? Anomaly.IP_FRAGMENT_INCOMPLETE : Anomaly.IP_FRAGMENT_MALFORMED);
            return;
        }
        add(ByteBuffer.wrap(key), d, true, fragmentOffset, more, b, payload, end - payload, MAX_DATAGRAM_BYTES);
    }

    private Datagram datagram(ByteBuffer key, int depth, long now) {
        Datagram d = datagrams.get(key);
        if (d != null) {
            return d;
        }
        if (datagrams.size() >= maxDatagrams) {
            evictEldest();
        }
        d = new Datagram(now, depth);
        datagrams.put(key, d);
        return d;
    }

    private void add(ByteBuffer key, Datagram d, boolean ipv6, int start, boolean more, byte[] b, int p, int n,
            int maxPayload) {
        if (d.dropped) {
            return;
        }
        if (n < 0 || (more && (n == 0 || (n & 7) != 0))) {
            drop(key, d, Anomaly.IP_FRAGMENT_MALFORMED); // RFC 791 / 8200: non-last fragments are multiples of 8
            return;
        }
        int end = start + n;
        if (end > maxPayload) {
            drop(key, d, Anomaly.IP_FRAGMENT_OVERSIZE);
            return;
        }
        if (!more) {
            if (d.total >= 0 && d.total != end) {
                drop(key, d, Anomaly.IP_FRAGMENT_MALFORMED);
                return;
            }
            d.total = end;
        }
        if (d.total >= 0 && (end > d.total || d.pieces > 0 && d.ends[d.pieces - 1] > d.total)) {
            drop(key, d, Anomaly.IP_FRAGMENT_MALFORMED);
            return;
        }
        if (n > 0 && !insert(key, d, start, end, b, p, maxPayload)) {
            return;
        }
        if (d.total >= 0 && d.pieces == 1 && d.starts[0] == 0 && d.ends[0] == d.total) {
            remove(key, d);
            deliver(d, ipv6, d.total);
            return;
        }
        while (heldBytes > maxBytes && !datagrams.isEmpty()) {
            evictEldest();
        }
    }

    /**
     * Puts [start, end) among the sorted pieces (adjacent ones merge).
     *
     * @return false when the datagram was dropped, or the piece was a duplicate
     */
    private boolean insert(ByteBuffer key, Datagram d, int start, int end, byte[] b, int p, int maxPayload) {
        for (int k = 0; k < d.pieces; k++) {
            if (d.starts[k] <= start && end <= d.ends[k]) {
                if (Arrays.equals(d.buf, d.header + start, d.header + end, b, p, p + end - start)) {
                    return false; // the same bytes again: a retransmission or a capture seeing it twice
                }
                drop(key, d, Anomaly.IP_FRAGMENT_OVERLAP);
                return false;
            }
            if (d.starts[k] < end && start < d.ends[k]) {
                drop(key, d, Anomaly.IP_FRAGMENT_OVERLAP);
                return false;
            }
        }
        if (d.pieces == MAX_FRAGMENTS) {
            drop(key, d, Anomaly.IP_FRAGMENT_OVERSIZE);
            return false;
        }
        int need = d.header + end;
        if (need > d.buf.length) {
            int grown = Math.max(need, Math.min(d.header + maxPayload, d.buf.length * 2));
            heldBytes += grown - d.buf.length;
            d.buf = Arrays.copyOf(d.buf, grown);
        }
        System.arraycopy(b, p, d.buf, d.header + start, end - start);
        int i = 0;
        while (i < d.pieces && d.starts[i] < start) {
            i++;
        }
        if (d.pieces == d.starts.length) {
            d.starts = Arrays.copyOf(d.starts, d.pieces * 2);
            d.ends = Arrays.copyOf(d.ends, d.pieces * 2);
        }
        System.arraycopy(d.starts, i, d.starts, i + 1, d.pieces - i);
        System.arraycopy(d.ends, i, d.ends, i + 1, d.pieces - i);
        d.starts[i] = start;
        d.ends[i] = end;
        d.pieces++;
        for (int k = d.pieces - 1; k > 0; k--) {
            if (d.ends[k - 1] == d.starts[k]) {
                d.ends[k - 1] = d.ends[k];
                System.arraycopy(d.starts, k + 1, d.starts, k, d.pieces - k - 1);
                System.arraycopy(d.ends, k + 1, d.ends, k, d.pieces - k - 1);
                d.pieces--;
            }
        }
        return true;
    }

    /**
     * A fragment its datagram can never be whole with: cut short by the capture's snap length, or a
     * first fragment whose length is not a multiple of 8 (RFC 791, RFC 8200 4.5). A first fragment is
     * decoded at once as a cut-off packet, what was read before reassembly existed, and the datagram
     * is closed (counted as {@code why}); a later cut fragment is left out, and its datagram ends
     * incomplete when it times out.
     *
     * @param headerEnd for IPv4 the header length; for IPv6 the offset of the Fragment header
     */
    private void cutFragment(ByteBuffer key, Datagram d, boolean ipv6, int start, byte[] b, int off, int headerEnd,
            int end, Anomaly why) {
        if (start != 0 || d.dropped) {
            return;
        }
        anomalies.count(why);
        heldBytes -= d.buf.length;
        int header = ipv6 ? 40 : headerEnd;
        int from = ipv6 ? headerEnd + 8 : off + headerEnd;
        int payload = Math.max(0, end - from);
        Datagram cutOff = new Datagram(d.firstSeen, d.depth);
        cutOff.header = header;
        cutOff.buf = new byte[header + payload];
        System.arraycopy(b, off, cutOff.buf, 0, header);
        if (ipv6) {
            cutOff.buf[6] = b[headerEnd];
        }
        System.arraycopy(b, from, cutOff.buf, header, payload);
        d.dropped = true;
        d.buf = new byte[0];
        d.pieces = 0;
        deliver(cutOff, ipv6, payload);
    }

    /** Hands on the rebuilt packet with {@code payload} bytes after its header. */
    private void deliver(Datagram d, boolean ipv6, int payload) {
        byte[] out = d.buf;
        if (ipv6) {
            out[4] = (byte) (payload >> 8);
            out[5] = (byte) payload;
        } else {
            int total = d.header + payload;
            out[2] = (byte) (total >> 8);
            out[3] = (byte) total;
            out[6] = 0; // flags and fragment offset cleared: an unfragmented packet now
            out[7] = 0;
        }
        sink.packet(ipv6, out, d.header + payload, d.depth);
    }

    /** Moves the received payload when the first fragment's header length differs from the guess. */
    private void move(Datagram d, int headerLength) {
        byte[] moved = new byte[headerLength + d.buf.length - d.header];
        System.arraycopy(d.buf, d.header, moved, headerLength, d.buf.length - d.header);
        heldBytes += moved.length - d.buf.length;
        d.buf = moved;
        d.header = headerLength;
    }

    private void drop(ByteBuffer key, Datagram d, Anomaly why) {
        anomalies.count(why);
        d.dropped = true;
        heldBytes -= d.buf.length;
        d.buf = new byte[0];
        d.pieces = 0;
        // the tombstone stays (without its bytes) so that later fragments of the datagram are ignored
        datagrams.put(key, d);
    }

    private void remove(ByteBuffer key, Datagram d) {
        datagrams.remove(key);
        heldBytes -= d.buf.length;
    }

    private void evictEldest() {
        Iterator<Map.Entry<ByteBuffer, Datagram>> it = datagrams.entrySet().iterator();
        Map.Entry<ByteBuffer, Datagram> e = it.next();
        it.remove();
        heldBytes -= e.getValue().buf.length;
        ended(e.getKey(), e.getValue());
    }

    /** Ends datagrams waiting longer than the timeout at {@code now} (at most {@code max} of them). */
    void expire(long now, int max) {
        List<Map.Entry<ByteBuffer, Datagram>> ended = null;
        Iterator<Map.Entry<ByteBuffer, Datagram>> it = datagrams.entrySet().iterator();
        // insertion order: the eldest come first; stop at the first one still in time
        for (int i = 0; i < max && it.hasNext(); i++) {
            Map.Entry<ByteBuffer, Datagram> e = it.next();
            if (now - e.getValue().firstSeen <= timeoutNanos) {
                break;
            }
            it.remove();
            heldBytes -= e.getValue().buf.length;
            if (ended == null) {
                ended = new ArrayList<>();
            }
            ended.add(e);
        }
        if (ended != null) {
            for (Map.Entry<ByteBuffer, Datagram> e : ended) {
                ended(e.getKey(), e.getValue());
            }
        }
    }

    /** Ends every datagram in progress (end of capture). */
    void flush() {
        List<Map.Entry<ByteBuffer, Datagram>> all = new ArrayList<>(datagrams.entrySet());
        datagrams.clear();
        heldBytes = 0;
        for (Map.Entry<ByteBuffer, Datagram> e : all) {
            ended(e.getKey(), e.getValue());
        }
    }

    /** A datagram left unfinished: counted; the bytes up to its first gap are decoded as a cut-off packet. */
    private void ended(ByteBuffer key, Datagram d) {
        if (d.dropped) {
            return;
        }
        anomalies.count(Anomaly.IP_FRAGMENT_INCOMPLETE);
        int have = d.contiguous();
        if (have > 0) {
            deliver(d, key.get(0) == 6, have);
        }
    }
}
