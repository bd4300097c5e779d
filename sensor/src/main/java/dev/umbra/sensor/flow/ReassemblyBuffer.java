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

    private int cap;
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
        if (start >= highest) {
            // the common case, data in order or ahead of a gap: no byte of the range is present yet
            System.arraycopy(b, off, data, start, n);
            setBits(start, end);
            if (contiguous == start) {
                contiguous = end; // in order: everything up to here is present, nothing after it
                highest = end;
                return n == len;
            }
        } else {
            // some of the range may be present: copy each run of absent bytes whole (a segment that
            // fills a gap is one run; byte by byte it was a twentieth of a busy capture's decoding)
            int i = start;
            while (i < end) {
                int runStart = nextAbsent(i, end);
                if (runStart >= end) {
                    break;
                }
                int runEnd = nextPresent(runStart, end);
                System.arraycopy(b, off + (runStart - start), data, runStart, runEnd - runStart);
                setBits(runStart, runEnd);
                i = runEnd;
            }
        }
        highest = Math.max(highest, end);
        advanceContiguous();
        return n == len;
    }

    /** Sets the presence bits of {@code [from, to)}, a word at a time. */
    private void setBits(int from, int to) {
        if (from >= to) {
            return;
        }
        int first = from >>> 6;
        int last = (to - 1) >>> 6;
        long firstMask = -1L << (from & 63);
        long lastMask = -1L >>> (63 - ((to - 1) & 63));
        if (first == last) {
            have[first] |= firstMask & lastMask;
            return;
        }
        have[first] |= firstMask;
        for (int w = first + 1; w < last; w++) {
            have[w] = -1L;
        }
        have[last] |= lastMask;
    }

    /** The first offset in {@code [from, end)} whose byte is absent, or {@code end}. */
    private int nextAbsent(int from, int end) {
        int w = from >>> 6;
        long absent = ~have[w] & (-1L << (from & 63));
        while (absent == 0) {
            if ((++w << 6) >= end) {
                return end;
            }
            absent = ~have[w];
        }
        return Math.min(end, (w << 6) + Long.numberOfTrailingZeros(absent));
    }

    /** The first offset in {@code [from, end)} whose byte is present, or {@code end}. */
    private int nextPresent(int from, int end) {
        int w = from >>> 6;
        long present = have[w] & (-1L << (from & 63));
        while (present == 0) {
            if ((++w << 6) >= end) {
                return end;
            }
            present = have[w];
        }
        return Math.min(end, (w << 6) + Long.numberOfTrailingZeros(present));
    }

    /** Moves {@code contiguous} over the present bytes that follow it, a word at a time. */
    private void advanceContiguous() {
        while (contiguous < highest) {
            long missing = ~have[contiguous >>> 6] & (-1L << (contiguous & 63));
            if (missing != 0) {
                contiguous = Math.min(highest, (contiguous & ~63) + Long.numberOfTrailingZeros(missing));
                return;
            }
            contiguous = (contiguous & ~63) + 64;
        }
        contiguous = highest;
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
        System.arraycopy(data, n, data, 0, rest);
        // shift the presence bits down by n, in place (the destination word is never ahead of the source)
        int words = have.length;
        int shiftWords = n >>> 6;
        int shiftBits = n & 63;
        for (int w = 0; w < words; w++) {
            int src = w + shiftWords;
            long lo = src < words ? have[src] : 0;
            long hi = src + 1 < words ? have[src + 1] : 0;
            have[w] = shiftBits == 0 ? lo : (lo >>> shiftBits) | (hi << (64 - shiftBits));
        }
        contiguous -= n;
        highest = rest;
    }

    /** Forgets every byte; keeps the storage. */
    public void clear() {
        Arrays.fill(have, 0, Math.min(have.length, (highest + 63) >>> 6), 0);
        contiguous = 0;
        highest = 0;
    }

    /**
     * Forgets every byte and takes a new cap, keeping the storage: a buffer handed back when its
     * stream was read serves the next stream without a new allocation.
     */
    void reuse(int newCap) {
        if (newCap <= 0) {
            throw new IllegalArgumentException("cap must be positive: " + newCap);
        }
        clear();
        cap = newCap;
    }

    /**
     * Lets the buffer hold up to {@code newCap} bytes from now on, keeping what it holds (a stream
     * whose request head announced a body). A smaller value changes nothing. Storage still grows
     * only as bytes arrive.
     */
    public void raiseCap(int newCap) {
        cap = Math.max(cap, newCap);
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
