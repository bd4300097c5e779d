package dev.umbra.classifier.engine;

import java.util.zip.CRC32;

/** Check-digit and statistics helpers shared by the detectors; none allocates. */
public final class Checks {
    private Checks() {
    }

    /** Luhn (mod 10) over the digits of {@code t[start, end)}, skipping non-digits. */
    public static boolean luhn(CharSequence t, int start, int end) {
        return luhnSum(t, start, end, 0) % 10 == 0;
    }

    /**
     * Luhn sum of the digits in {@code t[start, end)} with {@code prefixSum} added, where the
     * digits are the right end of the number (so doubling starts at the second digit from the right).
     */
    public static int luhnSum(CharSequence t, int start, int end, int prefixSum) {
        int sum = 0;
        boolean dbl = false;
        for (int i = end - 1; i >= start; i--) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            int d = c - '0';
            if (dbl) {
                d *= 2;
                if (d > 9) {
                    d -= 9;
                }
            }
            sum += d;
            dbl = !dbl;
        }
        return sum + prefixSum;
    }

    /** ISO 7064 mod 97-10 over an IBAN in {@code t[start, end)} (spaces skipped): true when the remainder is 1. */
    public static boolean iban(CharSequence t, int start, int end) {
        int rem = 0;
        // the first four characters move to the end
        int n = 0;
        int[] head = new int[4];
        for (int i = start; i < end; i++) {
            char c = t.charAt(i);
            if (c == ' ') {
                continue;
            }
            if (n < 4) {
                head[n++] = c;
                continue;
            }
            rem = ibanStep(rem, c);
            if (rem < 0) {
                return false;
            }
        }
        for (int h : head) {
            rem = ibanStep(rem, (char) h);
            if (rem < 0) {
                return false;
            }
        }
        return rem == 1;
    }

    private static int ibanStep(int rem, char c) {
        if (c >= '0' && c <= '9') {
            return (rem * 10 + (c - '0')) % 97;
        }
        if (c >= 'A' && c <= 'Z') {
            int v = c - 'A' + 10;
            return (rem * 100 + v) % 97;
        }
        return -1;
    }

    /** Shannon entropy in bits per character of {@code t[start, end)} (ASCII; others pooled). */
    public static double entropy(CharSequence t, int start, int end) {
        int[] counts = new int[129];
        for (int i = start; i < end; i++) {
            char c = t.charAt(i);
            counts[c < 128 ? c : 128]++;
        }
        double n = end - start;
        double h = 0;
        for (int k : counts) {
            if (k > 0) {
                double p = k / n;
                h -= p * Math.log(p);
            }
        }
        return h / Math.log(2);
    }

    /** Number of character classes (lower, upper, digit, other) present in {@code t[start, end)}. */
    public static int charClasses(CharSequence t, int start, int end) {
        int mask = 0;
        for (int i = start; i < end; i++) {
            char c = t.charAt(i);
            mask |= c >= 'a' && c <= 'z' ? 1 : c >= 'A' && c <= 'Z' ? 2 : c >= '0' && c <= '9' ? 4 : 8;
        }
        return Integer.bitCount(mask);
    }

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /**
     * GitHub's token checksum: the last six characters are the CRC32 of the random part in
     * base62 ({@code 0-9A-Za-z}), left-padded with '0'.
     */
    public static boolean githubChecksum(CharSequence t, int randomStart, int randomEnd) {
        if (randomEnd + 6 > t.length()) {
            return false;
        }
        CRC32 crc = new CRC32();
        for (int i = randomStart; i < randomEnd; i++) {
            crc.update(t.charAt(i));
        }
        long v = 0;
        for (int i = randomEnd; i < randomEnd + 6; i++) {
            int d = BASE62.indexOf(t.charAt(i));
            if (d < 0) {
                return false;
            }
            v = v * 62 + d;
        }
        return v == crc.getValue();
    }
}
