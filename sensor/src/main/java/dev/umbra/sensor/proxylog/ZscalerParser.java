package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the Zscaler Internet Access NSS web log feed in its three usual shapes: JSON (the
 * {@code zscalernss-web} feed, optionally wrapped as {@code {"sourcetype":..,"event":{..}}}),
 * name=value pairs separated by tabs or blanks, and CSV with a configured field list.
 *
 * <pre>
 *   time login proto eurl action appname ... reqsize respsize ... cip sip reqmethod respcode ...
 *   eurl     = host [":" port] [path] ["?" query]       ; no scheme
 *   time     = asctime, "Fri Dec 31 07:07:07 2021"      ; NSS feed default, taken as UTC
 *   reqsize  = bytes client to Zscaler (upload); respsize = bytes to the client (download)
 * </pre>
 */
public final class ZscalerParser implements LineParser {
    /** The NSS web feed's field order, the default column list of the CSV shape. */
    public static final List<String> DEFAULT_CSV_FIELDS = List.of("time", "login", "proto", "eurl", "action",
            "appname", "appclass", "reqsize", "respsize", "stime", "ctime", "urlclass", "urlsupercat", "urlcat",
            "malwarecat", "threatname", "riskscore", "dlpeng", "dlpdict", "location", "dept", "cip", "sip",
            "reqmethod", "respcode", "ua", "ereferer", "ruletype", "rulelabel", "contenttype", "unscannabletype",
            "deviceowner", "devicehostname");

    /** The shape of the lines. */
    public enum Shape { JSON, KEY_VALUE, CSV }

    private static final int MAX_COLUMNS = 128;

    private final Shape shape;
    private final List<String> csvFields;
    private final LogContext ctx;
    private final JsonFields json = new JsonFields();
    private final Map<String, String> kv = new HashMap<>();
    private final UrlParts url = new UrlParts();
    private final int[] starts = new int[MAX_COLUMNS];
    private final int[] ends = new int[MAX_COLUMNS];

    /**
     * @param csvFields the columns of the CSV shape, or {@code null} for {@link #DEFAULT_CSV_FIELDS}
     */
    public ZscalerParser(Shape shape, List<String> csvFields, LogContext ctx) {
        this.shape = shape;
        this.csvFields = csvFields == null || csvFields.isEmpty() ? DEFAULT_CSV_FIELDS : List.copyOf(csvFields);
        this.ctx = ctx;
    }

    @Override
    public void parse(byte[] buf, int off, int len, long lineNumber) {
        int end = off + len;
        int pos = Text.skipSpaces(buf, off, end);
        if (pos == end) {
            return;
        }
        kv.clear();
        switch (shape) {
            case JSON -> {
                if (!json.read(buf, pos, end - pos)) {
                    ctx.bad(LogAnomaly.JSON_MALFORMED, lineNumber);
                    return;
                }
                for (int i = 0; i < json.size(); i++) {
                    String p = json.path(i);
                    int dot = p.lastIndexOf('.');
                    kv.putIfAbsent(dot < 0 ? p : p.substring(dot + 1), json.value(i));
                }
            }
            case KEY_VALUE -> keyValues(buf, pos, end);
            case CSV -> {
                int n = Csv.split(buf, pos, end, (byte) ',', starts, ends);
                if (n < 0 || n != csvFields.size()) {
                    ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
                    return;
                }
                for (int i = 0; i < n; i++) {
                    String v = Csv.unquote(buf, starts[i], ends[i]);
                    if (v != null) {
                        kv.put(csvFields.get(i), v);
                    }
                }
            }
            default -> throw new IllegalStateException();
        }
        emit(lineNumber);
    }

    /** name=value pairs separated by tabs, or by blanks when the line has no tab. */
    private void keyValues(byte[] buf, int pos, int end) {
        boolean tabs = Text.indexOf(buf, pos, end, (byte) '\t') >= 0;
        int i = pos;
        while (i < end) {
            int keyStart = i;
            while (i < end && isKeyChar(buf[i])) {
                i++;
            }
            if (i >= end || buf[i] != '=' || i == keyStart) {
                // not a pair (a syslog header word): skip to the next separator
                i = tabs ? next(buf, i, end, (byte) '\t') : Text.nextSpace(buf, i, end);
                i = Text.skipSpaces(buf, i, end);
                continue;
            }
            String key = new String(buf, keyStart, i - keyStart, StandardCharsets.ISO_8859_1);
            int vs = i + 1;
            int ve;
            if (tabs) {
                ve = next(buf, vs, end, (byte) '\t');
            } else {
                ve = vs;
                // a blank ends the value only when a name= follows it
                while (ve < end) {
                    if (buf[ve] == ' ' && startsPair(buf, ve + 1, end)) {
                        break;
                    }
                    ve++;
                }
            }
            int s = vs;
            int e = ve;
            if (e - s >= 2 && buf[s] == '"' && buf[e - 1] == '"') {
                s++;
                e--;
            }
            kv.put(key, new String(buf, s, e - s, StandardCharsets.UTF_8));
            i = Text.skipSpaces(buf, ve, end);
        }
    }

    private static int next(byte[] buf, int i, int end, byte c) {
        int k = Text.indexOf(buf, i, end, c);
        return k < 0 ? end : k;
    }

    private static boolean startsPair(byte[] buf, int i, int end) {
        int s = i;
        while (i < end && isKeyChar(buf[i])) {
            i++;
        }
        return i > s && i < end && buf[i] == '=';
    }

    private static boolean isKeyChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '_';
    }

    private void emit(long lineNumber) {
        String target = firstOf("eurl", "url", "host");
        if (target == null) {
            ctx.bad(kv.isEmpty() ? LogAnomaly.LINE_MALFORMED : LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        byte[] t = target.getBytes(StandardCharsets.UTF_8);
        if (!url.split(t, 0, t.length)) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        String host = Text.host(t, url.hostStart, url.hostEnd);
        if (host == null) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        String path = Text.path(t, url.pathStart, url.pathEnd);
        Instant time = Instant.EPOCH;
        String ts = kv.get("time");
        if (ts != null) {
            byte[] tb = ts.getBytes(StandardCharsets.ISO_8859_1);
            time = Text.asctime(tb, 0, tb.length);
            if (time == null) {
                time = Text.iso(tb, 0, tb.length);
            }
            if (time == null) {
                time = Text.epoch(tb, 0, tb.length);
            }
            if (time == null) {
                ctx.bad(LogAnomaly.BAD_TIME, lineNumber);
                return;
            }
        }
        String user = nonNone(kv.get("login"));
        String method = nonNone(kv.get("reqmethod"));
        ctx.emit(Observation.request(time, ObservationKind.PROXY_REQUEST, host, nonNone(kv.get("cip")), 0,
                nonNone(kv.get("sip")), url.port, user, method, path, number(kv.get("respcode"), 999) > 0
                        ? (int) number(kv.get("respcode"), 999) : 0,
                number(kv.get("reqsize"), Long.MAX_VALUE), number(kv.get("respsize"), Long.MAX_VALUE), ctx.source()));
    }

    private String firstOf(String... keys) {
        for (String k : keys) {
            String v = nonNone(kv.get(k));
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static String nonNone(String v) {
        return v == null || v.isEmpty() || v.equals("None") || v.equals("NA") || v.equals("-") ? null : v;
    }

    private static long number(String v, long max) {
        if (v == null) {
            return -1;
        }
        byte[] b = v.getBytes(StandardCharsets.ISO_8859_1);
        long n = Text.parseLong(b, 0, b.length);
        return n == Text.NOT_A_NUMBER || n > max ? -1 : n;
    }
}
