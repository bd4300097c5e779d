package dev.umbra.sensor.proxylog;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Byte-level helpers of the log parsers: everything reads {@code buf[start, end)} in place, checks
 * bounds, and returns a sentinel ({@link #NOT_A_NUMBER}, {@code null}) on bad input.
 */
public final class Text {
    /** Returned by the number readers for anything that is not a decimal number. */
    public static final long NOT_A_NUMBER = Long.MIN_VALUE;
    /** Longest host name accepted (RFC 1035 section 2.3.4: 255 octets on the wire). */
    public static final int MAX_HOST_LENGTH = 253;
    /** Longest URL path kept in an observation; longer paths are cut. */
    public static final int MAX_PATH_LENGTH = 512;

    private Text() {
    }

    static boolean isSpace(byte b) {
        return b == ' ' || b == '\t';
    }

    /** Skips spaces and tabs from {@code i}; returns the first other index, or {@code end}. */
    static int skipSpaces(byte[] buf, int i, int end) {
        while (i < end && isSpace(buf[i])) {
            i++;
        }
        return i;
    }

    /** The index of the first space or tab at or after {@code i}, or {@code end}. */
    static int nextSpace(byte[] buf, int i, int end) {
        while (i < end && !isSpace(buf[i])) {
            i++;
        }
        return i;
    }

    /** The index of the first {@code c} at or after {@code i}, or -1. */
    static int indexOf(byte[] buf, int i, int end, byte c) {
        for (; i < end; i++) {
            if (buf[i] == c) {
                return i;
            }
        }
        return -1;
    }

    /** Whether {@code buf[i, end)} starts with the ASCII text {@code s}. */
    static boolean startsWith(byte[] buf, int i, int end, String s) {
        if (end - i < s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (buf[i + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code buf[start, end)} is exactly the ASCII text {@code s}. */
    static boolean equals(byte[] buf, int start, int end, String s) {
        return end - start == s.length() && startsWith(buf, start, end, s);
    }

    /** Whether the field is absent: empty or a single {@code -}. */
    static boolean isDash(byte[] buf, int start, int end) {
        return start >= end || (end - start == 1 && buf[start] == '-');
    }

    /** A non-negative decimal number, or {@link #NOT_A_NUMBER}; at most 18 digits. */
    static long parseLong(byte[] buf, int start, int end) {
        if (start >= end || end - start > 18) {
            return NOT_A_NUMBER;
        }
        long v = 0;
        for (int i = start; i < end; i++) {
            int d = buf[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_A_NUMBER;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** A byte count, or -1 for an absent ({@code -}) or unreadable one. */
    static long bytesOrUnknown(byte[] buf, int start, int end) {
        long v = parseLong(buf, start, end);
        return v == NOT_A_NUMBER ? -1 : v;
    }

    /** An HTTP status 0..999, or 0 when absent or unreadable. */
    static int status(byte[] buf, int start, int end) {
        long v = parseLong(buf, start, end);
        return v == NOT_A_NUMBER || v > 999 ? 0 : (int) v;
    }

    /** A TCP/UDP port, or 0 when absent or unreadable. */
    static int port(byte[] buf, int start, int end) {
        long v = parseLong(buf, start, end);
        return v == NOT_A_NUMBER || v > 65535 ? 0 : (int) v;
    }

    /** The bytes as a string (UTF-8, for user names and the like), or {@code null} for absent. */
    static String string(byte[] buf, int start, int end) {
        if (isDash(buf, start, end)) {
            return null;
        }
        return new String(buf, start, end - start, StandardCharsets.UTF_8);
    }

    /** The bytes as a string (ASCII), or {@code null} for an absent field. */
    static String ascii(byte[] buf, int start, int end) {
        if (isDash(buf, start, end)) {
            return null;
        }
        return new String(buf, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * A host name or address, lower-cased, without brackets or a trailing dot; {@code null} when
     * the bytes are not a plausible host (empty, too long, or holding characters no DNS name, IPv4
     * or IPv6 address has).
     */
    public static String host(byte[] buf, int start, int end) {
        if (end - start >= 2 && buf[start] == '[' && buf[end - 1] == ']') {
            start++;
            end--;
        }
        if (end > start && buf[end - 1] == '.') {
            end--;
        }
        int n = end - start;
        if (n <= 0 || n > MAX_HOST_LENGTH) {
            return null;
        }
        byte[] out = null;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b >= 'A' && b <= 'Z') {
                if (out == null) {
                    out = new byte[n];
                    System.arraycopy(buf, start, out, 0, n);
                }
                out[i - start] = (byte) (b + 32);
            } else if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '.' || b == '-' || b == '_'
                    || b == ':')) {
                return null;
            }
        }
        if (buf[start] == '.' || buf[start] == '-') {
            return null;
        }
        return out != null ? new String(out, StandardCharsets.ISO_8859_1)
                : new String(buf, start, n, StandardCharsets.ISO_8859_1);
    }

    /** A URL path, cut at {@link #MAX_PATH_LENGTH}; {@code null} when empty. */
    static String path(byte[] buf, int start, int end) {
        if (start >= end) {
            return null;
        }
        return new String(buf, start, Math.min(end - start, MAX_PATH_LENGTH), StandardCharsets.UTF_8);
    }

    // ---- time ----

    /** Seconds since the epoch of a civil UTC date and time (Howard Hinnant's days_from_civil). */
    static long epochSeconds(int year, int month, int day, int hour, int minute, int second) {
        int y = month <= 2 ? year - 1 : year;
        int era = (y >= 0 ? y : y - 399) / 400;
        int yoe = y - era * 400;
        int doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        long days = (long) era * 146097 + doe - 719468;
        return days * 86400 + hour * 3600L + minute * 60L + second;
    }

    /** A fixed-width decimal of {@code n} digits at {@code i}, or -1. */
    static int digits(byte[] buf, int i, int end, int n) {
        if (i < 0 || end - i < n) {
            return -1;
        }
        int v = 0;
        for (int k = 0; k < n; k++) {
            int d = buf[i + k] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Month 1..12 of a three-letter English abbreviation ({@code Jan}), or -1. */
    static int month(byte[] buf, int i, int end) {
        if (end - i < 3) {
            return -1;
        }
        int c0 = buf[i] | 0x20;
        int c1 = buf[i + 1] | 0x20;
        int c2 = buf[i + 2] | 0x20;
        int key = (c0 << 16) | (c1 << 8) | c2;
        String months = "janfebmaraprmayjunjulaugsepoctnovdec";
        for (int m = 0; m < 12; m++) {
            int k = (months.charAt(3 * m) << 16) | (months.charAt(3 * m + 1) << 8) | months.charAt(3 * m + 2);
            if (k == key) {
                return m + 1;
            }
        }
        return -1;
    }

    static boolean validDate(int y, int mo, int d, int h, int mi, int s) {
        return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0
                && mi <= 59 && s >= 0 && s <= 60;
    }

    /**
     * Seconds since the epoch with an optional fraction ({@code 1157689312.049}), or {@code null}.
     */
    static Instant epoch(byte[] buf, int start, int end) {
        int dot = indexOf(buf, start, end, (byte) '.');
        int secEnd = dot < 0 ? end : dot;
        long sec = parseLong(buf, start, secEnd);
        if (sec == NOT_A_NUMBER || sec > 253402300799L) {
            return null;
        }
        long nanos = 0;
        if (dot >= 0) {
            int fracLen = end - dot - 1;
            if (fracLen <= 0 || fracLen > 9) {
                return null;
            }
            long frac = parseLong(buf, dot + 1, end);
            if (frac == NOT_A_NUMBER) {
                return null;
            }
            for (int k = fracLen; k < 9; k++) {
                frac *= 10;
            }
            nanos = frac;
        }
        return Instant.ofEpochSecond(sec, nanos);
    }

    /**
     * {@code yyyy-mm-dd} at {@code dateStart} and {@code hh:mm:ss[.fff]} at {@code timeStart} (W3C,
     * UTC), or {@code null}. The separator of the date may also be {@code /} (PAN-OS).
     */
    static Instant dateTime(byte[] buf, int dateStart, int dateEnd, int timeStart, int timeEnd) {
        if (dateEnd - dateStart != 10 || timeEnd - timeStart < 8) {
            return null;
        }
        int y = digits(buf, dateStart, dateEnd, 4);
        int mo = digits(buf, dateStart + 5, dateEnd, 2);
        int d = digits(buf, dateStart + 8, dateEnd, 2);
        byte sep = buf[dateStart + 4];
        if ((sep != '-' && sep != '/') || buf[dateStart + 7] != sep) {
            return null;
        }
        int h = digits(buf, timeStart, timeEnd, 2);
        int mi = digits(buf, timeStart + 3, timeEnd, 2);
        int s = digits(buf, timeStart + 6, timeEnd, 2);
        if (buf[timeStart + 2] != ':' || buf[timeStart + 5] != ':' || !validDate(y, mo, d, h, mi, s)) {
            return null;
        }
        long nanos = 0;
        int i = timeStart + 8;
        if (i < timeEnd && buf[i] == '.') {
            int scale = 100_000_000;
            for (i++; i < timeEnd && scale > 0; i++) {
                int dd = buf[i] - '0';
                if (dd < 0 || dd > 9) {
                    break;
                }
                nanos += dd * (long) scale;
                scale /= 10;
            }
        }
        return Instant.ofEpochSecond(epochSeconds(y, mo, d, h, mi, s), nanos);
    }

    /**
     * An ISO 8601 time stamp as Suricata and JSON logs write it:
     * {@code 2023-03-01T12:00:00.123456+0100}, {@code ...Z} or {@code ...+01:00}; {@code null} when
     * unreadable.
     */
    static Instant iso(byte[] buf, int start, int end) {
        if (end - start < 19 || (buf[start + 10] != 'T' && buf[start + 10] != ' ')) {
            return null;
        }
        int i = start + 19;
        while (i < end && (buf[i] == '.' || (buf[i] >= '0' && buf[i] <= '9'))) {
            i++;
        }
        Instant t = dateTime(buf, start, start + 10, start + 11, i);
        if (t == null) {
            return null;
        }
        if (i == end || buf[i] == 'Z') {
            return t;
        }
        int offset = zoneOffsetSeconds(buf, i, end);
        return offset == Integer.MIN_VALUE ? null : t.minusSeconds(offset);
    }

    /** {@code +hhmm}, {@code -hh:mm} at {@code i}, or {@link Integer#MIN_VALUE}. */
    static int zoneOffsetSeconds(byte[] buf, int i, int end) {
        if (end - i < 5 || (buf[i] != '+' && buf[i] != '-')) {
            return Integer.MIN_VALUE;
        }
        int h = digits(buf, i + 1, end, 2);
        int mPos = buf[i + 3] == ':' ? i + 4 : i + 3;
        int m = digits(buf, mPos, end, 2);
        if (h < 0 || m < 0 || h > 18 || m > 59) {
            return Integer.MIN_VALUE;
        }
        int s = h * 3600 + m * 60;
        return buf[i] == '-' ? -s : s;
    }

    /** Squid's {@code %tl}: {@code 10/Oct/2000:13:55:36 -0700}, or {@code null}. */
    static Instant clf(byte[] buf, int start, int end) {
        if (end - start < 20) {
            return null;
        }
        int d = digits(buf, start, end, 2);
        int mo = month(buf, start + 3, end);
        int y = digits(buf, start + 7, end, 4);
        int h = digits(buf, start + 12, end, 2);
        int mi = digits(buf, start + 15, end, 2);
        int s = digits(buf, start + 18, end, 2);
        if (buf[start + 2] != '/' || buf[start + 6] != '/' || buf[start + 11] != ':' || !validDate(y, mo, d, h, mi, s)) {
            return null;
        }
        long t = epochSeconds(y, mo, d, h, mi, s);
        int i = skipSpaces(buf, start + 20, end);
        if (i < end) {
            int off = zoneOffsetSeconds(buf, i, end);
            if (off == Integer.MIN_VALUE) {
                return null;
            }
            t -= off;
        }
        return Instant.ofEpochSecond(t);
    }

    /** C's {@code asctime}: {@code Fri Dec 31 07:07:07 2021} (Zscaler), taken as UTC; or {@code null}. */
    static Instant asctime(byte[] buf, int start, int end) {
        if (end - start < 24) {
            return null;
        }
        int mo = month(buf, start + 4, end);
        int i = skipSpaces(buf, start + 7, end);
        int dEnd = nextSpace(buf, i, end);
        long d = parseLong(buf, i, dEnd);
        int ts = skipSpaces(buf, dEnd, end);
        if (d == NOT_A_NUMBER || end - ts < 13 || buf[ts + 2] != ':' || buf[ts + 5] != ':') {
            return null;
        }
        int h = digits(buf, ts, end, 2);
        int mi = digits(buf, ts + 3, end, 2);
        int s = digits(buf, ts + 6, end, 2);
        int y = digits(buf, skipSpaces(buf, ts + 8, end), end, 4);
        if (!validDate(y, mo, (int) d, h, mi, s)) {
            return null;
        }
        return Instant.ofEpochSecond(epochSeconds(y, mo, (int) d, h, mi, s));
    }
}
