package dev.umbra.sensor.decode;

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
}
