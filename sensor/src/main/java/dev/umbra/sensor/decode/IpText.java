package dev.umbra.sensor.decode;

import dev.umbra.sensor.flow.FlowKey;
import java.nio.charset.StandardCharsets;

/**
 * Text forms of IP addresses read in place from a buffer. An IPv4 address costs one string (the
 * octets come from a table and are joined by a single concatenation); an IPv6 address a string and
 * a small scratch array.
 */
public final class IpText {
    /** "0" to "255". */
    private static final String[] OCTETS = new String[256];
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    static {
        for (int i = 0; i < 256; i++) {
            OCTETS[i] = Integer.toString(i);
        }
    }

    private IpText() {
    }

    /** Dotted-quad form of the 4 bytes at {@code off}. */
    public static String v4(byte[] b, int off) {
        return OCTETS[b[off] & 0xff] + "." + OCTETS[b[off + 1] & 0xff] + "." + OCTETS[b[off + 2] & 0xff] + "."
                + OCTETS[b[off + 3] & 0xff];
    }

    /** RFC 5952 form of the 16 bytes at {@code off}: lowercase hex, longest zero run as "::". */
    public static String v6(byte[] b, int off) {
        // the longest run of at least two zero words (the first such run on a tie) becomes "::"
        int bestStart = -1;
        int bestLen = 1;
        int runStart = -1;
        for (int i = 0; i < 8; i++) {
            if (b[off + 2 * i] == 0 && b[off + 2 * i + 1] == 0) {
                if (runStart < 0) {
                    runStart = i;
                }
                if (i - runStart + 1 > bestLen) {
                    bestStart = runStart;
                    bestLen = i - runStart + 1;
                }
            } else {
                runStart = -1;
            }
        }
        // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
        if (bestStart == 0 && bestLen == 5 && (b[off + 10] & 0xff) == 0xff && (b[off + 11] & 0xff) == 0xff) {
            return "::ffff:" + v4(b, off + 12);
        }
        byte[] out = new byte[39];
        int n = 0;
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out[n++] = ':';
                out[n++] = ':';
                i += bestLen - 1;
                continue;
            }
            if (n > 0 && out[n - 1] != ':') {
                out[n++] = ':';
            }
            int word = ((b[off + 2 * i] & 0xff) << 8) | (b[off + 2 * i + 1] & 0xff);
            // lowercase hex without leading zeros (RFC 5952 section 4.1)
            for (int shift = word >= 0x1000 ? 12 : word >= 0x100 ? 8 : word >= 0x10 ? 4 : 0; shift >= 0; shift -= 4) {
                out[n++] = HEX[(word >> shift) & 0xf];
            }
        }
        return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }

    /**
     * Parses an address written as {@link #v4} and {@link #v6} write it, or in any other text form of
     * RFC 4291 section 2.2, into the numbers of a {@link FlowKey}: IPv4 as {@code hi} =
     * {@link FlowKey#V4_MARK} and {@code lo} = the address, IPv6 as its high and low 64 bits.
     *
     * @param out receives {@code hi} and {@code lo}
     * @return false when the text is not an address
     */
    public static boolean parse(CharSequence s, long[] out) {
        int n = s.length();
        if (n == 0 || n > 45) {
            return false;
        }
        boolean colon = false;
        for (int i = 0; i < n && !colon; i++) {
            colon = s.charAt(i) == ':';
        }
        if (!colon) {
            long v = v4Value(s, 0, n);
            if (v < 0) {
                return false;
            }
            out[0] = FlowKey.V4_MARK;
            out[1] = v;
            return true;
        }
        int[] words = new int[8];
        int before = 0; // words before "::", or all of them without one
        int after = 0; // words after "::", in `tail` until they are moved to the end of `words`
        int[] tail = new int[8];
        boolean gap = false;
        int i = 0;
        if (s.charAt(0) == ':') {
            if (n < 2 || s.charAt(1) != ':') {
                return false;
            }
            gap = true;
            i = 2;
        }
        while (i < n) {
            int j = i;
            boolean dot = false;
            while (j < n && s.charAt(j) != ':') {
                dot |= s.charAt(j) == '.';
                j++;
            }
            int count = before + after;
            if (dot) {
                // an IPv4 address in the last two words (RFC 4291 2.2, form 3)
                long v = j == n ? v4Value(s, i, j) : -1;
                if (v < 0 || count > 6) {
                    return false;
                }
                if (gap) {
                    tail[after++] = (int) (v >>> 16);
                    tail[after++] = (int) (v & 0xffff);
                } else {
                    words[before++] = (int) (v >>> 16);
                    words[before++] = (int) (v & 0xffff);
                }
                i = n;
                break;
            }
            int w = hexWord(s, i, j);
            if (w < 0 || count >= 8) {
                return false;
            }
            if (gap) {
                tail[after++] = w;
            } else {
                words[before++] = w;
            }
            if (j == n) {
                break;
            }
            if (j + 1 < n && s.charAt(j + 1) == ':') {
                if (gap) {
                    return false; // a second "::"
                }
                gap = true;
                i = j + 2;
            } else {
                i = j + 1;
                if (i == n) {
                    return false; // ends in a single ':'
                }
            }
        }
        if (gap ? before + after > 7 : before != 8) {
            return false;
        }
        for (int k = 0; k < after; k++) {
            words[8 - after + k] = tail[k];
        }
        long hi = 0;
        long lo = 0;
        for (int k = 0; k < 4; k++) {
            hi = hi << 16 | words[k];
            lo = lo << 16 | words[4 + k];
        }
        out[0] = hi;
        out[1] = lo;
        return true;
    }

    /** 1 to 4 hex digits, or -1. */
    private static int hexWord(CharSequence s, int from, int to) {
        if (to - from < 1 || to - from > 4) {
            return -1;
        }
        int w = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(s.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            w = w << 4 | d;
        }
        return w;
    }

    /** A dotted quad of decimal octets (no leading zeros beyond "0"), or -1. */
    private static long v4Value(CharSequence s, int from, int to) {
        long v = 0;
        int octets = 0;
        int i = from;
        while (octets < 4) {
            int start = i;
            int octet = 0;
            while (i < to && i - start < 3 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start || octet > 255 || (i - start > 1 && s.charAt(start) == '0')) {
                return -1;
            }
            v = v << 8 | octet;
            octets++;
            if (octets < 4) {
                if (i >= to || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == to ? v : -1;
    }
}
