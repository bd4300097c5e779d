package dev.umbra.sensor.proxylog;

/**
 * Splits a request target in place, per RFC 3986 section 3:
 *
 * <pre>
 *   URI       = scheme ":" "//" authority path-abempty [ "?" query ] [ "#" fragment ]
 *   authority = [ userinfo "@" ] host [ ":" port ]
 *   host      = IP-literal / IPv4address / reg-name      ; IP-literal = "[" IPv6address "]"
 * </pre>
 *
 * Proxy logs also write the authority form of CONNECT ({@code host:443}, RFC 9110 section 9.3.6)
 * and scheme-less URLs ({@code www.example.com/join/}). Reused per parser; not thread-safe.
 */
final class UrlParts {
    int hostStart;
    int hostEnd;
    int port;
    /** Path span without query or fragment; empty when the target has none. */
    int pathStart;
    int pathEnd;

    /**
     * Splits {@code buf[start, end)}; returns false when there is no host (an origin-form
     * {@code /path} or an empty target).
     */
    boolean split(byte[] buf, int start, int end) {
        hostStart = hostEnd = pathStart = pathEnd = start;
        port = 0;
        if (start >= end || buf[start] == '/') {
            int q = queryStart(buf, start, end);
            pathStart = start;
            pathEnd = q;
            return false;
        }
        int i = start;
        // scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) "://"
        int j = start;
        while (j < end && j - start < 16 && isSchemeChar(buf[j])) {
            j++;
        }
        if (j + 2 < end && buf[j] == ':' && buf[j + 1] == '/' && buf[j + 2] == '/') {
            i = j + 3;
        }
        int authEnd = i;
        while (authEnd < end && buf[authEnd] != '/' && buf[authEnd] != '?' && buf[authEnd] != '#') {
            authEnd++;
        }
        int at = -1;
        for (int k = authEnd - 1; k >= i; k--) {
            if (buf[k] == '@') {
                at = k;
                break;
            }
        }
        int h = at >= 0 ? at + 1 : i;
        int hEnd = authEnd;
        if (h < authEnd && buf[h] == '[') {
            int close = Text.indexOf(buf, h, authEnd, (byte) ']');
            if (close < 0) {
                return false;
            }
            hEnd = close + 1;
            if (hEnd + 1 < authEnd && buf[hEnd] == ':') {
                port = Text.port(buf, hEnd + 1, authEnd);
            }
        } else {
            int colon = Text.indexOf(buf, h, authEnd, (byte) ':');
            if (colon >= 0) {
                hEnd = colon;
                // "error:invalid-request" (Squid) and other URNs are not host:port
                if (colon + 1 < authEnd && Text.parseLong(buf, colon + 1, authEnd) == Text.NOT_A_NUMBER) {
                    return false;
                }
                port = Text.port(buf, colon + 1, authEnd);
            }
        }
        hostStart = h;
        hostEnd = hEnd;
        pathStart = authEnd;
        pathEnd = authEnd < end && buf[authEnd] == '/' ? queryStart(buf, authEnd, end) : authEnd;
        return hostEnd > hostStart;
    }

    private static int queryStart(byte[] buf, int i, int end) {
        while (i < end && buf[i] != '?' && buf[i] != '#') {
            i++;
        }
        return i;
    }

    private static boolean isSchemeChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '+' || b == '-'
                || b == '.';
    }
}
