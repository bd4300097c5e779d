package dev.umbra.sensor.decode;

import static dev.umbra.sensor.decode.PacketDecoder.u16;
import static dev.umbra.sensor.decode.PacketDecoder.u32;

import dev.umbra.sensor.flow.FlowKey;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Design notes.
 *
 * Linux's `any` pseudo-interface sees a packet the host forwards or bridges on every interface it
 * crosses: a container's traffic on its veth, the bridge and the uplink; a router's on both sides.
 * Decoded each time, its names would be observed and its flow's bytes counted once per interface.
 * Captures of `any` are Linux cooked (SLL, SLL2), and only those are filtered here.
 *
 * Two kinds of copy:
 *
 * 1. Forwarded or bridged (exact): the copies differ only in what forwarding changes, the TTL or hop
 *    limit and the IPv4 checksum. The fingerprint covers the rest of the IP header (addresses,
 *    protocol, length, IPv4 identification) and the first 16 bytes after it (ports, sequence numbers,
 *    transport checksum). A packet whose fingerprint was seen within WINDOW_NANOS is dropped.
 *
 * 2. Translated (NAT): a container's connection leaves through the uplink with the host's address
 *    and perhaps another port (masquerade, SNAT); a port forward enters with the host's address and
 *    reaches the container with its own (DNAT). Netfilter rewrites addresses, ports and checksums and
 *    nothing else: not the IPv4 identification, the sequence and acknowledgement numbers, the window,
 *    the UDP length or the payload. A second fingerprint covers those. When a TCP or UDP packet's
 *    NAT fingerprint was seen within WINDOW_NANOS on another flow, and the two flows share one
 *    endpoint (the server, for SNAT; the client, for DNAT) while the other differs, the later flow is
 *    the translation of the earlier one. It is remembered, both directions, and all its packets are
 *    dropped until it has been idle for the flow idle time: the replies the host receives on the
 *    uplink before translating them back are copies too, and they come first. The first copy seen
 *    stays: for traffic a container sends, the container's own address.
 *
 *    Requiring a shared endpoint keeps apart two hosts that happen to send the same bytes: for a
 *    mistake, two different flows to the same server would need the same TCP sequence and
 *    acknowledgement numbers (or the same UDP payload, for DNS: identifier and question) and IPv4
 *    identification within 50 ms. A SYN on a remembered flow forgets it, and is checked again: a new
 *    connection on the same ports may be the host's own.
 *
 *    TCP options are left out: routers clamp the MSS option. The first 16 payload bytes and the
 *    payload length are in.
 *
 * Both tables are direct-mapped slots (a newer fingerprint overwrites an older one in its slot); the
 * translated flows are a map bounded by MAX_TRANSLATED (least recently used dropped).
 */
/**
 * Recognises the copies of one packet that a Linux {@code any} capture sees on several interfaces:
 * forwarded and bridged copies, and translated (NAT) ones. Not thread-safe.
 */
final class CookedCopies {
    /** How close in capture time a copy of a packet is taken for one (forwarding takes microseconds). */
    static final long WINDOW_NANOS = 50_000_000L;
    /** Translated flows remembered at once (both directions count). */
    static final int MAX_TRANSLATED = 8192;
    private static final int SLOTS = 4096;
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86dd;
    private static final int PROTO_TCP = 6;
    private static final long[] NO_LONGS = new long[0];
    private static final FlowKey[] NO_KEYS = new FlowKey[0];

    private final long idleNanos;
    // made on first use: a decoder of Ethernet captures never needs them
    private long[] exactHashes = NO_LONGS;
    private long[] exactTimes = NO_LONGS;
    private long[] natHashes = NO_LONGS;
    private long[] natTimes = NO_LONGS;
    private FlowKey[] natKeys = NO_KEYS;
    // translated flows, each direction, to the capture time of their last packet
    private final Map<FlowKey, long[]> translated = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FlowKey, long[]> eldest) {
            return size() > MAX_TRANSLATED;
        }
    };

    /** @param idleNanos how long a translated flow is remembered after its last packet */
    CookedCopies(long idleNanos) {
        this.idleNanos = idleNanos;
    }

    /**
     * @param etherType the protocol of the cooked header
     * @param off the IP header
     * @return true when the packet is a forwarded or bridged copy of one seen within the window
     */
    boolean exactCopy(int etherType, byte[] b, int off, int len, long now) {
        long h;
        int headerLength;
        if (etherType == ETHERTYPE_IPV4 && len >= 20) {
            headerLength = (b[off] & 0x0f) * 4;
            // version/IHL, TOS, total length, identification, flags/fragment: bytes 0-7; protocol: 9;
            // addresses: 12-19 (TTL, byte 8, and the checksum, 10-11, change on the way)
            h = mix(u32(b, off) * 31 + u32(b, off + 4));
            h = mix(h ^ (b[off + 9] & 0xff) ^ u32(b, off + 12) << 8);
            h = mix(h ^ u32(b, off + 16));
        } else if (etherType == ETHERTYPE_IPV6 && len >= 40) {
            headerLength = 40;
            // version, class, flow label, payload length, next header: bytes 0-6 (hop limit, 7, changes)
            h = mix(u32(b, off) * 31 + u16(b, off + 4) * 257L + (b[off + 6] & 0xff));
            for (int i = 8; i < 40; i += 4) {
                h = mix(h ^ u32(b, off + i));
            }
        } else {
            return false;
        }
        int end = Math.min(len, headerLength + 16);
        for (int i = headerLength; i + 4 <= end; i += 4) {
            h = mix(h ^ u32(b, off + i));
        }
        h = mix(h ^ len);
        if (exactHashes.length == 0) {
            exactHashes = new long[SLOTS];
            exactTimes = new long[SLOTS];
        }
        return seen(exactHashes, exactTimes, h, now);
    }

    /**
     * @param key the packet's flow, as sent
     * @param ipIdentification the IPv4 identification, or -1 (IPv6)
     * @param protocol TCP or UDP
     * @param off the transport header
     * @param len the transport header and payload
     * @param payloadOff the payload
     * @param syn a TCP SYN without ACK (a new connection)
     * @return true when the packet belongs to a flow that is the translation of one seen first
     */
    boolean translatedCopy(FlowKey key, int ipIdentification, int protocol, byte[] b, int off, int len,
            int payloadOff, boolean syn, long now) {
        if (!translated.isEmpty()) {
            long[] last = translated.get(key);
            if (last != null) {
                if (!syn && now - last[0] <= idleNanos) {
                    last[0] = Math.max(last[0], now);
                    return true;
                }
                translated.remove(key);
                translated.remove(key.reverse());
            }
        }
        long h = mix(protocol * 0x1_0000_0001L + ipIdentification);
        h = mix(h ^ len);
        if (protocol == PROTO_TCP) {
            // sequence, acknowledgement, data offset, flags, window: 4-15 (checksum 16-17 and the options,
            // whose MSS a router may clamp, left out)
            h = mix(h ^ u32(b, off + 4));
            h = mix(h ^ u32(b, off + 8));
            h = mix(h ^ u32(b, off + 12));
        } else {
            h = mix(h ^ u16(b, off + 4)); // the UDP length
        }
        int end = Math.min(off + len, payloadOff + 16);
        int i = payloadOff;
        for (; i + 4 <= end; i += 4) {
            h = mix(h ^ u32(b, i));
        }
        for (; i < end; i++) {
            h = mix(h ^ (b[i] & 0xff));
        }
        if (natHashes.length == 0) {
            natHashes = new long[SLOTS];
            natTimes = new long[SLOTS];
            natKeys = new FlowKey[SLOTS];
        }
        int slot = (int) h & (SLOTS - 1);
        FlowKey first = natKeys[slot];
        long seenAt = natTimes[slot];
        if (first != null && natHashes[slot] == h && now - seenAt >= 0 && now - seenAt <= WINDOW_NANOS
                && translationOf(first, key)) {
            translated.put(key, new long[] {now});
            translated.put(key.reverse(), new long[] {now});
            return true;
        }
        natHashes[slot] = h;
        natTimes[slot] = now;
        natKeys[slot] = key;
        return false;
    }

    /** Flows remembered as translations, each direction counted. */
    int translatedFlows() {
        return translated.size();
    }

    /** One endpoint the same, the other not: source NAT (the server kept) or destination NAT. */
    private static boolean translationOf(FlowKey first, FlowKey copy) {
        boolean sameSource = first.srcHi() == copy.srcHi() && first.srcLo() == copy.srcLo()
                && first.srcPort() == copy.srcPort();
        boolean sameDestination = first.dstHi() == copy.dstHi() && first.dstLo() == copy.dstLo()
                && first.dstPort() == copy.dstPort();
        return sameSource != sameDestination && first.protocol() == copy.protocol();
    }

    private static boolean seen(long[] hashes, long[] times, long h, long now) {
        int slot = (int) h & (SLOTS - 1);
        long seenAt = times[slot];
        if (hashes[slot] == h && now - seenAt >= 0 && now - seenAt <= WINDOW_NANOS) {
            return true;
        }
        hashes[slot] = h;
        times[slot] = now;
        return false;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }
}
