package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.kerberos.Der;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KDC replies naming the clients of later observations, and the KDC addresses a decoder trusts. */
class KerberosNamingTest {
    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test", seen::add, anomalies);
    private long time = 1_700_000_000_000_000_000L;

    private void frame(byte[] ipPacket) {
        byte[] f = ethernet(ipPacket);
        time += 1_000_000;
        decoder.onPacket(LinkType.ETHERNET, time, f, 0, f.length, f.length);
    }

    private void kdcReply(String kdc, String client, String user) {
        frame(ip(kdc, client, 17, udp(88, 50000, Der.kdcReply(11, true, "CORP.EXAMPLE", Der.principal(1, user)))));
    }

    private void hello(String client, int port, String sni) {
        String server = client.contains(":") ? "2001:db8:ffff::7" : "198.51.100.7";
        frame(ip(client, server, 6, tcp(port, 443, 1, 0x18, clientHello(sni, List.of("h2"), 32))));
    }

    private String userOf(String sni) {
        return seen.stream().filter(o -> o.hostname().equals(sni)).findFirst().orElseThrow().user();
    }

    @Test
    void repliesFromTheListedKdcs_nameTheClient_othersAreCountedAndNameNoOne() {
        decoder.nameClientsByLogons(AddressBlocks.parse(List.of("10.0.0.0/29", "2001:db8::88"), "capture.kerberos_kdcs"),
                AddressBlocks.ANY);
        kdcReply("10.0.0.5", "10.1.0.10", "alice");
        kdcReply("10.9.9.9", "10.1.0.11", "mallory"); // not a domain controller
        frame(ip("2001:db8::88", "2001:db8:1::20", 17, udp(88, 50001, Der.kdcReply(13, false, "CORP.EXAMPLE",
                Der.principal(1, "bob")))));
        hello("10.1.0.10", 41000, "api.openai.com");
        hello("10.1.0.11", 41001, "claude.ai");
        hello("2001:db8:1::20", 41002, "gemini.google.com");
        assertThat(userOf("api.openai.com")).isEqualTo("alice@CORP.EXAMPLE");
        assertThat(userOf("claude.ai")).isNull();
        assertThat(userOf("gemini.google.com")).isEqualTo("bob@CORP.EXAMPLE");
        assertThat(anomalies.nonZero()).containsExactly(java.util.Map.entry(Anomaly.KERBEROS_REPLY_UNTRUSTED, 1L));
    }

    @Test
    void withoutKdcs_anyReplyNames_andADecoderNotAskedNamesNoOne() {
        PacketDecoder plain = new PacketDecoder("test", seen::add, anomalies);
        decoder.nameClientsByLogons();
        kdcReply("10.9.9.9", "10.1.0.11", "carol");
        hello("10.1.0.11", 41001, "claude.ai");
        byte[] f = ethernet(ip("10.9.9.9", "10.1.0.12", 17, udp(88, 50000, Der.kdcReply(11, true, "CORP.EXAMPLE",
                Der.principal(1, "dave")))));
        plain.onPacket(LinkType.ETHERNET, time, f, 0, f.length, f.length);
        byte[] h = ethernet(ip("10.1.0.12", "198.51.100.7", 6, tcp(41003, 443, 1, 0x18, clientHello("mistral.ai",
                List.of("h2"), 32))));
        plain.onPacket(LinkType.ETHERNET, time + 1, h, 0, h.length, h.length);
        assertThat(userOf("claude.ai")).isEqualTo("carol@CORP.EXAMPLE");
        assertThat(userOf("mistral.ai")).isNull();
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void addressBlocks_matchFlowKeyNumbers() {
        AddressBlocks b = AddressBlocks.parse(List.of("10.0.0.0/8", "192.0.2.7", "2001:db8::/32"), "test");
        assertThat(b.allows(FlowKey.V4_MARK, 0x0a010203L)).isTrue();
        assertThat(b.allows(FlowKey.V4_MARK, 0xc0000207L)).isTrue();
        assertThat(b.allows(FlowKey.V4_MARK, 0xc0000208L)).isFalse();
        assertThat(b.allows(FlowKey.V4_MARK, 0x0b000001L)).isFalse();
        assertThat(b.allows(0x20010db8_00000000L, 5)).isTrue();
        assertThat(b.allows(0x20010db9_00000000L, 5)).isFalse();
        assertThat(AddressBlocks.parse(List.of(), "test").allows(FlowKey.V4_MARK, 1)).isTrue();
        assertThatThrownBy(() -> AddressBlocks.parse(List.of("dc1.corp.example"), "capture.kerberos_kdcs"))
                .hasMessage("Invalid value dc1.corp.example for configuration capture.kerberos_kdcs: not an IP address or "
                        + "CIDR block");
    }
}
