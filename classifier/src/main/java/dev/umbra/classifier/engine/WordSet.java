package dev.umbra.classifier.engine;

import java.util.Arrays;
import java.util.Locale;

/**
 * A set of short ASCII words (at most 12 letters) looked up without allocating: each word is
 * packed into a {@code long} (5 bits per letter) and found by binary search. Used for context
 * words and keywords on the hot path.
 */
public final class WordSet {
    /** Longest word a set can hold. */
    public static final int MAX_LENGTH = 12;
    private final long[] packed;
    // a 4096-bit filter on (length, first, second, last letter) that rejects most words before packing
    private final long[] filter = new long[64];

    private WordSet(long[] packed, String[] words) {
        this.packed = packed;
        for (String w : words) {
            String l = w.toLowerCase(Locale.ROOT);
            int h = hash(l.length(), l.charAt(0), l.charAt(Math.min(1, l.length() - 1)), l.charAt(l.length() - 1));
            filter[h >>> 6] |= 1L << (h & 63);
        }
    }

    private static int hash(int len, int c0, int c1, int cl) {
        return (((len * 31 + (c0 | 0x20)) * 31 + (c1 | 0x20)) * 31 + (cl | 0x20)) & 4095;
    }

    private boolean mayContain(char[] t, int start, int end) {
        int h = hash(end - start, t[start], t[Math.min(start + 1, end - 1)], t[end - 1]);
        return (filter[h >>> 6] & 1L << (h & 63)) != 0;
    }

    /** A set of these words; matching ignores case unless {@link #containsExact} is used. */
    public static WordSet of(String... words) {
        long[] p = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            String w = words[i].toLowerCase(Locale.ROOT);
            long k = pack(w, 0, w.length(), false);
            if (k < 0) {
                throw new IllegalArgumentException("not a word of 1 to " + MAX_LENGTH + " ASCII letters: " + words[i]);
            }
            p[i] = k;
        }
        Arrays.sort(p);
        return new WordSet(p, words);
    }

    /** Whether {@code t[start, end)}, case-folded, is in the set. */
    public boolean contains(CharSequence t, int start, int end) {
        long k = pack(t, start, end, false);
        return k >= 0 && Arrays.binarySearch(packed, k) >= 0;
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
        if (n <= 0 || n > MAX_LENGTH || !mayContain(t, start, end)) {
            return false;
        }
        long k = 0;
        for (int i = start; i < end; i++) {
            char c = t[i];
            if (upper ? c < 'A' || c > 'Z' : c < 'a' || c > 'z') {
                return false;
            }
            k = k << 5 | (upper ? c - 'A' + 1 : c - 'a' + 1);
        }
        return Arrays.binarySearch(packed, k) >= 0;
    }

    /** Packs letters into 5-bit codes (a=1 .. z=26); -1 if not all ASCII letters or too long. */
    static long pack(CharSequence t, int start, int end, boolean unused) {
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
