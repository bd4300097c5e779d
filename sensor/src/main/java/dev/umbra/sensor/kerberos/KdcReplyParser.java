package dev.umbra.sensor.kerberos;

import java.nio.charset.StandardCharsets;

/*
 * Design notes.
 *
 * RFC 4120 5.4.2: AS-REP ::= [APPLICATION 11] KDC-REP, TGS-REP ::= [APPLICATION 13] KDC-REP,
 *
 *   KDC-REP ::= SEQUENCE { pvno [0] INTEGER (5), msg-type [1] INTEGER (11 -- AS -- | 13 -- TGS --),
 *                          padata [2] SEQUENCE OF PA-DATA OPTIONAL, crealm [3] Realm,
 *                          cname [4] PrincipalName, ticket [5] Ticket, enc-part [6] EncryptedData }
 *   PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString }
 *
 * (RFC 4120 5.2.2, ASN.1 DER). The client's realm and name come before the ticket and the encrypted
 * part, in the clear: a KDC's reply says which principal the address it goes to has just proved to
 * be. The reader stops after cname, so a reply cut short after it (a TCP reply whose ticket, with a
 * Windows PAC, goes on in later segments; a snap length) is still read. Requests are not read: their
 * client name is only a claim.
 *
 * Bounds: DER lengths of at most four bytes, realm and name components of at most 255 bytes, at most
 * MAX_COMPONENTS components, nothing read outside the given bytes. Outcomes are values.
 */
/**
 * Reads the client's realm and principal name from a Kerberos V5 KDC reply (AS-REP or TGS-REP).
 * Stateless and thread-safe.
 */
public final class KdcReplyParser {
    /** The client of a reply: msg-type 11 (AS-REP) or 13 (TGS-REP), name-type, realm and name components. */
    public record Reply(int msgType, int nameType, String realm, String[] name) {
        /**
         * The user this reply names, {@code name@REALM} (an enterprise name, RFC 6806 5, as it is), or null
         * for a computer account (a name ending in '$') or a service (two or more components).
         */
        public String user() {
            if (name.length != 1 || name[0].endsWith("$")) {
                return null;
            }
            return nameType == NT_ENTERPRISE && name[0].indexOf('@') > 0 ? name[0] : name[0] + "@" + realm;
        }
    }

    /** RFC 6806 5: the name is user@suffix. */
    private static final int NT_ENTERPRISE = 10;

    /** Components of a principal name read. */
    public static final int MAX_COMPONENTS = 8;
    /** Longest realm or name component read. */
    public static final int MAX_STRING = 255;

    private static final int AS_REP = 11;
    private static final int TGS_REP = 13;
    /** {@link #parse} returned no reply because the bytes do not start like one (a request, an error). */
    public static final Reply NOT_A_REPLY = new Reply(0, 0, "", new String[0]);
    /** {@link #parse} returned no reply because the bytes start like one and then break the grammar. */
    public static final Reply MALFORMED = new Reply(-1, 0, "", new String[0]);
    /** {@link #parse} returned no reply because the bytes end before the client's name (pre-authentication data cut). */
    public static final Reply TRUNCATED = new Reply(-2, 0, "", new String[0]);

    private KdcReplyParser() {
    }

    /** True when the bytes start like an AS-REP or TGS-REP: [APPLICATION 11] or [APPLICATION 13], constructed. */
    public static boolean looksLikeReply(byte[] b, int off, int len) {
        return len >= 2 && ((b[off] & 0xff) == 0x6b || (b[off] & 0xff) == 0x6d);
    }

    /**
     * Reads a reply's client.
     *
     * @return the client, or {@link #NOT_A_REPLY}, {@link #MALFORMED} or {@link #TRUNCATED}
     */
    public static Reply parse(byte[] b, int off, int len) {
        if (!looksLikeReply(b, off, len)) {
            return NOT_A_REPLY;
        }
        int application = b[off] & 0x1f;
        Der d = new Der(b, off + 1, off + len);
        if (!d.length()) {
            return MALFORMED;
        }
        if (!d.enter(0x30)) {
            return MALFORMED;
        }
        int msgType = 0;
        String realm = null;
        int last = -1;
        while (d.p < d.end) {
            int tag = b[d.p] & 0xff;
            int field = tag - 0xa0;
            if (field <= last || field > 6) {
                return MALFORMED; // context tags [0] to [6], each once, in order
            }
            last = field;
            d.p++;
            if (!d.length()) {
                return MALFORMED;
            }
            int fieldEnd = d.p + d.declared;
            switch (field) {
                case 0 -> {
                    if (d.integer() != 5) {
                        return MALFORMED;
                    }
                }
                case 1 -> {
                    msgType = (int) d.integer();
                    if (msgType != application || msgType != AS_REP && msgType != TGS_REP) {
                        return MALFORMED;
                    }
                }
                case 2 -> {
                    if (fieldEnd > d.limit) {
                        return TRUNCATED; // cut before the client's name
                    }
                }
                case 3 -> {
                    realm = d.string(0x1b);
                    if (realm == null || realm.isEmpty()) {
                        return MALFORMED;
                    }
                }
                case 4 -> {
                    if (msgType == 0 || realm == null) {
                        return MALFORMED;
                    }
                    return principal(d, msgType, realm);
                }
                default -> {
                    return MALFORMED; // the ticket before the client's name
                }
            }
            d.p = fieldEnd;
        }
        return MALFORMED;
    }

    /** PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF KerberosString } */
    private static Reply principal(Der d, int msgType, String realm) {
        if (!d.enter(0x30) || !d.expect(0xa0)) {
            return MALFORMED;
        }
        long nameType = d.integer();
        if (nameType == Long.MIN_VALUE || !d.expect(0xa1) || !d.enter(0x30)) {
            return MALFORMED;
        }
        String[] name = new String[MAX_COMPONENTS];
        int n = 0;
        while (d.p < d.end && d.p < d.limit) {
            if (n == MAX_COMPONENTS) {
                return MALFORMED;
            }
            String s = d.string(0x1b);
            if (s == null || s.isEmpty()) {
                return MALFORMED;
            }
            name[n++] = s;
        }
        if (n == 0) {
            return MALFORMED;
        }
        return new Reply(msgType, (int) nameType, realm, java.util.Arrays.copyOf(name, n));
    }

    /** A DER reader over b[p, limit): end is where the element being read ends (at most limit). */
    private static final class Der {
        final byte[] b;
        final int limit;
        int p;
        int end;
        int declared;

        Der(byte[] b, int p, int limit) {
            this.b = b;
            this.p = p;
            this.limit = limit;
            this.end = limit;
        }

        /** Reads a length (short or long form, at most four bytes) into {@link #declared}. */
        boolean length() {
            if (p >= limit) {
                return false;
            }
            int first = b[p++] & 0xff;
            if (first < 0x80) {
                declared = first;
                return true;
            }
            int bytes = first & 0x7f;
            if (bytes == 0 || bytes > 4 || p + bytes > limit) {
                return false; // indefinite lengths are not DER
            }
            long v = 0;
            for (int i = 0; i < bytes; i++) {
                v = v << 8 | (b[p++] & 0xff);
            }
            if (v > Integer.MAX_VALUE / 2) {
                return false;
            }
            declared = (int) v;
            return true;
        }

        /** Expects a constructed element with this tag and moves into it; its end may lie past the bytes given. */
        boolean enter(int tag) {
            if (!expect(tag)) {
                return false;
            }
            end = Math.min(limit, p + declared);
            return true;
        }

        /** Expects this tag and reads its length. */
        boolean expect(int tag) {
            if (p >= limit || (b[p] & 0xff) != tag) {
                return false;
            }
            p++;
            return length();
        }

        /** An INTEGER of at most four bytes, or Long.MIN_VALUE. */
        long integer() {
            if (!expect(0x02) || declared < 1 || declared > 4 || p + declared > limit) {
                return Long.MIN_VALUE;
            }
            long v = b[p]; // signed
            for (int i = 1; i < declared; i++) {
                v = v << 8 | (b[p + i] & 0xff);
            }
            p += declared;
            return v;
        }

        /** A string with this tag (GeneralString 0x1b), printable, at most MAX_STRING bytes; null when not. */
        String string(int tag) {
            if (!expect(tag) || declared > MAX_STRING || p + declared > limit) {
                return null;
            }
            for (int i = p; i < p + declared; i++) {
                int c = b[i] & 0xff;
                if (c < 0x20 || c == 0x7f) {
                    return null;
                }
            }
            String s = new String(b, p, declared, StandardCharsets.UTF_8);
            p += declared;
            return s;
        }
    }
}
