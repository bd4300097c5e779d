package dev.umbra.sensor.dhcp;

import java.util.ArrayList;
import java.util.List;

/*
 * Design notes.
 *
 * On a network that hands out IPv6 addresses by DHCPv6 (the router's M flag: most managed enterprise
 * networks), a device asks for its addresses with its own name in the Client FQDN option (Windows always
 * sends it), and the server's REPLY binds the addresses to the client's DUID for their valid lifetime. That
 * names the address for IPv6 as a DHCPACK does for IPv4. Only what that needs is read: the message type and
 * transaction id, the client's DUID, the name, the addresses bound with their lifetimes and the status.
 *
 * Formats (RFC 8415 unless named):
 *   8      client and server messages: msg-type (1), transaction-id (3), options
 *   9      relay messages (RELAY-FORW 12, RELAY-REPL 13): msg-type, hop-count, link-address (16), peer-address
 *          (16), options; the relayed message is option 9 (RELAY_MSG), itself maybe a relay message: read to
 *          MAX_RELAY_DEPTH (HOP_COUNT_LIMIT is 8, 32 at most)
 *   21.1   options: option-code (2), option-len (2), value
 *   21.2   option 1, CLIENTID: the client's DUID (at most 130 bytes: kept as a 64-bit hash)
 *   21.4   option 3, IA_NA: IAID, T1, T2 (12 bytes), then options
 *   21.5   option 4, IA_TA: IAID (4 bytes), then options
 *   21.6   option 5, IAADDR (inside an IA): address (16), preferred-lifetime, valid-lifetime, then options
 *   21.13  option 13, STATUS_CODE: status (2), message; 0 is Success. At the top of a REPLY it refuses the
 *          whole message; inside an IA or an IAADDR, that IA or address
 *   RFC 4704 4  option 39, Client FQDN: flags (1), the name in DNS wire format, partial (no root label) or
 *          full; empty when the client only asks about DNS updates
 * An IA_PD's prefixes are a router's, not a device's address, and are not read. A name is kept as
 * DhcpMessage keeps one: 1 to 255 printable ASCII characters, a trailing dot dropped.
 */
/**
 * One DHCPv6 message (RFC 8415), unwrapped from the relay messages around it, as far as naming an address
 * needs. Parsing never throws.
 *
 * @param type the message type (the relayed one for a relay message)
 * @param xid the transaction id (24 bits)
 * @param client a 64-bit hash of the client's DUID (option 1), 0 when it has none
 * @param name the device's name (option 39), or null
 * @param status the message's own status (option 13 at its top), 0 (Success) when it has none
 * @param addresses the IA_NA and IA_TA addresses whose IA and address status are Success
 */
public record Dhcp6Message(int type, int xid, long client, String name, int status, List<Address> addresses) {
    /** SOLICIT. */
    public static final int SOLICIT = 1;
    /** REQUEST. */
    public static final int REQUEST = 3;
    /** RENEW. */
    public static final int RENEW = 5;
    /** REBIND. */
    public static final int REBIND = 6;
    /** REPLY. */
    public static final int REPLY = 7;
    /** RELEASE. */
    public static final int RELEASE = 8;
    /** DECLINE. */
    public static final int DECLINE = 9;
    /** RELAY-FORW. */
    public static final int RELAY_FORW = 12;
    /** RELAY-REPL. */
    public static final int RELAY_REPL = 13;
    /** Relay messages read inside one another, at most. */
    public static final int MAX_RELAY_DEPTH = 32;
    /** Addresses kept from one message, at most. */
    public static final int MAX_ADDRESSES = 64;
    /** Not DHCPv6: empty, or a message type no one defines. */
    public static final Dhcp6Message NOT_DHCP = new Dhcp6Message(0, 0, 0, null, 0, List.of());
    /** DHCPv6 whose options run past the message, break their grammar, or nest relays too deep. */
    public static final Dhcp6Message MALFORMED = new Dhcp6Message(-1, 0, 0, null, 0, List.of());

    /**
     * An address an IA holds.
     *
     * @param hi its first 8 bytes, big-endian (FlowKey's layout)
     * @param lo its last 8 bytes
     * @param validSeconds its valid lifetime; {@code 0xffffffffL} for infinite, 0 when it is no longer valid
     */
    public record Address(long hi, long lo, long validSeconds) {
    }

    private static final int OPTION_CLIENTID = 1;
    private static final int OPTION_IA_NA = 3;
    private static final int OPTION_IA_TA = 4;
    private static final int OPTION_IAADDR = 5;
    private static final int OPTION_RELAY_MSG = 9;
    private static final int OPTION_STATUS_CODE = 13;
    private static final int OPTION_CLIENT_FQDN = 39;
    private static final int RELAY_HEADER = 34;
    private static final int MAX_TYPE = 36; // the highest type IANA's registry lists (ADDR-REG-REPLY)

    /** Reads the message at {@code b[off, off + len)}: a UDP payload on port 546 or 547. */
    public static Dhcp6Message parse(byte[] b, int off, int len) {
        int end = off + len;
        for (int depth = 0; depth <= MAX_RELAY_DEPTH; depth++) {
            if (len < 4) {
                return len <= 0 ? NOT_DHCP : MALFORMED;
            }
            int type = b[off] & 0xff;
            if (type == 0 || type > MAX_TYPE) {
                return NOT_DHCP;
            }
            if (type != RELAY_FORW && type != RELAY_REPL) {
                return message(b, off, end, type);
            }
            if (len < RELAY_HEADER) {
                return MALFORMED;
            }
            int relayed = find(b, off + RELAY_HEADER, end, OPTION_RELAY_MSG);
            if (relayed == -2) {
                return MALFORMED;
            }
            if (relayed < 0) {
                return NOT_DHCP; // a relay message without the message it relays: nothing to read
            }
            off = relayed + 4;
            len = u16(b, relayed + 2);
            end = off + len;
        }
        return MALFORMED;
    }

    /** A client or server message of {@code type} at {@code b[off, end)}. */
    private static Dhcp6Message message(byte[] b, int off, int end, int type) {
        int xid = (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | b[off + 3] & 0xff;
        long client = 0;
        String name = null;
        int status = 0;
        List<Address> addresses = new ArrayList<>(2);
        for (int p = off + 4; p < end;) {
            if (p + 4 > end) {
                return MALFORMED;
            }
            int code = u16(b, p);
            int n = u16(b, p + 2);
            int v = p + 4;
            if (v + n > end) {
                return MALFORMED;
            }
            switch (code) {
                case OPTION_CLIENTID -> client = n == 0 ? client : hash(b, v, n);
                case OPTION_CLIENT_FQDN -> {
                    if (n > 1) {
                        name = DhcpMessage.wireName(b, v + 1, v + n);
                    }
                }
                case OPTION_STATUS_CODE -> {
                    if (n < 2) {
                        return MALFORMED;
                    }
                    status = u16(b, v);
                }
                case OPTION_IA_NA, OPTION_IA_TA -> {
                    int head = code == OPTION_IA_NA ? 12 : 4;
                    if (n < head || !ia(b, v + head, v + n, addresses)) {
                        return MALFORMED;
                    }
                }
                default -> {
                }
            }
            p = v + n;
        }
        return new Dhcp6Message(type, xid, client, name, status, List.copyOf(addresses));
    }

    /** Reads an IA's options at {@code b[p, end)} into {@code to}: false when they break their grammar. */
    private static boolean ia(byte[] b, int p, int end, List<Address> to) {
        int had = to.size();
        while (p < end) {
            if (p + 4 > end) {
                return false;
            }
            int code = u16(b, p);
            int n = u16(b, p + 2);
            int v = p + 4;
            if (v + n > end) {
                return false;
            }
            if (code == OPTION_STATUS_CODE) {
                if (n < 2) {
                    return false;
                }
                if (u16(b, v) != 0) {
                    to.subList(had, to.size()).clear(); // the IA failed: none of its addresses is bound
                    return find(b, v + n, end, -1) != -2;
                }
            } else if (code == OPTION_IAADDR) {
                if (n < 24) {
                    return false;
                }
                int status = find(b, v + 24, v + n, OPTION_STATUS_CODE);
                if (status == -2) {
                    return false;
                }
                if (status >= 0 && u16(b, status + 2) < 2) {
                    return false;
                }
                if ((status < 0 || u16(b, status + 4) == 0) && to.size() < MAX_ADDRESSES) {
                    to.add(new Address(u64(b, v), u64(b, v + 8), u32(b, v + 20)));
                }
            }
            p = v + n;
        }
        return true;
    }

    /**
     * The offset of the first option {@code code} in {@code b[p, end)}; -1 when there is none (or {@code code}
     * is -1 and the options are well formed), -2 when they break their grammar first.
     */
    private static int find(byte[] b, int p, int end, int code) {
        while (p < end) {
            if (p + 4 > end || p + 4 + u16(b, p + 2) > end) {
                return -2;
            }
            if (u16(b, p) == code) {
                return p;
            }
            p += 4 + u16(b, p + 2);
        }
        return -1;
    }

    /** FNV-1a, 64 bits, of {@code b[p, p + n)}; never 0. */
    private static long hash(byte[] b, int p, int n) {
        long h = 0xcbf29ce484222325L;
        for (int i = p; i < p + n; i++) {
            h = (h ^ (b[i] & 0xff)) * 0x100000001b3L;
        }
        return h == 0 ? 1 : h;
    }

    private static int u16(byte[] b, int p) {
        return (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
    }

    private static long u32(byte[] b, int p) {
        return ((long) u16(b, p) << 16 | u16(b, p + 2)) & 0xffffffffL;
    }

    private static long u64(byte[] b, int p) {
        return u32(b, p) << 32 | u32(b, p + 4);
    }
}
