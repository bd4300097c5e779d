package dev.umbra.sensor.proxylog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one JSON object (RFC 8259) from a log line into flat {@code path -> value} pairs: nested
 * object keys are joined with {@code .} ({@code dns.rrname}), array elements share their array's
 * path, and only scalar values are kept (strings decoded, numbers and literals as written). Enough
 * for the flat-ish records of Zeek, Suricata and Zscaler, without a JSON library in the sensor.
 *
 * <pre>
 *   value  = object / array / string / number / "true" / "false" / "null"   ; RFC 8259 section 3
 *   object = "{" [ string ":" value *( "," string ":" value ) ] "}"          ; section 4
 *   array  = "[" [ value *( "," value ) ] "]"                                ; section 5
 * </pre>
 *
 * Bounded: at most {@link #MAX_DEPTH} levels and {@link #MAX_FIELDS} scalars. Reused per parser;
 * not thread-safe.
 */
final class JsonFields {
    static final int MAX_DEPTH = 16;
    static final int MAX_FIELDS = 512;

    private final List<String> paths = new ArrayList<>();
    private final List<String> values = new ArrayList<>();
    private byte[] buf;
    private int end;
    private int pos;
    private final StringBuilder sb = new StringBuilder();

    /** Reads the object in {@code buf[off, off + len)}; returns false when it is not well-formed. */
    boolean read(byte[] buf, int off, int len) {
        paths.clear();
        values.clear();
        this.buf = buf;
        this.end = off + len;
        this.pos = Text.skipSpaces(buf, off, end);
        if (pos >= end || buf[pos] != '{') {
            return false;
        }
        if (!value("", 0)) {
            return false;
        }
        pos = Text.skipSpaces(buf, pos, end);
        return pos == end;
    }

    int size() {
        return paths.size();
    }

    String path(int i) {
        return paths.get(i);
    }

    String value(int i) {
        return values.get(i);
    }

    /** The first value at {@code path}, or {@code null}. */
    String get(String path) {
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).equals(path)) {
                return values.get(i);
            }
        }
        return null;
    }

    /** Every value at {@code path}, in order. */
    List<String> all(String path) {
        List<String> out = new ArrayList<>(2);
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).equals(path)) {
                out.add(values.get(i));
            }
        }
        return out;
    }

    /** Whether some path equals {@code path} or starts with {@code path + "."}. */
    boolean hasPrefix(String path) {
        for (String p : paths) {
            if (p.equals(path) || (p.startsWith(path) && p.length() > path.length() && p.charAt(path.length()) == '.')) {
                return true;
            }
        }
        return false;
    }

    private boolean value(String path, int depth) {
        pos = Text.skipSpaces(buf, pos, end);
        skipNewlines();
        if (pos >= end) {
            return false;
        }
        byte b = buf[pos];
        if (b == '{') {
            return object(path, depth + 1);
        }
        if (b == '[') {
            return array(path, depth + 1);
        }
        String v;
        if (b == '"') {
            v = string();
        } else {
            int s = pos;
            while (pos < end && buf[pos] != ',' && buf[pos] != '}' && buf[pos] != ']' && !Text.isSpace(buf[pos])) {
                byte c = buf[pos];
                if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
                        || (c >= 'a' && c <= 'z'))) {
                    return false;
                }
                pos++;
            }
            if (s == pos) {
                return false;
            }
            v = new String(buf, s, pos - s, StandardCharsets.ISO_8859_1);
            if (!(v.equals("true") || v.equals("false") || v.equals("null") || isNumber(v))) {
                return false;
            }
            if (v.equals("null")) {
                return true;
            }
        }
        if (v == null) {
            return false;
        }
        if (paths.size() >= MAX_FIELDS) {
            return false;
        }
        paths.add(path);
        values.add(v);
        return true;
    }

    private static boolean isNumber(String v) {
        char c = v.charAt(0);
        return c == '-' || (c >= '0' && c <= '9');
    }

    private void skipNewlines() {
        while (pos < end && (buf[pos] == '\r' || buf[pos] == '\n' || Text.isSpace(buf[pos]))) {
            pos++;
        }
    }

    private boolean object(String path, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        pos++; // {
        skipNewlines();
        if (pos < end && buf[pos] == '}') {
            pos++;
            return true;
        }
        while (pos < end) {
            skipNewlines();
            if (pos >= end || buf[pos] != '"') {
                return false;
            }
            String key = string();
            if (key == null) {
                return false;
            }
            skipNewlines();
            if (pos >= end || buf[pos] != ':') {
                return false;
            }
            pos++;
            if (!value(path.isEmpty() ? key : path + "." + key, depth)) {
                return false;
            }
            int next = afterMember('}');
            if (next != MORE) {
                return next == CLOSED;
            }
        }
        return false;
    }

    private boolean array(String path, int depth) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        pos++; // [
        skipNewlines();
        if (pos < end && buf[pos] == ']') {
            pos++;
            return true;
        }
        while (pos < end) {
            if (!value(path, depth)) {
                return false;
            }
            int next = afterMember(']');
            if (next != MORE) {
                return next == CLOSED;
            }
        }
        return false;
    }

    private static final int MORE = 0;
    private static final int CLOSED = 1;
    private static final int BAD = -1;

    /** After a member or element: a comma means {@link #MORE}, {@code close} means {@link #CLOSED}. */
    private int afterMember(char close) {
        skipNewlines();
        if (pos >= end) {
            return BAD;
        }
        if (buf[pos] == ',') {
            pos++;
            return MORE;
        }
        if (buf[pos] == close) {
            pos++;
            return CLOSED;
        }
        return BAD;
    }

    /** A string at pos (on its opening quote), decoded; null when unterminated or badly escaped. */
    private String string() {
        int s = ++pos;
        while (pos < end && buf[pos] != '"' && buf[pos] != '\\') {
            pos++;
        }
        if (pos < end && buf[pos] == '"') {
            pos++;
            return new String(buf, s, pos - 1 - s, StandardCharsets.UTF_8);
        }
        // slow path with escapes (RFC 8259 section 7)
        sb.setLength(0);
        int runStart = s;
        while (pos < end) {
            byte b = buf[pos];
            if (b == '"') {
                sb.append(new String(buf, runStart, pos - runStart, StandardCharsets.UTF_8));
                pos++;
                return sb.toString();
            }
            if (b != '\\') {
                pos++;
                continue;
            }
            sb.append(new String(buf, runStart, pos - runStart, StandardCharsets.UTF_8));
            if (pos + 1 >= end) {
                return null;
            }
            byte e = buf[pos + 1];
            pos += 2;
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (end - pos < 4) {
                        return null;
                    }
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(buf[pos + k], 16);
                        if (d < 0) {
                            return null;
                        }
                        cp = cp * 16 + d;
                    }
                    sb.append((char) cp);
                    pos += 4;
                }
                default -> {
                    return null;
                }
            }
            runStart = pos;
        }
        return null;
    }
}
