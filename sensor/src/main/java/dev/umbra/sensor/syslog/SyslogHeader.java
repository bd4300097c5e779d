package dev.umbra.sensor.syslog;

import java.nio.charset.StandardCharsets;

/**
 * Reads the header of one syslog message in place and finds where its message text starts.
 *
 * <pre>
 *   RFC 5424 section 6:
 *     SYSLOG-MSG = HEADER SP STRUCTURED-DATA [SP MSG]
 *     HEADER     = PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID
 *     PRI        = "&lt;" 1*3DIGIT "&gt;"                ; 0..191
 *     STRUCTURED-DATA = NILVALUE / 1*SD-ELEMENT      ; "-" or "[id k=\"v\" ...]..."
 *   RFC 3164 section 4.1 (BSD syslog, also what rsyslog writes to files without PRI):
 *     [PRI] TIMESTAMP SP HOSTNAME SP TAG ["[" PID "]"] ":" SP CONTENT
 *     TIMESTAMP  = Mmm SP dd SP hh:mm:ss              ; day space-padded ("Nov  3")
 *   rsyslog's RFC 3339 file format: 2026-11-21T02:00:00.123456+00:00 HOSTNAME TAG: CONTENT
 * </pre>
 *
 * A BSD message without a TAG (PAN-OS writes its CSV straight after the host name) has its text
 * start after the host name. Reused per thread; not thread-safe.
 */
public final class SyslogHeader {
    /** Longest APP-NAME / TAG kept (RFC 5424 allows 48). */
    public static final int MAX_APP_NAME = 48;
    /** Longest HOSTNAME accepted (RFC 5424: 255). */
    public static final int MAX_HOSTNAME = 255;

    /** Which header was read. */
    public enum Kind { RFC3164, RFC5424 }

    private Kind kind;
    private int priority;
    private int hostStart;
    private int hostEnd;
    private int appStart;
    private int appEnd;
    private int bodyStart;
    private byte[] buf;

    /**
     * Reads the header of {@code buf[off, off + len)}.
     *
     * @param requirePri whether a PRI part is required (network intake) or optional (files)
     * @return true when a header was read; {@link #bodyStart()} then gives the message text
     */
    public boolean parse(byte[] buf, int off, int len, boolean requirePri) {
        this.buf = buf;
        int end = off + len;
        int i = off;
        priority = -1;
        appStart = appEnd = hostStart = hostEnd = -1;
        if (i < end && buf[i] == '<') {
            int p = 0;
            int j = i + 1;
            while (j < end && j - i <= 3 && buf[j] >= '0' && buf[j] <= '9') {
                p = p * 10 + (buf[j] - '0');
                j++;
            }
            if (j >= end || buf[j] != '>' || j == i + 1 || p > 191) {
                return false;
            }
            priority = p;
            i = j + 1;
        } else if (requirePri) {
            return false;
        }
        // RFC 5424: VERSION SP right after PRI
        if (priority >= 0 && i + 1 < end && buf[i] >= '1' && buf[i] <= '9' && buf[i + 1] == ' ') {
            return parse5424(buf, i + 2, end);
        }
        int t = timestamp3164(buf, i, end);
        if (t < 0) {
            t = timestamp3339(buf, i, end);
        }
        if (t < 0 || t >= end || buf[t] != ' ') {
            return false;
        }
        i = t + 1;
        int h = token(buf, i, end);
        if (h == i || h - i > MAX_HOSTNAME || h >= end) {
            return false;
        }
        hostStart = i;
        hostEnd = h;
        i = h + 1;
        // TAG: alphanumerics and a few marks, then "[pid]" and/or ":", then a blank
        int j = i;
        while (j < end && j - i < MAX_APP_NAME && isTagChar(buf[j])) {
            j++;
        }
        int tagEnd = j;
        if (j < end && buf[j] == '[') {
            int close = j + 1;
            while (close < end && close - j < 12 && buf[close] != ']') {
                close++;
            }
            j = close < end && buf[close] == ']' ? close + 1 : j;
        }
        if (tagEnd > i && j < end && buf[j] == ':' && (j + 1 == end || buf[j + 1] == ' ')) {
            appStart = i;
            appEnd = tagEnd;
            bodyStart = Math.min(end, j + 2);
        } else {
            bodyStart = i;
        }
        kind = Kind.RFC3164;
        return true;
    }

    private boolean parse5424(byte[] buf, int i, int end) {
        int e = token(buf, i, end); // TIMESTAMP
        if (e == i || e >= end) {
            return false;
        }
        i = e + 1;
        e = token(buf, i, end); // HOSTNAME
        if (e == i || e >= end || e - i > MAX_HOSTNAME) {
            return false;
        }
        hostStart = i;
        hostEnd = e;
        i = e + 1;
        e = token(buf, i, end); // APP-NAME
        if (e == i || e >= end || e - i > MAX_APP_NAME) {
            return false;
        }
        if (!(e - i == 1 && buf[i] == '-')) {
            appStart = i;
            appEnd = e;
        }
        i = e + 1;
        e = token(buf, i, end); // PROCID
        if (e == i || e >= end) {
            return false;
        }
        i = e + 1;
        e = token(buf, i, end); // MSGID
        if (e == i) {
            return false;
        }
        i = e + 1;
        if (i > end) {
            return false;
        }
        if (i < end && buf[i] == '-') {
            i++;
        } else if (i < end && buf[i] == '[') {
            // SD-ELEMENTs: skip to the "]" that is not inside a quoted PARAM-VALUE (section 6.3.3)
            while (i < end && buf[i] == '[') {
                boolean quoted = false;
                i++;
                while (i < end) {
                    byte b = buf[i];
                    if (b == '\\' && quoted) {
                        i += 2;
                        continue;
                    }
                    if (b == '"') {
                        quoted = !quoted;
                    } else if (b == ']' && !quoted) {
                        break;
                    }
                    i++;
                }
                if (i >= end) {
                    return false;
                }
                i++;
            }
        } else if (i < end) {
            return false;
        }
        if (i < end && buf[i] == ' ') {
            i++;
        }
        // MSG may start with a UTF-8 BOM (section 6.4)
        if (end - i >= 3 && (buf[i] & 0xff) == 0xEF && (buf[i + 1] & 0xff) == 0xBB && (buf[i + 2] & 0xff) == 0xBF) {
            i += 3;
        }
        bodyStart = i;
        kind = Kind.RFC5424;
        return true;
    }

    /** End of {@code Mmm dd hh:mm:ss} at i, or -1. */
    private static int timestamp3164(byte[] buf, int i, int end) {
        if (end - i < 15) {
            return -1;
        }
        if (!Character.isLetter(buf[i]) || !Character.isLetter(buf[i + 1]) || !Character.isLetter(buf[i + 2])
                || buf[i + 3] != ' ') {
            return -1;
        }
        int d0 = buf[i + 4];
        int d1 = buf[i + 5];
        if (!((d0 == ' ' || (d0 >= '0' && d0 <= '3')) && d1 >= '0' && d1 <= '9') || buf[i + 6] != ' ') {
            return -1;
        }
        int t = i + 7;
        if (!digit(buf[t]) || !digit(buf[t + 1]) || buf[t + 2] != ':' || !digit(buf[t + 3]) || !digit(buf[t + 4])
                || buf[t + 5] != ':' || !digit(buf[t + 6]) || !digit(buf[t + 7])) {
            return -1;
        }
        return t + 8;
    }

    /** End of an RFC 3339 time stamp ({@code 2026-11-21T02:00:00[.f][Z|+hh:mm]}) at i, or -1. */
    private static int timestamp3339(byte[] buf, int i, int end) {
        if (end - i < 20 || !digit(buf[i]) || buf[i + 4] != '-' || buf[i + 7] != '-' || buf[i + 10] != 'T'
                || buf[i + 13] != ':') {
            return -1;
        }
        return token(buf, i, end);
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static int token(byte[] buf, int i, int end) {
        while (i < end && buf[i] != ' ') {
            i++;
        }
        return i;
    }

    private static boolean isTagChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_' || b == '-'
                || b == '.' || b == '/';
    }

    /** Which header was read. */
    public Kind kind() {
        return kind;
    }

    /** The PRI value 0..191, or -1 when the message had none. */
    public int priority() {
        return priority;
    }

    /** Where the message text starts (may equal the end: an empty message). */
    public int bodyStart() {
        return bodyStart;
    }

    /** The HOSTNAME field. */
    public String hostname() {
        return hostStart < 0 ? null : new String(buf, hostStart, hostEnd - hostStart, StandardCharsets.ISO_8859_1);
    }

    /** The APP-NAME (RFC 5424) or TAG (RFC 3164), or {@code null} when the message has none. */
    public String appName() {
        return appStart < 0 ? null : new String(buf, appStart, appEnd - appStart, StandardCharsets.ISO_8859_1);
    }
}
