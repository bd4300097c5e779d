package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/*
 * Design notes.
 *
 * One pass over the line against the compiled format: literals are matched byte by byte, a field
 * runs up to the first byte of the literal after it (or to the next blank when that literal starts
 * with a blank, or when the field is the last item: trailing fields such as the Cisco WSA's
 * policy and scanning verdicts are ignored). Field spans go into an int array indexed by role;
 * strings are made only for what the observation holds. Values that repeat from line to line
 * (client address, user, method, peer) are reused from the previous line when the bytes match.
 */

/** Parses Squid access logs in native, common, combined or any user-supplied {@code logformat}. */
public final class SquidParser implements LineParser {
    private static final String[] METHODS = {"GET", "POST", "CONNECT", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH"};

    private static final int[] USER_ROLES = {SquidLogFormat.USER, SquidLogFormat.USER_AUTH, SquidLogFormat.USER_EXT,
        SquidLogFormat.USER_SSL, SquidLogFormat.USER_IDENT};

    private final SquidLogFormat format;
    private final LogContext ctx;
    private final int[] starts = new int[SquidLogFormat.ROLES];
    private final int[] ends = new int[SquidLogFormat.ROLES];
    private final UrlParts url = new UrlParts();
    private final LastString lastClient = new LastString();
    private final LastString lastUser = new LastString();
    private final LastString lastServer = new LastString();

    /**
     * @param format the compiled log format
     * @param ctx where observations and counts go
     */
    public SquidParser(SquidLogFormat format, LogContext ctx) {
        this.format = format;
        this.ctx = ctx;
    }

    @Override
    public void parse(byte[] buf, int off, int len, long lineNumber) {
        int end = off + len;
        int pos = Text.skipSpaces(buf, off, end);
        if (pos == end) {
            return;
        }
        java.util.Arrays.fill(starts, -1);
        byte[][] literals = format.literals;
        int[] roles = format.roles;
        int n = literals.length;
        for (int k = 0; k < n; k++) {
            byte[] lit = literals[k];
            if (lit != null) {
                for (int c = 0; c < lit.length; c++) {
                    if (lit[c] == ' ') {
                        if (pos >= end || !Text.isSpace(buf[pos])) {
                            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
                            return;
                        }
                        pos = Text.skipSpaces(buf, pos, end);
                    } else {
                        if (pos >= end || buf[pos] != lit[c]) {
                            ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
                            return;
                        }
                        pos++;
                    }
                }
                continue;
            }
            int fieldEnd;
            byte[] next = k + 1 < n ? literals[k + 1] : null;
            if (next == null || next[0] == ' ') {
                fieldEnd = Text.nextSpace(buf, pos, end);
            } else {
                fieldEnd = Text.indexOf(buf, pos, end, next[0]);
                if (fieldEnd < 0) {
                    ctx.bad(LogAnomaly.LINE_MALFORMED, lineNumber);
                    return;
                }
            }
            int role = roles[k];
            if (role != SquidLogFormat.SKIP) {
                starts[role] = pos;
                ends[role] = fieldEnd;
            }
            pos = fieldEnd;
        }
        emit(buf, lineNumber);
    }

    private void emit(byte[] buf, long lineNumber) {
        Instant time = time(buf);
        if (time == null) {
            ctx.bad(LogAnomaly.BAD_TIME, lineNumber);
            return;
        }
        String method = has(SquidLogFormat.METHOD) ? method(buf, starts[SquidLogFormat.METHOD], ends[SquidLogFormat.METHOD])
                : null;
        String host = null;
        String path = null;
        int serverPort = 0;
        if (has(SquidLogFormat.URL) && url.split(buf, starts[SquidLogFormat.URL], ends[SquidLogFormat.URL])) {
            host = Text.host(buf, url.hostStart, url.hostEnd);
            serverPort = url.port;
            path = Text.path(buf, url.pathStart, url.pathEnd);
        } else if (has(SquidLogFormat.URL)) {
            path = Text.path(buf, url.pathStart, url.pathEnd);
        }
        if (host == null && has(SquidLogFormat.HOST)) {
            host = Text.host(buf, starts[SquidLogFormat.HOST], ends[SquidLogFormat.HOST]);
        }
        if (host == null) {
            ctx.bad(LogAnomaly.NO_HOST, lineNumber);
            return;
        }
        if (path == null && has(SquidLogFormat.PATH)) {
            int s = starts[SquidLogFormat.PATH];
            int e = ends[SquidLogFormat.PATH];
            int q = Text.indexOf(buf, s, e, (byte) '?');
            path = Text.isDash(buf, s, e) ? null : Text.path(buf, s, q < 0 ? e : q);
        }
        if (has(SquidLogFormat.SERVER_PORT)) {
            int p = Text.port(buf, starts[SquidLogFormat.SERVER_PORT], ends[SquidLogFormat.SERVER_PORT]);
            serverPort = p != 0 ? p : serverPort;
        }
        String clientIp = field(buf, SquidLogFormat.CLIENT_IP, lastClient);
        String serverIp = field(buf, SquidLogFormat.SERVER_IP, lastServer);
        String user = user(buf);
        int clientPort = has(SquidLogFormat.CLIENT_PORT)
                ? Text.port(buf, starts[SquidLogFormat.CLIENT_PORT], ends[SquidLogFormat.CLIENT_PORT]) : 0;
        int status = has(SquidLogFormat.STATUS)
                ? Text.status(buf, starts[SquidLogFormat.STATUS], ends[SquidLogFormat.STATUS]) : 0;
        long in = has(SquidLogFormat.BYTES_IN)
                ? Text.bytesOrUnknown(buf, starts[SquidLogFormat.BYTES_IN], ends[SquidLogFormat.BYTES_IN]) : -1;
        long out = has(SquidLogFormat.BYTES_OUT)
                ? Text.bytesOrUnknown(buf, starts[SquidLogFormat.BYTES_OUT], ends[SquidLogFormat.BYTES_OUT]) : -1;
        ctx.emit(Observation.request(time, ObservationKind.PROXY_REQUEST, host, clientIp, clientPort, serverIp,
                serverPort, user, method, path, status, out, in, ctx.source()));
    }

    private boolean has(int role) {
        return starts[role] >= 0;
    }

    private Instant time(byte[] buf) {
        if (has(SquidLogFormat.TS)) {
            if (!has(SquidLogFormat.TU)) {
                return Text.epoch(buf, starts[SquidLogFormat.TS], ends[SquidLogFormat.TS]);
            }
            long sec = Text.parseLong(buf, starts[SquidLogFormat.TS], ends[SquidLogFormat.TS]);
            long ms = Text.parseLong(buf, starts[SquidLogFormat.TU], ends[SquidLogFormat.TU]);
            if (sec == Text.NOT_A_NUMBER || sec > 253402300799L || ms == Text.NOT_A_NUMBER || ms > 999) {
                return null;
            }
            return Instant.ofEpochSecond(sec, ms * 1_000_000);
        }
        if (has(SquidLogFormat.TL)) {
            return Text.clf(buf, starts[SquidLogFormat.TL], ends[SquidLogFormat.TL]);
        }
        return format.hasTime ? null : Instant.EPOCH;
    }

    private String user(byte[] buf) {
        for (int role : USER_ROLES) {
            if (has(role) && !Text.isDash(buf, starts[role], ends[role])) {
                return lastUser.get(buf, starts[role], ends[role]);
            }
        }
        return null;
    }

    private String field(byte[] buf, int role, LastString cache) {
        if (!has(role) || Text.isDash(buf, starts[role], ends[role])) {
            return null;
        }
        return cache.get(buf, starts[role], ends[role]);
    }

    static String method(byte[] buf, int start, int end) {
        if (Text.isDash(buf, start, end)) {
            return null;
        }
        for (String m : METHODS) {
            if (Text.equals(buf, start, end, m)) {
                return m;
            }
        }
        return new String(buf, start, Math.min(end - start, 32), StandardCharsets.ISO_8859_1);
    }

    /** The string of the previous line when the bytes are the same. */
    static final class LastString {
        private byte[] bytes = new byte[0];
        private String value;

        String get(byte[] buf, int start, int end) {
            int n = end - start;
            if (value != null && n == bytes.length
                    && java.util.Arrays.equals(bytes, 0, n, buf, start, end)) {
                return value;
            }
            bytes = java.util.Arrays.copyOfRange(buf, start, end);
            value = new String(bytes, StandardCharsets.UTF_8);
            return value;
        }
    }
}
