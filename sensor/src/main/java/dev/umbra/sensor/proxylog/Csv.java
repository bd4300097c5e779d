package dev.umbra.sensor.proxylog;

import java.nio.charset.StandardCharsets;

/**
 * Splits one CSV record in place (RFC 4180 section 2): fields separated by {@code ,}, optionally
 * enclosed in {@code "}, a {@code "} inside a quoted field doubled. Field spans exclude the
 * enclosing quotes; {@link #unquote} undoes the doubling when a string is needed.
 */
final class Csv {
    private Csv() {
    }

    /**
     * Splits {@code buf[off, end)}.
     *
     * @return the number of fields (at most {@code starts.length}; later fields are not split), or
     *     -1 when a quoted field is not closed or is followed by something other than a separator
     */
    static int split(byte[] buf, int off, int end, byte sep, int[] starts, int[] ends) {
        int n = 0;
        int pos = off;
        while (n < starts.length) {
            if (pos < end && buf[pos] == '"') {
                int i = pos + 1;
                while (true) {
                    if (i >= end) {
                        return -1;
                    }
                    if (buf[i] == '"') {
                        if (i + 1 < end && buf[i + 1] == '"') {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i++;
                }
                starts[n] = pos + 1;
                ends[n] = i;
                n++;
                pos = i + 1;
                if (pos == end) {
                    return n;
                }
                if (buf[pos] != sep) {
                    return -1;
                }
                pos++;
            } else {
                int i = pos;
                while (i < end && buf[i] != sep) {
                    i++;
                }
                starts[n] = pos;
                ends[n] = i;
                n++;
                if (i == end) {
                    return n;
                }
                pos = i + 1;
            }
        }
        return n;
    }

    /** The field as a string with doubled quotes undone; {@code null} when empty. */
    static String unquote(byte[] buf, int start, int end) {
        if (start >= end) {
            return null;
        }
        String s = new String(buf, start, end - start, StandardCharsets.UTF_8);
        return s.indexOf('"') >= 0 ? s.replace("\"\"", "\"") : s;
    }
}
