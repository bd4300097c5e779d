package dev.umbra.sensor.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** DHCPv6 messages for tests, as clients, servers and relay agents put them on the wire (RFC 8415, RFC 4704). */
public final class Dhcp6Frames {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private Dhcp6Frames(int type, int xid) {
        out.write(type);
        out.write(xid >>> 16);
        out.write(xid >>> 8);
        out.write(xid);
    }

    /** A message of {@code type} (SOLICIT 1, REQUEST 3, RENEW 5, REPLY 7, RELEASE 8 ...) with transaction id {@code xid}. */
    public static Dhcp6Frames of(int type, int xid) {
        return new Dhcp6Frames(type, xid);
    }

    /** A message of {@code type} with transaction id {@code xid} from or for the client with this DUID (option 1). */
    public static Dhcp6Frames of(int type, int xid, byte[] duid) {
        return new Dhcp6Frames(type, xid).client(duid);
    }

    /** A DUID-LL (type 3, Ethernet) whose MAC's last byte is {@code n}. */
    public static byte[] duid(int n) {
        return new byte[] {0, 3, 0, 1, 0x02, 0x00, 0x5e, 0x10, 0x00, (byte) n};
    }

    /** Option 1, the client's DUID. */
    public Dhcp6Frames client(byte[] duid) {
        return option(1, duid);
    }

    /** Option 39 with flags S=0 and the name in DNS wire format, with the root label when {@code full}. */
    public Dhcp6Frames fqdn(String name, boolean full) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(0);
        if (!name.isEmpty()) {
            for (String label : name.split("\\.")) {
                v.write(label.length());
                v.writeBytes(label.getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        if (full) {
            v.write(0);
        }
        return option(39, v.toByteArray());
    }

    /** Option 13 with {@code status} (0 Success, 2 NoAddrsAvail ...). */
    public Dhcp6Frames status(int status) {
        return option(13, statusCode(status));
    }

    /** Option 3, an IA_NA holding these IAADDR options ({@link #iaaddr}) and more. */
    public Dhcp6Frames iaNa(int iaid, byte[]... options) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(new byte[] {(byte) (iaid >>> 24), (byte) (iaid >>> 16), (byte) (iaid >>> 8), (byte) iaid});
        v.writeBytes(new byte[] {0, 0, 0x07, 0x08, 0, 0, 0x0c, 0x4e}); // T1 1800, T2 3150
        for (byte[] o : options) {
            v.writeBytes(o);
        }
        return option(3, v.toByteArray());
    }

    /** Option 4, an IA_TA holding these options. */
    public Dhcp6Frames iaTa(int iaid, byte[]... options) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(new byte[] {(byte) (iaid >>> 24), (byte) (iaid >>> 16), (byte) (iaid >>> 8), (byte) iaid});
        for (byte[] o : options) {
            v.writeBytes(o);
        }
        return option(4, v.toByteArray());
    }

    /** An IAADDR option (5) for {@code address} with this valid lifetime, and these options inside it. */
    public static byte[] iaaddr(String address, long validSeconds, byte[]... options) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.writeBytes(v6(address));
        long preferred = Math.min(validSeconds, 3600);
        v.writeBytes(u32(preferred));
        v.writeBytes(u32(validSeconds));
        for (byte[] o : options) {
            v.writeBytes(o);
        }
        return encode(5, v.toByteArray());
    }

    /** A STATUS_CODE option (13). */
    public static byte[] statusOption(int status) {
        return encode(13, statusCode(status));
    }

    /** Any option. */
    public Dhcp6Frames option(int code, byte[] value) {
        out.writeBytes(encode(code, value));
        return this;
    }

    /** The message. */
    public byte[] bytes() {
        return out.toByteArray();
    }

    /** {@code inner} relayed: a RELAY-FORW (12) or RELAY-REPL (13) with {@code inner} as its option 9. */
    public static byte[] relay(int type, byte[] inner) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(type);
        v.write(0); // hop count
        v.writeBytes(v6("2001:db8:1::1")); // link address
        v.writeBytes(v6("fe80::10")); // peer address
        v.writeBytes(encode(9, inner));
        return v.toByteArray();
    }

    /** The 16 bytes of an IPv6 address. */
    public static byte[] v6(String address) {
        return dev.umbra.sensor.TestFrames.ip(address);
    }

    private static byte[] statusCode(int status) {
        byte[] m = "ok".getBytes(StandardCharsets.US_ASCII);
        byte[] v = new byte[2 + m.length];
        v[0] = (byte) (status >>> 8);
        v[1] = (byte) status;
        System.arraycopy(m, 0, v, 2, m.length);
        return v;
    }

    private static byte[] encode(int code, byte[] value) {
        byte[] o = new byte[4 + value.length];
        o[0] = (byte) (code >>> 8);
        o[1] = (byte) code;
        o[2] = (byte) (value.length >>> 8);
        o[3] = (byte) value.length;
        System.arraycopy(value, 0, o, 4, value.length);
        return o;
    }

    private static byte[] u32(long v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }
}
