package dev.umbra.sensor.gen;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/*
 * Design notes.
 *
 * A deterministic generator of a mixed Ethernet capture (pcap, microseconds, little-endian) for the
 * sensor's exactness test and benchmarks. Same N and seed give the same bytes. JDK only, so that it
 * also runs as a single-file program:
 *
 *   java sensor/src/test/java/dev/umbra/sensor/gen/MixedCapture.java OUT.pcap 1000000 [SEED]
 *
 * It writes OUT.pcap with exactly N frames and OUT.pcap.names.tsv: every name it put on the wire,
 * one "kind<TAB>name" per line, sorted. The kinds (enum Kind) separate what needs more than a
 * single-packet decoder:
 *
 *  dns_query               query names, UDP and TCP (length-prefixed, sometimes two messages in one
 *                          segment), IPv4 and IPv6, untagged, 802.1Q and 802.1ad (QinQ)
 *  dns_cname               CNAME targets in responses (chains of 1-3), reported in dns_answer answers
 *  tls_sni                 ClientHellos in one TCP segment
 *  tls_sni_ech_outer       ClientHellos with an encrypted_client_hello extension (outer SNI, one segment)
 *  tls_sni_split           post-quantum-sized hellos (X25519MLKEM768 key share, ~1.8 KB) in 2-3 segments,
 *                          SNI after the key share so it is never in the first segment
 *  tls_sni_split_reordered the same, segments sent out of order
 *  quic_sni                QUIC v1 Initials (RFC 9000/9001): keys from the DCID, AES-128-GCM, header
 *                          protection; the ClientHello in CRYPTO frames over 2-3 Initial packets, some
 *                          out of order
 *
 * Filler: TLS application data and bare ACKs of the TCP sessions, QUIC short-header packets, UDP
 * to other ports (never DNS-plausible), ICMP echo, ARP and mDNS (local-link names: not lookups, so
 * not listed). Checksums are correct (IPv4 header, UDP, TCP) so that other tools and tcpreplay
 * accept the frames.
 */
/** Writes a deterministic mixed capture and the list of names in it. See the design notes. */
public final class MixedCapture {
    /** What a name was carried in. */
    public enum Kind {
        DNS_QUERY("dns_query"),
        DNS_CNAME("dns_cname"),
        TLS_SNI("tls_sni"),
        TLS_SNI_ECH_OUTER("tls_sni_ech_outer"),
        TLS_SNI_SPLIT("tls_sni_split"),
        TLS_SNI_SPLIT_REORDERED("tls_sni_split_reordered"),
        QUIC_SNI("quic_sni");

        public final String id;

        Kind(String id) {
            this.id = id;
        }
    }

    private static final String[] AI_NAMES = {
        "api.openai.com", "chatgpt.com", "claude.ai", "api.anthropic.com", "gemini.google.com",
        "generativelanguage.googleapis.com", "huggingface.co", "api.mistral.ai", "chat.mistral.ai",
        "api.deepseek.com", "www.perplexity.ai", "copilot-proxy.githubusercontent.com", "api.cohere.com",
    };
    private static final String[] WORDS = {
        "alpha", "bravo", "cdn", "mail", "static", "img", "video", "login", "api", "edge", "files", "shop",
        "news", "maps", "docs", "sync", "push", "metrics", "auth", "store",
    };
    private static final String[] TLDS = {"example", "test", "invalid", "example.com", "example.net", "example.org"};
    private static final byte[] QUIC_V1_SALT = hexBytes("38762cf7f55934b34d179ae6a4c80cadccbb7f0a");
    private static final int ETH_IPV4 = 0x0800;
    private static final int ETH_IPV6 = 0x86DD;

    private final SplittableRandom rnd;
    private final long target;
    private final OutputStream out;
    private final Map<Kind, TreeSet<String>> names = new EnumMap<>(Kind.class);
    private final ByteBuffer frame = ByteBuffer.allocate(70_000);
    private final ByteBuffer rec = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    private long written;
    private long timeMicros = 1_700_000_000_000_000L;
    private long nameCounter;
    private int sessionCounter;

    // addressing of the session being written
    private int[] vlans = new int[0];
    private boolean v6;
    private byte[] client;
    private byte[] server;

    private MixedCapture(long packets, long seed, OutputStream out) {
        this.rnd = new SplittableRandom(seed);
        this.target = packets;
        this.out = out;
        for (Kind k : Kind.values()) {
            names.put(k, new TreeSet<>());
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: MixedCapture OUT.pcap PACKETS [SEED]");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 42;
        Map<Kind, TreeSet<String>> names = write(file, n, seed);
        StringBuilder summary = new StringBuilder();
        for (Map.Entry<Kind, TreeSet<String>> e : names.entrySet()) {
            summary.append(' ').append(e.getKey().id).append('=').append(e.getValue().size());
        }
        System.out.println("wrote " + file + " (" + n + " packets, " + Files.size(file) + " bytes) and "
                + namesFile(file) + ":" + summary);
    }

    /** The names file written beside a capture. */
    public static Path namesFile(Path capture) {
        return capture.resolveSibling(capture.getFileName() + ".names.tsv");
    }

    /**
     * Writes the capture with exactly {@code packets} frames and its names file.
     *
     * @return the distinct names per kind
     */
    public static Map<Kind, TreeSet<String>> write(Path file, long packets, long seed) throws IOException {
        if (packets < 1) {
            throw new IllegalArgumentException("packets must be at least 1: " + packets);
        }
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            MixedCapture g = new MixedCapture(packets, seed, o);
            g.run();
            List<String> lines = new ArrayList<>();
            for (Map.Entry<Kind, TreeSet<String>> e : g.names.entrySet()) {
                for (String name : e.getValue()) {
                    lines.add(e.getKey().id + "\t" + name);
                }
            }
            Files.write(namesFile(file), lines, StandardCharsets.US_ASCII);
            return g.names;
        }
    }

    /** Reads a names file back, per kind. */
    public static Map<Kind, TreeSet<String>> readNames(Path namesFile) throws IOException {
        Map<Kind, TreeSet<String>> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            m.put(k, new TreeSet<>());
        }
        for (String line : Files.readAllLines(namesFile, StandardCharsets.US_ASCII)) {
            int tab = line.indexOf('\t');
            for (Kind k : Kind.values()) {
                if (k.id.equals(line.substring(0, tab))) {
                    m.get(k).add(line.substring(tab + 1));
                }
            }
        }
        return m;
    }

    private void run() throws IOException {
        ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(0xA1B2C3D4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262144).putInt(1);
        out.write(header.array());
        // sessions while there is room for the longest one (split hello with FIN: 12 frames)
        while (written + 16 <= target) {
            newSession();
            int pick = rnd.nextInt(100);
            if (pick < 20) {
                udpDns();
            } else if (pick < 26) {
                tcpDns();
            } else if (pick < 40) {
                tls(Kind.TLS_SNI);
            } else if (pick < 44) {
                tls(Kind.TLS_SNI_ECH_OUTER);
            } else if (pick < 50) {
                tls(Kind.TLS_SNI_SPLIT);
            } else if (pick < 54) {
                tls(Kind.TLS_SNI_SPLIT_REORDERED);
            } else if (pick < 62) {
                quic();
            } else {
                filler();
            }
        }
        while (written < target) {
            newSession();
            filler1();
        }
    }

    // ---------------------------------------------------------------- sessions

    private void newSession() {
        sessionCounter++;
        int v = rnd.nextInt(100);
        vlans = v < 10 ? new int[] {100 + rnd.nextInt(50)} : v < 13 ? new int[] {200, 300 + rnd.nextInt(50)} : new int[0];
        v6 = rnd.nextInt(100) < 30;
        if (v6) {
            client = hexBytes(String.format("fd000000000000010000000000%06x", rnd.nextInt(1 << 24)));
            server = hexBytes(String.format("20010db8000000000000000000%06x", rnd.nextInt(1 << 24)));
        } else {
            client = new byte[] {10, 1, (byte) rnd.nextInt(256), (byte) (1 + rnd.nextInt(254))};
            server = new byte[] {(byte) 192, 0, 2, (byte) (1 + rnd.nextInt(254))};
        }
    }

    private String name() {
        if (rnd.nextInt(100) < 25) {
            return AI_NAMES[rnd.nextInt(AI_NAMES.length)];
        }
        nameCounter++;
        return "n" + nameCounter + "." + WORDS[rnd.nextInt(WORDS.length)] + "." + TLDS[rnd.nextInt(TLDS.length)];
    }

    private int ephemeralPort() {
        return 32768 + rnd.nextInt(28000);
    }

    private void udpDns() throws IOException {
        String q = name();
        int id = rnd.nextInt(65536);
        int type = v6 ? 28 : rnd.nextInt(10) == 0 ? 65 : 1;
        int port = ephemeralPort();
        names.get(Kind.DNS_QUERY).add(q);
        udp(client, port, server, 53, dnsQuery(id, q, type));
        udp(server, 53, client, port, dnsResponse(id, q, type));
    }

    private void tcpDns() throws IOException {
        String q1 = name();
        String q2 = rnd.nextBoolean() ? name() : null;
        int port = ephemeralPort();
        Tcp t = new Tcp(port, 53);
        t.handshake();
        byte[] m1 = dnsQuery(rnd.nextInt(65536), q1, 1);
        names.get(Kind.DNS_QUERY).add(q1);
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.putShort((short) m1.length).put(m1);
        if (q2 != null) {
            // RFC 7766 section 6.2.1.1: pipelined queries, here in one segment
            byte[] m2 = dnsQuery(rnd.nextInt(65536), q2, 1);
            names.get(Kind.DNS_QUERY).add(q2);
            b.putShort((short) m2.length).put(m2);
        }
        t.clientData(slice(b));
        byte[] r1 = dnsResponse(rnd.nextInt(65536), q1, 1);
        byte[] answers = concat(u16(r1.length), r1);
        if (q2 != null) {
            byte[] r2 = dnsResponse(rnd.nextInt(65536), q2, 1);
            answers = concat(answers, u16(r2.length), r2);
        }
        t.serverData(answers);
        t.fin();
    }

    /** A DNS query (RFC 1035 section 4.1.1, 4.1.2). */
    private static byte[] dnsQuery(int id, String q, int type) {
        ByteBuffer b = ByteBuffer.allocate(300);
        b.putShort((short) id).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putInt(0);
        putName(b, q);
        b.putShort((short) type).putShort((short) 1);
        return slice(b);
    }

    /** A response: CNAME chain of 0-3 links (compressed), then 1-6 addresses of the last name. */
    private byte[] dnsResponse(int id, String q, int type) {
        ByteBuffer b = ByteBuffer.allocate(1400);
        int chain = rnd.nextInt(4);
        int addresses = type == 65 ? 0 : 1 + rnd.nextInt(6);
        int https = type == 65 ? 1 : 0;
        b.putShort((short) id).putShort((short) 0x8180).putShort((short) 1)
                .putShort((short) (chain + addresses + https)).putInt(0);
        putName(b, q);
        b.putShort((short) type).putShort((short) 1);
        int owner = 12;
        for (int i = 0; i < chain; i++) {
            nameCounter++;
            String target = "c" + nameCounter + ".cdn" + i + "." + TLDS[rnd.nextInt(TLDS.length)];
            names.get(Kind.DNS_CNAME).add(target);
            b.putShort((short) (0xC000 | owner)).putShort((short) 5).putShort((short) 1).putInt(300);
            int lengthAt = b.position();
            b.putShort((short) 0);
            owner = b.position();
            putName(b, target);
            b.putShort(lengthAt, (short) (b.position() - owner));
        }
        for (int i = 0; i < addresses; i++) {
            b.putShort((short) (0xC000 | owner)).putShort((short) type).putShort((short) 1).putInt(60);
            if (type == 28) {
                b.putShort((short) 16).put(hexBytes(String.format("2001db8000000000000000000000%04x", rnd.nextInt(65536))));
            } else {
                b.putShort((short) 4).put((byte) 198).put((byte) 51).put((byte) 100).put((byte) rnd.nextInt(256));
            }
        }
        if (https == 1) {
            // HTTPS (RFC 9460): priority 1, target ".", alpn h2,h3 (key 1)
            b.putShort((short) (0xC000 | owner)).putShort((short) 65).putShort((short) 1).putInt(300)
                    .putShort((short) 13).putShort((short) 1).put((byte) 0)
                    .putShort((short) 1).putShort((short) 6).put(new byte[] {2, 'h', '2', 2, 'h', '3'});
        }
        return slice(b);
    }

    private void tls(Kind kind) throws IOException {
        String sni = kind == Kind.TLS_SNI_ECH_OUTER ? "ech-public-" + (sessionCounter % 97) + ".example" : name();
        names.get(kind).add(sni);
        boolean split = kind == Kind.TLS_SNI_SPLIT || kind == Kind.TLS_SNI_SPLIT_REORDERED;
        byte[] hello = clientHello(sni, split, kind == Kind.TLS_SNI_ECH_OUTER, false);
        byte[] record = concat(new byte[] {0x16, 0x03, 0x01}, u16(hello.length), hello);
        Tcp t = new Tcp(ephemeralPort(), rnd.nextInt(10) == 0 ? 8443 : 443);
        t.handshake();
        if (split) {
            int parts = 2 + rnd.nextInt(2);
            List<byte[]> segs = new ArrayList<>();
            List<Long> seqs = new ArrayList<>();
            int first = 1100 + rnd.nextInt(200);
            int rest = record.length - first;
            int off = 0;
            for (int i = 0; i < parts; i++) {
                int len = i == 0 ? first : i == parts - 1 ? record.length - off : rest / (parts - 1);
                byte[] s = new byte[len];
                System.arraycopy(record, off, s, 0, len);
                segs.add(s);
                seqs.add(t.clientSeq + off);
                off += len;
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < parts; i++) {
                order.add(i);
            }
            if (kind == Kind.TLS_SNI_SPLIT_REORDERED) {
                // the last segment first, then the others in order
                Collections.rotate(order, 1);
            }
            for (int i : order) {
                t.segment(true, seqs.get(i), t.serverSeq, 0x18, segs.get(i));
            }
            t.clientSeq += record.length;
        } else {
            t.clientData(record);
        }
        // server: a ServerHello-like record and application data; the client ACKs
        byte[] serverHello = new byte[90 + rnd.nextInt(40)];
        serverHello[0] = 0x16;
        serverHello[1] = 0x03;
        serverHello[2] = 0x03;
        serverHello[5] = 0x02;
        t.serverData(serverHello);
        t.serverData(appData(200 + rnd.nextInt(1200)));
        t.ack();
        if (rnd.nextBoolean()) {
            t.fin();
        }
    }

    private byte[] appData(int len) {
        byte[] d = new byte[len];
        rnd.nextBytes(d);
        d[0] = 0x17;
        d[1] = 0x03;
        d[2] = 0x03;
        d[3] = (byte) ((len - 5) >> 8);
        d[4] = (byte) (len - 5);
        return d;
    }

    /**
     * A ClientHello handshake message (RFC 8446 section 4.1.2), without the record header.
     *
     * <pre>
     * struct {
     *     ProtocolVersion legacy_version = 0x0303;
     *     Random random;
     *     opaque legacy_session_id<0..32>;
     *     CipherSuite cipher_suites<2..2^16-2>;
     *     opaque legacy_compression_methods<1..2^8-1>;
     *     Extension extensions<8..2^16-1>;
     * } ClientHello;
     * </pre>
     *
     * @param postQuantum an X25519MLKEM768 key share (1216 bytes) plus X25519, before the SNI
     * @param ech an encrypted_client_hello extension (draft-ietf-tls-esni, type 0xfe0d)
     * @param quic QUIC transport parameters, no session id, ALPN h3
     */
    private byte[] clientHello(String sni, boolean postQuantum, boolean ech, boolean quic) {
        ByteBuffer e = ByteBuffer.allocate(8192);
        int grease = 0x0a0a + 0x1010 * rnd.nextInt(16);
        e.putShort((short) grease).putShort((short) 0);
        if (!postQuantum) {
            sni(e, sni);
        }
        // supported_groups
        e.putShort((short) 10).putShort((short) 10).putShort((short) 8).putShort((short) 0x11ec)
                .putShort((short) 0x001d).putShort((short) 0x0017).putShort((short) 0x0018);
        // key_share: X25519MLKEM768 (1184 + 32 = 1216 bytes) and X25519 when post-quantum
        int shares = postQuantum || quic ? 4 + 1216 + 4 + 32 : 4 + 32;
        e.putShort((short) 51).putShort((short) (shares + 2)).putShort((short) shares);
        if (postQuantum || quic) {
            e.putShort((short) 0x11ec).putShort((short) 1216).put(randomBytes(1216));
        }
        e.putShort((short) 0x001d).putShort((short) 32).put(randomBytes(32));
        if (postQuantum) {
            sni(e, sni);
        }
        // ALPN
        byte[][] protocols = quic ? new byte[][] {ascii("h3")} : new byte[][] {ascii("h2"), ascii("http/1.1")};
        int alpnLength = 0;
        for (byte[] p : protocols) {
            alpnLength += 1 + p.length;
        }
        e.putShort((short) 16).putShort((short) (alpnLength + 2)).putShort((short) alpnLength);
        for (byte[] p : protocols) {
            e.put((byte) p.length).put(p);
        }
        // supported_versions: TLS 1.3, 1.2
        e.putShort((short) 43).putShort((short) 5).put((byte) 4).putShort((short) 0x0304).putShort((short) 0x0303);
        // signature_algorithms
        e.putShort((short) 13).putShort((short) 8).putShort((short) 6).putShort((short) 0x0403)
                .putShort((short) 0x0804).putShort((short) 0x0401);
        // psk_key_exchange_modes
        e.putShort((short) 45).putShort((short) 2).put((byte) 1).put((byte) 1);
        if (ech) {
            // ECHClientHello outer: type 0, HpkeSymmetricCipherSuite (HKDF-SHA256, AES-128-GCM),
            // config_id, enc<0..2^16-1> (32 bytes), payload<1..2^16-1>
            int payload = 160 + rnd.nextInt(96);
            e.putShort((short) 0xfe0d).putShort((short) (1 + 4 + 1 + 2 + 32 + 2 + payload)).put((byte) 0)
                    .putShort((short) 1).putShort((short) 1).put((byte) rnd.nextInt(256))
                    .putShort((short) 32).put(randomBytes(32)).putShort((short) payload).put(randomBytes(payload));
        }
        if (quic) {
            // quic_transport_parameters (RFC 9000 section 18): initial_max_data, initial_source_connection_id
            e.putShort((short) 0x39).putShort((short) 10).put((byte) 0x04).put((byte) 4)
                    .putInt(0x80100000).put((byte) 0x0f).put((byte) 2).putShort((short) rnd.nextInt(65536));
        }
        byte[] extensions = slice(e);
        ByteBuffer h = ByteBuffer.allocate(extensions.length + 200);
        h.put((byte) 1).put((byte) 0).putShort((short) 0);
        h.putShort((short) 0x0303).put(randomBytes(32));
        if (quic) {
            h.put((byte) 0);
        } else {
            h.put((byte) 32).put(randomBytes(32));
        }
        h.putShort((short) 8).putShort((short) grease).putShort((short) 0x1301).putShort((short) 0x1302)
                .putShort((short) 0x1303);
        h.put((byte) 1).put((byte) 0);
        h.putShort((short) extensions.length).put(extensions);
        int bodyLength = h.position() - 4;
        h.put(1, (byte) (bodyLength >> 16)).putShort(2, (short) bodyLength);
        return slice(h);
    }

    /** server_name (RFC 6066 section 3): list length, host_name(0), name length, name. */
    private static void sni(ByteBuffer e, String sni) {
        byte[] n = ascii(sni);
        e.putShort((short) 0).putShort((short) (n.length + 5)).putShort((short) (n.length + 3)).put((byte) 0)
                .putShort((short) n.length).put(n);
    }

    /**
     * A QUIC v1 connection attempt: the ClientHello in CRYPTO frames over 2-3 client Initials (each
     * padded to 1200 bytes, RFC 9000 section 14.1), sometimes out of order, then a server Initial.
     */
    private void quic() throws IOException {
        String sni = name();
        names.get(Kind.QUIC_SNI).add(sni);
        byte[] hello = clientHello(sni, false, false, true);
        byte[] dcid = randomBytes(8);
        byte[] scid = randomBytes(8);
        int parts = 2 + rnd.nextInt(2);
        int port = ephemeralPort();
        List<byte[]> packets = new ArrayList<>();
        int off = 0;
        for (int i = 0; i < parts; i++) {
            int len = i == parts - 1 ? hello.length - off : hello.length / parts;
            ByteBuffer f = ByteBuffer.allocate(len + 16);
            // CRYPTO frame (RFC 9000 section 19.6): type, offset, length, data
            f.put((byte) 0x06);
            putVarint(f, off);
            putVarint(f, len);
            f.put(hello, off, len);
            packets.add(quicInitial(dcid, scid, i, slice(f)));
            off += len;
        }
        if (rnd.nextInt(3) == 0) {
            // Chrome sends CRYPTO data out of order: the last Initial first
            Collections.rotate(packets, 1);
        }
        for (byte[] p : packets) {
            udp(client, port, server, 443, p);
        }
        byte[] serverInitial = new byte[200 + rnd.nextInt(1000)];
        rnd.nextBytes(serverInitial);
        serverInitial[0] = (byte) 0xC1;
        serverInitial[1] = 0;
        serverInitial[2] = 0;
        serverInitial[3] = 0;
        serverInitial[4] = 1;
        serverInitial[5] = 8;
        udp(server, 443, client, port, serverInitial);
    }

    /**
     * A protected client Initial (RFC 9000 section 17.2.2, RFC 9001 section 5): 2-byte packet number.
     *
     * <pre>
     * Initial Packet {
     *   Header Form (1) = 1, Fixed Bit (1) = 1, Long Packet Type (2) = 0,
     *   Reserved Bits (2), Packet Number Length (2),
     *   Version (32), DCID Length (8), DCID (0..160), SCID Length (8), SCID (0..160),
     *   Token Length (i), Token (..), Length (i), Packet Number (8..32), Packet Payload (8..),
     * }
     * </pre>
     */
    private byte[] quicInitial(byte[] dcid, byte[] scid, int packetNumber, byte[] frames) {
        int pnLength = 2;
        int payloadLength = Math.max(frames.length, 1200 - 40 - dcid.length - scid.length);
        byte[] plain = new byte[payloadLength]; // PADDING frames are zero bytes
        System.arraycopy(frames, 0, plain, 0, frames.length);
        ByteBuffer h = ByteBuffer.allocate(64);
        h.put((byte) (0xC0 | (pnLength - 1))).putInt(1);
        h.put((byte) dcid.length).put(dcid).put((byte) scid.length).put(scid);
        putVarint(h, 0);
        // Length covers the packet number and the protected payload with its 16-byte tag; always 2 bytes here
        h.putShort((short) (0x4000 | (pnLength + payloadLength + 16)));
        int pnOffset = h.position();
        h.putShort((short) packetNumber);
        byte[] header = slice(h);
        try {
            byte[] secret = hkdfExtract(QUIC_V1_SALT, dcid);
            byte[] clientSecret = expandLabel(secret, "client in", 32);
            byte[] key = expandLabel(clientSecret, "quic key", 16);
            byte[] iv = expandLabel(clientSecret, "quic iv", 12);
            byte[] hp = expandLabel(clientSecret, "quic hp", 16);
            byte[] nonce = iv.clone();
            nonce[11] ^= (byte) packetNumber;
            nonce[10] ^= (byte) (packetNumber >> 8);
            Cipher aead = Cipher.getInstance("AES/GCM/NoPadding");
            aead.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
            aead.updateAAD(header);
            byte[] sealed = aead.doFinal(plain);
            byte[] packet = concat(header, sealed);
            // header protection (RFC 9001 section 5.4): sample 16 bytes at pnOffset + 4
            Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
            ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(hp, "AES"));
            byte[] mask = ecb.doFinal(packet, pnOffset + 4, 16);
            packet[0] ^= (byte) (mask[0] & 0x0f);
            for (int i = 0; i < pnLength; i++) {
                packet[pnOffset + i] ^= mask[1 + i];
            }
            return packet;
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException("JDK lacks AES-GCM or HMAC-SHA256", ex);
        }
    }

    private static byte[] hkdfExtract(byte[] salt, byte[] ikm) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(salt, "HmacSHA256"));
        return mac.doFinal(ikm);
    }

    /** HKDF-Expand-Label (RFC 8446 section 7.1) with an empty context; length at most 32. */
    private static byte[] expandLabel(byte[] secret, String label, int length) throws GeneralSecurityException {
        byte[] full = ascii("tls13 " + label);
        ByteBuffer info = ByteBuffer.allocate(4 + full.length + 1);
        info.putShort((short) length).put((byte) full.length).put(full).put((byte) 0).put((byte) 1);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        byte[] t = mac.doFinal(slice(info));
        byte[] r = new byte[length];
        System.arraycopy(t, 0, r, 0, length);
        return r;
    }

    private void filler() throws IOException {
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            filler1();
        }
    }

    private void filler1() throws IOException {
        int pick = rnd.nextInt(100);
        if (pick < 40) {
            // TLS application data on an established connection
            Tcp t = new Tcp(ephemeralPort(), 443);
            t.clientSeq = rnd.nextInt() & 0xffffffffL;
            t.serverSeq = rnd.nextInt() & 0xffffffffL;
            if (rnd.nextBoolean()) {
                t.segment(false, t.serverSeq, t.clientSeq, 0x18, appData(100 + rnd.nextInt(1300)));
            } else {
                t.segment(true, t.clientSeq, t.serverSeq, 0x10, new byte[0]);
            }
        } else if (pick < 60) {
            // QUIC short header (1-RTT) to 443
            byte[] p = new byte[60 + rnd.nextInt(1100)];
            rnd.nextBytes(p);
            p[0] = (byte) (0x40 | (p[0] & 0x3f));
            p[4] = (byte) 0xff;
            p[5] = (byte) 0xff;
            udp(client, ephemeralPort(), server, 443, p);
        } else if (pick < 80) {
            // UDP to another port; qdcount 0xffff so it can never pass for DNS
            byte[] p = new byte[20 + rnd.nextInt(400)];
            rnd.nextBytes(p);
            p[4] = (byte) 0xff;
            p[5] = (byte) 0xff;
            udp(client, ephemeralPort(), server, 1024 + rnd.nextInt(30000), p);
        } else if (pick < 88) {
            // ICMP echo request (IPv4) / ICMPv6 echo request
            byte[] p = new byte[8 + 56];
            rnd.nextBytes(p);
            p[0] = (byte) (v6 ? 128 : 8);
            p[1] = 0;
            p[2] = 0;
            p[3] = 0;
            ip(client, server, v6 ? 58 : 1, p, v6 ? 2 : -1);
        } else if (pick < 95) {
            arp();
        } else {
            // mDNS: local-link names are not lookups and must not be reported
            byte[] q = dnsQuery(0, "printer-" + rnd.nextInt(1000) + ".local", 1);
            udp(client, 5353, v6 ? hexBytes("ff0200000000000000000000000000fb") : new byte[] {(byte) 224, 0, 0, (byte) 251},
                    5353, q);
        }
    }

    // ---------------------------------------------------------------- TCP

    /** One TCP connection of the current session; client and server sequence numbers. */
    private final class Tcp {
        final int clientPort;
        final int serverPort;
        long clientSeq = rnd.nextInt() & 0xffffffffL;
        long serverSeq = rnd.nextInt() & 0xffffffffL;

        Tcp(int clientPort, int serverPort) {
            this.clientPort = clientPort;
            this.serverPort = serverPort;
        }

        void handshake() throws IOException {
            segment(true, clientSeq, 0, 0x02, new byte[0]);
            clientSeq++;
            segment(false, serverSeq, clientSeq, 0x12, new byte[0]);
            serverSeq++;
            segment(true, clientSeq, serverSeq, 0x10, new byte[0]);
        }

        void clientData(byte[] data) throws IOException {
            segment(true, clientSeq, serverSeq, 0x18, data);
            clientSeq += data.length;
        }

        void serverData(byte[] data) throws IOException {
            segment(false, serverSeq, clientSeq, 0x18, data);
            serverSeq += data.length;
        }

        void ack() throws IOException {
            segment(true, clientSeq, serverSeq, 0x10, new byte[0]);
        }

        void fin() throws IOException {
            segment(true, clientSeq, serverSeq, 0x11, new byte[0]);
            clientSeq++;
            segment(false, serverSeq, clientSeq, 0x11, new byte[0]);
            serverSeq++;
        }

        /** A TCP segment (RFC 9293 section 3.1), 20-byte header. */
        void segment(boolean fromClient, long seq, long ack, int flags, byte[] payload) throws IOException {
            ByteBuffer t = ByteBuffer.allocate(20 + payload.length);
            t.putShort((short) (fromClient ? clientPort : serverPort)).putShort((short) (fromClient ? serverPort : clientPort))
                    .putInt((int) seq).putInt((int) ack).put((byte) 0x50).put((byte) flags).putShort((short) 64240)
                    .putShort((short) 0).putShort((short) 0).put(payload);
            byte[] seg = t.array();
            byte[] src = fromClient ? client : server;
            byte[] dst = fromClient ? server : client;
            putChecksum(seg, 16, src, dst, 6);
            ip(src, dst, 6, seg, -1);
        }
    }

    // ---------------------------------------------------------------- layers

    private void udp(byte[] src, int srcPort, byte[] dst, int dstPort, byte[] payload) throws IOException {
        ByteBuffer u = ByteBuffer.allocate(8 + payload.length);
        u.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        byte[] d = u.array();
        putChecksum(d, 6, src, dst, 17);
        if (d[6] == 0 && d[7] == 0) {
            d[6] = (byte) 0xff;
            d[7] = (byte) 0xff;
        }
        ip(src, dst, 17, d, -1);
    }

    /** IPv4 (RFC 791) or IPv6 (RFC 8200) by address length, in an Ethernet frame with the session's tags. */
    private void ip(byte[] src, byte[] dst, int protocol, byte[] transport, int icmp6ChecksumAt) throws IOException {
        frame.clear();
        frame.put(new byte[] {0x02, 0, 0, 0, 0, 0x02}).put(new byte[] {0x02, 0, 0, 0, 0, 0x01});
        for (int i = 0; i < vlans.length; i++) {
            frame.putShort((short) (vlans.length == 2 && i == 0 ? 0x88A8 : 0x8100)).putShort((short) vlans[i]);
        }
        if (src.length == 4) {
            frame.putShort((short) ETH_IPV4);
            int start = frame.position();
            frame.put((byte) 0x45).put((byte) 0).putShort((short) (20 + transport.length))
                    .putShort((short) rnd.nextInt(65536)).putShort((short) 0x4000).put((byte) 64).put((byte) protocol)
                    .putShort((short) 0).put(src).put(dst);
            int sum = onesComplement(frame.array(), start, 20, 0);
            frame.putShort(start + 10, (short) sum);
        } else {
            frame.putShort((short) ETH_IPV6);
            frame.putInt(0x60000000).putShort((short) transport.length).put((byte) protocol).put((byte) 64)
                    .put(src).put(dst);
            if (protocol == 58) {
                putChecksum(transport, icmp6ChecksumAt, src, dst, 58);
            }
        }
        if (protocol == 1) {
            transport[2] = 0;
            transport[3] = 0;
            int sum = onesComplement(transport, 0, transport.length, 0);
            transport[2] = (byte) (sum >> 8);
            transport[3] = (byte) sum;
        }
        frame.put(transport);
        emit();
    }

    /** ARP request (RFC 826) for a server address. */
    private void arp() throws IOException {
        frame.clear();
        frame.put(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff})
                .put(new byte[] {0x02, 0, 0, 0, 0, 0x01}).putShort((short) 0x0806);
        frame.putShort((short) 1).putShort((short) 0x0800).put((byte) 6).put((byte) 4).putShort((short) 1)
                .put(new byte[] {0x02, 0, 0, 0, 0, 0x01}).put(new byte[] {10, 1, 0, 1})
                .put(new byte[6]).put(new byte[] {(byte) 192, 0, 2, (byte) (1 + rnd.nextInt(254))});
        while (frame.position() < 60) {
            frame.put((byte) 0);
        }
        emit();
    }

    private void emit() throws IOException {
        int len = frame.position();
        timeMicros += 1 + rnd.nextInt(20);
        rec.clear();
        rec.putInt((int) (timeMicros / 1_000_000)).putInt((int) (timeMicros % 1_000_000)).putInt(len).putInt(len);
        out.write(rec.array(), 0, 16);
        out.write(frame.array(), 0, len);
        written++;
        if (written > target) {
            throw new IllegalStateException("generator wrote more than " + target + " frames");
        }
    }

    /** UDP/TCP/ICMPv6 checksum over the pseudo-header (RFC 768, RFC 9293, RFC 8200 section 8.1). */
    private static void putChecksum(byte[] seg, int at, byte[] src, byte[] dst, int protocol) {
        seg[at] = 0;
        seg[at + 1] = 0;
        int sum = 0;
        for (int i = 0; i < src.length; i += 2) {
            sum += ((src[i] & 0xff) << 8) | (src[i + 1] & 0xff);
            sum += ((dst[i] & 0xff) << 8) | (dst[i + 1] & 0xff);
        }
        sum += protocol + seg.length;
        int c = onesComplement(seg, 0, seg.length, sum);
        seg[at] = (byte) (c >> 8);
        seg[at + 1] = (byte) c;
    }

    private static int onesComplement(byte[] b, int off, int len, int initial) {
        long sum = initial & 0xffffffffL;
        int i = off;
        for (; i + 1 < off + len; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        if (i < off + len) {
            sum += (b[i] & 0xff) << 8;
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    // ---------------------------------------------------------------- bytes

    private static void putName(ByteBuffer b, String name) {
        for (String label : name.split("\\.")) {
            byte[] l = ascii(label);
            b.put((byte) l.length).put(l);
        }
        b.put((byte) 0);
    }

    /** A QUIC variable-length integer (RFC 9000 section 16). */
    private static void putVarint(ByteBuffer b, long v) {
        if (v < 64) {
            b.put((byte) v);
        } else if (v < 16384) {
            b.putShort((short) (0x4000 | v));
        } else {
            b.putInt((int) (0x80000000L | v));
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] u16(int v) {
        return new byte[] {(byte) (v >> 8), (byte) v};
    }

    private static byte[] slice(ByteBuffer b) {
        byte[] r = new byte[b.position()];
        System.arraycopy(b.array(), 0, r, 0, r.length);
        return r;
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] r = new byte[n];
        int o = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, r, o, p.length);
            o += p.length;
        }
        return r;
    }

    private static byte[] hexBytes(String hex) {
        byte[] r = new byte[hex.length() / 2];
        for (int i = 0; i < r.length; i++) {
            r[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        return r;
    }
}
