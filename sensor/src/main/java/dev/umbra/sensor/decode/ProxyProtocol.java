package dev.umbra.sensor.decode;

/**
 * Recognises a HAProxy PROXY protocol header in front of the client's first bytes, so that the
 * ClientHello or HTTP request behind it is still read.
 *
 * <pre>
 * v1 (text):   "PROXY " ... CRLF, at most 107 bytes in all
 * v2 (binary): \r\n\r\n\0\r\nQUIT\n (12 bytes) | ver_cmd (1) | fam (1) | uint16 len | len bytes of addresses and TLVs
 * </pre>
 * (haproxy doc/proxy-protocol.txt, sections 2.1 and 2.2)
 */
public final class ProxyProtocol {
    /** More bytes are needed to know the header's length. */
    public static final int NEED_MORE = -1;
    /** It starts like a PROXY header but is not one. */
    public static final int MALFORMED = -2;
    /** v1 headers are at most this long, CRLF included. */
    public static final int MAX_V1_LENGTH = 107;

    private static final byte[] V2_SIGNATURE = {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a};
    private static final byte[] V1_SIGNATURE = {'P', 'R', 'O', 'X', 'Y', ' '};

    private ProxyProtocol() {
    }

    /**
     * @return the header length, 0 when the bytes do not start with a PROXY header,
     *     {@link #NEED_MORE} or {@link #MALFORMED}
     */
    public static int headerLength(byte[] b, int off, int len) {
        if (len <= 0) {
            return 0;
        }
        if (b[off] == 'P') {
            int n = Math.min(len, V1_SIGNATURE.length);
            for (int i = 0; i < n; i++) {
                if (b[off + i] != V1_SIGNATURE[i]) {
                    return 0;
                }
            }
            if (len < V1_SIGNATURE.length) {
                return NEED_MORE;
            }
            int end = off + Math.min(len, MAX_V1_LENGTH);
            for (int i = off + V1_SIGNATURE.length; i + 1 < end; i++) {
                if (b[i] == '\r' && b[i + 1] == '\n') {
                    return i + 2 - off;
                }
            }
            return len >= MAX_V1_LENGTH ? MALFORMED : NEED_MORE;
        }
        if (b[off] == 0x0d) {
            int n = Math.min(len, V2_SIGNATURE.length);
            for (int i = 0; i < n; i++) {
                if (b[off + i] != V2_SIGNATURE[i]) {
                    return 0;
                }
            }
            if (len < 16) {
                return NEED_MORE;
            }
            if ((b[off + 12] & 0xf0) != 0x20) {
                return MALFORMED;
            }
            return 16 + (((b[off + 14] & 0xff) << 8) | (b[off + 15] & 0xff));
        }
        return 0;
    }
}
