package dev.umbra.sensor.fuzz;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
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
import dev.umbra.sensor.dns.DnsParser;
import dev.umbra.sensor.http.HttpRequestParser;
import dev.umbra.sensor.tls.ClientHelloParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random and mutated inputs, 1,000,000 per decoder (see {@link Mutator}). The parsers must
 * return a status or null for every one of them; the packet decoder must never reach its
 * last-resort guard (decoder_error). The timeouts only guard against a loop without a cap; no time
 * is asserted.
 */
class DecoderFuzzTest {
    private static final int RUNS = 1_000_000;

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
        Mutator m = new Mutator(1, 600);
        int parsed = 0;
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            if (parser.parse(m.buffer(), 0, len) != null) {
                parsed++;
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
        Mutator m = new Mutator(2, 1600);
        int ok = 0;
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            if (parser.parseRecord(m.buffer(), 0, len) == ClientHelloParser.OK) {
                ok++;
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
        Mutator m = new Mutator(3, 300);
        int ok = 0;
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            if (parser.parse(m.buffer(), 0, len) == HttpRequestParser.OK) {
                ok++;
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
        byte[] dns = ip("10.0.0.5", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, "api.openai.com", 1)));
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
        Object[][] seeds = {
            {LinkType.ETHERNET, ethernet(dns, 100, 200)}, {LinkType.ETHERNET, ethernet(hello)},
            {LinkType.RAW, v6}, {LinkType.ETHERNET, ethernet(vxlan)}, {LinkType.RAW, gtp}, {LinkType.RAW, gre},
            {LinkType.LINUX_SLL, concat(hex("00000001000600000000000000000800"), dns)},
            {LinkType.LINUX_SLL2, concat(hex("0800000000000001000100060000000000000000"), hello)},
            {LinkType.NULL, concat(hex("02000000"), http)}, {LinkType.PPP, concat(hex("ff030021"), dns)},
            {LinkType.PPP_ETHER, concat(hex("1100000100000021"), dns)}, {LinkType.PPI, concat(hex("0000080001000000"),
                ethernet(dns))}, {LinkType.PKTAP, concat(hex("0800000001000000"), ethernet(dns))},
            {LinkType.NFLOG, concat(hex("02000000"), new byte[] {(byte) (4 + dns.length), (byte) ((4 + dns.length) >> 8),
                9, 0}, dns)}};
        Mutator m = new Mutator(4, 1600);
        for (int i = 0; i < RUNS; i++) {
            Object[] seed = seeds[i % seeds.length];
            int len = m.mutate((byte[]) seed[1]);
            int link = (i % 97 == 0) ? i % 300 : (int) seed[0];
            decoder.onPacket(link, i * 1000L, m.buffer(), 0, len, len);
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(observations[0]).isPositive();
    }
}
