package dev.umbra.sensor.fuzz;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.fragments;
import static dev.umbra.sensor.TestFrames.h2Frame;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.hpackLiteral;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.name;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.decode.LinkType;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.decode.ProxyProtocol;
import dev.umbra.sensor.dns.DnsMessage;
import dev.umbra.sensor.dns.DnsParser;
import dev.umbra.sensor.http.Http2Connection;
import dev.umbra.sensor.http.HttpRequestParser;
import dev.umbra.sensor.kerberos.Der;
import dev.umbra.sensor.tls.ClientHello;
import dev.umbra.sensor.tls.ClientHelloParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random and mutated inputs, 1,000,000 per decoder (see {@link Mutator}; 5 % of them wholly
 * random bytes). The parsers must return a status or null for every one of them and stay within
 * their caps (questions, records, name length, list entries, head length, observations per packet);
 * the packet decoder must never reach its last-resort guard (decoder_error). The QUIC decoder and
 * the capture-file reader have their own (QuicFuzzTest, CaptureFileReaderFuzzTest). The timeouts
 * only guard against a loop without a cap; no time is asserted.
 */
class DecoderFuzzTest {
    private static final int RUNS = Mutator.RUNS;

    @Test
    @Timeout(120)
    void dnsParse_millionMutatedMessages_neverThrow() {
        AnomalyCounters anomalies = new AnomalyCounters();
        DnsParser parser = new DnsParser(anomalies);
        byte[] https = concat(hex("12348180000100010000 0000".replace(" ", "")), name("chatgpt.com"), hex("00410001"),
                hex("c00c004100010000012c0016"), hex("0001"), hex("00"), hex("00010003026832"),
                hex("00040004681220 2f".replace(" ", "")), hex("0005 0001 01".replace(" ", "")));
        byte[][] seeds = {dnsQuery(1, "api.openai.com", 1),
            dnsResponseWithCname(2, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", "104.18.32.47", "2606:4700::1"),
            https};
        Mutator m = Mutator.forTest(1, 600);
        int parsed = 0;
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            DnsMessage msg = parser.parse(m.buffer(), 0, len);
            if (msg != null) {
                parsed++;
                // caps: questions and records read, and name length (255 octets, 4 characters each at most as \ddd)
                if (msg.questions().size() > DnsParser.MAX_QUESTIONS || msg.answers().size() > 2 * DnsParser.MAX_RECORDS
                        || msg.questions().stream().anyMatch(q -> q.name().length() > 4 * DnsParser.MAX_NAME_OCTETS)) {
                    throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + " exceeded a DNS cap: " + msg);
                }
            }
            DnsParser.plausible(m.buffer(), 0, len);
        }
        assertThat(parsed).isPositive();
        assertThat(anomalies.get(Anomaly.DNS_NAME_POINTER_LOOP) + anomalies.get(Anomaly.DNS_TRUNCATED)).isPositive();
    }

    @Test
    @Timeout(120)
    void clientHelloParse_millionMutatedHellos_neverThrow() {
        ClientHelloParser parser = new ClientHelloParser();
        byte[][] seeds = {clientHello("api.anthropic.com", List.of("h2", "http/1.1"), 1216),
            clientHello(null, List.of(), 32), clientHello("x.example", List.of("h3"), 64)};
        Mutator m = Mutator.forTest(2, 1600);
        int ok = 0;
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            if (parser.parseRecord(m.buffer(), 0, len) == ClientHelloParser.OK) {
                ok++;
                ClientHello h = parser.result();
                if (h.alpn().size() > ClientHelloParser.MAX_LIST_ENTRIES
                        || h.supportedVersions().size() > ClientHelloParser.MAX_LIST_ENTRIES) {
                    throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + " exceeded a list cap: " + h);
                }
                h.tlsVersion();
            }
            if (len > 5) {
                parser.parseHandshake(m.buffer(), 5, len - 5, (i & 1) == 0);
            }
        }
        assertThat(ok).isPositive();
    }

    @Test
    @Timeout(120)
    void httpAndProxyParse_millionMutatedHeads_neverThrow() {
        HttpRequestParser parser = new HttpRequestParser();
        byte[][] seeds = {
            "POST /v1/chat/completions?key=x HTTP/1.1\r\nHost: api.openai.com\r\nContent-Length: 2\r\n\r\n{}"
                    .getBytes(StandardCharsets.US_ASCII),
            "CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            "GET http://ollama.lan:11434/api/tags HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            "PROXY TCP4 192.0.2.1 198.51.100.7 51000 443\r\n".getBytes(StandardCharsets.US_ASCII),
            hex("0d0a0d0a000d0a515549540a2111000c000000000000000000000000")};
        Mutator m = Mutator.forTest(3, 300);
        int ok = 0;
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            if (parser.parse(m.buffer(), 0, len) == HttpRequestParser.OK) {
                ok++;
                int head = parser.result().headLength();
                if (head > len || head > HttpRequestParser.MAX_HEAD_LENGTH) {
                    throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": head of " + head + " bytes from " + len);
                }
            }
            int h = ProxyProtocol.headerLength(m.buffer(), 0, len);
            assertThat(h).isGreaterThanOrEqualTo(ProxyProtocol.MALFORMED);
        }
        assertThat(ok).isPositive();
    }

    @Test
    @Timeout(120)
    void packetDecoder_millionMutatedFramesOfEveryLinkType_neverHitTheGuard() {
        AnomalyCounters anomalies = new AnomalyCounters();
        long[] observations = new long[1];
        PacketDecoder decoder = new PacketDecoder("fuzz", o -> observations[0]++, anomalies);
        decoder.nameClientsAsTap();
        byte[] dns = ip("10.0.0.5", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, "api.openai.com", 1)));
        // a KDC's replies naming the client (over UDP, and over TCP behind its 4-byte length)
        byte[] asRep = Der.kdcReply(11, true, "UMBRA.TEST", Der.principal(1, "alice"));
        byte[] kdcUdp = ip("10.0.0.88", "10.0.0.5", 17, udp(88, 40000, asRep));
        byte[] kdcTcp = ip("2001:db8::88", "2001:db8::5", 6, tcp(88, 40000, 1, 0x18, concat(new byte[] {0, 0,
                (byte) (asRep.length >> 8), (byte) asRep.length}, Der.kdcReply(13, false, "UMBRA.TEST",
                Der.principal(10, "bob@umbra.test")))));
        byte[] hello = ip("10.0.0.5", "198.51.100.7", 6, tcp(40000, 443, 1, 0x18,
                clientHello("claude.ai", List.of("h2"), 200)));
        byte[] v6 = ip("2001:db8::5", "2001:db8::53", 17, udp(40000, 53, dnsQuery(1, "v6.example", 28)));
        byte[] vxlan = ip("192.0.2.1", "192.0.2.2", 17, udp(1, 4789, concat(hex("0800000000000100"),
                ethernet(dns))));
        byte[] gtp = ip("192.0.2.1", "192.0.2.2", 17, udp(2152, 2152, concat(hex("34ff0000000000010000000001010000"),
                dns)));
        byte[] gre = ip("192.0.2.1", "192.0.2.2", 47, concat(hex("20006558 00000001".replace(" ", "")),
                ethernet(hello)));
        byte[] http = ip("10.0.0.5", "10.0.0.9", 6, tcp(40000, 11434, 1, 0x18,
                "POST /api/chat HTTP/1.1\r\nHost: ollama\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
        byte[] answer = dnsResponseWithCname(3, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", "104.18.32.47",
                "104.18.32.48", "2606:4700::1", "2606:4700::2");
        // DHCP and DHCPv6 leases naming the device, and an SMB logon naming the user
        byte[] dhcpRequest = ip("0.0.0.0", "255.255.255.255", 17, udp(68, 67, dev.umbra.sensor.dhcp.DhcpFrames.client(3, 9,
                dev.umbra.sensor.dhcp.DhcpFrames.mac(1)).hostName("ALICE-LAPTOP").bytes()));
        byte[] dhcpAck = ip("10.0.0.1", "255.255.255.255", 17, udp(67, 68, dev.umbra.sensor.dhcp.DhcpFrames.server(5, 9,
                dev.umbra.sensor.dhcp.DhcpFrames.mac(1)).yiaddr(0x0a000005).lease(3600).fqdn("alice.corp.example", true)
                .bytes()));
        byte[] dhcp6Request = ip("fe80::10", "ff02::1:2", 17, udp(546, 547, dev.umbra.sensor.dhcp.Dhcp6Frames.of(3, 9,
                dev.umbra.sensor.dhcp.Dhcp6Frames.duid(1)).fqdn("alice.corp.example", true).bytes()));
        byte[] dhcp6Reply = ip("fe80::1", "fe80::10", 17, udp(547, 546, dev.umbra.sensor.dhcp.Dhcp6Frames.relay(13,
                dev.umbra.sensor.dhcp.Dhcp6Frames.of(7, 9, dev.umbra.sensor.dhcp.Dhcp6Frames.duid(1)).iaNa(1,
                        dev.umbra.sensor.dhcp.Dhcp6Frames.iaaddr("2001:db8::5", 3600)).bytes())));
        byte[] smbSetup = ip("10.0.0.5", "10.0.0.2", 6, tcp(40001, 445, 1, 0x18, dev.umbra.sensor.smb.SmbFrames.frame(
                dev.umbra.sensor.smb.SmbFrames.sessionSetupRequest(2, dev.umbra.sensor.smb.SmbFrames.ntlmAuthenticate(
                        "CORP", "alice", "WS01", true, false)))));
        byte[] smbAccept = ip("10.0.0.2", "10.0.0.5", 6, tcp(445, 40001, 1, 0x18, dev.umbra.sensor.smb.SmbFrames.frame(
                dev.umbra.sensor.smb.SmbFrames.sessionSetupResponse(2, 0, 0))));
        List<byte[]> answerFragments4 = fragments(ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40000, answer)), 77, 64);
        List<byte[]> answerFragments6 = fragments(ip("2001:db8::53", "2001:db8::5", 17, udp(53, 40000, answer)), 78, 64);
        Object[][] seeds = {
            {LinkType.ETHERNET, ethernet(dns, 100, 200)}, {LinkType.ETHERNET, ethernet(hello)},
            {LinkType.RAW, v6}, {LinkType.ETHERNET, ethernet(vxlan)}, {LinkType.RAW, gtp}, {LinkType.RAW, gre},
            {LinkType.LINUX_SLL, concat(hex("00000001000600000000000000000800"), dns)},
            {LinkType.LINUX_SLL2, concat(hex("0800000000000001000100060000000000000000"), hello)},
            {LinkType.NULL, concat(hex("02000000"), http)}, {LinkType.PPP, concat(hex("ff030021"), dns)},
            {LinkType.PPP_ETHER, concat(hex("1100000100000021"), dns)}, {LinkType.PPI, concat(hex("0000080001000000"),
                ethernet(dns))}, {LinkType.PKTAP, concat(hex("0800000001000000"), ethernet(dns))},
            {LinkType.NFLOG, concat(hex("02000000"), new byte[] {(byte) (4 + dns.length), (byte) ((4 + dns.length) >> 8),
                9, 0}, dns)},
            // IPv4 and IPv6 fragments of a DNS answer, in order (reassembly with mutated pieces)
            {LinkType.RAW, answerFragments4.get(0)}, {LinkType.RAW, answerFragments4.get(1)},
            {LinkType.RAW, answerFragments6.get(0)}, {LinkType.RAW, answerFragments6.get(1)},
            {LinkType.ETHERNET, ethernet(kdcUdp)}, {LinkType.RAW, kdcTcp},
            {LinkType.ETHERNET, ethernet(dhcpRequest)}, {LinkType.ETHERNET, ethernet(dhcpAck)},
            {LinkType.RAW, dhcp6Request}, {LinkType.RAW, dhcp6Reply},
            {LinkType.RAW, smbSetup}, {LinkType.RAW, smbAccept}};
        Mutator m = Mutator.forTest(4, 1600);
        long maxPerPacket = (long) PacketDecoder.MAX_DNS_MESSAGES_PER_SEGMENT * DnsParser.MAX_QUESTIONS
                + PacketDecoder.MAX_STREAM_STEPS + 2;
        for (int i = 0; i < RUNS; i++) {
            Object[] seed = seeds[i % seeds.length];
            int len = m.mutate((byte[]) seed[1]);
            int link = (i % 97 == 0) ? i % 300 : (int) seed[0];
            long before = observations[0];
            decoder.onPacket(link, i * 1000L, m.buffer(), 0, len, len);
            if (observations[0] - before > maxPerPacket) {
                throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + (observations[0] - before) + " observations");
            }
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(observations[0]).isPositive();
    }

    /**
     * TCP reassembly: connections whose SYN, ClientHello (post-quantum sized, split in three and
     * reordered), DNS messages (split mid-message), CONNECT-then-hello, a SOCKS5 opening (greeting,
     * password, request, then a hello) and a cleartext HTTP/2 opening (preface, SETTINGS, HEADERS split
     * over a CONTINUATION) arrive as mutated segments,
     * so that streams are opened, filled out of order, overflowed, evicted and flushed.
     */
    @Test
    @Timeout(120)
    void packetDecoder_millionMutatedSegmentsOfSplitStreams_neverHitTheGuard() {
        AnomalyCounters anomalies = new AnomalyCounters();
        long[] observations = new long[1];
        PacketDecoder decoder = new PacketDecoder("fuzz", o -> observations[0]++, anomalies);
        byte[] hello = clientHello("api.openai.com", List.of("h2", "http/1.1"), 1216);
        byte[] q1 = dnsQuery(1, "api.mistral.ai", 1);
        byte[] q2 = dnsQuery(2, "api.cohere.com", 28);
        byte[] dns = concat(new byte[] {0, (byte) q1.length}, q1, new byte[] {0, (byte) q2.length}, q2);
        byte[] connect = concat("CONNECT claude.ai:443 HTTP/1.1\r\nHost: claude.ai:443\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII), clientHello("claude.ai", List.of("h2"), 64));
        byte[] socks = concat(new byte[] {5, 2, 0, 2}, new byte[] {1, 1, 'u', 1, 'p'},
                new byte[] {5, 1, 0, 3, 9}, "claude.ai".getBytes(StandardCharsets.US_ASCII), new byte[] {1, (byte) 0xbb},
                clientHello("claude.ai", List.of("h2"), 64));
        byte[] block = concat(new byte[] {(byte) 0x83, (byte) 0x86},
                hpackLiteral(":path", "/inference.GRPCInferenceService/ModelInfer"),
                hpackLiteral(":authority", "triton.lab.example:8001"));
        byte[] h2c = concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[] {0, 3, 0, 0, 0, 100}),
                h2Frame(1, 0, 1, slice(block, 0, 10)), h2Frame(9, 4, 1, slice(block, 10, block.length)));
        int a = 500;
        int b = 1000;
        byte[][] sequence = {
            segment(443, 100, 0x02, new byte[0]),
            segment(443, 101 + b, 0x18, slice(hello, b, hello.length)),
            segment(443, 101, 0x18, slice(hello, 0, a)),
            segment(443, 101 + a, 0x18, slice(hello, a, b)),
            segment(53, 7, 0x18, slice(dns, 0, 20)),
            segment(53, 27, 0x18, slice(dns, 20, dns.length)),
            segment(3128, 50, 0x02, new byte[0]),
            segment(3128, 51, 0x18, slice(connect, 0, 40)),
            segment(3128, 91, 0x18, slice(connect, 40, connect.length)),
            segment(1080, 10, 0x02, new byte[0]),
            segment(1080, 11, 0x18, slice(socks, 0, 4)),
            segment(1080, 15, 0x18, slice(socks, 4, 9)),
            segment(1080, 20, 0x18, slice(socks, 9, socks.length)),
            segment(8001, 30, 0x02, new byte[0]),
            segment(8001, 31 + 40, 0x18, slice(h2c, 40, h2c.length)),
            segment(8001, 31, 0x18, slice(h2c, 0, 40)),
            segment(443, 101, 0x11, new byte[0])};
        Mutator m = Mutator.forTest(5, 1800);
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(sequence[i % sequence.length]);
            decoder.onPacket(LinkType.RAW, i * 1_000_000L, m.buffer(), 0, len, len);
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(anomalies.get(Anomaly.TCP_STREAM_INCOMPLETE)).isPositive();
        assertThat(observations[0]).isPositive();
    }

    private static byte[] segment(int dstPort, long seq, int flags, byte[] payload) {
        return ip("10.0.0.5", "198.51.100.7", 6, tcp(40000 + dstPort % 7, dstPort, seq, flags, payload));
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
