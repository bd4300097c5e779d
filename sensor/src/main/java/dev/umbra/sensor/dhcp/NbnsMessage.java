package dev.umbra.sensor.dhcp;

/*
 * Design notes.
 *
 * A Windows host (and Samba's nmbd) registers its NetBIOS names when it joins a network: a NAME REGISTRATION
 * REQUEST broadcast (or sent to a WINS server) for each name, with the address it holds it at, and a NAME
 * RELEASE when it leaves; it answers a NAME QUERY for its own names with a positive response. The unique name
 * with suffix 0x00 is the workstation's own name (DESKTOP-7Q2K9<00>); group names (the workgroup's) and the
 * other suffixes (<20> server, <03> messenger) are not device names. Only what naming an address needs is read.
 *
 * Format (RFC 1002 4.2): a DNS-like header (NAME_TRN_ID, flags: R, OPCODE (4 bits), NM_FLAGS, RCODE; QDCOUNT,
 * ANCOUNT, NSCOUNT, ARCOUNT), then
 *   4.2.2 registration (OPCODE 5; 8 and 9 refresh, 15 multi-homed) and 4.2.9 release (6): one question, the
 *         name, type NB (0x20) class IN; one additional record, the name (a pointer) NB IN, TTL, RDLENGTH 6,
 *         NB_FLAGS (G, the group bit, is 0x8000) and NB_ADDRESS
 *   4.2.13 positive name query response (R set, OPCODE 0, RCODE 0): one answer record, the name NB IN, TTL,
 *         RDLENGTH 6 x n, n entries of NB_FLAGS and NB_ADDRESS
 *   4.1    the name: one label of 32 characters, the 16 bytes of the NetBIOS name (15 characters padded with
 *          spaces, then the suffix) each split into two nibbles written as 'A' + nibble; then the scope's
 *          labels, up to a zero (RFC 1001 14.1); a pointer (two top bits set) only in the records
 */
/**
 * One NetBIOS name service message from its owner, as far as naming an address needs: a registration, a
 * release or a positive query response for one name. Parsing never throws.
 *
 * @param release true for a NAME RELEASE (the owner gives the name up)
 * @param name the name's 15 characters, trailing spaces removed
 * @param suffix the name's 16th byte (0x00 workstation, 0x20 server, ...)
 * @param group true when the name is a group's (NB_FLAGS G), not a host's
 * @param ttl the record's time to live in seconds
 * @param address the address the name is held at (the first, for a response with several), IPv4 big-endian
 */
public record NbnsMessage(boolean release, String name, int suffix, boolean group, long ttl, int address) {
    /** Not a message that names an address: another opcode, a query, a negative response, a non-text name. */
    public static final NbnsMessage NONE = new NbnsMessage(false, "", -1, true, 0, 0);
    /** A registration, release or response whose name, records or lengths break RFC 1002. */
    public static final NbnsMessage MALFORMED = new NbnsMessage(false, "", -2, true, 0, 0);

    private static final int HEADER = 12;
    private static final int TYPE_NB = 0x20;
    private static final int MAX_SCOPE = 255;

    /** Reads the message at {@code b[off, off + len)}: a UDP payload from port 137. */
    public static NbnsMessage parse(byte[] b, int off, int len) {
        if (len < HEADER) {
            return len == 0 ? NONE : MALFORMED;
        }
        int end = off + len;
        int flags = u16(b, off + 2);
        boolean response = (flags & 0x8000) != 0;
        int opcode = (flags >> 11) & 0xf;
        int qd = u16(b, off + 4);
        int an = u16(b, off + 6);
        int ar = u16(b, off + 10);
        boolean register = !response && (opcode == 5 || opcode == 6 || opcode == 8 || opcode == 9 || opcode == 15);
        boolean answer = response && opcode == 0 && (flags & 0xf) == 0 && an >= 1;
        if (register && (qd != 1 || ar < 1) || !register && !answer) {
            return register ? MALFORMED : NONE;
        }
        int p = off + HEADER;
        int[] name = new int[17];
        p = name(b, p, end, name);
        if (p < 0) {
            return MALFORMED;
        }
        if (register) {
            if (p + 4 > end || u16(b, p) != TYPE_NB) {
                return MALFORMED;
            }
            p += 4; // the question's type and class; the additional record follows
            p = recordName(b, p, end);
        }
        if (p < 0 || p + 10 > end || u16(b, p) != TYPE_NB) {
            return MALFORMED;
        }
        long ttl = u32(b, p + 4) & 0xffffffffL;
        int rdlength = u16(b, p + 8);
        int rdata = p + 10;
        if (rdlength < 6 || rdlength % 6 != 0 || rdata + rdlength > end) {
            return MALFORMED;
        }
        StringBuilder s = new StringBuilder(15);
        for (int i = 0; i < 15; i++) {
            s.append((char) name[i]);
        }
        String text = DhcpMessage.name(s.toString());
        if (text == null) {
            return NONE; // a name of control characters (the browser's \u0001\u0002__MSBROWSE__\u0002): no host's
        }
        return new NbnsMessage(opcode == 6, text, name[15], (u16(b, rdata) & 0x8000) != 0, ttl, u32(b, rdata + 2));
    }

    /**
     * Reads the encoded name at {@code p} into {@code out} (16 bytes) and skips its scope; returns the offset
     * after it, or -1 when it breaks the encoding.
     */
    private static int name(byte[] b, int p, int end, int[] out) {
        if (p + 33 > end || (b[p] & 0xff) != 32) {
            return -1;
        }
        for (int i = 0; i < 16; i++) {
            int hi = (b[p + 1 + 2 * i] & 0xff) - 'A';
            int lo = (b[p + 2 + 2 * i] & 0xff) - 'A';
            if (hi < 0 || hi > 15 || lo < 0 || lo > 15) {
                return -1;
            }
            out[i] = hi << 4 | lo;
        }
        return skipLabels(b, p + 33, end);
    }

    /** Skips a record's name: a pointer, or labels to a zero. Returns the offset after it, or -1. */
    private static int recordName(byte[] b, int p, int end) {
        if (p + 2 <= end && (b[p] & 0xc0) == 0xc0) {
            return p + 2;
        }
        return skipLabels(b, p, end);
    }

    /** Skips labels up to and with a zero, within MAX_SCOPE bytes; -1 when they run past the end or the cap. */
    private static int skipLabels(byte[] b, int p, int end) {
        int start = p;
        while (p < end && p - start <= MAX_SCOPE) {
            int l = b[p] & 0xff;
            if (l == 0) {
                return p + 1;
            }
            if (l > 63) {
                return -1;
            }
            p += 1 + l;
        }
        return -1;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
    }

    private static int u32(byte[] b, int p) {
        return u16(b, p) << 16 | u16(b, p + 2);
    }
}
