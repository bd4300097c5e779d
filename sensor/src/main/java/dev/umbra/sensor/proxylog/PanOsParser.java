package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.time.Instant;

/**
 * Parses Palo Alto Networks PAN-OS THREAT logs of subtype {@code url} (URL filtering) in their
 * syslog CSV form (PAN-OS admin guide, "Syslog Field Descriptions", Threat log fields):
 *
 * <pre>
 *   0 FUTURE_USE, 1 Receive Time, 2 Serial, 3 Type (THREAT), 4 Threat/Content Type (url),
 *   5 FUTURE_USE, 6 Generated Time, 7 Source address, 8 Destination address, 9 NAT src, 10 NAT dst,
 *   11 Rule, 12 Source User, 13 Destination User, 14 Application, 15 Virtual System, 16-19 zones
 *   and interfaces, 20 Log Action, 21 FUTURE_USE, 22 Session ID, 23 Repeat Count, 24 Source Port,
 *   25 Destination Port, 26-27 NAT ports, 28 Flags, 29 Protocol, 30 Action,
 *   31 URL/Filename ("host[:port]/path"), 32 Threat ID, 33 Category, ..., 46 User Agent, ...,
 *   61-62 Source and Destination VM UUID, 63 HTTP Method (in the PAN-OS 9.1 field list), ...
 * </pre>
 *
 * The HTTP method is read when the record has it and it is one of the methods PAN-OS logs
 * (connect, delete, get, head, options, post, put; written in any case); older records, an empty
 * field or any other value give no method.
 *
 * A syslog header before field 0 is tolerated (it has no comma, so it only pads field 0). Other
 * record types (TRAFFIC, SYSTEM, other THREAT subtypes) carry no URL and are skipped, not counted
 * as bad. Times are the firewall's local time, read as UTC.
 */
public final class PanOsParser implements LineParser {
    private static final int FIELDS = 65;
    private static final int TYPE = 3;
    private static final int SUBTYPE = 4;
    private static final int GENERATED = 6;
    private static final int SRC = 7;
    private static final int DST = 8;
    private static final int SRC_USER = 12;
    private static final int SRC_PORT = 24;
    private static final int DST_PORT = 25;
    private static final int URL = 31;
    private static final int HTTP_METHOD = 63;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "CONNECT"};

    private final LogContext ctx;
    private final int[] starts = new int[FIELDS];
    private final int[] ends = new int[FIELDS];
    private final UrlParts url = new UrlParts();

    /** @param ctx where observations and counts go */
    public PanOsParser(LogContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void parse(byte[] buf, int off, int len, long lineNumber) {
        int end = off + len;
        int pos = Text.skipSpaces(buf, off, end);
        if (pos == end) {
            return;
        }
        int n = Csv.split(buf, pos, end, (byte) ',', starts, ends);
        if (n < 0 || n <= SUBTYPE) {
            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
            return;
        }
        if (!Text.equals(buf, starts[TYPE], ends[TYPE], "THREAT") || !Text.equals(buf, starts[SUBTYPE], ends[SUBTYPE], "url")) {
            if (Text.equals(buf, starts[TYPE], ends[TYPE], "THREAT") || Text.equals(buf, starts[TYPE], ends[TYPE], "TRAFFIC")
                    || Text.equals(buf, starts[TYPE], ends[TYPE], "SYSTEM") || Text.equals(buf, starts[TYPE], ends[TYPE], "CONFIG")) {
                ctx.skip();
            } else {
                ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
            }
            return;
        }
        if (n <= URL) {
            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
            return;
        }
        int gs = starts[GENERATED];
        int ge = ends[GENERATED];
        int sp = Text.indexOf(buf, gs, ge, (byte) ' ');
        Instant time = sp < 0 ? null : Text.dateTime(buf, gs, sp, sp + 1, ge);
        if (time == null) {
            ctx.bad(LogAnomaly.BAD_TIME, lineNumber);
            return;
        }
        if (!url.split(buf, starts[URL], ends[URL])) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        String host = Text.host(buf, url.hostStart, url.hostEnd);
        if (host == null) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        int dstPort = Text.port(buf, starts[DST_PORT], ends[DST_PORT]);
        ctx.emit(Observation.request(time, ObservationKind.PROXY_REQUEST, host,
                Text.ascii(buf, starts[SRC], ends[SRC]), Text.port(buf, starts[SRC_PORT], ends[SRC_PORT]),
                Text.ascii(buf, starts[DST], ends[DST]), dstPort != 0 ? dstPort : url.port,
                Csv.unquote(buf, starts[SRC_USER], ends[SRC_USER]), n > HTTP_METHOD ? method(buf, starts[HTTP_METHOD],
                ends[HTTP_METHOD]) : null, Text.path(buf, url.pathStart, url.pathEnd),
                0, -1, -1, ctx.source()));
    }

    /** The method PAN-OS logged, upper case, or {@code null} for an empty field or another value. */
    static String method(byte[] buf, int start, int end) {
        for (String m : METHODS) {
            if (end - start == m.length() && equalsIgnoreCase(buf, start, m)) {
                return m;
            }
        }
        return null;
    }

    private static boolean equalsIgnoreCase(byte[] buf, int start, String upper) {
        for (int i = 0; i < upper.length(); i++) {
            int c = buf[start + i];
            if (c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            if (c != upper.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
