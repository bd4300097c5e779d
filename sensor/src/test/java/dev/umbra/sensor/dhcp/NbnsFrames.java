package dev.umbra.sensor.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** NetBIOS name service messages for tests, as Windows hosts and nmbd send them (RFC 1002 4.2). */
public final class NbnsFrames {
    private NbnsFrames() {
    }

    /** A broadcast NAME REGISTRATION REQUEST (opcode 5; 6 for a release, 8 for a refresh) of name<suffix>. */
    public static byte[] registration(int opcode, String name, int suffix, boolean group, long ttl, int address) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x12, 0x34, (byte) (opcode << 3 | 0x01), 0x10, 0, 1, 0, 0, 0, 0, 0, 1});
        out.writeBytes(encoded(name, suffix));
        out.writeBytes(new byte[] {0, 0x20, 0, 1}); // NB IN
        out.writeBytes(new byte[] {(byte) 0xc0, 0x0c, 0, 0x20, 0, 1});
        out.writeBytes(record(ttl, group, address));
        return out.toByteArray();
    }

    /** A POSITIVE NAME QUERY RESPONSE for name<suffix> at these addresses. */
    public static byte[] response(String name, int suffix, boolean group, long ttl, int... addresses) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0x12, 0x35, (byte) 0x85, 0x00, 0, 0, 0, 1, 0, 0, 0, 0});
        out.writeBytes(encoded(name, suffix));
        out.writeBytes(new byte[] {0, 0x20, 0, 1});
        out.writeBytes(new byte[] {(byte) (ttl >>> 24), (byte) (ttl >>> 16), (byte) (ttl >>> 8), (byte) ttl, 0,
            (byte) (6 * addresses.length)});
        for (int a : addresses) {
            out.writeBytes(new byte[] {(byte) (group ? 0x80 : 0), 0, (byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8),
                (byte) a});
        }
        return out.toByteArray();
    }

    /** The name in RFC 1002 4.1's first-level encoding, in its one label, with no scope. */
    public static byte[] encoded(String name, int suffix) {
        byte[] n = String.format("%-15s", name).getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[34];
        out[0] = 32;
        for (int i = 0; i < 16; i++) {
            int c = i < 15 ? n[i] & 0xff : suffix;
            out[1 + 2 * i] = (byte) ('A' + (c >> 4));
            out[2 + 2 * i] = (byte) ('A' + (c & 15));
        }
        return out;
    }

    private static byte[] record(long ttl, boolean group, int address) {
        return new byte[] {(byte) (ttl >>> 24), (byte) (ttl >>> 16), (byte) (ttl >>> 8), (byte) ttl, 0, 6,
            (byte) (group ? 0x80 : 0), 0, (byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8),
            (byte) address};
    }
}
