package dev.umbra.classifier.engine;

import java.util.Locale;

/**
 * A set of short ASCII words (at most 12 letters) looked up without allocating: each word is
 * packed into a {@code long} (5 bits per letter, see {@link #pack}) and found in an open-addressed
 * hash table of those keys (one multiply and usually one probe). Used for context words and
 * keywords on the hot path; callers that already walk a word's letters can pack as they go and
 * call {@link #containsKey}.
 */
public final class WordSet {
    /** Longest word a set can hold. */
    public static final int MAX_LENGTH = 12;
    // keys are > 0 (every letter code is at least 1), so 0 marks an empty slot
    private final long[] table;
    private final int shift;
    // a 1024-bit filter on the key's low ten bits (the last two letters) that rejects most words before the probe
    private final long[] filter = new long[16];

    private WordSet(long[] keys) {
        int bits = 4;
        while ((1 << bits) < keys.length * 4) {
            bits++;
        }
        table = new long[1 << bits];
        shift = 64 - bits;
        for (long k : keys) {
            int i = slot(k);
            while (table[i] != 0 && table[i] != k) {
                i = (i + 1) & (table.length - 1);
            }
            table[i] = k;
            filter[(int) (k >>> 6 & 15)] |= 1L << k;
        }
    }

    private int slot(long key) {
        return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
    }

    /** A set of these words; matching ignores case unless {@link #containsExact} is used. */
    public static WordSet of(String... words) {
        long[] p = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            String w = words[i].toLowerCase(Locale.ROOT);
            long k = pack(w, 0, w.length());
            if (k < 0) {
                throw new IllegalArgumentException("not a word of 1 to " + MAX_LENGTH + " ASCII letters: " + words[i]);
            }
            p[i] = k;
        }
        return new WordSet(p);
    }

    /** Whether the packed word {@code key} (see {@link #pack}; letters only, case-folded) is in the set. */
    public boolean containsKey(long key) {
        if ((filter[(int) (key >>> 6 & 15)] & 1L << key) == 0) {
            return false;
        }
        int i = slot(key);
        long v;
        while ((v = table[i]) != 0) {
            if (v == key) {
                return true;
            }
            i = (i + 1) & (table.length - 1);
        }
        return false;
    }

    /** Whether {@code t[start, end)}, case-folded, is in the set. */
    public boolean contains(CharSequence t, int start, int end) {
        long k = pack(t, start, end);
        return k > 0 && containsKey(k);
    }

    /** Whether {@code t[start, end)}, case-folded, is in the set. */
    public boolean contains(char[] t, int start, int end) {
        int n = end - start;
        if (n <= 0 || n > MAX_LENGTH) {
            return false;
        }
        long k = 0;
        for (int i = start; i < end; i++) {
            char c = t[i];
            int v = c | 0x20;
            if (v < 'a' || v > 'z') {
                return c == '.' ? containsDotted(t, start, end) : false;
            }
            k = k << 5 | (v & 31);
        }
        return containsKey(k);
    }

    private boolean containsDotted(char[] t, int start, int end) {
        long k = pack(java.nio.CharBuffer.wrap(t), start, end);
        return k > 0 && containsKey(k);
    }

    /**
     * Whether {@code t[start, end)} is in the set with every letter in the case the set was
     * written in lower case for, or every letter upper case when {@code upper}.
     */
    public boolean containsExact(CharSequence t, int start, int end, boolean upper) {
        for (int i = start; i < end; i++) {
            char c = t.charAt(i);
            if (upper ? c < 'A' || c > 'Z' : c < 'a' || c > 'z') {
                return false;
            }
        }
        return contains(t, start, end);
    }

    /** {@link #containsExact(CharSequence, int, int, boolean)} over an array. */
    public boolean containsExact(char[] t, int start, int end, boolean upper) {
        int n = end - start;
        if (n <= 0 || n > MAX_LENGTH) {
            return false;
        }
        long k = 0;
        for (int i = start; i < end; i++) {
            char c = t[i];
            if (upper ? c < 'A' || c > 'Z' : c < 'a' || c > 'z') {
                return false;
            }
            k = k << 5 | (c & 31);
        }
        return containsKey(k);
    }

    /**
     * Packs letters into 5-bit codes (a=1 .. z=26, either case; '.'=27), first letter in the
     * highest bits; -1 if not all ASCII letters or dots, or longer than {@link #MAX_LENGTH}.
     */
    public static long pack(CharSequence t, int start, int end) {
        int n = end - start;
        if (n <= 0 || n > MAX_LENGTH) {
            return -1;
        }
        long k = 0;
        for (int i = start; i < end; i++) {
            char c = t.charAt(i);
            int v;
            if (c >= 'a' && c <= 'z') {
                v = c - 'a' + 1;
            } else if (c >= 'A' && c <= 'Z') {
                v = c - 'A' + 1;
            } else if (c == '.') {
                v = 27;
            } else {
                return -1;
            }
            k = k << 5 | v;
        }
        return k;
    }
}
