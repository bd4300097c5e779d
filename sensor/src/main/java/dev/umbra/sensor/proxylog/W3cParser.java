package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Parses W3C Extended Log File Format logs (W3C Working Draft WD-logfile-960323) and its dialects:
 * Blue Coat / Symantec ProxySG ELFF, Cisco WSA W3C access logs, Microsoft proxies.
 *
 * <pre>
 *   #Version: 1.0
 *   #Fields: date time c-ip cs-username cs-method cs-host cs-uri-path sc-status sc-bytes cs-bytes ...
 *   2005-05-04 17:16:12 45.110.2.82 george GET www.inmobus.com /wcm/x.gif 200 941 729 ...
 *
 *   field     = value separated by spaces or tabs; "-" for no value
 *   value     = token / '"' *(any but '"') '"'     ; quoted when it holds blanks
 *   prefixes  = c (client) s (server) r (remote) cs (client to server) sc (server to client) ...
 * </pre>
 *
 * The {@code #Fields:} directive sets the columns and may change within a file. Headerless logs
 * take a configured field list. Dates and times are UTC (the draft, section "Directives").
 */
public final class W3cParser implements LineParser {
    /** Columns read at most; extra columns are ignored. */
    public static final int MAX_FIELDS = 128;

    private static final int SKIP = 0;
    private static final int DATE = 1;
    private static final int TIME = 2;
    private static final int CLF_TIME = 3;
    private static final int EPOCH = 4;
    private static final int CLIENT_IP = 5;
    private static final int CLIENT_PORT = 6;
    private static final int USER = 7;
    private static final int METHOD = 8;
    private static final int HOST = 9;
    private static final int PATH = 10;
    private static final int URL = 11;
    private static final int PORT = 12;
    private static final int STATUS = 13;
    private static final int RESULT_STATUS = 14;
    private static final int BYTES_IN = 15;
    private static final int BYTES_OUT = 16;
    private static final int SERVER_IP = 17;
    private static final int ROLES = 18;

    private final LogContext ctx;
    private int[] columns; // role per column, or null before a header
    private final int[] fieldStart = new int[MAX_FIELDS];
    private final int[] fieldEnd = new int[MAX_FIELDS];
    private final int[] starts = new int[ROLES];
    private final int[] ends = new int[ROLES];
    private final UrlParts url = new UrlParts();
    private final SquidParser.LastString lastClient = new SquidParser.LastString();
    private final SquidParser.LastString lastUser = new SquidParser.LastString();

    /**
     * @param configuredFields the columns of headerless lines (as a {@code #Fields:} line would list
     *     them), or {@code null} to require a header
     */
    public W3cParser(List<String> configuredFields, LogContext ctx) {
        this.ctx = ctx;
        if (configuredFields != null && !configuredFields.isEmpty()) {
            columns = roles(configuredFields);
        }
    }

    /** Whether a field list names at least one column a destination can be read from. */
    public static boolean hasDestination(List<String> fields) {
        for (int r : roles(fields)) {
            if (r == HOST || r == URL) {
                return true;
            }
        }
        return false;
    }

    private static int[] roles(List<String> fields) {
        int n = Math.min(fields.size(), MAX_FIELDS);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = role(fields.get(i).toLowerCase(Locale.ROOT));
        }
        return out;
    }

    private static int role(String f) {
        return switch (f) {
            case "date" -> DATE;
            case "time" -> TIME;
            case "gmttime", "localtime" -> CLF_TIME;
            case "timestamp", "x-timestamp-unix" -> EPOCH;
            case "c-ip" -> CLIENT_IP;
            case "c-port" -> CLIENT_PORT;
            case "cs-username", "cs-user", "x-cs-username", "cs-userdn" -> USER;
            case "cs-method" -> METHOD;
            case "cs-host", "cs(host)", "cs-uri-host" -> HOST;
            case "cs-uri-path", "cs-uri-stem" -> PATH;
            case "cs-uri", "cs-url", "cs-uri-address", "r-uri" -> URL;
            case "cs-uri-port", "r-port" -> PORT;
            case "sc-status", "cs-status", "rs-status" -> STATUS;
            case "x-resultcode-httpstatus" -> RESULT_STATUS;
            case "sc-bytes" -> BYTES_IN;
            case "cs-bytes" -> BYTES_OUT;
            case "r-ip", "s-supplier-ip" -> SERVER_IP;
            default -> SKIP;
        };
    }

    @Override
    public void parse(byte[] buf, int off, int len, long lineNumber) {
        int end = off + len;
        int pos = Text.skipSpaces(buf, off, end);
        if (pos == end) {
            return;
        }
        if (buf[pos] == '#') {
            if (Text.startsWith(buf, pos, end, "#Fields:")) {
                List<String> names = Arrays.asList(new String(buf, pos + 8, end - pos - 8,
                        java.nio.charset.StandardCharsets.ISO_8859_1).trim().split("[ \t]+"));
                columns = roles(names);
            }
            return;
        }
        if (columns == null) {
            ctx.bad(LogAnomaly.FIELDS_HEADER_MISSING, lineNumber);
            return;
        }
        int count = 0;
        while (pos < end && count < MAX_FIELDS) {
            int s;
            int e;
            if (buf[pos] == '"') {
                s = pos + 1;
                e = Text.indexOf(buf, s, end, (byte) '"');
                if (e < 0) {
                    ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
                    return;
                }
                pos = e + 1;
                if (pos < end && !Text.isSpace(buf[pos])) {
                    ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
                    return;
                }
            } else {
                s = pos;
                e = Text.nextSpace(buf, pos, end);
                pos = e;
            }
            fieldStart[count] = s;
            fieldEnd[count] = e;
            count++;
            pos = Text.skipSpaces(buf, pos, end);
        }
        if (count != columns.length) {
            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
            return;
        }
        Arrays.fill(starts, -1);
        for (int i = 0; i < count; i++) {
            int r = columns[i];
            if (r != SKIP && starts[r] < 0) {
                starts[r] = fieldStart[i];
                ends[r] = fieldEnd[i];
            }
        }
        emit(buf, lineNumber);
    }

    private void emit(byte[] buf, long lineNumber) {
        Instant time;
        if (starts[DATE] >= 0 && starts[TIME] >= 0) {
            time = Text.dateTime(buf, starts[DATE], ends[DATE], starts[TIME], ends[TIME]);
        } else if (starts[CLF_TIME] >= 0) {
            int s = starts[CLF_TIME];
            int e = ends[CLF_TIME];
            if (e - s >= 2 && buf[s] == '[' && buf[e - 1] == ']') {
                s++;
                e--;
            }
            time = Text.clf(buf, s, e);
        } else if (starts[EPOCH] >= 0) {
            time = Text.epoch(buf, starts[EPOCH], ends[EPOCH]);
        } else {
            time = Instant.EPOCH;
        }
        if (time == null) {
            ctx.bad(LogAnomaly.BAD_TIME, lineNumber);
            return;
        }
        String host = null;
        String path = null;
        int port = 0;
        if (starts[HOST] >= 0 && !Text.isDash(buf, starts[HOST], ends[HOST])) {
            // some proxies write host:port in cs-host
            if (url.split(buf, starts[HOST], ends[HOST])) {
                host = Text.host(buf, url.hostStart, url.hostEnd);
                port = url.port;
            }
        }
        if (starts[URL] >= 0 && !Text.isDash(buf, starts[URL], ends[URL])) {
            boolean hasHost = url.split(buf, starts[URL], ends[URL]);
            if (host == null && hasHost) {
                host = Text.host(buf, url.hostStart, url.hostEnd);
                port = url.port;
            }
            path = Text.path(buf, url.pathStart, url.pathEnd);
        }
        if (host == null) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        if (starts[PATH] >= 0 && !Text.isDash(buf, starts[PATH], ends[PATH])) {
            int q = Text.indexOf(buf, starts[PATH], ends[PATH], (byte) '?');
            path = Text.path(buf, starts[PATH], q < 0 ? ends[PATH] : q);
        }
        if (starts[PORT] >= 0) {
            int p = Text.port(buf, starts[PORT], ends[PORT]);
            port = p != 0 ? p : port;
        }
        int status = 0;
        if (starts[STATUS] >= 0) {
            status = Text.status(buf, starts[STATUS], ends[STATUS]);
        } else if (starts[RESULT_STATUS] >= 0) {
            int slash = Text.indexOf(buf, starts[RESULT_STATUS], ends[RESULT_STATUS], (byte) '/');
            status = slash < 0 ? 0 : Text.status(buf, slash + 1, ends[RESULT_STATUS]);
        }
        String clientIp = starts[CLIENT_IP] >= 0 && !Text.isDash(buf, starts[CLIENT_IP], ends[CLIENT_IP])
                ? lastClient.get(buf, starts[CLIENT_IP], ends[CLIENT_IP]) : null;
        String user = starts[USER] >= 0 && !Text.isDash(buf, starts[USER], ends[USER])
                ? lastUser.get(buf, starts[USER], ends[USER]) : null;
        String method = starts[METHOD] >= 0 ? SquidParser.method(buf, starts[METHOD], ends[METHOD]) : null;
        String serverIp = starts[SERVER_IP] >= 0 ? Text.ascii(buf, starts[SERVER_IP], ends[SERVER_IP]) : null;
        int clientPort = starts[CLIENT_PORT] >= 0 ? Text.port(buf, starts[CLIENT_PORT], ends[CLIENT_PORT]) : 0;
        long in = starts[BYTES_IN] >= 0 ? Text.bytesOrUnknown(buf, starts[BYTES_IN], ends[BYTES_IN]) : -1;
        long out = starts[BYTES_OUT] >= 0 ? Text.bytesOrUnknown(buf, starts[BYTES_OUT], ends[BYTES_OUT]) : -1;
        ctx.emit(Observation.request(time, ObservationKind.PROXY_REQUEST, host, clientIp, clientPort, serverIp, port,
                user, method, path, status, out, in, ctx.source()));
    }
}
