package dev.umbra.sensor.socks;

import dev.umbra.sensor.decode.IpText;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.http.ProxyAuth;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reads the client's opening bytes of a SOCKS connection in place, up to the request that names
 * where the proxy should connect.
 *
 * <pre>
 * RFC 1928 3   greeting  VER(5) NMETHODS(1) METHODS(1..255)
 * RFC 1929 2   password  VER(1) ULEN(1) UNAME(1..255) PLEN(1) PASSWD(0..255)   only when method 2 was offered
 * RFC 1928 4   request   VER(5) CMD(1) RSV(0) ATYP(1) DST.ADDR DST.PORT(2)
 * RFC 1928 5   DST.ADDR  ATYP 1: 4 bytes | ATYP 3: LEN(1) NAME(LEN) | ATYP 4: 16 bytes
 * SOCKS 4      request   VN(4) CD(1) DSTPORT(2) DSTIP(4) USERID NUL
 * SOCKS 4A     the same with DSTIP 0.0.0.x (x != 0), then HOSTNAME NUL
 * </pre>
 *
 * <p>The client sends its greeting, waits for the proxy's choice of method, then sends the request,
 * so the parser reads the client's bytes from their start, however they were cut into segments: the
 * proxy's answers are not needed. A client that offered the password method may send its user name
 * and password first: the user name is kept (who is behind the request, as the proxy's log would
 * say), the password is skipped and never read (a password in clear on the wire is still a
 * password). A SOCKS4 USERID is kept the same way. GSSAPI (RFC 1961) is not followed.
 *
 * <p>Recognised by content on any port. The first bytes must be a well-formed greeting, and every
 * later byte is checked against the grammar, so most other protocols fail at once. Outcomes are int
 * constants, never exceptions; every read is bounded by the bytes given. Not thread-safe (keeps the
 * last result).
 */
public final class SocksRequestParser {
    /** The request was read; see {@link #result()}. */
    public static final int OK = 0;
    /** The bytes do not start a SOCKS client's opening. */
    public static final int NOT_SOCKS = -1;
    /** A valid start that has not reached the end of the request yet. */
    public static final int NEED_MORE = -2;
    /** A valid greeting followed by bytes that break the grammar. */
    public static final int MALFORMED = -3;
    /** SOCKS, but an exchange that is not followed (GSSAPI): nothing more can be read. */
    public static final int UNREADABLE = -4;

    /** CMD / CD 1: connect to the destination. */
    public static final int CONNECT = 1;
    /** CMD / CD 2: accept a connection from the destination. */
    public static final int BIND = 2;
    /** CMD 3 (SOCKS5 only): relay UDP; the address is where the client will send from, often zero. */
    public static final int UDP_ASSOCIATE = 3;

    /** Longest SOCKS4 user id read (it has no length field: it ends at a NUL). */
    public static final int MAX_USERID_LENGTH = 255;
    /** Longest host name read (SOCKS5 sends a length byte; SOCKS4a ends the name with a NUL). */
    public static final int MAX_NAME_LENGTH = 255;

    private static final int METHOD_GSSAPI = 1;
    private static final int METHOD_PASSWORD = 2;
    private static final int METHOD_NO_ACCEPTABLE = 0xff;

    private final long[] numbers = new long[2];
    private SocksRequest result;

    /** The request of the last call that returned {@link #OK}. */
    public SocksRequest result() {
        return result;
    }

    /** True when the first byte is a SOCKS version (4 or 5): the cheap test before {@link #parse}. */
    public static boolean mayStart(byte[] b, int off, int len) {
        return len > 0 && (b[off] == 4 || b[off] == 5);
    }

    /**
     * Parses a client's opening bytes starting at {@code off}.
     *
     * @return {@link #OK}, {@link #NOT_SOCKS}, {@link #NEED_MORE}, {@link #MALFORMED} or
     *     {@link #UNREADABLE}
     */
    public int parse(byte[] b, int off, int len) {
        result = null;
        if (len <= 0) {
            return NEED_MORE;
        }
        return switch (b[off]) {
            case 5 -> socks5(b, off, off + len);
            case 4 -> socks4(b, off, off + len);
            default -> NOT_SOCKS;
        };
    }

    private int socks5(byte[] b, int start, int end) {
        if (end - start < 2) {
            return NEED_MORE;
        }
        int methods = b[start + 1] & 0xff;
        if (methods == 0) {
            return NOT_SOCKS;
        }
        int p = start + 2;
        boolean password = false;
        boolean gssapi = false;
        for (int i = 0; i < methods; i++, p++) {
            if (p >= end) {
                return NEED_MORE;
            }
            int m = b[p] & 0xff;
            if (m == METHOD_NO_ACCEPTABLE) {
                return NOT_SOCKS; // a proxy's answer, never a client's offer
            }
            password |= m == METHOD_PASSWORD;
            gssapi |= m == METHOD_GSSAPI;
        }
        if (p >= end) {
            return NEED_MORE;
        }
        boolean passwordSent = false;
        String user = null;
        if (b[p] == 1) {
            if (!password) {
                return gssapi ? UNREADABLE : MALFORMED;
            }
            // RFC 1929 2: the user name is kept, the password skipped over, never read
            if (p + 2 > end) {
                return NEED_MORE;
            }
            int userLength = b[p + 1] & 0xff;
            int q = p + 2 + userLength;
            if (q >= end) {
                return NEED_MORE;
            }
            user = ProxyAuth.socksUser(b, p + 2, q);
            p = q + 1 + (b[q] & 0xff);
            if (p >= end) {
                return NEED_MORE;
            }
            passwordSent = true;
        }
        return request5(b, start, p, end, passwordSent, user);
    }

    /** RFC 1928 section 4, from {@code p}. */
    private int request5(byte[] b, int start, int p, int end, boolean passwordSent, String user) {
        if (b[p] != 5) {
            return MALFORMED;
        }
        if (p + 1 < end && (b[p + 1] < CONNECT || b[p + 1] > UDP_ASSOCIATE)) {
            return MALFORMED;
        }
        if (p + 2 < end && b[p + 2] != 0) {
            return MALFORMED;
        }
        if (p + 4 > end) {
            return NEED_MORE;
        }
        int command = b[p + 1];
        int status = address(b, p + 3, end);
        if (status != OK) {
            return status;
        }
        String host = addressHost;
        String address = addressText;
        int portAt = addressEnd;
        int port = (b[portAt] & 0xff) << 8 | (b[portAt + 1] & 0xff);
        result = new SocksRequest(5, command, host, address, numbers[0], numbers[1], port, portAt + 2 - start,
                passwordSent, user);
        return OK;
    }

    // what address() read: the name or the address as text, numbers[], and where DST.PORT starts
    private String addressHost;
    private String addressText;
    private int addressEnd;

    /**
     * RFC 1928 5: {@code ATYP DST.ADDR} at {@code at} (followed by the 2-byte port); sets {@link
     * #addressHost}, {@link #addressText}, {@link #numbers} and {@link #addressEnd}, the port's offset.
     *
     * @return {@link #OK}, {@link #NEED_MORE} or {@link #MALFORMED}
     */
    private int address(byte[] b, int at, int end) {
        int type = b[at];
        int a = at + 1;
        addressHost = null;
        addressText = null;
        switch (type) {
            case 1 -> {
                if (a + 6 > end) {
                    return NEED_MORE;
                }
                addressText = IpText.v4(b, a);
                numbers[0] = FlowKey.V4_MARK;
                numbers[1] = be32(b, a);
                addressEnd = a + 4;
            }
            case 4 -> {
                if (a + 18 > end) {
                    return NEED_MORE;
                }
                addressText = IpText.v6(b, a);
                numbers[0] = be64(b, a);
                numbers[1] = be64(b, a + 8);
                addressEnd = a + 16;
            }
            case 3 -> {
                if (a >= end) {
                    return NEED_MORE;
                }
                int n = b[a] & 0xff;
                if (n == 0) {
                    return MALFORMED;
                }
                int checked = Math.min(end, a + 1 + n);
                if (!nameBytes(b, a + 1, checked)) {
                    return MALFORMED;
                }
                if (a + 1 + n + 2 > end) {
                    return NEED_MORE;
                }
                String host = name(b, a + 1, a + 1 + n);
                if (IpText.parse(host, numbers)) {
                    // a client that resolved the name itself and sent the address as text
                    addressText = host;
                } else {
                    addressHost = host;
                    numbers[0] = 0;
                    numbers[1] = 0;
                }
                addressEnd = a + 1 + n;
            }
            default -> {
                return MALFORMED;
            }
        }
        return OK;
    }

    /**
     * Reads the header of a datagram a SOCKS5 UDP relay carries (RFC 1928 7: {@code RSV(2)=0 FRAG(1)
     * ATYP(1) DST.ADDR DST.PORT(2)}, then the data): the result names the destination (from the
     * client) or the source (from the proxy), its port, and in {@link SocksRequest#length()} where
     * the data starts. The fragment number is not checked: the caller sees it at {@code off + 2}.
     *
     * @return {@link #OK}, {@link #NOT_SOCKS} (the reserved bytes are not zero) or {@link #MALFORMED}
     *     (a bad address type, name, or a header longer than the datagram)
     */
    public int udpHeader(byte[] b, int off, int len) {
        if (len < 4 || b[off] != 0 || b[off + 1] != 0) {
            return NOT_SOCKS;
        }
        int end = off + len;
        int status = address(b, off + 3, end);
        if (status != OK) {
            return MALFORMED;
        }
        int port = (b[addressEnd] & 0xff) << 8 | (b[addressEnd + 1] & 0xff);
        result = new SocksRequest(5, UDP_ASSOCIATE, addressHost, addressText, numbers[0], numbers[1], port,
                addressEnd + 2 - off, false, null);
        return OK;
    }

    private int socks4(byte[] b, int start, int end) {
        if (end - start >= 2 && b[start + 1] != CONNECT && b[start + 1] != BIND) {
            return NOT_SOCKS;
        }
        if (end - start < 8) {
            return NEED_MORE;
        }
        int command = b[start + 1];
        int port = (b[start + 2] & 0xff) << 8 | (b[start + 3] & 0xff);
        boolean socks4a = b[start + 4] == 0 && b[start + 5] == 0 && b[start + 6] == 0;
        if (socks4a && b[start + 7] == 0) {
            return NOT_SOCKS; // 0.0.0.0 is no destination
        }
        int userEnd = nul(b, start + 8, end, MAX_USERID_LENGTH);
        if (userEnd < 0) {
            return userEnd == -1 ? NEED_MORE : NOT_SOCKS;
        }
        String user = ProxyAuth.socksUser(b, start + 8, userEnd);
        if (!socks4a) {
            String address = IpText.v4(b, start + 4);
            result = new SocksRequest(4, command, null, address, FlowKey.V4_MARK, be32(b, start + 4), port,
                    userEnd + 1 - start, false, user);
            return OK;
        }
        int nameEnd = nul(b, userEnd + 1, end, MAX_NAME_LENGTH);
        if (nameEnd == -2 || nameEnd == userEnd + 1 || !nameBytes(b, userEnd + 1, nameEnd < 0 ? end : nameEnd)) {
            return MALFORMED;
        }
        if (nameEnd < 0) {
            return NEED_MORE;
        }
        String host = name(b, userEnd + 1, nameEnd);
        String address = null;
        long hi = 0;
        long lo = 0;
        if (IpText.parse(host, numbers)) {
            address = host;
            host = null;
            hi = numbers[0];
            lo = numbers[1];
        }
        result = new SocksRequest(4, command, host, address, hi, lo, port, nameEnd + 1 - start, false, user);
        return OK;
    }

    /**
     * The index of the NUL that ends a printable string starting at {@code p}: -1 when the bytes end
     * before it (need more), -2 when a byte is not printable or the string is longer than {@code max}.
     */
    private static int nul(byte[] b, int p, int end, int max) {
        int limit = Math.min(end, p + max + 1);
        for (int i = p; i < limit; i++) {
            if (b[i] == 0) {
                return i;
            }
            if (b[i] < 0x20 || b[i] > 0x7e) {
                return -2;
            }
        }
        return limit == end && end - p <= max ? -1 : -2;
    }

    /** Host name characters: letters, digits, '-', '.', '_', and ':' for an address written as text. */
    private static boolean nameBytes(byte[] b, int p, int end) {
        for (int i = p; i < end; i++) {
            byte c = b[i];
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.' || c == '_' || c == ':';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The name, lowercase, without a trailing dot. */
    private static String name(byte[] b, int p, int end) {
        if (end - p > 1 && b[end - 1] == '.') {
            end--;
        }
        return new String(b, p, end - p, StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
    }

    private static long be32(byte[] b, int i) {
        return (b[i] & 0xffL) << 24 | (b[i + 1] & 0xffL) << 16 | (b[i + 2] & 0xffL) << 8 | (b[i + 3] & 0xffL);
    }

    private static long be64(byte[] b, int i) {
        return be32(b, i) << 32 | be32(b, i + 4);
    }
}
