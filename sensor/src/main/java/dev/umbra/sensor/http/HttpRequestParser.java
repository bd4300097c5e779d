package dev.umbra.sensor.http;

import java.util.Locale;

/**
 * Reads the head of a plaintext HTTP/1.x request in place: the request line, the Host header, what
 * the body needs (Content-Length, Transfer-Encoding, Content-Type, Content-Encoding), and the user a
 * Proxy-Authorization or Authorization header names (never its password; {@link ProxyAuth}).
 *
 * <pre>
 * RFC 9112 3   request-line   = method SP request-target SP HTTP-version CRLF
 * RFC 9112 3.2 request-target = origin-form ("/path?query") | absolute-form ("http://host:port/path")
 *                             | authority-form ("host:port", CONNECT only) | asterisk-form ("*")
 * RFC 9112 2.1 HTTP-message   = start-line CRLF *( field-line CRLF ) CRLF [ message-body ]
 * RFC 9110 7.2 Host           = uri-host [ ":" port ]
 * </pre>
 *
 * <p>Recognised by content on any port: the bytes must start with a known method and a space.
 * Outcomes are int constants, never exceptions. The query string is dropped from the path: it often
 * carries keys and other values that must not leave the host. Not thread-safe (keeps the last result).
 */
public final class HttpRequestParser {
    /** A request head was read; see {@link #result()}. */
    public static final int OK = 0;
    /** Not the start of an HTTP/1.x request. */
    public static final int NOT_HTTP = -1;
    /** The head has not ended yet (no blank line within the bytes given). */
    public static final int NEED_MORE = -2;
    /** It starts like a request but breaks the grammar or a cap. */
    public static final int MALFORMED = -3;

    /** The longest request head read (request line and header fields). */
    public static final int MAX_HEAD_LENGTH = 16 * 1024;
    /** Header fields read. */
    public static final int MAX_FIELDS = 128;
    /** Longest Content-Type or Content-Encoding value kept (longer ones are cut). */
    public static final int MAX_VALUE_LENGTH = 200;

    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT",
        "TRACE"};

    private HttpRequest result;

    /** The request of the last call that returned {@link #OK}. */
    public HttpRequest result() {
        return result;
    }

    /** True when {@code b[off, off + len)} starts a request of this method (the method and a space). */
    public static boolean startsMethod(byte[] b, int off, int len, String method) {
        int m = method.length();
        if (len < m + 1 || b[off + m] != ' ') {
            return false;
        }
        for (int i = 0; i < m; i++) {
            if (b[off + i] != method.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The status code of the HTTP/1.x status line {@code b[off, off + len)} starts with (RFC 9112 4:
     * HTTP-version SP 3DIGIT), or -1 when it starts with none.
     */
    public static int statusCode(byte[] b, int off, int len) {
        if (len < 12 || !startsWith(b, off, "HTTP/1.") || b[off + 8] != ' ') {
            return -1;
        }
        int code = 0;
        for (int i = off + 9; i < off + 12; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            code = code * 10 + b[i] - '0';
        }
        return code;
    }

    /** True when the bytes start with a known method followed by a space (or could, if cut short). */
    public static boolean looksLikeRequest(byte[] b, int off, int len) {
        return method(b, off, len) != null;
    }

    private static String method(byte[] b, int off, int len) {
        for (String m : METHODS) {
            int n = m.length();
            if (len < n + 1) {
                continue;
            }
            boolean same = b[off + n] == ' ';
            for (int i = 0; same && i < n; i++) {
                same = b[off + i] == m.charAt(i);
            }
            if (same) {
                return m;
            }
        }
        return null;
    }

    /**
     * Parses a request head starting at {@code off}.
     *
     * @return {@link #OK}, {@link #NOT_HTTP}, {@link #NEED_MORE} or {@link #MALFORMED}
     */
    public int parse(byte[] b, int off, int len) {
        result = null;
        String method = method(b, off, len);
        if (method == null) {
            return NOT_HTTP;
        }
        int end = off + Math.min(len, MAX_HEAD_LENGTH);
        int lineEnd = indexOfCrlf(b, off, end);
        if (lineEnd < 0) {
            return len >= MAX_HEAD_LENGTH ? MALFORMED : NEED_MORE;
        }
        int targetStart = off + method.length() + 1;
        int targetEnd = targetStart;
        while (targetEnd < lineEnd && b[targetEnd] != ' ') {
            targetEnd++;
        }
        if (targetEnd == targetStart || targetEnd + 9 > lineEnd || !startsWith(b, targetEnd + 1, "HTTP/1.")) {
            return MALFORMED;
        }
        String host = null;
        long contentLength = -1;
        boolean chunked = false;
        String contentType = null;
        String contentEncoding = null;
        String grpcEncoding = null;
        String connectEncoding = null;
        String user = null;
        String serverUser = null;
        boolean authorization = false;
        boolean handshake = false;
        int p = lineEnd + 2;
        for (int i = 0; ; i++) {
            if (i > MAX_FIELDS) {
                return MALFORMED;
            }
            int e = indexOfCrlf(b, p, end);
            if (e < 0) {
                return len >= MAX_HEAD_LENGTH ? MALFORMED : NEED_MORE;
            }
            if (e == p) {
                p += 2;
                break;
            }
            if (host == null && e - p > 5 && startsWithIgnoreCase(b, p, "host:")) {
                host = hostOf(b, p + 5, e);
            } else if (e - p > 15 && startsWithIgnoreCase(b, p, "content-length:")) {
                long n = contentLengthOf(b, p + 15, e);
                // RFC 9112 6.3: differing or invalid lengths make the framing unknowable
                if (n < 0 || contentLength >= 0 && n != contentLength) {
                    return MALFORMED;
                }
                contentLength = n;
            } else if (e - p > 18 && startsWithIgnoreCase(b, p, "transfer-encoding:")) {
                chunked = endsWithChunked(b, p + 18, e);
            } else if (contentType == null && e - p > 13 && startsWithIgnoreCase(b, p, "content-type:")) {
                contentType = valueOf(b, p + 13, e);
            } else if (contentEncoding == null && e - p > 17 && startsWithIgnoreCase(b, p, "content-encoding:")) {
                contentEncoding = valueOf(b, p + 17, e);
            } else if (grpcEncoding == null && e - p > 14 && startsWithIgnoreCase(b, p, "grpc-encoding:")) {
                grpcEncoding = valueOf(b, p + 14, e);
            } else if (connectEncoding == null && e - p > 25 && startsWithIgnoreCase(b, p, "connect-content-encoding:")) {
                connectEncoding = valueOf(b, p + 25, e);
            } else if (user == null && e - p > 20 && startsWithIgnoreCase(b, p, "proxy-authorization:")) {
                user = ProxyAuth.user(b, p + 20, e);
                handshake = user == null && ProxyAuth.ntlmNegotiate(b, p + 20, e);
            } else if (serverUser == null && e - p > 14 && startsWithIgnoreCase(b, p, "authorization:")) {
                // the same schemes to the server itself; NTLM's first leg is answered 401 and sent again
                authorization = true;
                serverUser = ProxyAuth.user(b, p + 14, e);
                handshake |= serverUser == null && ProxyAuth.ntlmNegotiate(b, p + 14, e);
            }
            p = e + 2;
        }
        String path;
        String target = ascii(b, targetStart, targetEnd);
        boolean absolute = false;
        if (method.equals("CONNECT")) {
            host = hostOf(b, targetStart, targetEnd);
            path = "";
        } else if (startsWithIgnoreCase(b, targetStart, "http://") || startsWithIgnoreCase(b, targetStart, "https://")) {
            int a = targetStart + (b[targetStart + 4] == ':' ? 7 : 8);
            int slash = a;
            while (slash < targetEnd && b[slash] != '/' && b[slash] != '?') {
                slash++;
            }
            String absoluteHost = hostOf(b, a, slash);
            if (absoluteHost != null) {
                host = absoluteHost; // RFC 9112 3.2.2: the target's authority wins over Host
            }
            absolute = true;
            path = pathOf(b, slash, targetEnd);
        } else {
            path = pathOf(b, targetStart, targetEnd);
        }
        if (host == null || host.isEmpty()) {
            return MALFORMED;
        }
        int port = portOf(target, method.equals("CONNECT"));
        // RFC 9112 6.3: Transfer-Encoding overrides Content-Length
        result = new HttpRequest(method, host, path, port, p - off, chunked ? -1 : contentLength, chunked, contentType,
                bodyEncoding(contentType, contentEncoding, grpcEncoding, connectEncoding), user, handshake, absolute,
                serverUser, authorization);
        return OK;
    }

    /**
     * The encoding the classifier needs for a body: for gRPC and gRPC-Web (Content-Type
     * {@code application/grpc...}) the {@code grpc-encoding} that each compressed message uses, for
     * Connect streaming ({@code application/connect+...}) its {@code connect-content-encoding}, else
     * the Content-Encoding of the whole body.
     */
    static String bodyEncoding(String contentType, String contentEncoding, String grpcEncoding, String connectEncoding) {
        if (contentType != null && contentType.regionMatches(true, 0, "application/grpc", 0, 16)) {
            return grpcEncoding;
        }
        if (contentType != null && contentType.regionMatches(true, 0, "application/connect+", 0, 20)) {
            return connectEncoding;
        }
        return contentEncoding;
    }

    /** The decimal value between {@code p} and {@code end} (spaces around it allowed), or -1 when it is not one. */
    private static long contentLengthOf(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        while (end > p && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        if (p == end || end - p > 18) {
            return -1;
        }
        long n = 0;
        for (int i = p; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
            n = n * 10 + (b[i] - '0');
        }
        return n;
    }

    /** True when the last coding listed is {@code chunked} (the only framing a request may end with). */
    private static boolean endsWithChunked(byte[] b, int p, int end) {
        while (end > p && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        return end - p >= 7 && startsWithIgnoreCase(b, end - 7, "chunked") && (end - 7 == p || b[end - 8] == ' '
                || b[end - 8] == ',' || b[end - 8] == '\t' || b[end - 8] == ':');
    }

    /** The trimmed value, printable ASCII only, at most MAX_VALUE_LENGTH characters; null when empty. */
    private static String valueOf(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        while (end > p && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        return p == end ? null : ascii(b, p, Math.min(end, p + MAX_VALUE_LENGTH));
    }

    static int portOf(String target, boolean connect) {
        if (!connect) {
            return 0;
        }
        int colon = target.lastIndexOf(':');
        if (colon < 0 || colon == target.length() - 1 || target.endsWith("]")) {
            return 0;
        }
        int port = 0;
        for (int i = colon + 1; i < target.length() && i < colon + 6; i++) {
            char c = target.charAt(i);
            if (c < '0' || c > '9') {
                return 0;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535 ? port : 0;
    }

    /**
     * The host of "host[:port]" or "[v6]:port", lowercase, trimmed; null when empty or not printable.
     * A userinfo part ("user:password@", RFC 3986 3.2.1, deprecated and forbidden in HTTP/2's
     * :authority but still sent by some clients) is dropped: it must not leave the host.
     */
    static String hostOf(byte[] b, int p, int end) {
        for (int i = end - 1; i >= p; i--) {
            if (b[i] == '@') {
                p = i + 1;
                break;
            }
        }
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        while (end > p && (b[end - 1] == ' ' || b[end - 1] == '\t')) {
            end--;
        }
        if (p >= end) {
            return null;
        }
        int hostEnd = end;
        if (b[p] == '[') {
            int close = p;
            while (close < end && b[close] != ']') {
                close++;
            }
            if (close == end) {
                return null;
            }
            hostEnd = close + 1;
        } else {
            for (int i = end - 1; i > p; i--) {
                if (b[i] == ':') {
                    hostEnd = i;
                    break;
                }
                if (b[i] < '0' || b[i] > '9') {
                    break;
                }
            }
        }
        if (hostEnd - p > 255) {
            return null;
        }
        for (int i = p; i < hostEnd; i++) {
            if (b[i] <= 0x20 || b[i] >= 0x7f) {
                return null;
            }
        }
        return ascii(b, p, hostEnd).toLowerCase(Locale.ROOT);
    }

    static String pathOf(byte[] b, int p, int end) {
        int q = p;
        while (q < end && b[q] != '?' && b[q] != '#') {
            q++;
        }
        return q == p ? "/" : ascii(b, p, Math.min(q, p + 2048));
    }

    private static int indexOfCrlf(byte[] b, int p, int end) {
        for (int i = p; i + 1 < end; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int p, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[p + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int p, String lower) {
        if (p + lower.length() > b.length) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            int c = b[p + i];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    static String ascii(byte[] b, int p, int end) {
        StringBuilder sb = new StringBuilder(end - p);
        for (int i = p; i < end; i++) {
            int c = b[i] & 0xff;
            sb.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return sb.toString();
    }
}
