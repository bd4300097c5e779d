package dev.umbra.sensor.http;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;

/*
 * Design notes.
 *
 * The client side of an h2c connection is read for the connection's whole life, not only its
 * opening: a gRPC channel or an HTTP/2 client sends all its requests, and all their bodies, over one
 * connection, and every header block after the first refers to the HPACK dynamic table that the
 * earlier ones built. So one Http2Connection per direction keeps that table, reads every frame in
 * order, and reports each request as its header block ends.
 *
 * Bytes are consumed as they come, not frame by frame: read() takes whatever contiguous bytes the
 * caller has and returns how many it used, so the caller can drop them and its buffer holds only a
 * frame header or a padding prefix that is not yet whole. Frame payloads are never buffered by the
 * caller: header-block fragments are copied into the block (at most MAX_HEADER_BLOCK), DATA of a
 * request whose body is wanted into that body (at most the body cap), everything else is skipped.
 * A 16 MiB DATA frame therefore costs no memory, and the caller's buffer cap does not bound the
 * frame size.
 *
 * Bodies: at most MAX_OPEN_BODIES requests at once have their body kept (the others are counted
 * http2_body_not_followed), and a body's buffer grows only by what the decoder's BodyBudget grants
 * (shared by all its connections; when it is spent the body is cut, http_bodies_over_budget). A body is handed over when its stream ends (END_STREAM), when it reaches
 * the cap, when the client resets the stream, or, cut, when the connection ends, is given up or the
 * caller forgets it (end()).
 *
 * Anything that breaks HTTP/2 framing or HPACK leaves the decoder out of step with the sender, so
 * the connection is given up (MALFORMED, counted http2_request_malformed by the caller); bodies open
 * at that point are handed over cut.
 */
/**
 * Reads the client side of a cleartext HTTP/2 connection (h2c with prior knowledge, as gRPC clients
 * and {@code curl --http2-prior-knowledge} open it, or after an {@code Upgrade: h2c}) from its
 * preface to its end: every request's head, and the bodies the caller asks for.
 *
 * <pre>
 * RFC 9113 3.4   preface  = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", then frames
 * RFC 9113 4.1   frame    = length (24) | type (8) | flags (8) | R (1) | stream id (31) | payload
 * RFC 9113 6.1   DATA     = [pad length (8)] data [padding]; flags END_STREAM 0x1, PADDED 0x8
 * RFC 9113 6.2   HEADERS  = [pad length (8)] [E (1) | dependency (31) | weight (8)] fragment [padding]
 *                           flags END_STREAM 0x1, END_HEADERS 0x4, PADDED 0x8, PRIORITY 0x20
 * RFC 9113 6.10  CONTINUATION frames on the same stream carry the rest of the block up to END_HEADERS
 * RFC 9113 5.1.1 client streams are odd and new ones are numbered above every earlier one
 * RFC 9113 8.3.1 request pseudo-headers :method, :scheme, :authority, :path
 * RFC 9113 8.1   a second header block on a stream is its trailers
 * </pre>
 *
 * <p>Only a request's method, authority (or Host), path without its query, Content-Type,
 * Content-Encoding (for gRPC, {@code grpc-encoding}, which says how its messages are compressed) and
 * the user a Proxy-Authorization or Authorization names (never its password or token) are kept; every other value, cookies among them, is decoded only as HPACK needs it
 * and never leaves this class. Outcomes are int constants, never exceptions. Not thread-safe.
 */
public final class Http2Connection {
    /** Everything given was read, or all but an incomplete frame header; the connection goes on. */
    public static final int OPEN = 0;
    /** The bytes are not the start of an HTTP/2 connection. */
    public static final int NOT_HTTP2 = -1;
    /** The client sent GOAWAY: it starts nothing more on this connection. */
    public static final int CLOSED = -2;
    /** It breaks the framing, HPACK or a cap: the rest of the connection cannot be read. */
    public static final int MALFORMED = -3;

    /** The client connection preface (RFC 9113 3.4). */
    public static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** CONTINUATION frames after a HEADERS frame. */
    public static final int MAX_CONTINUATIONS = 64;
    /**
     * The largest header block read, over all its frames: four times gRPC's default limit on a
     * request's metadata (16 KiB in grpc-java and grpc-go, 8 KiB in grpc-core).
     */
    public static final int MAX_HEADER_BLOCK = 64 * 1024;
    /** Requests of one connection whose bodies are kept at once. */
    public static final int MAX_OPEN_BODIES = 8;

    /** Receives what the connection carries. */
    public interface Listener {
        /**
         * A request's head.
         *
         * @param head the head ({@code headLength} 0: it has no place in the byte stream of its own)
         * @param hasBody true when DATA frames follow (the HEADERS frame did not end the stream)
         * @return a tag to have its body handed to {@link #body}, or {@code null} when it is not wanted
         */
        Object request(HttpRequest head, boolean hasBody);

        /**
         * A wanted body.
         *
         * @param tag what {@link #request} returned
         * @param body the DATA payloads joined, without padding, at most the cap; the listener owns it
         * @param complete true when the stream ended with every byte read
         * @param truncated true when the body was longer than the cap
         */
        void body(Object tag, HttpRequest head, byte[] body, boolean complete, boolean truncated);
    }

    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int RST_STREAM = 3;
    private static final int SETTINGS = 4;
    private static final int PUSH_PROMISE = 5;
    private static final int GOAWAY = 7;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    // where read() is: the preface, a frame header, the prefix (pad length, priority) of a frame,
    // its content, or its padding
    private static final int AT_PREFACE = 0;
    private static final int AT_HEADER = 1;
    private static final int AT_PREFIX = 2;
    private static final int AT_CONTENT = 3;
    private static final int AT_PADDING = 4;
    private static final int GONE = 5;

    private final AnomalyCounters anomalies;
    private final int maxBodyBytes;
    private final BodyBudget budget;
    private final Hpack hpack = new Hpack();
    private final Fields fields = new Fields();
    private int at = AT_PREFACE;

    // the frame being read
    private int type;
    private int flags;
    private int stream;
    private int content;
    private int padding;
    private boolean padded;
    /** Bytes before the content: pad length (1), priority (5). */
    private int prefix;

    // the header block being collected
    private byte[] block = new byte[256];
    private int blockLength;
    private int blockStream;
    private int blockFlags;
    private int continuations;

    /** The highest client stream opened; a HEADERS frame above it starts a request. */
    private int lastStream;
    private int requests;
    private final Body[] open = new Body[MAX_OPEN_BODIES];

    /** The body of one request, as far as it has come. */
    private static final class Body {
        static final int FIRST_CAPACITY = 512;
        final int stream;
        final Object tag;
        final HttpRequest head;
        byte[] bytes = new byte[FIRST_CAPACITY];
        int length;
        boolean truncated;

        Body(int stream, Object tag, HttpRequest head) {
            this.stream = stream;
            this.tag = tag;
            this.head = head;
        }
    }

    /**
     * @param anomalies where {@code http2_body_not_followed} and {@code http_bodies_over_budget} are counted
     * @param maxBodyBytes the most bytes of one body kept
     * @param budget the memory all bodies being read may hold, shared with the decoder's other connections
     */
    public Http2Connection(AnomalyCounters anomalies, int maxBodyBytes, BodyBudget budget) {
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("maxBodyBytes must be positive: " + maxBodyBytes);
        }
        this.anomalies = anomalies;
        this.maxBodyBytes = maxBodyBytes;
        this.budget = budget;
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

    /** Requests reported so far. */
    public int requests() {
        return requests;
    }

    /**
     * Reads the next bytes of the client side, reporting requests and bodies to {@code listener} as
     * they complete.
     *
     * @return how many bytes were read (the caller drops them and gives the rest again with what
     *     follows), or {@link #NOT_HTTP2}, {@link #CLOSED} or {@link #MALFORMED}, after which the
     *     connection reads nothing more (bodies still open were handed over cut)
     */
    public int read(byte[] b, int off, int len, Listener listener) {
        int p = off;
        int end = off + len;
        while (true) {
            switch (at) {
                case AT_PREFACE -> {
                    if (p == end) {
                        return p - off;
                    }
                    if (!mayStart(b, p, end - p)) {
                        return give(NOT_HTTP2, listener);
                    }
                    if (end - p < PREFACE.length) {
                        return p - off;
                    }
                    p += PREFACE.length;
                    at = AT_HEADER;
                }
                case AT_HEADER -> {
                    if (end - p < 9) {
                        return p - off;
                    }
                    int status = frameHeader(b, p);
                    if (status != OPEN) {
                        return give(status, listener);
                    }
                    p += 9;
                }
                case AT_PREFIX -> {
                    if (end - p < prefix) {
                        return p - off;
                    }
                    if (padded) {
                        padding = b[p] & 0xff;
                    }
                    content -= prefix + padding;
                    if (content < 0) {
                        return give(MALFORMED, listener); // RFC 9113 6.1, 6.2: padding longer than the payload
                    }
                    p += prefix;
                    at = AT_CONTENT;
                }
                case AT_CONTENT -> {
                    if (content > 0) {
                        if (p == end) {
                            return p - off;
                        }
                        int n = Math.min(content, end - p);
                        if (!consume(b, p, n)) {
                            return give(MALFORMED, listener);
                        }
                        p += n;
                        content -= n;
                        if (content > 0) {
                            return p - off;
                        }
                    }
                    at = AT_PADDING;
                }
                case AT_PADDING -> {
                    if (padding > 0) {
                        int n = Math.min(padding, end - p);
                        p += n;
                        padding -= n;
                        if (padding > 0) {
                            return p - off;
                        }
                    }
                    int status = frameEnd(listener);
                    if (status != OPEN) {
                        return give(status, listener);
                    }
                    at = AT_HEADER;
                }
                default -> {
                    return lastStatus; // given up already
                }
            }
        }
    }

    private int lastStatus = MALFORMED;

    /** The connection reads nothing more: hands over the open bodies, cut. */
    private int give(int status, Listener listener) {
        lastStatus = status;
        end(listener);
        return status;
    }

    /**
     * The bytes end here (the capture ends, the connection closed or was forgotten): open bodies are
     * handed over, cut.
     *
     * @return true when this call ended the connection; false when it had ended already (given up, closed)
     */
    public boolean end(Listener listener) {
        boolean ending = at != GONE;
        at = GONE;
        handOverOpenBodies(listener);
        return ending;
    }

    /**
     * True when the connection can go on reading at a frame boundary: not given up, and not inside a
     * frame (a connection the caller sets aside while it is idle is resumed only where a frame starts).
     */
    public boolean betweenFrames() {
        return at == AT_HEADER && blockStream == 0;
    }

    /**
     * Hands the open bodies over, cut, and forgets them, while the connection goes on: a connection
     * idle for long keeps no body in memory. DATA that comes later for those streams is not kept.
     */
    public void handOverOpenBodies(Listener listener) {
        for (int i = 0; i < open.length; i++) {
            Body body = open[i];
            if (body != null) {
                open[i] = null;
                budget.give(body.bytes.length);
                listener.body(body.tag, body.head, Arrays.copyOf(body.bytes, body.length), false, body.truncated);
            }
        }
    }

    /** Reads the 9-byte frame header at {@code p} and checks what RFC 9113 allows a client to send. */
    private int frameHeader(byte[] b, int p) {
        content = (b[p] & 0xff) << 16 | (b[p + 1] & 0xff) << 8 | b[p + 2] & 0xff;
        type = b[p + 3] & 0xff;
        flags = b[p + 4] & 0xff;
        stream = (b[p + 5] & 0x7f) << 24 | (b[p + 6] & 0xff) << 16 | (b[p + 7] & 0xff) << 8 | b[p + 8] & 0xff;
        padding = 0;
        if (blockStream != 0 && (type != CONTINUATION || stream != blockStream)) {
            return MALFORMED; // RFC 9113 6.10: nothing may come between a block's frames
        }
        switch (type) {
            case HEADERS -> {
                if (stream == 0 || (stream & 1) == 0) {
                    return MALFORMED; // RFC 9113 5.1.1: client streams are odd
                }
                blockStream = stream;
                blockFlags = flags;
                blockLength = 0;
                continuations = 0;
            }
            case CONTINUATION -> {
                if (blockStream == 0) {
                    return MALFORMED;
                }
                if (++continuations > MAX_CONTINUATIONS) {
                    return MALFORMED;
                }
            }
            case DATA -> {
                if (stream == 0 || (stream & 1) == 0 || stream > lastStream) {
                    return MALFORMED; // RFC 9113 6.1, 5.1: DATA only on a stream the client opened
                }
            }
            case SETTINGS -> {
                if (stream != 0 || content % 6 != 0) {
                    return MALFORMED;
                }
            }
            case PUSH_PROMISE -> {
                return MALFORMED; // RFC 9113 8.4: clients never push
            }
            default -> {
                // PRIORITY, RST_STREAM, PING, GOAWAY, WINDOW_UPDATE, unknown types (RFC 9113 5.5): skipped
            }
        }
        padded = (type == DATA || type == HEADERS) && (flags & PADDED) != 0;
        prefix = (padded ? 1 : 0) + (type == HEADERS && (flags & PRIORITY) != 0 ? 5 : 0);
        if (prefix > content) {
            return MALFORMED; // RFC 9113 6.1, 6.2: shorter than its own pad length or priority fields
        }
        at = prefix > 0 ? AT_PREFIX : AT_CONTENT;
        return OPEN;
    }

    /** Takes {@code n} content bytes of the current frame; false when a header block outgrows its cap. */
    private boolean consume(byte[] b, int p, int n) {
        if (n == 0) {
            return true;
        }
        if (type == HEADERS || type == CONTINUATION) {
            if (blockLength + n > MAX_HEADER_BLOCK) {
                return false;
            }
            if (block.length < blockLength + n) {
                block = Arrays.copyOf(block, Math.min(MAX_HEADER_BLOCK, Math.max(block.length * 2, blockLength + n)));
            }
            System.arraycopy(b, p, block, blockLength, n);
            blockLength += n;
        } else if (type == DATA) {
            Body body = body(stream);
            if (body != null) {
                int room = maxBodyBytes - body.length;
                int take = Math.min(room, n);
                if (body.bytes.length < body.length + take) {
                    int want = Math.min(maxBodyBytes, Math.max(body.bytes.length * 2, body.length + take))
                            - body.bytes.length;
                    int granted = budget.take(want);
                    if (granted < want && !body.truncated) {
                        anomalies.count(Anomaly.HTTP_BODIES_OVER_BUDGET);
                    }
                    body.bytes = Arrays.copyOf(body.bytes, body.bytes.length + granted);
                    take = Math.min(take, body.bytes.length - body.length);
                }
                System.arraycopy(b, p, body.bytes, body.length, take);
                body.length += take;
                if (take < n) {
                    body.truncated = true;
                }
            }
        }
        return true;
    }

    /** The frame's last byte was read. */
    private int frameEnd(Listener listener) {
        switch (type) {
            case HEADERS, CONTINUATION -> {
                if ((flags & END_HEADERS) == 0) {
                    return OPEN;
                }
                int s = blockStream;
                blockStream = 0;
                return headerBlock(s, listener);
            }
            case DATA -> {
                Body body = body(stream);
                if (body != null && ((flags & END_STREAM) != 0 || body.truncated)) {
                    // the stream ended, or the body reached the cap: what comes after is not kept
                    close(body, (flags & END_STREAM) != 0 && !body.truncated, listener);
                }
                return OPEN;
            }
            case RST_STREAM -> {
                Body body = body(stream);
                if (body != null) {
                    close(body, false, listener); // the client gave the request up; what it sent is still sent
                }
                return OPEN;
            }
            case GOAWAY -> {
                return CLOSED;
            }
            default -> {
                return OPEN;
            }
        }
    }

    /** Decodes a whole header block of stream {@code s}: a request if the stream is new, else trailers. */
    private int headerBlock(int s, Listener listener) {
        fields.clear();
        int status = hpack.decode(block, 0, blockLength, fields);
        if (block.length > 4096) {
            block = new byte[256]; // a rare long block does not keep its buffer for the connection's life
        }
        if (status != Hpack.OK) {
            return MALFORMED;
        }
        boolean endStream = (blockFlags & END_STREAM) != 0;
        if (s <= lastStream) {
            // trailers (or a block on a stream already closed): read for HPACK's sake only
            Body body = body(s);
            if (body != null && endStream) {
                close(body, !body.truncated, listener);
            }
            return OPEN;
        }
        lastStream = s;
        HttpRequest head = request();
        if (head == null) {
            return MALFORMED;
        }
        requests++;
        boolean hasBody = !endStream && !head.method().equals("CONNECT");
        Object tag = listener.request(head, hasBody);
        if (tag != null && hasBody) {
            for (int i = 0; i < open.length; i++) {
                if (open[i] == null) {
                    int granted = budget.take(Body.FIRST_CAPACITY);
                    if (granted < Body.FIRST_CAPACITY) {
                        budget.give(granted); // the budget is spent: this body is not read
                        anomalies.count(Anomaly.HTTP_BODIES_OVER_BUDGET);
                        return OPEN;
                    }
                    open[i] = new Body(s, tag, head);
                    return OPEN;
                }
            }
            anomalies.count(Anomaly.HTTP2_BODY_NOT_FOLLOWED);
        }
        return OPEN;
    }

    private Body body(int s) {
        for (Body body : open) {
            if (body != null && body.stream == s) {
                return body;
            }
        }
        return null;
    }

    private void close(Body body, boolean complete, Listener listener) {
        for (int i = 0; i < open.length; i++) {
            if (open[i] == body) {
                open[i] = null;
            }
        }
        budget.give(body.bytes.length);
        listener.body(body.tag, body.head, Arrays.copyOf(body.bytes, body.length), complete, body.truncated);
    }

    /** The request the decoded fields make, or null when a pseudo-header it needs is missing or bad. */
    private HttpRequest request() {
        Fields f = fields;
        if (f.method == null || !isToken(f.method)) {
            return null;
        }
        String method = new String(f.method, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
        byte[] authority = f.authority != null ? f.authority : f.host;
        String host = authority == null ? null : HttpRequestParser.hostOf(authority, 0, authority.length);
        if (host == null || host.isEmpty()) {
            return null;
        }
        boolean connect = method.equals("CONNECT");
        String path;
        int connectPort = 0;
        if (connect && f.path == null) {
            // RFC 9113 8.5: a tunnel to :authority; extended CONNECT (RFC 8441) has a :path and is a request
            path = "";
            connectPort = HttpRequestParser.portOf(new String(authority, StandardCharsets.US_ASCII), true);
        } else if (f.path == null || f.path.length == 0) {
            return null;
        } else {
            path = HttpRequestParser.pathOf(f.path, 0, f.path.length);
        }
        String contentType = text(f.contentType);
        String encoding = HttpRequestParser.bodyEncoding(contentType, text(f.contentEncoding), text(f.grpcEncoding),
                text(f.connectEncoding));
        byte[] auth = f.proxyAuthorization;
        String user = auth == null ? null : ProxyAuth.user(auth, 0, auth.length);
        byte[] serverAuth = f.authorization;
        String serverUser = serverAuth == null ? null : ProxyAuth.user(serverAuth, 0, serverAuth.length);
        return new HttpRequest(method, host, path, connectPort, 0, -1, false, contentType, encoding, user, false, false,
                serverUser, serverAuth != null);
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

    /** Keeps the fields a request head needs; the first of each wins, as HTTP/1's Host does. */
    private static final class Fields implements Hpack.FieldSink {
        byte[] method;
        byte[] authority;
        byte[] path;
        byte[] host;
        byte[] contentType;
        byte[] contentEncoding;
        byte[] grpcEncoding;
        byte[] connectEncoding;
        byte[] proxyAuthorization;
        byte[] authorization;

        void clear() {
            method = null;
            authority = null;
            path = null;
            host = null;
            contentType = null;
            contentEncoding = null;
            grpcEncoding = null;
            connectEncoding = null;
            proxyAuthorization = null;
            authorization = null;
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
            } else if (is(name, "grpc-encoding")) {
                grpcEncoding = grpcEncoding == null ? value : grpcEncoding;
            } else if (is(name, "connect-content-encoding")) {
                connectEncoding = connectEncoding == null ? value : connectEncoding;
            } else if (is(name, "proxy-authorization")) {
                proxyAuthorization = proxyAuthorization == null ? value : proxyAuthorization;
            } else if (is(name, "authorization")) {
                authorization = authorization == null ? value : authorization;
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
