package dev.umbra.sensor.http;

import dev.umbra.sensor.Observation;
import java.util.Arrays;

/**
 * The body of one plaintext HTTP/1.x request, read up to a cap: the bytes the decoder must keep
 * after the head, whether they are all there, and the body itself (de-chunked).
 *
 * <pre>
 * RFC 9112 6.3  a request body's length is Content-Length, or the chunked coding's, or zero
 * RFC 9112 7.1  chunked-body = *chunk last-chunk trailer-section CRLF
 *               chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk = 1*("0") [ chunk-ext ] CRLF
 * </pre>
 *
 * Bounds: at most {@code maxBytes} of body; a chunked body may take up to an eighth more of raw
 * bytes for its framing (chunk-size lines of at most {@value #MAX_CHUNK_LINE} bytes). Outcomes are
 * values, never exceptions.
 */
public final class HttpBody {
    /** Longest chunk-size line (size, extensions) read. */
    public static final int MAX_CHUNK_LINE = 1024;

    /**
     * What was read.
     *
     * @param length the bytes from the body's first that it takes on the wire, framing included: for a
     *     chunked body up to the end of its trailer section; -1 when that end is not known yet (the body
     *     is incomplete, cut by the cap or malformed, or its trailer section goes on in bytes not given)
     */
    public record Content(byte[] bytes, boolean complete, boolean truncated, boolean malformed, int length) {
    }

    private final Observation request;
    private final HttpRequest head;
    private final int maxBytes;

    /**
     * @param request the request's observation
     * @param head its head, with {@link HttpRequest#hasBody()}
     * @param maxBytes the most body bytes read
     */
    public HttpBody(Observation request, HttpRequest head, int maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.request = request;
        this.head = head;
        this.maxBytes = maxBytes;
    }

    /** The request the body belongs to. */
    public Observation request() {
        return request;
    }

    /** Its head. */
    public HttpRequest head() {
        return head;
    }

    /** Bytes after the head the decoder keeps for this body. */
    public int rawCap() {
        if (!head.chunked()) {
            return (int) Math.min(head.contentLength(), maxBytes);
        }
        return maxBytes + maxBytes / 8 + MAX_CHUNK_LINE;
    }

    /** True when {@code have} bytes from {@code off} hold all this body will read. */
    public boolean ready(byte[] a, int off, int have) {
        if (have >= rawCap()) {
            return true;
        }
        if (!head.chunked()) {
            return false;
        }
        Content c = dechunk(a, off, have, false);
        return c.complete() || c.truncated() || c.malformed();
    }

    /** The body from {@code have} bytes at {@code off} (all there is, when called before {@link #ready}). */
    public Content read(byte[] a, int off, int have) {
        if (!head.chunked()) {
            int n = Math.min(have, rawCap());
            boolean complete = n >= head.contentLength();
            return new Content(Arrays.copyOfRange(a, off, off + n), complete,
                    n < head.contentLength() && n >= maxBytes, false, complete ? n : -1);
        }
        return dechunk(a, off, Math.min(have, rawCap()), true);
    }

    /** Walks the chunks; copies their data only when {@code copy} (else the Content's bytes are null). */
    private Content dechunk(byte[] a, int off, int have, boolean copy) {
        byte[] out = copy ? new byte[Math.min(maxBytes, Math.max(64, have))] : null;
        int n = 0;
        int p = off;
        int end = off + have;
        while (p < end) {
            // chunk-size [ chunk-ext ] CRLF
            long size = 0;
            int digits = 0;
            while (p < end && hex(a[p]) >= 0) {
                if (++digits > 15) {
                    return content(out, n, false, false, true, -1);
                }
                size = size << 4 | hex(a[p]);
                p++;
            }
            if (p == end) {
                break; // the size line goes on in bytes not here yet
            }
            if (digits == 0) {
                return content(out, n, false, false, true, -1);
            }
            int lineEnd = crlf(a, p, Math.min(end, p + MAX_CHUNK_LINE));
            if (lineEnd < 0) {
                if (end - p >= MAX_CHUNK_LINE) {
                    return content(out, n, false, false, true, -1);
                }
                break;
            }
            p = lineEnd + 2;
            if (size == 0) {
                // trailer-section CRLF (RFC 9112 7.1.2): its fields are not read, only where it ends
                int q = p;
                int line;
                while ((line = crlf(a, q, Math.min(end, q + MAX_CHUNK_LINE))) > q) {
                    q = line + 2;
                }
                return content(out, n, true, false, false, line == q ? q + 2 - off : -1);
            }
            int take = (int) Math.min(size, Math.min(end - p, (long) maxBytes - n));
            if (copy) {
                if (n + take > out.length) {
                    out = Arrays.copyOf(out, Math.min(maxBytes, Math.max(n + take, out.length * 2)));
                }
                System.arraycopy(a, p, out, n, take);
            }
            n += take;
            if (take < size || p + size + 2 > end) {
                if (n >= maxBytes) {
                    return content(out, n, false, true, false, -1); // the cap cut this chunk
                }
                break; // the chunk goes on in bytes not here yet
            }
            p += (int) size;
            if (n >= maxBytes && (!isCrlf(a, p, end) || more(a, p + 2, end))) {
                return content(out, n, false, true, false, -1); // the cap falls where more data follows
            }
            if (!isCrlf(a, p, end)) {
                return content(out, n, false, false, true, -1);
            }
            p += 2;
        }
        return content(out, n, false, false, false, -1);
    }

    private static Content content(byte[] out, int n, boolean complete, boolean truncated, boolean malformed,
            int length) {
        return new Content(out == null ? null : Arrays.copyOf(out, n), complete, truncated, malformed, length);
    }

    /** True when the bytes from {@code p} start a chunk with data (not the last chunk). */
    private static boolean more(byte[] a, int p, int end) {
        return p < end && hex(a[p]) > 0 || p + 1 < end && a[p] == '0' && hex(a[p + 1]) > 0;
    }

    private static boolean isCrlf(byte[] a, int p, int end) {
        return p + 1 < end && a[p] == '\r' && a[p + 1] == '\n';
    }

    private static int crlf(byte[] a, int p, int end) {
        for (int i = p; i + 1 < end; i++) {
            if (a[i] == '\r' && a[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
