package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses Zeek's {@code dns.log}, {@code ssl.log}, {@code quic.log} and {@code http.log}, as TSV
 * (Zeek's ASCII writer) or JSON ({@code LogAscii::use_json}).
 *
 * <pre>
 *   #separator \x09
 *   #set_separator ,
 *   #empty_field (empty)
 *   #unset_field -
 *   #path dns
 *   #fields ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto ... query ... answers TTLs ...
 *   {"ts":1591367999.305988,"uid":"C..","id.orig_h":"10.0.0.1",...,"query":"example.com",...}
 * </pre>
 *
 * The log's kind comes from {@code #path} or {@code _path}, or else from its fields: {@code query}
 * (dns), {@code server_name} (ssl), {@code host} with {@code method} (http).
 */
public final class ZeekParser implements LineParser {
    /** Whether lines are TSV or JSON. */
    public enum Shape { TSV, JSON }

    private static final int MAX_COLUMNS = 128;

    private final Shape shape;
    private final LogContext ctx;
    private final JsonFields json = new JsonFields();
    private final Map<String, String> record = new HashMap<>();
    private final UrlParts url = new UrlParts();
    private byte separator = '\t';
    private String setSeparator = ",";
    private String path;
    private List<String> fields;
    private final int[] starts = new int[MAX_COLUMNS];
    private final int[] ends = new int[MAX_COLUMNS];

    /**
     * @param shape TSV with {@code #fields} headers, or one JSON object per line
     * @param ctx where observations and counts go
     */
    public ZeekParser(Shape shape, LogContext ctx) {
        this.shape = shape;
        this.ctx = ctx;
    }

    @Override
    public void parse(byte[] buf, int off, int len, long lineNumber) {
        int end = off + len;
        if (off == end) {
            return;
        }
        record.clear();
        if (shape == Shape.JSON) {
            if (!json.read(buf, off, len)) {
                ctx.bad(LogAnomaly.JSON_MALFORMED, lineNumber);
                return;
            }
            for (int i = 0; i < json.size(); i++) {
                String p = json.path(i);
                String prev = record.get(p);
                // Zeek writes sets and vectors as JSON arrays: join them like the TSV writer does
                record.put(p, prev == null ? json.value(i) : prev + setSeparator + json.value(i));
            }
            emit(record.get("_path"), lineNumber);
            return;
        }
        if (buf[off] == '#') {
            directive(new String(buf, off, len, StandardCharsets.ISO_8859_1));
            return;
        }
        if (fields == null) {
            ctx.bad(LogAnomaly.FIELDS_HEADER_MISSING, lineNumber);
            return;
        }
        int n = Csv.split(buf, off, end, separator, starts, ends);
        // Zeek does not quote: a '"' in a field is data; split again without quote handling if needed
        if (n < 0) {
            n = splitPlain(buf, off, end);
        }
        if (n != fields.size()) {
            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (!Text.isDash(buf, starts[i], ends[i]) && !Text.equals(buf, starts[i], ends[i], "(empty)")) {
                record.put(fields.get(i), new String(buf, starts[i], ends[i] - starts[i], StandardCharsets.UTF_8));
            }
        }
        emit(path, lineNumber);
    }

    private int splitPlain(byte[] buf, int off, int end) {
        int n = 0;
        int s = off;
        for (int i = off; i <= end && n < MAX_COLUMNS; i++) {
            if (i == end || buf[i] == separator) {
                starts[n] = s;
                ends[n] = i;
                n++;
                s = i + 1;
            }
        }
        return n;
    }

    private void directive(String line) {
        int sp = indexOfBlank(line);
        String name = sp < 0 ? line : line.substring(0, sp);
        String value = sp < 0 ? "" : line.substring(sp + 1);
        switch (name) {
            case "#separator" -> {
                String v = value.trim();
                if (v.startsWith("\\x") && v.length() == 4) {
                    int hi = Character.digit(v.charAt(2), 16);
                    int lo = Character.digit(v.charAt(3), 16);
                    if (hi >= 0 && lo >= 0) {
                        separator = (byte) (hi * 16 + lo);
                    }
                } else if (v.length() == 1) {
                    separator = (byte) v.charAt(0);
                }
            }
            case "#set_separator" -> setSeparator = value.isEmpty() ? "," : value;
            case "#path" -> path = value.trim();
            case "#fields" -> {
                List<String> f = new ArrayList<>();
                for (String s : value.split(separator == '\t' ? "\t" : java.util.regex.Pattern.quote(
                        String.valueOf((char) separator)))) {
                    f.add(s.trim());
                }
                fields = f.size() > MAX_COLUMNS ? f.subList(0, MAX_COLUMNS) : f;
            }
            default -> {
                // #open, #close, #types, #empty_field, #unset_field: nothing to keep
            }
        }
    }

    private static int indexOfBlank(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == ' ' || s.charAt(i) == '\t') {
                return i;
            }
        }
        return -1;
    }

    private void emit(String logPath, long lineNumber) {
        String kind = logPath;
        if (kind == null) {
            kind = record.containsKey("query") || record.containsKey("qtype_name") ? "dns"
                    : record.containsKey("server_name") || record.containsKey("ssl_history") ? "ssl"
                    : record.containsKey("method") || record.containsKey("status_code") ? "http" : null;
        }
        String tsText = record.get("ts");
        Instant time = null;
        if (tsText != null) {
            byte[] b = tsText.getBytes(StandardCharsets.ISO_8859_1);
            time = Text.epoch(b, 0, b.length);
            if (time == null) {
                time = Text.iso(b, 0, b.length);
            }
        }
        if (time == null) {
            ctx.bad(LogAnomaly.BAD_TIME, lineNumber);
            return;
        }
        String client = record.get("id.orig_h");
        String server = record.get("id.resp_h");
        int clientPort = port(record.get("id.orig_p"));
        int serverPort = port(record.get("id.resp_p"));
        if (kind == null) {
            ctx.skip();
            return;
        }
        switch (kind) {
            case "dns" -> {
                String q = host(record.get("query"));
                if (q == null) {
                    ctx.skip();
                    return;
                }
                ctx.emit(Observation.network(time, ObservationKind.DNS_QUERY, q, client, clientPort, server, serverPort,
                        ctx.source()));
                String answers = record.get("answers");
                if (answers != null) {
                    List<String> list = List.of(answers.split(java.util.regex.Pattern.quote(setSeparator)));
                    ctx.emit(new Observation(time, ObservationKind.DNS_ANSWER, q, client, clientPort, server, serverPort,
                            list, List.of(), null, -1, -1, null, null, ctx.source()));
                }
            }
            case "ssl", "quic" -> {
                String sni = host(record.get("server_name"));
                if (sni == null) {
                    ctx.skip();
                    return;
                }
                ObservationKind k = kind.equals("quic") ? ObservationKind.QUIC_SNI : ObservationKind.TLS_SNI;
                ctx.emit(Observation.network(time, k, sni, client, clientPort, server, serverPort, ctx.source()));
            }
            case "http" -> {
                String host = record.get("host");
                String h = null;
                int port = serverPort;
                if (host != null) {
                    byte[] hb = host.getBytes(StandardCharsets.UTF_8);
                    if (url.split(hb, 0, hb.length)) {
                        h = Text.host(hb, url.hostStart, url.hostEnd);
                    }
                }
                if (h == null) {
                    ctx.bad(LogAnomaly.NO_HOST, lineNumber);
                    return;
                }
                String path = null;
                String uri = record.get("uri");
                if (uri != null) {
                    byte[] ub = uri.getBytes(StandardCharsets.UTF_8);
                    url.split(ub, 0, ub.length);
                    path = Text.path(ub, url.pathStart, url.pathEnd);
                }
                ctx.emit(Observation.request(time, ObservationKind.HTTP_REQUEST, h, client, clientPort, server, port,
                        record.get("username"), record.get("method"), path, port(record.get("status_code")) > 999 ? 0
                                : port(record.get("status_code")),
                        count(record.get("request_body_len")), count(record.get("response_body_len")), ctx.source()));
            }
            default -> ctx.skip();
        }
    }

    static String host(String s) {
        if (s == null) {
            return null;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Text.host(b, 0, b.length);
    }

    static int port(String s) {
        if (s == null) {
            return 0;
        }
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Text.port(b, 0, b.length);
    }

    static long count(String s) {
        if (s == null) {
            return -1;
        }
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Text.bytesOrUnknown(b, 0, b.length);
    }
}
