package dev.umbra.sensor.tls;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the fields Umbra uses from a TLS ClientHello, in place and with a bounds check before
 * every read.
 *
 * <pre>
 * RFC 8446 5.1  TLSPlaintext: ContentType type(22) | ProtocolVersion legacy_record_version | uint16 length | fragment
 * RFC 8446 4    Handshake:    HandshakeType msg_type(1 = client_hello) | uint24 length | body
 * RFC 8446 4.1.2 ClientHello:
 *     ProtocolVersion legacy_version;                 2
 *     Random random;                                  32
 *     opaque legacy_session_id&lt;0..32&gt;;            1 + n
 *     CipherSuite cipher_suites&lt;2..2^16-2&gt;;       2 + n
 *     opaque legacy_compression_methods&lt;1..2^8-1&gt;; 1 + n
 *     Extension extensions&lt;8..2^16-1&gt;;           2 + n, each: uint16 type | uint16 length | data
 * RFC 6066 3    server_name(0):  uint16 list length | NameType(0 = host_name) | uint16 length | HostName
 * RFC 7301 3.1  ALPN(16):        uint16 list length | uint8 length | ProtocolName ...
 * RFC 8446 4.2.1 supported_versions(43): uint8 length | ProtocolVersion ...
 * draft-ietf-tls-esni encrypted_client_hello(0xfe0d)
 * </pre>
 *
 * <p>A hello cut off after the server_name extension still yields its name, marked incomplete.
 * Outcomes are the int constants below, never exceptions. Instances reuse no state between calls
 * except the last result and are not thread-safe.
 */
public final class ClientHelloParser {
    /** A ClientHello was read (possibly incomplete: see {@link ClientHello#complete()}). */
    public static final int OK = 0;
    /** The bytes are not a TLS handshake record carrying a ClientHello. */
    public static final int NOT_TLS = -1;
    /** The hello is cut off before anything useful (the server name) could be read. */
    public static final int NOT_ENOUGH_DATA = -2;
    /** The hello is malformed. */
    public static final int MALFORMED = -3;

    /** RFC 8446 5.1: a record fragment is at most 2^14 bytes (plus expansion for ciphertext). */
    public static final int MAX_RECORD_LENGTH = (1 << 14) + 256;
    /** The cap on a ClientHello handshake message (Packetbeat's maxHandshakeSize). */
    public static final int MAX_HANDSHAKE_LENGTH = 1 << 16;
    /** Entries read from a list extension (ALPN, supported_versions). */
    public static final int MAX_LIST_ENTRIES = 64;
    /** Extension types remembered for JA4; no real hello comes near it. */
    public static final int MAX_EXTENSIONS = 256;

    private static final int EXT_SERVER_NAME = 0;
    private static final int EXT_ALPN = 16;
    private static final int EXT_SUPPORTED_VERSIONS = 43;
    private static final int EXT_ECH = 0xfe0d;
    private static final int EXT_SIGNATURE_ALGORITHMS = 13;

    private ClientHello result;
    // extension types of the hello being parsed, in order (JA4); more than this many is malformed anyway
    private final int[] extensionTypes = new int[MAX_EXTENSIONS];
    private int extensionCount;
    private int signatureAlgorithmsAt;
    private int signatureAlgorithmsLength;
    private int firstAlpnAt;

    /** The hello of the last call that returned {@link #OK}. */
    public ClientHello result() {
        return result;
    }

    /** True when the bytes start like a TLS handshake record holding a ClientHello. */
    public static boolean looksLikeClientHelloRecord(byte[] b, int off, int len) {
        return len >= 6 && b[off] == 22 && b[off + 1] == 3 && (b[off + 2] & 0xff) <= 4 && b[off + 5] == 1;
    }

    /**
     * Parses from the start of a TLS record (TCP payload). Only the first record is read.
     *
     * @return {@link #OK}, {@link #NOT_TLS}, {@link #NOT_ENOUGH_DATA} or {@link #MALFORMED}
     */
    public int parseRecord(byte[] b, int off, int len) {
        if (len < 5) {
            return len > 0 && b[off] == 22 ? NOT_ENOUGH_DATA : NOT_TLS;
        }
        if (b[off] != 22 || b[off + 1] != 3 || (b[off + 2] & 0xff) > 4) {
            return NOT_TLS;
        }
        int recordLength = u16(b, off + 3);
        if (recordLength == 0 || recordLength > MAX_RECORD_LENGTH) {
            return MALFORMED;
        }
        int available = Math.min(recordLength, len - 5);
        return parseHandshake(b, off + 5, available, recordLength > len - 5);
    }

    /**
     * Parses from the start of a handshake message (QUIC CRYPTO data or reassembled records).
     *
     * @param cutOff true when the caller knows bytes after {@code len} are missing
     * @return {@link #OK}, {@link #NOT_TLS}, {@link #NOT_ENOUGH_DATA} or {@link #MALFORMED}
     */
    public int parseHandshake(byte[] b, int off, int len, boolean cutOff) {
        result = null;
        if (len < 4) {
            return NOT_ENOUGH_DATA;
        }
        if (b[off] != 1) {
            return NOT_TLS;
        }
        int bodyLength = u24(b, off + 1);
        if (bodyLength > MAX_HANDSHAKE_LENGTH || bodyLength < 38) {
            return MALFORMED;
        }
        int p = off + 4;
        int end = Math.min(off + len, p + bodyLength);
        boolean truncated = cutOff || off + len < p + bodyLength;

        if (p + 35 > end) {
            return NOT_ENOUGH_DATA;
        }
        int legacyVersion = u16(b, p);
        p += 34;
        int sessionIdLength = b[p] & 0xff;
        if (sessionIdLength > 32) {
            return MALFORMED;
        }
        p += 1 + sessionIdLength;
        if (p + 2 > end) {
            return NOT_ENOUGH_DATA;
        }
        int suitesLength = u16(b, p);
        if ((suitesLength & 1) != 0 || suitesLength == 0) {
            return MALFORMED;
        }
        int suitesStart = p + 2;
        p += 2 + suitesLength;
        if (p + 1 > end) {
            return NOT_ENOUGH_DATA;
        }
        int compressionLength = b[p] & 0xff;
        if (compressionLength == 0) {
            return MALFORMED;
        }
        p += 1 + compressionLength;
        if (p + 2 > end) {
            // no extensions at all (SSLv3-style hello) or cut off before them
            if (p == end && !truncated) {
                result = new ClientHello(legacyVersion, null, List.of(), List.of(), false, true,
                        Ja4.body(b, suitesStart, suitesLength, extensionTypes, 0, -1, 0, -1, legacyVersion, List.of(),
                                false));
                return OK;
            }
            return NOT_ENOUGH_DATA;
        }
        int extensionsEnd = p + 2 + u16(b, p);
        p += 2;
        if (extensionsEnd > p + MAX_HANDSHAKE_LENGTH) {
            return MALFORMED;
        }
        boolean extensionsCut = extensionsEnd > end;
        int limit = Math.min(extensionsEnd, end);

        extensionCount = 0;
        signatureAlgorithmsAt = -1;
        firstAlpnAt = -1;
        String serverName = null;
        List<String> alpn = List.of();
        List<Integer> versions = List.of();
        boolean ech = false;
        boolean sawServerName = false;
        boolean malformedTail = false;
        while (p + 4 <= limit) {
            int type = u16(b, p);
            int length = u16(b, p + 2);
            int data = p + 4;
            if (data + length > limit) {
                if (data + length > extensionsEnd) {
                    if (!sawServerName) {
                        return MALFORMED;
                    }
                    // a broken extension after server_name: keep the name, mark the hello incomplete
                    malformedTail = true;
                }
                extensionsCut = true;
                break;
            }
            if (extensionCount < extensionTypes.length) {
                extensionTypes[extensionCount++] = type;
            }
            switch (type) {
                case EXT_SIGNATURE_ALGORITHMS -> {
                    signatureAlgorithmsAt = length >= 2 ? data + 2 : -1;
                    signatureAlgorithmsLength = length >= 2 ? Math.min(u16(b, data), length - 2) : 0;
                }
                case EXT_SERVER_NAME -> {
                    sawServerName = true;
                    serverName = readServerName(b, data, length);
                    if (serverName == null && length > 0) {
                        return MALFORMED;
                    }
                }
                case EXT_ALPN -> {
                    alpn = readAlpn(b, data, length);
                    if (length >= 3 && (b[data + 2] & 0xff) > 0 && data + 3 + (b[data + 2] & 0xff) <= data + length) {
                        firstAlpnAt = data + 2;
                    }
                }
                case EXT_SUPPORTED_VERSIONS -> versions = readVersions(b, data, length);
                case EXT_ECH -> ech = true;
                default -> {
                }
            }
            p = data + length;
        }
        boolean complete = !extensionsCut && !truncated && p == extensionsEnd;
        if (!complete && !sawServerName) {
            return NOT_ENOUGH_DATA;
        }
        String ja4 = complete ? Ja4.body(b, suitesStart, suitesLength, extensionTypes, extensionCount,
                signatureAlgorithmsAt, signatureAlgorithmsLength, firstAlpnAt, legacyVersion, versions, sawServerName)
                : null;
        result = new ClientHello(legacyVersion, serverName, alpn, versions, ech, complete, ja4);
        return OK;
    }

    /** RFC 6066 section 3; returns null when malformed. */
    private static String readServerName(byte[] b, int p, int length) {
        if (length < 2) {
            return null;
        }
        int end = p + length;
        int listEnd = p + 2 + u16(b, p);
        if (listEnd > end) {
            return null;
        }
        p += 2;
        while (p + 3 <= listEnd) {
            int nameType = b[p] & 0xff;
            int nameLength = u16(b, p + 1);
            if (p + 3 + nameLength > listEnd) {
                return null;
            }
            if (nameType == 0) {
                return hostName(b, p + 3, nameLength);
            }
            p += 3 + nameLength;
        }
        return null;
    }

    private static String hostName(byte[] b, int p, int length) {
        if (length == 0 || length > 255) {
            return null;
        }
        StringBuilder sb = new StringBuilder(length);
        for (int i = p; i < p + length; i++) {
            int c = b[i] & 0xff;
            if (c >= 'A' && c <= 'Z') {
                sb.append((char) (c + 32));
            } else if (c > 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append('\\').append((char) ('0' + c / 100)).append((char) ('0' + c / 10 % 10))
                        .append((char) ('0' + c % 10));
            }
        }
        return sb.toString();
    }

    /** RFC 7301 section 3.1; non-printable bytes of a protocol name are written as \xHH. */
    private static List<String> readAlpn(byte[] b, int p, int length) {
        if (length < 2) {
            return List.of();
        }
        int listEnd = Math.min(p + length, p + 2 + u16(b, p));
        p += 2;
        // nearly every hello offers one or two protocols: those lists are made without an ArrayList
        String first = null;
        String second = null;
        List<String> out = null;
        int count = 0;
        while (p < listEnd && count < MAX_LIST_ENTRIES) {
            int n = b[p] & 0xff;
            if (n == 0 || p + 1 + n > listEnd) {
                break;
            }
            String id = protocolId(b, p + 1, n);
            if (count == 0) {
                first = id;
            } else if (count == 1) {
                second = id;
            } else {
                if (out == null) {
                    out = new ArrayList<>(8);
                    out.add(first);
                    out.add(second);
                }
                out.add(id);
            }
            count++;
            p += 1 + n;
        }
        return count == 0 ? List.of() : count == 1 ? List.of(first) : count == 2 ? List.of(first, second) : out;
    }

    /** The protocol IDs that make up nearly all ALPN lists (IANA registry), as constants. */
    private static final String[] COMMON_ALPN = {"h2", "http/1.1", "h3", "http/1.0", "h2c", "h3-29", "spdy/3.1",
        "dot", "doq", "acme-tls/1"};
    private static final byte[][] COMMON_ALPN_BYTES = new byte[COMMON_ALPN.length][];

    static {
        for (int i = 0; i < COMMON_ALPN.length; i++) {
            COMMON_ALPN_BYTES[i] = COMMON_ALPN[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    /**
     * One ALPN protocol ID as text: a common one without allocating, others with bytes outside printable
     * ASCII (and the backslash) written as {@code \xNN}.
     */
    private static String protocolId(byte[] b, int from, int n) {
        for (int k = 0; k < COMMON_ALPN_BYTES.length; k++) {
            byte[] c = COMMON_ALPN_BYTES[k];
            if (c.length == n && Arrays.equals(c, 0, n, b, from, from + n)) {
                return COMMON_ALPN[k];
            }
        }
        StringBuilder sb = new StringBuilder(n);
        for (int i = from; i < from + n; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                sb.append((char) c);
            } else {
                sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return sb.toString();
    }

    /** RFC 8446 section 4.2.1 (ClientHello form). */
    private static List<Integer> readVersions(byte[] b, int p, int length) {
        if (length < 1) {
            return List.of();
        }
        int n = Math.min(b[p] & 0xff, length - 1);
        List<Integer> out = new ArrayList<>(n / 2);
        for (int i = 0; i + 1 < n && out.size() < MAX_LIST_ENTRIES; i += 2) {
            out.add(u16(b, p + 1 + i));
        }
        return out;
    }

    private static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static int u24(byte[] b, int i) {
        return ((b[i] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff);
    }
}
