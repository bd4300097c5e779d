package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.name;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.dns.DnsMessage;
import dev.umbra.sensor.dns.DnsParser;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** DNS answers feeding the address cache, and flows without SNI named from it. */
class AttributionTest {
    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);

    private void feed(long time, byte[] ipPacket) {
        byte[] f = ethernet(ipPacket);
        decoder.onPacket(1, time, f, 0, f.length, f.length);
    }

    @Test
    void flowEnd_flowWithoutSni_isNamedByEarlierDnsAnswerAndCarriesUploadBytes() {
        feed(0, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40000,
                dnsResponseWithCname(1, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", "104.18.32.47"))));
        // an ECH or resumed connection: data but no readable SNI
        byte[] upload = new byte[4000];
        upload[0] = 23; // TLS application data
        feed(1_000_000_000L, ip("10.0.0.5", "104.18.32.47", 6, tcp(50000, 443, 100, 0x02, new byte[0])));
        feed(1_100_000_000L, ip("10.0.0.5", "104.18.32.47", 6, tcp(50000, 443, 101, 0x18, upload)));
        feed(1_200_000_000L, ip("104.18.32.47", "10.0.0.5", 6, tcp(443, 50000, 7, 0x18, new byte[123])));
        feed(1_300_000_000L, ip("10.0.0.5", "104.18.32.47", 6, tcp(50000, 443, 4101, 0x04, new byte[0])));
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("chatgpt.com");
            assertThat(o.bytesOut()).isEqualTo(4000);
            assertThat(o.bytesIn()).isEqualTo(123);
            assertThat(o.clientIp()).isEqualTo("10.0.0.5");
            assertThat(o.serverIp()).isEqualTo("104.18.32.47");
        });
        assertThat(decoder.names().names("104.18.32.47")).containsExactly("chatgpt.com");
    }

    @Test
    void tick_afterIdleTimeout_endsFlowWithoutAnotherPacket() {
        feed(0, ip("10.0.0.5", "10.0.0.9", 6, tcp(50002, 11434, 1, 0x18,
                "POST /api/chat HTTP/1.1\r\nHost: ollama.lan\r\n\r\n{}".getBytes(
                        java.nio.charset.StandardCharsets.US_ASCII))));
        decoder.tick(60_000_000_000L);
        assertThat(seen).extracting(Observation::kind).containsExactly(ObservationKind.HTTP_REQUEST);
        decoder.tick(dev.umbra.sensor.flow.FlowTable.DEFAULT_IDLE_NANOS + 1);
        assertThat(seen).extracting(Observation::kind)
                .containsExactly(ObservationKind.HTTP_REQUEST, ObservationKind.FLOW_END);
        assertThat(seen.get(1).hostname()).isEqualTo("ollama.lan");
        assertThat(seen.get(1).bytesOut()).isPositive();
    }

    @Test
    void flowEnd_unknownServer_isNotReported() {
        feed(0, ip("10.0.0.5", "192.0.2.9", 6, tcp(50001, 443, 1, 0x18, new byte[10])));
        decoder.finish();
        assertThat(seen).isEmpty();
    }

    @Test
    void onPacket_httpsAnswerWithEchConfig_dnsAnswerMarkedEchAndPlainAnswerNot() {
        feed(0, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40000, httpsAnswerWithEch())));
        feed(1, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40001,
                dnsResponseWithCname(2, "claude.ai", "claude.ai.cdn.example", "160.79.104.10"))));
        assertThat(seen).extracting(Observation::kind, Observation::hostname, Observation::ech).containsExactly(
                org.assertj.core.groups.Tuple.tuple(ObservationKind.DNS_ANSWER, "chatgpt.com", true),
                org.assertj.core.groups.Tuple.tuple(ObservationKind.DNS_ANSWER, "claude.ai", false));
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void parse_httpsRecordWithEchAndHints_marksEchAndFeedsHints() {
        byte[] msg = httpsAnswerWithEch();
        DnsMessage m = new DnsParser(anomalies).parse(msg, 0, msg.length);
        assertThat(m.echConfig()).isTrue();
        assertThat(m.answers()).extracting(r -> r.data()).containsExactly("104.18.32.47");
        assertThat(anomalies.total()).isZero();
    }

    /** An HTTPS answer for {@code qname}: ServiceMode, TargetName ".", ech = an ECHConfigList for {@code publicName}. */
    private static byte[] httpsAnswerWithEchConfig(String qname, String publicName) {
        byte[] ech = dev.umbra.sensor.TestFrames.echConfigList(publicName);
        byte[] rdata = concat(hex("000100" + "0005"), new byte[] {(byte) (ech.length >> 8), (byte) ech.length}, ech);
        return concat(hex("43218180000100010000 0000".replace(" ", "")), name(qname), hex("00410001"),
                hex("c00c004100010000012c"), new byte[] {(byte) (rdata.length >> 8), (byte) rdata.length}, rdata);
    }

    /** A connection with one hello from 10.0.0.5 to the server, then its end (RST). */
    private void connection(long time, int port, String server, byte[] hello) {
        feed(time, ip("10.0.0.5", server, 6, tcp(port, 443, 100, 0x02, new byte[0])));
        feed(time + 1, ip("10.0.0.5", server, 6, tcp(port, 443, 101, 0x18, hello)));
        feed(time + 2, ip("10.0.0.5", server, 6, tcp(port, 443, 101 + hello.length, 0x04, new byte[0])));
    }

    private List<String> ends() {
        return seen.stream().filter(o -> o.kind() == ObservationKind.FLOW_END).map(Observation::hostname).toList();
    }

    @Test
    void flowEnd_echHelloWithThePublishedPublicName_isNamedByTheNameThatPublishedIt() {
        // chatgpt.com publishes an ECH config whose public name is cloudflare-ech.com, and its address
        feed(0, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40000, httpsAnswerWithEchConfig("chatgpt.com",
                "cloudflare-ech.com"))));
        feed(1, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40001,
                dnsResponseWithCname(2, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", "104.18.32.47"))));
        // another name on the same address, more recent, with no ECH config
        feed(2, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40002,
                dnsResponseWithCname(3, "example.org", "example.org.cdn.cloudflare.net", "104.18.32.47"))));
        connection(1_000_000_000L, 50000, "104.18.32.47",
                dev.umbra.sensor.TestFrames.clientHello("cloudflare-ech.com", List.of("h2"), 32, true));
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).singleElement().satisfies(o -> {
            assertThat(o.hostname()).as("the observation says what crossed the wire").isEqualTo("cloudflare-ech.com");
            assertThat(o.ech()).isTrue();
        });
        assertThat(ends()).containsExactly("chatgpt.com");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void flowEnd_echHelloOtherwise_keepsItsSni() {
        feed(0, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40000, httpsAnswerWithEchConfig("chatgpt.com",
                "cloudflare-ech.com"))));
        feed(1, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40001,
                dnsResponseWithCname(2, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", "104.18.32.47"))));
        // GREASE ECH (Chrome's every hello): the SNI is the real name
        connection(1_000_000_000L, 50001, "104.18.32.47",
                dev.umbra.sensor.TestFrames.clientHello("chatgpt.com", List.of("h2"), 32, true));
        // another provider's public name: not what chatgpt.com published
        connection(2_000_000_000L, 50002, "104.18.32.47",
                dev.umbra.sensor.TestFrames.clientHello("other-ech.example", List.of("h2"), 32, true));
        // the published public name, but no ECH extension: a visit to the public name itself
        connection(3_000_000_000L, 50003, "104.18.32.47",
                dev.umbra.sensor.TestFrames.clientHello("cloudflare-ech.com", List.of("h2"), 32, false));
        // the published public name with ECH, to an address DNS gave no name that published it
        connection(4_000_000_000L, 50004, "198.51.100.9",
                dev.umbra.sensor.TestFrames.clientHello("cloudflare-ech.com", List.of("h2"), 32, true));
        assertThat(ends()).containsExactly("chatgpt.com", "other-ech.example", "cloudflare-ech.com",
                "cloudflare-ech.com");
    }

    @Test
    void echPublicNames_keepTheNewestWithinTheirCap() {
        int n = PacketDecoder.MAX_ECH_NAMES + 1;
        for (int i = 0; i < n; i++) {
            feed(i, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40000, httpsAnswerWithEchConfig("n" + i + ".example",
                    "ech.example"))));
        }
        feed(n, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40001, dnsResponseWithCname(2, "n0.example", "c.example",
                "192.0.2.1"))));
        feed(n + 1, ip("10.0.0.53", "10.0.0.5", 17, udp(53, 40001, dnsResponseWithCname(2, "n" + (n - 1)
                + ".example", "c.example", "192.0.2.2"))));
        connection(1_000_000_000L, 50005, "192.0.2.1",
                dev.umbra.sensor.TestFrames.clientHello("ech.example", List.of(), 32, true));
        connection(2_000_000_000L, 50006, "192.0.2.2",
                dev.umbra.sensor.TestFrames.clientHello("ech.example", List.of(), 32, true));
        assertThat(ends()).as("the eldest config was forgotten").containsExactly("ech.example", "n" + (n - 1) + ".example");
    }

    /** RFC 9460 answer for chatgpt.com: HTTPS 1 . alpn=h2 ipv4hint=104.18.32.47 ech=<config>. */
    private static byte[] httpsAnswerWithEch() {
        byte[] rdata = concat(hex("0001"), hex("00"), hex("00010003026832"), hex("00040004681220 2f".replace(" ", "")),
                hex("000500040102 0304".replace(" ", "")));
        return concat(hex("12348180000100010000 0000".replace(" ", "")), name("chatgpt.com"), hex("00410001"),
                hex("c00c004100010000012c"), new byte[] {0, (byte) rdata.length}, rdata);
    }
}
