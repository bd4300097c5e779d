package dev.umbra.sensor.flow;

import java.util.Arrays;

/**
 * Bytes of one stream (TCP payload or QUIC CRYPTO data) placed by offset, in any order, up to a
 * fixed cap. Tracks which bytes arrived so that the caller can ask how long the contiguous prefix
 * from offset 0 is. Overlapping data keeps the first copy (RFC 9293 and RFC 9000 both require
 * retransmitted bytes to be identical; a mismatch is not Umbra's business to resolve).
 *
 * <p>Storage grows by doubling from a small start so that short hellos cost little. Not
 * thread-safe.
 */
public final class ReassemblyBuffer {
    private static final int INITIAL_CAPACITY = 2048;

    private final int cap;
    private byte[] data;
    private long[] have;
    private int contiguous;
    private int highest;

    /**
     * @param cap the most bytes kept; data beyond it is refused
     */
    public ReassemblyBuffer(int cap) {
        if (cap <= 0) {
            throw new IllegalArgumentException("cap must be positive: " + cap);
        }
        this.cap = cap;
        int initial = Math.min(cap, INITIAL_CAPACITY);
        this.data = new byte[initial];
        this.have = new long[(initial + 63) >>> 6];
    }

    /**
     * Copies {@code len} bytes placed at stream offset {@code offset}.
     *
     * @return false when part of the data lies beyond the cap (the part inside it is kept)
     */
    public boolean put(long offset, byte[] b, int off, int len) {
        if (offset < 0 || len < 0) {
            return false;
        }
        if (offset >= cap) {
            return len == 0;
        }
        int start = (int) offset;
        int n = (int) Math.min(len, cap - offset);
        int end = start + n;
        ensure(end);
        for (int i = start; i < end; i++) {
            long bit = 1L << (i & 63);
            if ((have[i >>> 6] & bit) == 0) {
                data[i] = b[off + (i - start)];
                have[i >>> 6] |= bit;
            }
        }
        highest = Math.max(highest, end);
        while (contiguous < highest && (have[contiguous >>> 6] & (1L << (contiguous & 63))) != 0) {
            contiguous++;
        }
        return n == len;
    }

    /** Length of the run of bytes present from offset 0. */
    public int contiguous() {
        return contiguous;
    }

    /** One past the highest byte offset received. */
    public int highest() {
        return highest;
    }

    /** The backing array; bytes {@code [0, contiguous())} are valid. */
    public byte[] array() {
        return data;
    }

    /** The cap given at construction. */
    public int cap() {
        return cap;
    }

    /**
     * Drops the first {@code n} bytes (which must all be present) and renumbers the rest from 0, so
     * that a long stream of small messages (DNS over TCP) stays within the cap.
     */
    public void discard(int n) {
        if (n <= 0) {
            return;
        }
        if (n > contiguous) {
            throw new IllegalArgumentException("cannot discard " + n + " bytes, only " + contiguous + " present");
        }
        int rest = highest - n;
        long[] old = have.clone();
        Arrays.fill(have, 0);
        for (int i = 0; i < rest; i++) {
            int from = i + n;
            if ((old[from >>> 6] & (1L << (from & 63))) != 0) {
                data[i] = data[from];
                have[i >>> 6] |= 1L << (i & 63);
            }
        }
        contiguous -= n;
        highest = rest;
    }

    /** Forgets every byte; keeps the storage. */
    public void clear() {
        Arrays.fill(have, 0);
        contiguous = 0;
        highest = 0;
    }

    private void ensure(int end) {
        if (end <= data.length) {
            return;
        }
        int size = data.length;
        while (size < end) {
            size = Math.min(cap, size * 2);
        }
        data = Arrays.copyOf(data, size);
        have = Arrays.copyOf(have, (size + 63) >>> 6);
    }
}
