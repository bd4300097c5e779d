package dev.umbra.sensor.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** DHCP messages for tests, as clients and servers put them on the wire (RFC 2131, RFC 2132, RFC 4702). */
public final class DhcpFrames {
    /** The fixed part's length, before the magic cookie. */
    public static final int FIXED = 236;

    private final boolean reply;
    private final int xid;
    private final byte[] mac;
    private int ciaddr;
    private int yiaddr;
    private final ByteArrayOutputStream options = new ByteArrayOutputStream();
    private byte[] file;
    private boolean end = true;

    private DhcpFrames(boolean reply, int type, int xid, byte[] mac) {
        this.reply = reply;
        this.xid = xid;
        this.mac = mac;
        option(53, new byte[] {(byte) type});
    }

    /** A client's message (DISCOVER 1, REQUEST 3, RELEASE 7, INFORM 8). */
    public static DhcpFrames client(int type, int xid, byte[] mac) {
        return new DhcpFrames(false, type, xid, mac);
    }

    /** A server's message (OFFER 2, ACK 5, NAK 6). */
    public static DhcpFrames server(int type, int xid, byte[] mac) {
        return new DhcpFrames(true, type, xid, mac);
    }

    /** Whether {@code name} is set and not a name a device may be given: 1 to 255 printable ASCII characters. */
    public static boolean notAName(String name) {
        return name != null && (name.isEmpty() || name.length() > DhcpMessage.MAX_NAME
                || name.chars().anyMatch(c -> c < 0x20 || c > 0x7e));
    }

    /** A MAC address whose last byte is {@code n}. */
    public static byte[] mac(int n) {
        return new byte[] {0x02, 0x00, 0x5e, 0x10, 0x00, (byte) n};
    }

    public DhcpFrames ciaddr(int a) {
        ciaddr = a;
        return this;
    }

    public DhcpFrames yiaddr(int a) {
        yiaddr = a;
        return this;
    }

    /** Option 12. */
    public DhcpFrames hostName(String name) {
        return option(12, name.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Option 81 with the name in ASCII, or in DNS wire format when {@code wire}. */
    public DhcpFrames fqdn(String name, boolean wire) {
        ByteArrayOutputStream v = new ByteArrayOutputStream();
        v.write(wire ? 0x05 : 0x01);
        v.write(0);
        v.write(0);
        if (wire) {
            for (String label : name.split("\\.")) {
                v.write(label.length());
                v.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
            }
            v.write(0);
        } else {
            v.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
        }
        return option(81, v.toByteArray());
    }

    /** Option 51. */
    public DhcpFrames lease(long seconds) {
        return option(51, new byte[] {(byte) (seconds >>> 24), (byte) (seconds >>> 16), (byte) (seconds >>> 8),
            (byte) seconds});
    }

    /** Any option. */
    public DhcpFrames option(int code, byte[] value) {
        options.write(code);
        options.write(value.length);
        options.writeBytes(value);
        return this;
    }

    /** Options that go in the file field (option 52 overload 1), {@code options} as coded bytes. */
    public DhcpFrames inFile(byte[] codedOptions) {
        file = codedOptions;
        return option(52, new byte[] {1});
    }

    /** No end option: the message's end ends the options. */
    public DhcpFrames noEnd() {
        end = false;
        return this;
    }

    /** The UDP payload. */
    public byte[] bytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        byte[] fixed = new byte[FIXED];
        fixed[0] = (byte) (reply ? 2 : 1);
        fixed[1] = 1;
        fixed[2] = (byte) mac.length;
        put32(fixed, 4, xid);
        put32(fixed, 12, ciaddr);
        put32(fixed, 16, yiaddr);
        System.arraycopy(mac, 0, fixed, 28, mac.length);
        if (file != null) {
            System.arraycopy(file, 0, fixed, 108, file.length);
        }
        b.writeBytes(fixed);
        b.writeBytes(new byte[] {0x63, (byte) 0x82, 0x53, 0x63});
        b.writeBytes(options.toByteArray());
        if (end) {
            b.write(255);
        }
        return b.toByteArray();
    }

    /** An IPv4 address's 32 bits. */
    public static int v4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    private static void put32(byte[] b, int p, int v) {
        b[p] = (byte) (v >>> 24);
        b[p + 1] = (byte) (v >>> 16);
        b[p + 2] = (byte) (v >>> 8);
        b[p + 3] = (byte) v;
    }
}
