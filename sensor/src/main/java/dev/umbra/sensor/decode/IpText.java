package dev.umbra.sensor.decode;

/** Text forms of IP addresses read in place from a buffer; allocates only the string. */
public final class IpText {
    private IpText() {
    }

    /** Dotted-quad form of the 4 bytes at {@code off}. */
    public static String v4(byte[] b, int off) {
        StringBuilder sb = new StringBuilder(15);
        for (int i = 0; i < 4; i++) {
            if (i > 0) {
                sb.append('.');
            }
            sb.append(b[off + i] & 0xff);
        }
        return sb.toString();
    }

    /** RFC 5952 form of the 16 bytes at {@code off}: lowercase hex, longest zero run as "::". */
    public static String v6(byte[] b, int off) {
        int[] words = new int[8];
        for (int i = 0; i < 8; i++) {
            words[i] = ((b[off + 2 * i] & 0xff) << 8) | (b[off + 2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (words[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && words[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        // RFC 5952 section 5: IPv4-mapped addresses keep the dotted quad.
        if (bestStart == 0 && bestLen == 5 && words[5] == 0xffff) {
            return "::ffff:" + v4(b, off + 12);
        }
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(words[i]));
        }
        return sb.toString();
    }
}
