package dev.umbra.sensor.flow;

import dev.umbra.sensor.decode.IpText;

/**
 * The addresses and ports of one direction of a transport flow, held as plain numbers so that a key
 * is a single small object. IPv4 addresses sit in the low 32 bits of {@code srcLo}/{@code dstLo}
 * with {@code srcHi}/{@code dstHi} set to {@link #V4_MARK}, which no IPv6 unicast address has
 * (it is in ff00::/8 with reserved bits set).
 *
 * @param srcHi high 64 bits of the source address
 * @param srcLo low 64 bits of the source address
 * @param dstHi high 64 bits of the destination address
 * @param dstLo low 64 bits of the destination address
 * @param srcPort source port
 * @param dstPort destination port
 * @param protocol IP protocol number (6 TCP, 17 UDP)
 */
public record FlowKey(long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort, int protocol) {
    /** The high word marking an IPv4 address. */
    public static final long V4_MARK = 0xffff_ffff_ffff_ff04L;

    /** Builds a key from addresses read in place ({@code v6} selects 16-byte addresses). */
    public static FlowKey of(boolean v6, byte[] b, int srcOff, int dstOff, int srcPort, int dstPort, int protocol) {
        if (v6) {
            return new FlowKey(be64(b, srcOff), be64(b, srcOff + 8), be64(b, dstOff), be64(b, dstOff + 8),
                    srcPort, dstPort, protocol);
        }
        return new FlowKey(V4_MARK, be32(b, srcOff), V4_MARK, be32(b, dstOff), srcPort, dstPort, protocol);
    }

    /**
     * True when this key is the one {@link #of} would build from these arguments (lets a caller
     * reuse the key of a recent packet instead of allocating one).
     */
    public boolean matches(boolean v6, byte[] b, int srcOff, int dstOff, int srcPort, int dstPort, int protocol) {
        if (this.srcPort != srcPort || this.dstPort != dstPort || this.protocol != protocol) {
            return false;
        }
        if (v6) {
            return srcHi != V4_MARK && srcHi == be64(b, srcOff) && srcLo == be64(b, srcOff + 8)
                    && dstHi == be64(b, dstOff) && dstLo == be64(b, dstOff + 8);
        }
        return srcHi == V4_MARK && srcLo == be32(b, srcOff) && dstHi == V4_MARK && dstLo == be32(b, dstOff);
    }

    /** The key of the opposite direction. */
    public FlowKey reverse() {
        return new FlowKey(dstHi, dstLo, srcHi, srcLo, dstPort, srcPort, protocol);
    }

    /**
     * The same key for both directions of a flow: the direction whose source sorts first (by
     * address, then port). Allocates only when this key is the other direction.
     */
    public FlowKey canonical() {
        int c = Long.compareUnsigned(srcHi, dstHi);
        if (c == 0) {
            c = Long.compareUnsigned(srcLo, dstLo);
        }
        if (c == 0) {
            c = Integer.compare(srcPort, dstPort);
        }
        return c <= 0 ? this : reverse();
    }

    /** Field by field, written out: a key is hashed and compared on every packet. */
    @Override
    public boolean equals(Object o) {
        return o instanceof FlowKey k && srcLo == k.srcLo && dstLo == k.dstLo && srcPort == k.srcPort
                && dstPort == k.dstPort && srcHi == k.srcHi && dstHi == k.dstHi && protocol == k.protocol;
    }

    @Override
    public int hashCode() {
        long h = srcHi * 31 + srcLo;
        h = h * 31 + dstHi;
        h = h * 31 + dstLo;
        h = h * 31 + ((long) srcPort << 16 | dstPort);
        h = h * 31 + protocol;
        return (int) (h ^ (h >>> 32));
    }

    /** True for IPv6 addresses. */
    public boolean v6() {
        return srcHi != V4_MARK;
    }

    /** Text form of the source address. */
    public String srcText() {
        return text(srcHi, srcLo);
    }

    /** Text form of the destination address. */
    public String dstText() {
        return text(dstHi, dstLo);
    }

    private static String text(long hi, long lo) {
        byte[] b = new byte[16];
        if (hi == V4_MARK) {
            for (int i = 0; i < 4; i++) {
                b[i] = (byte) (lo >>> (24 - 8 * i));
            }
            return IpText.v4(b, 0);
        }
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return IpText.v6(b, 0);
    }

    private static long be32(byte[] b, int i) {
        return ((b[i] & 0xffL) << 24) | ((b[i + 1] & 0xffL) << 16) | ((b[i + 2] & 0xffL) << 8) | (b[i + 3] & 0xffL);
    }

    private static long be64(byte[] b, int i) {
        return (be32(b, i) << 32) | be32(b, i + 4);
    }
}
