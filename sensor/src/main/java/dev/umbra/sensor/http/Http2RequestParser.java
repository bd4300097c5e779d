package dev.umbra.sensor.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the first request of a cleartext HTTP/2 connection (h2c with prior knowledge, as gRPC
 * clients and {@code curl --http2-prior-knowledge} open it, or after an {@code Upgrade: h2c}): the
 * client connection preface, the frames before the first HEADERS, and that request's header block.
 *
 * <pre>
 * RFC 9113 3.4   preface  = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", then a SETTINGS frame
 * RFC 9113 4.1   frame    = length (24) | type (8) | flags (8) | R (1) | stream id (31) | payload
 * RFC 9113 6.2   HEADERS  = [pad length (8)] [E (1) | dependency (31) | weight (8)] fragment [padding]
 *                           flags END_STREAM 0x1, END_HEADERS 0x4, PADDED 0x8, PRIORITY 0x20
 * RFC 9113 6.10  CONTINUATION frames on the same stream carry the rest of the block up to END_HEADERS
 * RFC 9113 8.3.1 request pseudo-headers :method, :scheme, :authority, :path
 * </pre>
 *
 * <p>Recognised by content on any port: the bytes must start with the preface. The header block is
 * decoded with a fresh HPACK context, which is what the first block of a connection has. Only the
 * request's method, authority (or Host), path without its query, Content-Type and Content-Encoding
 * are kept; every other value, cookies and authorization among them, is decoded only as HPACK needs
 * it and never leaves the parser. Outcomes are int constants, never exceptions. Not thread-safe
 * (keeps the last result).
 */
public final class Http2RequestParser {
    /** A request head was read; see {@link #result()}. */
    public static final int OK = 0;
    /** Not the start of an HTTP/2 connection, or one that ended (GOAWAY) before any request. */
    public static final int NOT_HTTP2 = -1;
    /** The first request's header block is not complete within the bytes given. */
    public static final int NEED_MORE = -2;
    /** It starts like HTTP/2 but breaks the framing, HPACK or a cap. */
    public static final int MALFORMED = -3;

    /** The client connection preface (RFC 9113 3.4). */
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** Frames read before the first HEADERS frame (SETTINGS, WINDOW_UPDATE, PRIORITY, PING, unknown types). */
    public static final int MAX_FRAMES_BEFORE_HEADERS = 32;
    /** CONTINUATION frames after a HEADERS frame. */
    public static final int MAX_CONTINUATIONS = 16;
    /** The largest header block read, over all its frames. */
    public static final int MAX_HEADER_BLOCK = 16 * 1024;

    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int SETTINGS = 4;
    private static final int PUSH_PROMISE = 5;
    private static final int GOAWAY = 7;
    private static final int CONTINUATION = 9;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    private final Hpack hpack = new Hpack();
    private final Fields fields = new Fields();
    private byte[] block = new byte[512];
    private HttpRequest result;

    /** The request of the last call that returned {@link #OK}. */
    public HttpRequest result() {
        return result;
    }

    /** True when the bytes are the preface or the start of it (at least one byte). */
    public static boolean mayStart(byte[] b, int off, int len) {
        int n = Math.min(len, PREFACE.length);
        if (n <= 0) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[off + i] != PREFACE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the connection's opening starting at {@code off}.
     *
     * @return {@link #OK}, {@link #NOT_HTTP2}, {@link #NEED_MORE} or {@link #MALFORMED}
     */
    public int parse(byte[] b, int off, int len) {
        result = null;
        if (!mayStart(b, off, len)) {
            return NOT_HTTP2;
        }
        if (len < PREFACE.length) {
            return NEED_MORE;
        }
        int end = off + len;
        int p = off + PREFACE.length;
        for (int frames = 0; ; frames++) {
            if (frames == MAX_FRAMES_BEFORE_HEADERS) {
                return MALFORMED;
            }
            if (end - p < 9) {
                return NEED_MORE;
            }
            int length = u24(b, p);
            int type = b[p + 3] & 0xff;
            int flags = b[p + 4] & 0xff;
            int stream = u31(b, p + 5);
            if (type == HEADERS) {
                return headers(b, off, p, end, length, flags, stream);
            }
            if (type == DATA || type == PUSH_PROMISE || type == CONTINUATION) {
                return MALFORMED; // RFC 9113 5.1: no stream is open yet; clients never push
            }
            if (type == SETTINGS && (stream != 0 || length % 6 != 0)) {
                return MALFORMED;
            }
            if (type == GOAWAY) {
                return NOT_HTTP2;
            }
            if (length > MAX_HEADER_BLOCK) {
                return MALFORMED; // nothing a client sends before its first request is this long
            }
            if (end - p < 9 + length) {
                return NEED_MORE;
            }
            p += 9 + length; // SETTINGS, PRIORITY, WINDOW_UPDATE, PING and unknown types (RFC 9113 5.5)
        }
    }

    /** Collects the header block that starts with the HEADERS frame at {@code p}, then decodes it. */
    private int headers(byte[] b, int off, int p, int end, int length, int flags, int stream) {
        if (stream == 0 || (stream & 1) == 0) {
            return MALFORMED; // RFC 9113 5.1.1: client streams are odd
        }
        int blockLength = 0;
        for (int frame = 0; ; frame++) {
            if (length > MAX_HEADER_BLOCK || blockLength + length > MAX_HEADER_BLOCK) {
                return MALFORMED;
            }
            if (end - p < 9 + length) {
                return NEED_MORE;
            }
            int start = p + 9;
            int stop = start + length;
            if (frame == 0) {
                if ((flags & PADDED) != 0) {
                    if (start == stop) {
                        return MALFORMED;
                    }
                    int pad = b[start++] & 0xff;
                    if (pad > stop - start) {
                        return MALFORMED;
                    }
                    stop -= pad;
                }
                if ((flags & PRIORITY) != 0) {
                    if (stop - start < 5) {
                        return MALFORMED;
                    }
                    start += 5;
                }
            }
            if (block.length < blockLength + stop - start) {
                block = java.util.Arrays.copyOf(block, Math.max(block.length * 2, blockLength + stop - start));
            }
            System.arraycopy(b, start, block, blockLength, stop - start);
            blockLength += stop - start;
            p += 9 + length;
            if ((flags & END_HEADERS) != 0) {
                break;
            }
            if (frame == MAX_CONTINUATIONS) {
                return MALFORMED;
            }
            if (end - p < 9) {
                return NEED_MORE;
            }
            length = u24(b, p);
            flags = b[p + 4] & 0xff;
            if ((b[p + 3] & 0xff) != CONTINUATION || u31(b, p + 5) != stream) {
                return MALFORMED; // RFC 9113 6.10: nothing may come between
            }
        }
        hpack.reset();
        fields.clear();
        if (hpack.decode(block, 0, blockLength, fields) != Hpack.OK) {
            return MALFORMED;
        }
        return request(p - off);
    }

    private int request(int headLength) {
        Fields f = fields;
        if (f.method == null || !isToken(f.method)) {
            return MALFORMED;
        }
        String method = new String(f.method, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        byte[] authority = f.authority != null ? f.authority : f.host;
        String host = authority == null ? null : HttpRequestParser.hostOf(authority, 0, authority.length);
        if (host == null || host.isEmpty()) {
            return MALFORMED;
        }
        boolean connect = method.equals("CONNECT");
        String path;
        int connectPort = 0;
        if (connect && f.path == null) {
            // RFC 9113 8.5: a tunnel to :authority; extended CONNECT (RFC 8441) has a :path and is a request
            path = "";
            connectPort = HttpRequestParser.portOf(new String(authority, StandardCharsets.US_ASCII), true);
        } else if (f.path == null || f.path.length == 0) {
            return MALFORMED;
        } else {
            path = HttpRequestParser.pathOf(f.path, 0, f.path.length);
        }
        result = new HttpRequest(method, host, path, connectPort, headLength,
                -1, false, text(f.contentType), text(f.contentEncoding));
        return OK;
    }

    private static String text(byte[] v) {
        if (v == null || v.length == 0) {
            return null;
        }
        return HttpRequestParser.ascii(v, 0, Math.min(v.length, HttpRequestParser.MAX_VALUE_LENGTH));
    }

    private static boolean isToken(byte[] v) {
        if (v.length == 0 || v.length > 32) {
            return false;
        }
        for (byte c : v) {
            if (c <= 0x20 || c >= 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static int u24(byte[] b, int p) {
        return (b[p] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | b[p + 2] & 0xff;
    }

    private static int u31(byte[] b, int p) {
        return (b[p] & 0x7f) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
    }

    /** Keeps the fields a request head needs; the first of each wins, as HTTP/1's Host does. */
    private static final class Fields implements Hpack.FieldSink {
        byte[] method;
        byte[] authority;
        byte[] path;
        byte[] host;
        byte[] contentType;
        byte[] contentEncoding;

        void clear() {
            method = null;
            authority = null;
            path = null;
            host = null;
            contentType = null;
            contentEncoding = null;
        }

        @Override
        public void field(byte[] name, byte[] value) {
            if (is(name, ":method")) {
                method = method == null ? value : method;
            } else if (is(name, ":authority")) {
                authority = authority == null ? value : authority;
            } else if (is(name, ":path")) {
                path = path == null ? value : path;
            } else if (is(name, "host")) {
                host = host == null ? value : host;
            } else if (is(name, "content-type")) {
                contentType = contentType == null ? value : contentType;
            } else if (is(name, "content-encoding")) {
                contentEncoding = contentEncoding == null ? value : contentEncoding;
            }
        }

        private static boolean is(byte[] name, String s) {
            if (name.length != s.length()) {
                return false;
            }
            for (int i = 0; i < name.length; i++) {
                if (name[i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }
}
