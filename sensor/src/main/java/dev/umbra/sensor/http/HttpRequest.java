package dev.umbra.sensor.http;

/**
 * The head of a plaintext HTTP/1.x request.
 *
 * @param method request method, uppercase
 * @param host the target host, lowercase, without port: Host header, absolute-form authority or
 *     CONNECT target
 * @param path the path without query string or fragment ({@code "/"} when empty, {@code ""} for CONNECT)
 * @param connectPort the port of a CONNECT target, or 0
 * @param headLength bytes from the start of the request line to the end of the blank line
 */
public record HttpRequest(String method, String host, String path, int connectPort, int headLength) {
}
