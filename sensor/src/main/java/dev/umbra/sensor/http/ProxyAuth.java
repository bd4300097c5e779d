package dev.umbra.sensor.http;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user name a client gives a proxy in the clear, never its password: who is behind a request
 * the proxy forwards, as the proxy's own log would say.
 *
 * <pre>
 * RFC 9110 11.7.2  Proxy-Authorization = credentials (auth-scheme SP token68)
 * RFC 7617 2       Basic: base64(user-id ":" password); the user-id holds no colon
 * MS-NLMP 2.2.1.3  NTLM AUTHENTICATE_MESSAGE: "NTLMSSP\0", type 3 (LE32), then 8-byte fields
 *                  (length LE16, max length LE16, offset LE32): LM response @12, NT response @20,
 *                  domain @28, user @36, workstation @44, session key @52; NegotiateFlags LE32 @60,
 *                  bit 0x1 (UNICODE): names are UTF-16LE, else OEM
 * RFC 4559 4       Negotiate: a SPNEGO token; one that carries NTLMSSP is read as NTLM (Kerberos
 *                  names nothing in the clear)
 * RFC 7616 3.4     Digest: comma-separated auth-params (RFC 9110 11.2: token BWS "=" BWS (token /
 *                  quoted-string)); username="..." (quoted-pairs unescaped), or username*=UTF-8''...
 *                  (RFC 8187 3.2, percent-encoded); with userhash=true the name is a hash and names
 *                  no one
 * RFC 1929 2       SOCKS5 username/password: the UNAME octets (read by the SOCKS parser, checked here)
 * </pre>
 *
 * <p>The password (Basic), the challenge responses and the session key (NTLM), and every Digest
 * parameter but the user name are never turned into a String and never leave this class. A name must be 1 to {@link #MAX_NAME_LENGTH} characters of
 * text without control characters; anything else gives {@code null}, never an exception.
 */
public final class ProxyAuth {
    /** The longest user name (or DOMAIN\\user) kept, in characters. */
    public static final int MAX_NAME_LENGTH = 256;
    /** The longest credentials token read (an NTLMv2 AUTHENTICATE_MESSAGE is about 1 to 2 KB). */
    public static final int MAX_TOKEN_LENGTH = 8 * 1024;

    private static final byte[] NTLMSSP = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0};
    private static final int NTLM_UNICODE = 0x1;

    private ProxyAuth() {
    }

    /**
     * The user named by a Proxy-Authorization value (the bytes after the colon), or {@code null}:
     * {@code Basic} gives the user-id, {@code NTLM} and {@code Negotiate} carrying an NTLM
     * AUTHENTICATE_MESSAGE give the domain, a backslash and the user (or the user alone), {@code
     * Digest} its {@code username}.
     */
    public static String user(byte[] b, int p, int end) {
        String digest = digestUser(b, p, end);
        if (digest != null) {
            return digest.isEmpty() ? null : digest;
        }
        Credentials c = credentials(b, p, end);
        if (c == null) {
            return null;
        }
        if (c.basic()) {
            return basicUser(c.token());
        }
        int at = indexOf(c.token(), NTLMSSP);
        return at < 0 ? null : ntlmUser(c.token(), at);
    }

    /**
     * True when a Proxy-Authorization value is the first leg of NTLM (a NEGOTIATE message, alone or in
     * a SPNEGO token): the proxy answers it with 407 and a challenge and forwards nothing; the client
     * then repeats the request with the AUTHENTICATE message, which names the user.
     */
    public static boolean ntlmNegotiate(byte[] b, int p, int end) {
        Credentials c = credentials(b, p, end);
        if (c == null || c.basic()) {
            return false;
        }
        byte[] d = c.token();
        int at = indexOf(d, NTLMSSP);
        return at >= 0 && d.length - at >= 12 && le32(d, at + 8) == 1;
    }

    /** A decoded credentials token: Basic, or NTLM / Negotiate. */
    private record Credentials(boolean basic, byte[] token) {
    }

    /** The decoded token of a Basic, NTLM or Negotiate value, or null for other schemes and bad base64. */
    private static Credentials credentials(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        int scheme = p;
        while (p < end && b[p] != ' ' && b[p] != '\t') {
            p++;
        }
        int schemeEnd = p;
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        int token = p;
        while (p < end && b[p] != ' ' && b[p] != '\t' && b[p] != ',') {
            p++;
        }
        if (p == token || p - token > MAX_TOKEN_LENGTH) {
            return null;
        }
        boolean basic = is(b, scheme, schemeEnd, "basic");
        if (!basic && !is(b, scheme, schemeEnd, "ntlm") && !is(b, scheme, schemeEnd, "negotiate")) {
            return null;
        }
        try {
            return new Credentials(basic, Base64.getDecoder().decode(java.util.Arrays.copyOfRange(b, token, p)));
        } catch (IllegalArgumentException e) {
            return null; // not base64
        }
    }

    /**
     * The user name of Digest credentials: the name, "" when the value is Digest but names no one
     * (no username, userhash, malformed, longer than {@link #MAX_TOKEN_LENGTH}), null for any other
     * scheme.
     */
    private static String digestUser(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\t')) {
            p++;
        }
        if (end - p < 7 || !is(b, p, p + 6, "digest") || b[p + 6] != ' ' && b[p + 6] != '\t') {
            return null;
        }
        if (end - p > MAX_TOKEN_LENGTH) {
            return "";
        }
        p += 7;
        String user = null;
        String extended = null;
        boolean hashed = false;
        while (true) {
            while (p < end && (b[p] == ' ' || b[p] == '\t' || b[p] == ',')) {
                p++;
            }
            if (p == end) {
                break;
            }
            int name = p;
            while (p < end && b[p] != '=' && b[p] != ' ' && b[p] != '\t' && b[p] != ',') {
                p++;
            }
            int nameEnd = p;
            while (p < end && (b[p] == ' ' || b[p] == '\t')) {
                p++;
            }
            if (p == end || b[p] != '=' || nameEnd == name) {
                return ""; // not an auth-param
            }
            p++;
            while (p < end && (b[p] == ' ' || b[p] == '\t')) {
                p++;
            }
            int value = p;
            boolean quoted = p < end && b[p] == '"';
            if (quoted) {
                // quoted-string: any octet but '"' and '\', or '\' and the octet it escapes
                for (p++; p < end && b[p] != '"'; p++) {
                    if (b[p] == '\\') {
                        p++;
                    }
                }
                if (p >= end) {
                    return ""; // unterminated
                }
                p++;
            } else {
                while (p < end && b[p] != ',' && b[p] != ' ' && b[p] != '\t') {
                    p++;
                }
            }
            if (is(b, name, nameEnd, "username")) {
                user = quoted ? unquote(b, value + 1, p - 1) : utf8(b, value, p);
            } else if (is(b, name, nameEnd, "username*")) {
                extended = quoted ? null : extValue(b, value, p);
            } else if (is(b, name, nameEnd, "userhash")) {
                hashed = quoted ? is(b, value + 1, p - 1, "true") : is(b, value, p, "true");
            }
        }
        String n = hashed ? null : name(extended != null ? extended : user);
        return n == null ? "" : n;
    }

    /** The UTF-8 text of quoted-string content {@code b[p, end)} with its quoted-pairs undone, or null. */
    private static String unquote(byte[] b, int p, int end) {
        byte[] out = new byte[end - p];
        int n = 0;
        for (; p < end; p++) {
            if (b[p] == '\\' && p + 1 < end) {
                p++;
            }
            out[n++] = b[p];
        }
        return utf8(out, 0, n);
    }

    /** An RFC 8187 ext-value in UTF-8 (charset "'" [language] "'" value-chars), decoded, or null. */
    private static String extValue(byte[] b, int p, int end) {
        int q1 = p;
        while (q1 < end && b[q1] != '\'') {
            q1++;
        }
        int q2 = q1 + 1;
        while (q2 < end && b[q2] != '\'') {
            q2++;
        }
        if (q2 >= end || !is(b, p, q1, "utf-8")) {
            return null; // RFC 8187 3.2.1: recipients must support UTF-8; ISO-8859-1 names are not kept
        }
        byte[] out = new byte[end - q2];
        int n = 0;
        for (int i = q2 + 1; i < end; i++) {
            if (b[i] == '%') {
                int hi = i + 2 < end ? Character.digit(b[i + 1], 16) : -1;
                int lo = hi >= 0 ? Character.digit(b[i + 2], 16) : -1;
                if (lo < 0) {
                    return null;
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = b[i];
            }
        }
        return utf8(out, 0, n);
    }

    /** The user-id of a Basic credential: the bytes before the first colon, as UTF-8. */
    private static String basicUser(byte[] userPass) {
        int colon = 0;
        while (colon < userPass.length && userPass[colon] != ':') {
            colon++;
        }
        if (colon == userPass.length) {
            java.util.Arrays.fill(userPass, (byte) 0);
            return null; // RFC 7617: no colon, no user-id
        }
        String user = utf8(userPass, 0, colon);
        java.util.Arrays.fill(userPass, (byte) 0); // the password goes no further
        return name(user);
    }

    /** The DOMAIN\\user of an NTLM AUTHENTICATE_MESSAGE starting at {@code m}, or null. */
    static String ntlmUser(byte[] d, int m) {
        return ntlmUser(d, m, d.length);
    }

    /**
     * The DOMAIN\\user of an NTLM AUTHENTICATE_MESSAGE at {@code d[m, end)} (its fields' offsets count
     * from {@code m} and must lie before {@code end}), or null: another NTLM message, an anonymous one, a
     * field outside the message, or a name that is not one.
     */
    public static String ntlmUser(byte[] d, int m, int end) {
        if (end - m < 64 || le32(d, m + 8) != 3) {
            return null; // NEGOTIATE (1) and CHALLENGE (2) name no user
        }
        boolean unicode = (le32(d, m + 60) & NTLM_UNICODE) != 0;
        String domain = ntlmField(d, m, end, 28, unicode);
        String user = ntlmField(d, m, end, 36, unicode);
        if (user == null || user.isEmpty()) {
            return null; // anonymous
        }
        return name(domain == null || domain.isEmpty() ? user : domain + "\\" + user);
    }

    /** The text of the NTLM field whose 8-byte descriptor is at {@code m + at}, or null when it lies outside. */
    private static String ntlmField(byte[] d, int m, int end, int at, boolean unicode) {
        int length = le16(d, m + at);
        long offset = le32(d, m + at + 4) & 0xffffffffL;
        if (length == 0) {
            return "";
        }
        if (offset + length > end - m || length > 2 * MAX_NAME_LENGTH || unicode && (length & 1) != 0) {
            return null;
        }
        int start = m + (int) offset;
        if (!unicode) {
            return utf8(d, start, start + length);
        }
        return new String(d, start, length, StandardCharsets.UTF_16LE);
    }

    /**
     * The SOCKS user name (RFC 1929 UNAME, a SOCKS4 USERID) of {@code b[p, end)} as a name, or null
     * when it is empty, too long, not text or holds control characters.
     */
    public static String socksUser(byte[] b, int p, int end) {
        return p >= end ? null : name(utf8(b, p, end));
    }

    /** The name if it is one: 1 to MAX_NAME_LENGTH characters, none of them a control character. */
    private static String name(String s) {
        if (s == null || s.isEmpty() || s.length() > MAX_NAME_LENGTH) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0 || c == '\ufffd') {
                return null;
            }
        }
        return s;
    }

    private static String utf8(byte[] b, int p, int end) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, p, end - p)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static boolean is(byte[] b, int p, int end, String lower) {
        if (end - p != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((b[p + i] | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Where the NTLMSSP signature first starts in {@code d[p, end)}, or -1. */
    public static int ntlmMessage(byte[] d, int p, int end) {
        return indexOf(d, p, end, NTLMSSP);
    }

    private static int indexOf(byte[] d, byte[] what) {
        return indexOf(d, 0, d.length, what);
    }

    private static int indexOf(byte[] d, int p, int end, byte[] what) {
        outer:
        for (int i = p; i + what.length <= end; i++) {
            for (int j = 0; j < what.length; j++) {
                if (d[i + j] != what[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int le16(byte[] d, int p) {
        return d[p] & 0xff | (d[p + 1] & 0xff) << 8;
    }

    private static int le32(byte[] d, int p) {
        return d[p] & 0xff | (d[p + 1] & 0xff) << 8 | (d[p + 2] & 0xff) << 16 | (d[p + 3] & 0xff) << 24;
    }
}
