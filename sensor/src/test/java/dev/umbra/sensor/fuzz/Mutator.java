package dev.umbra.sensor.fuzz;

import java.util.Random;

/**
 * Seeded mutations of a valid input, written into one reused buffer: bit flips, random bytes,
 * "interesting" values (0x00, 0xff, 0xc0 pointer bytes, large lengths), truncation, duplication of
 * a slice, and now and then wholly random bytes. Deterministic for a seed.
 */
public final class Mutator {
    /**
     * Inputs per fuzz test: 1,000,000, or {@code -Dumbra.fuzz.runs=N} for a longer campaign
     * (docs/sensor.md, "Robustness").
     */
    public static final int RUNS = Integer.getInteger("umbra.fuzz.runs", 1_000_000);
    /** Added to every fuzz test's seed: 0, or {@code -Dumbra.fuzz.seed=N} to explore other inputs. */
    private static final long CAMPAIGN = Long.getLong("umbra.fuzz.seed", 0L);
    private static final byte[] INTERESTING = {0, (byte) 0xff, (byte) 0xc0, (byte) 0xc0, 0x7f, (byte) 0x80, 1, 0x3f,
        0x40, 0x16, 0x03, 0x01};
    private final Random random;
    private final byte[] buf;

    /**
     * @param seed the random seed
     * @param capacity the largest input produced
     */
    public Mutator(long seed, int capacity) {
        this.random = new Random(seed);
        this.buf = new byte[capacity];
    }

    /**
     * The generator of a fuzz test: {@code testSeed} in the default campaign, another stream for
     * each {@code -Dumbra.fuzz.seed}. A failure message names the campaign seed, so the failing
     * input can be made again.
     */
    public static Mutator forTest(long testSeed, int capacity) {
        return new Mutator(testSeed + CAMPAIGN * 1_000_003L, capacity);
    }

    /** The campaign seed ({@code -Dumbra.fuzz.seed}), for failure messages. */
    public static long campaign() {
        return CAMPAIGN;
    }

    /** The buffer holding the last input. */
    public byte[] buffer() {
        return buf;
    }

    /** Writes the next input derived from {@code seed} into {@link #buffer()}; returns its length. */
    public int mutate(byte[] seed) {
        int r = random.nextInt(100);
        if (r < 5) {
            int len = random.nextInt(buf.length + 1);
            for (int i = 0; i < len; i++) {
                buf[i] = (byte) random.nextInt(256);
            }
            return len;
        }
        int len = Math.min(seed.length, buf.length);
        System.arraycopy(seed, 0, buf, 0, len);
        int edits = 1 + random.nextInt(8);
        for (int e = 0; e < edits && len > 0; e++) {
            int at = biasedOffset(len);
            switch (random.nextInt(6)) {
                case 0 -> buf[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> buf[at] = (byte) random.nextInt(256);
                case 2 -> buf[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                case 3 -> {
                    // a 16-bit length field set huge or zero
                    if (at + 1 < len) {
                        int v = random.nextBoolean() ? 0xffff : random.nextInt(3);
                        buf[at] = (byte) (v >> 8);
                        buf[at + 1] = (byte) v;
                    }
                }
                case 4 -> len = random.nextInt(len + 1);
                default -> {
                    // copy a slice over another place (repeated structures, overlapping lengths)
                    int from = random.nextInt(len);
                    int n = Math.min(random.nextInt(32) + 1, Math.min(len - from, len - at));
                    System.arraycopy(buf, from, buf, at, n);
                }
            }
        }
        return len;
    }

    /** Offsets near the start (headers, length fields) are chosen more often. */
    private int biasedOffset(int len) {
        return random.nextBoolean() ? random.nextInt(Math.min(len, 64)) : random.nextInt(len);
    }
}
