package dev.umbra.sensor.http;

/**
 * The head of a plaintext HTTP/1.x request, or of a request on a cleartext HTTP/2 connection
 * ({@link Http2Connection}: head length 0, content length -1). For gRPC, gRPC-Web and Connect bodies
 * the content encoding is the per-message one ({@code grpc-encoding}, {@code connect-content-encoding}),
 * which says how each compressed message is compressed.
 *
 * @param method request method, uppercase
 * @param host the target host, lowercase, without port: Host header, absolute-form authority or
 *     CONNECT target
 * @param path the path without query string or fragment ({@code "/"} when empty, {@code ""} for CONNECT)
 * @param connectPort the port of a CONNECT target, or 0
 * @param headLength bytes from the start of the request line to the end of the blank line
 * @param contentLength the Content-Length, or -1 when the head has none (or the body is chunked)
 * @param chunked true when Transfer-Encoding ends in {@code chunked} (RFC 9112 6.1)
 * @param contentType the Content-Type value, or {@code null}
 * @param contentEncoding the Content-Encoding value, or {@code null}
 * @param user the user a Proxy-Authorization header names ({@link ProxyAuth}: never the password), or
 *     {@code null}
 * @param authHandshake true when its Proxy-Authorization is the first leg of NTLM: the proxy answers
 *     407 and forwards nothing, and the client sends the request again with its user
 * @param absoluteForm true when the request target is a whole URL ({@code GET http://host/path}, RFC
 *     9112 3.2.2): what a client sends to a forward proxy for a plain-HTTP URL
 * @param serverUser the user an Authorization header names to the server itself (Basic, NTLM, Digest:
 *     an internal AI gateway behind a login; never the password, and a bearer token names no one), or
 *     {@code null}
 * @param authorization true when the request carries an Authorization header, whatever its scheme (one
 *     without may be challenged with 401 and sent again with one)
 */
public record HttpRequest(String method, String host, String path, int connectPort, int headLength,
        long contentLength, boolean chunked, String contentType, String contentEncoding, String user,
        boolean authHandshake, boolean absoluteForm, String serverUser, boolean authorization) {
    /** A request whose target is not a whole URL, without an Authorization user. */
    public HttpRequest(String method, String host, String path, int connectPort, int headLength,
            long contentLength, boolean chunked, String contentType, String contentEncoding, String user,
            boolean authHandshake) {
        this(method, host, path, connectPort, headLength, contentLength, chunked, contentType, contentEncoding, user,
                authHandshake, false, null, false);
    }

    /** A request without a body (the head alone). */
    public HttpRequest(String method, String host, String path, int connectPort, int headLength) {
        this(method, host, path, connectPort, headLength, -1, false, null, null, null, false, false, null, false);
    }

    /** True when a body follows the head (a positive Content-Length, or chunked). */
    public boolean hasBody() {
        return chunked || contentLength > 0;
    }
}
