package dev.umbra.sensor.dhcp;

/*
 * Design notes.
 *
 * A device that asks for an address tells the DHCP server its own name (option 12, host name; option 81,
 * client FQDN), and the server's DHCPACK gives it the address for the lease time. On a tap that is what
 * names the address: "DESKTOP-7Q2K9 used ChatGPT" where no user is known. Only what that needs is read:
 * the message type, the transaction id and hardware address that pair a request with its ACK, the
 * addresses, the name and the lease time.
 *
 * Formats:
 *   RFC 2131 2      op (1: BOOTREQUEST, 2: BOOTREPLY), htype, hlen, hops, xid (4), secs, flags, ciaddr (@12),
 *                   yiaddr (@16), siaddr, giaddr, chaddr (@28, 16), sname (@44, 64), file (@108, 128), then
 *                   the magic cookie 99.130.83.99 (@236) and the options (@240)
 *   RFC 2132 2-3    options: code, length, value; 0 pad, 255 end
 *   RFC 2132 9.3    option 52 overload: 1 the file field holds options too, 2 sname, 3 both (read after the
 *                   options field: file, then sname)
 *   RFC 3396        an option given more than once is the concatenation of its parts
 *   RFC 2132 3.14   option 12, host name (at least one character)
 *   RFC 4702 2      option 81, client FQDN: flags (0x04 E: the name is in DNS wire format), two reserved
 *                   bytes, the name (ASCII when E is clear; may be a single label, or empty)
 *   RFC 2132 9.6    option 53, message type: 1 DISCOVER, 3 REQUEST, 5 ACK, 7 RELEASE, 8 INFORM ...
 *   RFC 2132 9.2    option 51, lease time in seconds (0xffffffff: infinite)
 * A BOOTP message (no option 53) is not DHCP and is not read. A name is kept when it is 1 to 255
 * printable ASCII characters (spaces allowed inside: some devices send them); a trailing dot is dropped.
 */
/**
 * One DHCP message (RFC 2131), as far as naming an address needs. Parsing never throws.
 *
 * @param reply true for a BOOTREPLY (server to client)
 * @param type the DHCP message type (option 53)
 * @param xid the transaction id
 * @param chaddr the client's hardware address, its first 8 bytes big-endian
 * @param ciaddr the client's address (a renewal, an INFORM, a RELEASE), 0 when none
 * @param yiaddr the address the server gives, 0 when none
 * @param name the device's name: the client FQDN (option 81) when it has one, else the host name (option
 *     12), or null
 * @param leaseSeconds the lease time (option 51), -1 when absent, {@code 0xffffffffL} for infinite
 */
public record DhcpMessage(boolean reply, int type, int xid, long chaddr, int ciaddr, int yiaddr, String name,
        long leaseSeconds) {
    /** DHCPREQUEST. */
    public static final int REQUEST = 3;
    /** DHCPACK. */
    public static final int ACK = 5;
    /** DHCPRELEASE. */
    public static final int RELEASE = 7;
    /** The longest name kept. */
    public static final int MAX_NAME = 255;
    /** Not DHCP: too short for the fixed part, no magic cookie, or no message type (BOOTP). */
    public static final DhcpMessage NOT_DHCP = new DhcpMessage(false, 0, 0, 0, 0, 0, null, -1);
    /** DHCP whose options run past the message or break their grammar. */
    public static final DhcpMessage MALFORMED = new DhcpMessage(false, -1, 0, 0, 0, 0, null, -1);

    private static final int FIXED = 236;
    private static final int COOKIE = 0x63825363;
    private static final int OPTION_PAD = 0;
    private static final int OPTION_END = 255;
    private static final int OPTION_HOST_NAME = 12;
    private static final int OPTION_LEASE_TIME = 51;
    private static final int OPTION_OVERLOAD = 52;
    private static final int OPTION_MESSAGE_TYPE = 53;
    private static final int OPTION_CLIENT_FQDN = 81;
    private static final int FQDN_E = 0x04;

    /** Reads the message at {@code b[off, off + len)}: a UDP payload on port 67 or 68. */
    public static DhcpMessage parse(byte[] b, int off, int len) {
        if (len < FIXED + 4 || u32(b, off + FIXED) != COOKIE) {
            return NOT_DHCP;
        }
        int op = b[off] & 0xff;
        if (op != 1 && op != 2) {
            return MALFORMED;
        }
        Options o = new Options();
        if (!o.read(b, off + FIXED + 4, off + len)) {
            return MALFORMED;
        }
        if ((o.overload & 1) != 0 && !o.read(b, off + 108, off + 236)) {
            return MALFORMED;
        }
        if ((o.overload & 2) != 0 && !o.read(b, off + 44, off + 108)) {
            return MALFORMED;
        }
        if (o.type == 0) {
            return NOT_DHCP;
        }
        long chaddr = 0;
        int hlen = Math.min(8, b[off + 2] & 0xff);
        for (int i = 0; i < 8; i++) {
            chaddr = chaddr << 8 | (i < hlen ? b[off + 28 + i] & 0xff : 0);
        }
        String name = fqdn(o.fqdn, o.fqdnLength);
        if (name == null) {
            name = text(o.hostName, 0, o.hostNameLength);
        }
        return new DhcpMessage(op == 2, o.type, u32(b, off + 4), chaddr, u32(b, off + 12), u32(b, off + 16), name,
                o.lease);
    }

    /** The options a message has, as they are read. */
    private static final class Options {
        int type;
        int overload;
        long lease = -1;
        byte[] hostName = new byte[0];
        int hostNameLength;
        byte[] fqdn = new byte[0];
        int fqdnLength;

        /** Reads the options of {@code b[p, end)}; false when one runs past the end. */
        boolean read(byte[] b, int p, int end) {
            while (p < end) {
                int code = b[p] & 0xff;
                if (code == OPTION_END) {
                    return true;
                }
                if (code == OPTION_PAD) {
                    p++;
                    continue;
                }
                if (p + 1 >= end) {
                    return false;
                }
                int n = b[p + 1] & 0xff;
                int v = p + 2;
                if (v + n > end) {
                    return false;
                }
                switch (code) {
                    case OPTION_MESSAGE_TYPE -> type = n == 1 ? b[v] & 0xff : type;
                    case OPTION_OVERLOAD -> overload = n == 1 ? b[v] & 3 : overload;
                    case OPTION_LEASE_TIME -> lease = n == 4 ? u32(b, v) & 0xffffffffL : lease;
                    case OPTION_HOST_NAME -> {
                        hostName = append(hostName, hostNameLength, b, v, n);
                        hostNameLength = Math.min(hostNameLength + n, MAX_NAME + 1);
                    }
                    case OPTION_CLIENT_FQDN -> {
                        fqdn = append(fqdn, fqdnLength, b, v, n);
                        fqdnLength = Math.min(fqdnLength + n, MAX_NAME + 4);
                    }
                    default -> {
                    }
                }
                p = v + n;
            }
            return true; // no end option: the message's end ends them
        }
    }

    /** {@code to[0, have)} with {@code b[v, v + n)} after it, bounded just past what a name may hold. */
    private static byte[] append(byte[] to, int have, byte[] b, int v, int n) {
        int keep = Math.min(n, Math.max(0, MAX_NAME + 4 - have));
        byte[] out = to.length >= have + keep ? to : java.util.Arrays.copyOf(to, have + keep);
        System.arraycopy(b, v, out, have, keep);
        return out;
    }

    /** The name of an RFC 4702 client FQDN option's value, or null. */
    private static String fqdn(byte[] v, int n) {
        if (n <= 3) {
            return null; // only flags and the reserved codes: the client asked about updates, named nothing
        }
        if ((v[0] & FQDN_E) == 0) {
            return text(v, 3, n);
        }
        return wireName(v, 3, n);
    }

    /**
     * The name in DNS wire format (RFC 1035 3.1, no compression) at {@code b[p, end)}: labels to the root or to
     * the end (a partial name, RFC 4704), if it is a name; else null.
     */
    static String wireName(byte[] b, int p, int end) {
        StringBuilder s = new StringBuilder();
        while (p < end) {
            int l = b[p] & 0xff;
            if (l == 0) {
                break;
            }
            if (l > 63 || p + 1 + l > end || s.length() + l > MAX_NAME) {
                return null;
            }
            if (s.length() > 0) {
                s.append('.');
            }
            for (int i = 0; i < l; i++) {
                s.append((char) (b[p + 1 + i] & 0xff));
            }
            p += 1 + l;
        }
        return name(s.toString());
    }

    private static String text(byte[] v, int from, int to) {
        if (to <= from) {
            return null;
        }
        StringBuilder s = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            s.append((char) (v[i] & 0xff));
        }
        return name(s.toString());
    }

    /** The name if it is one: printable ASCII, 1 to MAX_NAME characters after trimming and a trailing dot. */
    static String name(String s) {
        String t = s.trim();
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        if (t.isEmpty() || t.length() > MAX_NAME) {
            return null;
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return null;
            }
        }
        return t;
    }

    private static int u32(byte[] b, int p) {
        return (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
    }
}
