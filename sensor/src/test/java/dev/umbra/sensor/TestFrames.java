package dev.umbra.sensor;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

/** Builds wire-format frames, messages and capture files for decoder tests. */
public final class TestFrames {
    private TestFrames() {
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("\\s", ""));
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** An uncompressed DNS name. */
    public static byte[] name(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!name.equals(".")) {
            for (String label : name.split("\\.")) {
                byte[] l = label.getBytes(StandardCharsets.US_ASCII);
                out.write(l.length);
                out.writeBytes(l);
            }
        }
        out.write(0);
        return out.toByteArray();
    }

    /** A DNS query with one question. */
    public static byte[] dnsQuery(int id, String qname, int qtype) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0);
        b.put(name(qname)).putShort((short) qtype).putShort((short) 1);
        return slice(b);
    }

    /**
     * A DNS response to one A question: a CNAME from qname to target (compressed pointers to the
     * question) and A records for the target.
     */
    public static byte[] dnsResponseWithCname(int id, String qname, String target, String... addresses) {
        ByteBuffer b = ByteBuffer.allocate(512 + 28 * addresses.length);
        b.putShort((short) id).putShort((short) 0x8180).putShort((short) 1)
                .putShort((short) (1 + addresses.length)).putShort((short) 0).putShort((short) 0);
        b.put(name(qname)).putShort((short) 1).putShort((short) 1);
        byte[] targetName = name(target);
        b.putShort((short) 0xC00C).putShort((short) 5).putShort((short) 1).putInt(60)
                .putShort((short) targetName.length).put(targetName);
        int targetOffset = b.position() - targetName.length;
        for (String a : addresses) {
            byte[] ip = ip(a);
            b.putShort((short) (0xC000 | targetOffset)).putShort((short) (ip.length == 4 ? 1 : 28))
                    .putShort((short) 1).putInt(60).putShort((short) ip.length).put(ip);
        }
        return slice(b);
    }

    /**
     * A TLS 1.3-style ClientHello record: SNI (when not null), ALPN, supported_versions and a
     * key_share of {@code keyShareBytes} (post-quantum shares make hellos about 1.8 KB).
     */
    public static byte[] clientHello(String sni, List<String> alpn, int keyShareBytes) {
        return clientHello(sni, alpn, keyShareBytes, false);
    }

    /**
     * A ClientHello record; with {@code ech} an encrypted_client_hello extension (0xfe0d, outer
     * type 0, HKDF-SHA256 / AES-128-GCM, config id 7, a 32-byte enc and a 64-byte payload of zeros).
     */
    public static byte[] clientHello(String sni, List<String> alpn, int keyShareBytes, boolean ech) {
        ByteBuffer ext = ByteBuffer.allocate(8192);
        if (ech) {
            ext.putShort((short) 0xfe0d).putShort((short) (1 + 4 + 1 + 2 + 32 + 2 + 64)).put((byte) 0)
                    .putShort((short) 1).putShort((short) 1).put((byte) 7).putShort((short) 32).put(new byte[32])
                    .putShort((short) 64).put(new byte[64]);
        }
        if (sni != null) {
            byte[] host = sni.getBytes(StandardCharsets.US_ASCII);
            ext.putShort((short) 0).putShort((short) (host.length + 5)).putShort((short) (host.length + 3))
                    .put((byte) 0).putShort((short) host.length).put(host);
        }
        if (!alpn.isEmpty()) {
            ByteArrayOutputStream list = new ByteArrayOutputStream();
            for (String a : alpn) {
                list.write(a.length());
                list.writeBytes(a.getBytes(StandardCharsets.US_ASCII));
            }
            ext.putShort((short) 16).putShort((short) (list.size() + 2)).putShort((short) list.size())
                    .put(list.toByteArray());
        }
        ext.putShort((short) 43).putShort((short) 5).put((byte) 4).putShort((short) 0x0304).putShort((short) 0x0303);
        ext.putShort((short) 51).putShort((short) (keyShareBytes + 6)).putShort((short) (keyShareBytes + 4))
                .putShort((short) 0x11EC).putShort((short) keyShareBytes).put(new byte[keyShareBytes]);
        byte[] extensions = slice(ext);

        ByteBuffer body = ByteBuffer.allocate(extensions.length + 128);
        body.putShort((short) 0x0303).put(new byte[32]).put((byte) 32).put(new byte[32]);
        body.putShort((short) 6).putShort((short) 0x1301).putShort((short) 0x1302).putShort((short) 0xC02F);
        body.put((byte) 1).put((byte) 0);
        body.putShort((short) extensions.length).put(extensions);
        byte[] hello = slice(body);

        ByteBuffer record = ByteBuffer.allocate(hello.length + 9);
        record.put((byte) 22).putShort((short) 0x0301).putShort((short) (hello.length + 4));
        record.put((byte) 1).put((byte) (hello.length >> 16)).putShort((short) hello.length).put(hello);
        return slice(record);
    }

    public static byte[] udp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        return b.array();
    }

    public static byte[] tcp(int srcPort, int dstPort, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0).put((byte) 0x50).put((byte) 0x18)
                .putShort((short) 65535).putShort((short) 0).putShort((short) 0).put(payload);
        return b.array();
    }

    /** A TCP segment with the given sequence number and flags (0x02 SYN, 0x10 ACK, 0x18 PSH|ACK). */
    public static byte[] tcp(int srcPort, int dstPort, long seq, int flags, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.putShort((short) srcPort).putShort((short) dstPort).putInt((int) seq).putInt(0).put((byte) 0x50)
                .put((byte) flags).putShort((short) 65535).putShort((short) 0).putShort((short) 0).put(payload);
        return b.array();
    }

    /** An IPv4 or IPv6 packet (by the address family) carrying the transport segment. */
    public static byte[] ip(String src, String dst, int protocol, byte[] transport) {
        byte[] s = ip(src);
        byte[] d = ip(dst);
        if (s.length == 4) {
            ByteBuffer b = ByteBuffer.allocate(20 + transport.length);
            b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + transport.length)).putShort((short) 1)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0).put(s).put(d)
                    .put(transport);
            return b.array();
        }
        ByteBuffer b = ByteBuffer.allocate(40 + transport.length);
        b.putInt(0x60000000).putShort((short) transport.length).put((byte) protocol).put((byte) 64).put(s).put(d)
                .put(transport);
        return b.array();
    }

    /**
     * The fragments of an IPv4 or IPv6 packet made by {@link #ip}: its payload cut at the given
     * offsets (multiples of 8), each fragment with identification {@code id} (IPv4: the header's
     * fields; IPv6: a Fragment header, RFC 8200 4.5), in order.
     */
    public static List<byte[]> fragments(byte[] packet, int id, int... cuts) {
        boolean v6 = (packet[0] & 0xf0) == 0x60;
        int header = v6 ? 40 : 20;
        int payload = packet.length - header;
        List<byte[]> out = new java.util.ArrayList<>();
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : payload;
            boolean more = i < cuts.length;
            int n = to - from;
            ByteBuffer b;
            if (v6) {
                b = ByteBuffer.allocate(40 + 8 + n);
                b.put(packet, 0, 40);
                b.putShort(4, (short) (8 + n));
                b.put(6, (byte) 44);
                b.put(packet[6]).put((byte) 0).putShort((short) (from | (more ? 1 : 0))).putInt(id);
            } else {
                b = ByteBuffer.allocate(20 + n);
                b.put(packet, 0, 20);
                b.putShort(2, (short) (20 + n));
                b.putShort(4, (short) id);
                b.putShort(6, (short) ((from / 8) | (more ? 0x2000 : 0)));
            }
            b.put(packet, header + from, n);
            out.add(b.array());
            from = to;
        }
        return out;
    }

    /** An Ethernet II frame, with 802.1Q tags when vlan ids are given. */
    public static byte[] ethernet(byte[] ipPacket, int... vlans) {
        int etherType = (ipPacket[0] & 0xf0) == 0x60 ? 0x86DD : 0x0800;
        ByteBuffer b = ByteBuffer.allocate(14 + 4 * vlans.length + ipPacket.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2});
        for (int vlan : vlans) {
            b.putShort((short) 0x8100).putShort((short) vlan);
        }
        b.putShort((short) etherType).put(ipPacket);
        return b.array();
    }

    public static byte[] ip(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }

    /** A classic pcap file. */
    public static byte[] pcap(ByteOrder order, boolean nanos, int linkType, List<byte[]> frames) {
        int size = 24 + frames.stream().mapToInt(f -> 16 + f.length).sum();
        ByteBuffer b = ByteBuffer.allocate(size).order(order);
        b.putInt(nanos ? 0xA1B23C4D : 0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(262144).putInt(linkType);
        int i = 0;
        for (byte[] f : frames) {
            b.putInt(1_700_000_000 + i).putInt(nanos ? 123_456_789 : 123_456).putInt(f.length).putInt(f.length).put(f);
            i++;
        }
        return b.array();
    }

    /** One interface of a pcapng file: link type and if_tsresol (or -1 for the default, microseconds). */
    public record Iface(int linkType, int tsresol) {
    }

    /** One enhanced packet block: the interface index and the frame. */
    public record Packet(int iface, long timestamp, byte[] frame) {
    }

    /** A pcapng file with one section. */
    public static byte[] pcapng(ByteOrder order, List<Iface> ifaces, List<Packet> packets) {
        ByteBuffer b = ByteBuffer.allocate(1 << 20).order(order);
        b.putInt(0x0A0D0D0A).putInt(28).putInt(0x1A2B3C4D).putShort((short) 1).putShort((short) 0).putLong(-1)
                .putInt(28);
        for (Iface i : ifaces) {
            int length = i.tsresol() < 0 ? 20 : 32;
            b.putInt(1).putInt(length).putShort((short) i.linkType()).putShort((short) 0).putInt(0);
            if (i.tsresol() >= 0) {
                b.putShort((short) 9).putShort((short) 1).put((byte) i.tsresol()).put(new byte[3]);
                b.putShort((short) 0).putShort((short) 0);
            }
            b.putInt(length);
        }
        // an unknown block type, to be skipped
        b.putInt(0x0BAD).putInt(16).putInt(0xDEADBEEF).putInt(16);
        for (Packet p : packets) {
            int padded = (p.frame().length + 3) & ~3;
            int length = 32 + padded;
            b.putInt(6).putInt(length).putInt(p.iface()).putInt((int) (p.timestamp() >>> 32)).putInt((int) p.timestamp())
                    .putInt(p.frame().length).putInt(p.frame().length).put(p.frame())
                    .put(new byte[padded - p.frame().length]).putInt(length);
        }
        return slice(b);
    }

    private static byte[] slice(ByteBuffer b) {
        byte[] out = new byte[b.position()];
        System.arraycopy(b.array(), 0, out, 0, out.length);
        return out;
    }

    /** An HTTP/2 frame (RFC 9113 4.1): 24-bit length, type, flags, stream id, payload. */
    public static byte[] h2Frame(int type, int flags, int stream, byte[] payload) {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) (stream >>> 24);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        return f;
    }

    /** An HPACK literal field without indexing, literal name, raw strings (RFC 7541 6.2.2); under 127 bytes each. */
    public static byte[] hpackLiteral(String name, String value) {
        byte[] n = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return concat(new byte[] {0, (byte) n.length}, n, new byte[] {(byte) v.length}, v);
    }

    /** An ECHConfigList with one ECHConfig (version 0xfe0d, X25519, HKDF-SHA256/AES-128-GCM) for a public name. */
    public static byte[] echConfigList(String publicName) {
        byte[] pn = publicName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] contents = concat(hex("07" + "0020" + "0020"), new byte[32], hex("0004" + "0001" + "0001" + "00"),
                new byte[] {(byte) pn.length}, pn, hex("0000"));
        byte[] config = concat(hex("fe0d"), new byte[] {(byte) (contents.length >> 8), (byte) contents.length},
                contents);
        return concat(new byte[] {(byte) (config.length >> 8), (byte) config.length}, config);
    }
}
