package dev.umbra.classifier.icap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/*
 * RFC 3507 message layout handled here (section 4.4, 4.5, 4.8):
 *
 *   REQMOD icap://host/reqmod ICAP/1.0\r\n
 *   Host: ...\r\n  Encapsulated: req-hdr=0, req-body=N\r\n  [Preview: P\r\n] [Allow: 204\r\n]  \r\n
 *   <N bytes: the HTTP request line and headers, ending in \r\n\r\n>
 *   <chunked body: hex-size[; ieof]\r\n data \r\n ... 0[; ieof]\r\n\r\n>
 *
 * With a preview the client sends at most P bytes then "0\r\n\r\n" (more follows after our
 * "ICAP/1.0 100 Continue") or "0; ieof\r\n\r\n" (that was all). A state machine reads this at
 * absolute offsets of the cumulation buffer, with caps on header size, chunk-size line length and
 * kept body bytes; anything malformed is answered 400 and the connection closed, and counted.
 * Connections are kept alive for the next request.
 *
 * The scope is decided from the encapsulated HTTP headers, before any body byte is read. A request
 * out of scope is never classified and its body never kept:
 *   null-body                      -> 204 (or the headers echoed, see below) at once
 *   Preview: P                     -> the preview chunks are read and dropped, then 204 instead of
 *                                     100 Continue (a 204 is allowed after a preview, section 4.5)
 *   no preview, Allow: 204         -> 204 at once; the rest of the body is read and dropped
 *   no preview, no Allow: 204      -> "ICAP/1.0 200 OK" with the request echoed (section 4.6),
 *                                     each chunk written back as it arrives, nothing held
 */
/** Decodes ICAP requests on one connection and writes the responses. */
final class IcapHandler extends ByteToMessageDecoder {
    static final int MAX_HEADER = 64 * 1024;
    static final int MAX_CHUNK_LINE = 1024;
    private static final String ISTAG = "\"umbra-1\"";
    private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};

    private enum State { ICAP_HEADERS, HTTP_HEADERS, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, LAST_CRLF }

    /** What happens to the body: kept and classified (in scope), dropped, or echoed as it arrives (out of scope). */
    private enum Mode { CLASSIFY, DROP, ECHO }

    private final IcapServer server;
    private State state = State.ICAP_HEADERS;
    private Request request;
    private byte[] body;
    private int bodyLen;
    private int chunkLeft;
    private boolean inPreview;
    private boolean lastWasIeof;
    private Mode mode = Mode.CLASSIFY;
    /** The response was already written (an out-of-scope 204 or echo head); the rest of the message is read only. */
    private boolean answered;
    private boolean flush;

    IcapHandler(IcapServer server) {
        this.server = server;
    }

    /** The parts of one REQMOD request the service needs. */
    static final class Request {
        String icapMethod;
        Map<String, String> icapHeaders = new HashMap<>();
        int hdrLength = -1;
        boolean nullBody;
        byte[] httpHeaderBytes;
        String httpMethod;
        String target;
        String host;
        String contentType;
        String contentEncoding;
        /** gRPC's per-message encoding ({@code grpc-encoding}, Connect: {@code connect-content-encoding}), or null. */
        String messageEncoding;
        String clientIp;
        String user;

        String url() {
            if (target == null) {
                return null;
            }
            return target.startsWith("http://") || target.startsWith("https://") || host == null ? target
                    : "http://" + host + target;
        }

        /**
         * The host the request goes to, lowercase, without port, user info or IPv6 brackets: from
         * an absolute-form target ({@code http://h:p/path}) or an authority-form one ({@code h:p},
         * CONNECT), else from the Host header (RFC 9112 section 3.2.2); null when there is none.
         */
        String hostName() {
            String authority = null;
            if (target != null && !target.startsWith("/") && !target.equals("*")) {
                int scheme = target.indexOf("://");
                if (scheme < 0) {
                    authority = target;
                } else {
                    int end = scheme + 3;
                    while (end < target.length() && "/?#".indexOf(target.charAt(end)) < 0) {
                        end++;
                    }
                    authority = target.substring(scheme + 3, end);
                }
            }
            if (authority == null || authority.isEmpty()) {
                authority = host;
            }
            if (authority == null) {
                return null;
            }
            authority = authority.substring(authority.lastIndexOf('@') + 1);
            String name;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                name = close < 0 ? authority.substring(1) : authority.substring(1, close);
            } else {
                int colon = authority.indexOf(':');
                name = colon < 0 || authority.indexOf(':', colon + 1) >= 0 ? authority : authority.substring(0, colon);
            }
            return name.isEmpty() ? null : name.toLowerCase(Locale.ROOT);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            decodeAvailable(ctx, in);
        } finally {
            if (flush) {
                flush = false;
                ctx.flush();
            }
        }
    }

    private void decodeAvailable(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            switch (state) {
                case ICAP_HEADERS: {
                    int end = indexOf(in, CRLFCRLF, MAX_HEADER);
                    if (end < 0) {
                        if (in.readableBytes() > MAX_HEADER) {
                            fail(ctx, "icap_header_too_long");
                        }
                        return;
                    }
                    String head = in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1);
                    in.readerIndex(end + 4);
                    if (!icapHead(ctx, head)) {
                        return;
                    }
                    break;
                }
                case HTTP_HEADERS: {
                    if (in.readableBytes() < request.hdrLength) {
                        return;
                    }
                    byte[] h = new byte[request.hdrLength];
                    in.readBytes(h);
                    request.httpHeaderBytes = h;
                    httpHead(request, new String(h, StandardCharsets.ISO_8859_1));
                    if (!server.inScope(request)) {
                        outOfScope(ctx);
                    } else if (request.nullBody) {
                        respond(ctx);
                    } else {
                        body = new byte[4096];
                        state = State.CHUNK_SIZE;
                    }
                    break;
                }
                case CHUNK_SIZE: {
                    int eol = indexOf(in, new byte[] {'\r', '\n'}, MAX_CHUNK_LINE);
                    if (eol < 0) {
                        if (in.readableBytes() > MAX_CHUNK_LINE) {
                            fail(ctx, "icap_chunk_line_too_long");
                        }
                        return;
                    }
                    String line = in.toString(in.readerIndex(), eol - in.readerIndex(), StandardCharsets.ISO_8859_1);
                    in.readerIndex(eol + 2);
                    int semi = line.indexOf(';');
                    String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
                    lastWasIeof = semi >= 0 && line.substring(semi + 1).trim().equalsIgnoreCase("ieof");
                    int size;
                    try {
                        size = Integer.parseInt(hex, 16);
                    } catch (NumberFormatException e) {
                        fail(ctx, "icap_bad_chunk_size");
                        return;
                    }
                    if (size < 0) {
                        fail(ctx, "icap_bad_chunk_size");
                        return;
                    }
                    if (size == 0) {
                        state = State.LAST_CRLF;
                    } else {
                        if (mode == Mode.ECHO) {
                            ctx.write(Unpooled.copiedBuffer(Integer.toHexString(size) + "\r\n", StandardCharsets.US_ASCII));
                            flush = true;
                        }
                        chunkLeft = size;
                        state = State.CHUNK_DATA;
                    }
                    break;
                }
                case CHUNK_DATA: {
                    int n = Math.min(chunkLeft, in.readableBytes());
                    if (mode != Mode.CLASSIFY) {
                        if (mode == Mode.ECHO) {
                            ctx.write(in.readRetainedSlice(n));
                            flush = true;
                        } else {
                            in.skipBytes(n);
                        }
                        chunkLeft -= n;
                        if (chunkLeft == 0) {
                            state = State.CHUNK_END;
                        }
                        break;
                    }
                    int keep = Math.min(n, server.config().maxBodyBytes() - bodyLen);
                    if (keep > 0) {
                        ensure(bodyLen + keep);
                        in.readBytes(body, bodyLen, keep);
                        bodyLen += keep;
                    }
                    if (n > keep) {
                        server.count("icap_body_over_cap");
                        in.skipBytes(n - keep);
                    }
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        state = State.CHUNK_END;
                    }
                    break;
                }
                case CHUNK_END: {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    if (in.getByte(in.readerIndex()) != '\r' || in.getByte(in.readerIndex() + 1) != '\n') {
                        fail(ctx, "icap_bad_chunk_end");
                        return;
                    }
                    in.skipBytes(2);
                    if (mode == Mode.ECHO) {
                        ctx.write(Unpooled.copiedBuffer("\r\n", StandardCharsets.US_ASCII));
                        flush = true;
                    }
                    state = State.CHUNK_SIZE;
                    break;
                }
                case LAST_CRLF: {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    in.skipBytes(2);
                    if (mode != Mode.CLASSIFY) {
                        endOutOfScope(ctx);
                    } else if (inPreview && !lastWasIeof) {
                        // end of preview, more body follows once we ask for it (RFC 3507 section 4.5)
                        inPreview = false;
                        server.count("icap_preview_continue");
                        ctx.writeAndFlush(Unpooled.copiedBuffer("ICAP/1.0 100 Continue\r\n\r\n", StandardCharsets.US_ASCII));
                        state = State.CHUNK_SIZE;
                    } else {
                        respond(ctx);
                    }
                    break;
                }
                default:
                    return;
            }
        }
    }

    private void ensure(int size) {
        if (size > body.length) {
            body = java.util.Arrays.copyOf(body, Math.min(server.config().maxBodyBytes(), Math.max(size, body.length * 2)));
        }
    }

    /** Parses the ICAP request line and headers; answers OPTIONS directly. False when the connection closed. */
    private boolean icapHead(ChannelHandlerContext ctx, String head) {
        String[] lines = head.split("\r\n");
        String[] first = lines[0].split(" ");
        if (first.length != 3 || !first[2].startsWith("ICAP/1.")) {
            fail(ctx, "icap_bad_request_line");
            return false;
        }
        Request r = new Request();
        r.icapMethod = first[0];
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                r.icapHeaders.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        server.count("icap_" + r.icapMethod.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "") + "_requests");
        if (r.icapMethod.equals("OPTIONS")) {
            ctx.writeAndFlush(Unpooled.copiedBuffer("ICAP/1.0 200 OK\r\n"
                    + "Methods: REQMOD\r\n"
                    + "Service: Umbra ICAP classifier\r\n"
                    + "ISTag: " + ISTAG + "\r\n"
                    + "Max-Connections: 100\r\n"
                    + "Options-TTL: 3600\r\n"
                    + "Allow: 204\r\n"
                    + "Preview: " + server.config().preview() + "\r\n"
                    + "Transfer-Preview: *\r\n"
                    + "Encapsulated: null-body=0\r\n\r\n", StandardCharsets.US_ASCII));
            return true;
        }
        if (!r.icapMethod.equals("REQMOD")) {
            server.count("icap_method_not_allowed");
            ctx.writeAndFlush(Unpooled.copiedBuffer("ICAP/1.0 405 Method Not Allowed\r\nISTag: " + ISTAG
                    + "\r\nEncapsulated: null-body=0\r\n\r\n", StandardCharsets.US_ASCII));
            return true;
        }
        String enc = r.icapHeaders.get("encapsulated");
        if (enc == null) {
            fail(ctx, "icap_missing_encapsulated");
            return false;
        }
        int reqHdr = -1;
        int bodyAt = -1;
        for (String part : enc.split(",")) {
            String[] kv = part.trim().split("=");
            if (kv.length != 2) {
                continue;
            }
            int v;
            try {
                v = Integer.parseInt(kv[1].trim());
            } catch (NumberFormatException e) {
                fail(ctx, "icap_bad_encapsulated");
                return false;
            }
            switch (kv[0].trim()) {
                case "req-hdr" -> reqHdr = v;
                case "req-body" -> bodyAt = v;
                case "null-body" -> {
                    bodyAt = v;
                    r.nullBody = true;
                }
                default -> { }
            }
        }
        if (reqHdr != 0 || bodyAt < 0 || bodyAt > MAX_HEADER) {
            fail(ctx, "icap_bad_encapsulated");
            return false;
        }
        r.hdrLength = bodyAt;
        r.clientIp = r.icapHeaders.get("x-client-ip");
        r.user = user(r.icapHeaders.get("x-authenticated-user"));
        request = r;
        inPreview = r.icapHeaders.containsKey("preview");
        body = null;
        bodyLen = 0;
        mode = Mode.CLASSIFY;
        answered = false;
        state = State.HTTP_HEADERS;
        return true;
    }

    /** The user name; Squid may send it base64-encoded ({@code icap_client_username_encode on}). */
    static String user(String v) {
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (v.length() % 4 == 0 && v.matches("[A-Za-z0-9+/]+=*")) {
            try {
                String d = new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
                if (d.chars().allMatch(c -> c >= 32 && c < 127)) {
                    return d;
                }
            } catch (IllegalArgumentException notBase64) {
                // plain
            }
        }
        return v;
    }

    private static void httpHead(Request r, String head) {
        String[] lines = head.split("\r\n");
        String[] first = lines.length > 0 ? lines[0].split(" ") : new String[0];
        if (first.length >= 2) {
            r.httpMethod = first[0];
            r.target = first[1];
        }
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).trim();
            switch (name) {
                case "host" -> r.host = value;
                case "content-type" -> r.contentType = value;
                case "content-encoding" -> r.contentEncoding = value;
                case "grpc-encoding", "connect-content-encoding" -> r.messageEncoding = value;
                default -> { }
            }
        }
    }

    /**
     * A request out of scope, its HTTP headers read: answered without classification, at once when
     * the protocol allows it (see the table at the top), its body dropped or echoed as it arrives.
     */
    private void outOfScope(ChannelHandlerContext ctx) {
        Request r = request;
        if (r.nullBody) {
            pass(ctx, r);
            finish();
            return;
        }
        if (inPreview) {
            mode = Mode.DROP; // 204 once the preview is read
        } else if (allows204(r)) {
            mode = Mode.DROP;
            answered = true;
            write204(ctx);
        } else {
            mode = Mode.ECHO;
            answered = true;
            server.count("icap_echo_200");
            ByteBuf out = Unpooled.buffer();
            out.writeCharSequence("ICAP/1.0 200 OK\r\nISTag: " + ISTAG + "\r\nEncapsulated: req-hdr=0, req-body="
                    + r.httpHeaderBytes.length + "\r\n\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(r.httpHeaderBytes);
            ctx.write(out);
            flush = true;
        }
        state = State.CHUNK_SIZE;
    }

    /** The last chunk of an out-of-scope request (or of its preview) was read. */
    private void endOutOfScope(ChannelHandlerContext ctx) {
        if (mode == Mode.ECHO) {
            ctx.write(Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.US_ASCII));
            flush = true;
        } else if (!answered) {
            // end of the preview, whether or not more would follow: no 100 Continue, the rest is not wanted
            write204(ctx);
        }
        finish();
    }

    private static boolean allows204(Request r) {
        return r.icapHeaders.getOrDefault("allow", "").contains("204") || r.icapHeaders.containsKey("preview");
    }

    private void write204(ChannelHandlerContext ctx) {
        server.count("icap_no_content_204");
        ctx.writeAndFlush(Unpooled.copiedBuffer("ICAP/1.0 204 No Content\r\nISTag: " + ISTAG
                + "\r\nEncapsulated: null-body=0\r\n\r\n", StandardCharsets.US_ASCII));
    }

    private void finish() {
        request = null;
        body = null;
        bodyLen = 0;
        mode = Mode.CLASSIFY;
        answered = false;
        state = State.ICAP_HEADERS;
    }

    private void respond(ChannelHandlerContext ctx) {
        Request r = request;
        boolean block = server.decide(r, body == null ? new byte[0] : body, bodyLen);
        if (block) {
            server.count("icap_blocked");
            byte[] page = server.config().blockPage().getBytes(StandardCharsets.UTF_8);
            String http = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                    + page.length + "\r\nConnection: close\r\n\r\n";
            ByteBuf out = Unpooled.buffer();
            out.writeCharSequence("ICAP/1.0 200 OK\r\nISTag: " + ISTAG + "\r\nEncapsulated: res-hdr=0, res-body="
                    + http.length() + "\r\n\r\n" + http, StandardCharsets.ISO_8859_1);
            out.writeCharSequence(Integer.toHexString(page.length) + "\r\n", StandardCharsets.US_ASCII);
            out.writeBytes(page);
            out.writeCharSequence("\r\n0\r\n\r\n", StandardCharsets.US_ASCII);
            ctx.writeAndFlush(out);
        } else {
            pass(ctx, r);
        }
        finish();
    }

    /** Lets the request through unmodified: 204 when allowed, else the request echoed with the body held. */
    private void pass(ChannelHandlerContext ctx, Request r) {
        if (allows204(r)) {
            write204(ctx);
        } else {
            // no 204 allowed: echo the request unmodified (RFC 3507 section 4.6)
            server.count("icap_echo_200");
            ByteBuf out = Unpooled.buffer();
            String enc = r.nullBody ? "req-hdr=0, null-body=" + r.httpHeaderBytes.length
                    : "req-hdr=0, req-body=" + r.httpHeaderBytes.length;
            out.writeCharSequence("ICAP/1.0 200 OK\r\nISTag: " + ISTAG + "\r\nEncapsulated: " + enc + "\r\n\r\n",
                    StandardCharsets.US_ASCII);
            out.writeBytes(r.httpHeaderBytes);
            if (!r.nullBody) {
                if (bodyLen > 0) {
                    out.writeCharSequence(Integer.toHexString(bodyLen) + "\r\n", StandardCharsets.US_ASCII);
                    out.writeBytes(body, 0, bodyLen);
                    out.writeCharSequence("\r\n", StandardCharsets.US_ASCII);
                }
                out.writeCharSequence("0\r\n\r\n", StandardCharsets.US_ASCII);
            }
            ctx.writeAndFlush(out);
        }
    }

    private void fail(ChannelHandlerContext ctx, String anomaly) {
        server.count(anomaly);
        finish();
        ctx.writeAndFlush(Unpooled.copiedBuffer("ICAP/1.0 400 Bad Request\r\nISTag: " + ISTAG
                + "\r\nEncapsulated: null-body=0\r\n\r\n", StandardCharsets.US_ASCII)).addListener(ChannelFutureListener.CLOSE);
        ctx.channel().config().setAutoRead(false);
    }

    /** Offset of {@code needle} in the readable bytes (searching at most {@code max} bytes), or -1. */
    private static int indexOf(ByteBuf in, byte[] needle, int max) {
        int from = in.readerIndex();
        int to = Math.min(in.writerIndex(), from + max + needle.length) - needle.length;
        outer:
        for (int i = from; i <= to; i++) {
            for (int k = 0; k < needle.length; k++) {
                if (in.getByte(i + k) != needle[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        server.count("icap_connection_error");
        ctx.close();
    }
}
