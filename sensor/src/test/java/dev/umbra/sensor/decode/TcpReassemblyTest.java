package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ClientHellos, DNS messages and HTTP heads spread over TCP segments, and tunnels around them. */
class TcpReassemblyTest {
    private static final String CLIENT = "10.0.0.5";
    private static final String SERVER = "198.51.100.7";
    private static final long ISN = 0xfffffff0L; // wraps past 2^32 inside the hello

    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);

    private void segment(int dstPort, long seq, int flags, byte[] payload) {
        byte[] frame = ethernet(ip(CLIENT, SERVER, 6, tcp(40000, dstPort, seq, flags, payload)));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    private static byte[][] split(byte[] b, int... cuts) {
        byte[][] out = new byte[cuts.length + 1][];
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : b.length;
            out[i] = Arrays.copyOfRange(b, from, to);
            from = to;
        }
        return out;
    }

    private List<String> names(ObservationKind kind) {
        return seen.stream().filter(o -> o.kind() == kind).map(Observation::hostname).toList();
    }

    @Test
    void onPacket_helloInThreeSegmentsOutOfOrderAfterSyn_reportsCompleteHelloOnce() {
        byte[] hello = clientHello("api.openai.com", List.of("h2"), 1216); // post-quantum sized, ~1.4 KB
        byte[][] parts = split(hello, 500, 1000);
        segment(443, ISN, 0x02, new byte[0]);
        segment(443, ISN + 1 + 1000, 0x18, parts[2]);
        segment(443, ISN + 1, 0x18, parts[0]);
        assertThat(seen).isEmpty();
        segment(443, ISN + 1 + 500, 0x18, parts[1]);
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("api.openai.com");
        assertThat(seen.get(0).alpn()).containsExactly("h2");
        segment(443, ISN + 1 + 500, 0x18, parts[1]); // a retransmission
        decoder.finish();
        assertThat(names(ObservationKind.TLS_SNI)).hasSize(1);
        // the flow ends with the capture: its upload is the hello plus the retransmitted part
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("api.openai.com");
            assertThat(o.bytesOut()).isEqualTo(hello.length + parts[1].length);
            assertThat(o.bytesIn()).isZero();
        });
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onPacket_helloInTwoSegmentsWithoutSyn_reassemblesFromTheRecordStart() {
        byte[][] parts = split(clientHello("claude.ai", List.of(), 1216), 700);
        segment(443, 5000, 0x18, parts[0]);
        segment(443, 5700, 0x18, parts[1]);
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("claude.ai");
    }

    @Test
    void finish_secondHalfNeverArrived_reportsSniMarkedIncomplete() {
        byte[][] parts = split(clientHello("gemini.google.com", List.of(), 1216), 700);
        segment(443, 5000, 0x18, parts[0]);
        assertThat(seen).isEmpty();
        decoder.finish();
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("gemini.google.com");
        assertThat(anomalies.get(Anomaly.TCP_STREAM_INCOMPLETE)).isEqualTo(1);
        assertThat(anomalies.get(Anomaly.TLS_CLIENT_HELLO_TRUNCATED)).isEqualTo(1);
    }

    /** The hello's handshake message cut into TLS records of at most {@code size} bytes each. */
    private static byte[] records(byte[] record, int size) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int p = 5; p < record.length; p += size) {
            int n = Math.min(size, record.length - p);
            out.write(new byte[] {22, 3, 1, (byte) (n >> 8), (byte) n}, 0, 5);
            out.write(record, p, n);
        }
        return out.toByteArray();
    }

    @Test
    void onPacket_helloFragmentedOverRecordsInOneSegment_isJoined() {
        byte[] hello = clientHello("api.openai.com", List.of("h2"), 400);
        segment(443, 1, 0x18, records(hello, 100));
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("api.openai.com");
        assertThat(seen.get(0).ja4()).isNotNull(); // the whole hello was read
    }

    @Test
    void onPacket_helloFragmentedOverRecordsAndSegments_isJoined() {
        byte[] stream = records(clientHello("claude.ai", List.of("h2"), 1216), 300);
        byte[][] parts = split(stream, 150, 700);
        segment(443, 1000, 0x18, parts[0]);
        segment(443, 1000 + 700, 0x18, parts[2]);
        assertThat(seen).isEmpty();
        segment(443, 1000 + 150, 0x18, parts[1]);
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("claude.ai");
        assertThat(seen.get(0).ja4()).isNotNull();
    }

    @Test
    void onPacket_helloOnUnusualPort_isRecognisedByContent() {
        segment(8443, 1, 0x18, clientHello("llm.internal.example", List.of(), 32));
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("llm.internal.example");
    }

    @Test
    void onPacket_dnsOverTcpSplitAcrossSegments_readsEveryMessage() {
        byte[] q1 = dnsQuery(1, "api.mistral.ai", 1);
        byte[] q2 = dnsQuery(2, "api.cohere.com", 28);
        byte[] stream = concat(new byte[] {0, (byte) q1.length}, q1, new byte[] {0, (byte) q2.length}, q2);
        byte[][] parts = split(stream, q1.length + 2 + 5);
        segment(53, 100, 0x18, parts[0]);
        assertThat(names(ObservationKind.DNS_QUERY)).containsExactly("api.mistral.ai");
        segment(53, 100 + parts[0].length, 0x18, parts[1]);
        assertThat(names(ObservationKind.DNS_QUERY)).containsExactly("api.mistral.ai", "api.cohere.com");
    }

    @Test
    void onPacket_longDnsConnection_keepsOffsetsRightAfterReadMessagesAreDropped() {
        List<String> asked = List.of("a.example", "b.example", "c.example", "d.example");
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < asked.size(); i++) {
            byte[] q = dnsQuery(i, asked.get(i), 1);
            stream.write(0);
            stream.write(q.length);
            stream.write(q, 0, q.length);
        }
        byte[] all = stream.toByteArray();
        segment(53, 999, 0x02, new byte[0]);
        // cut inside every message, so each segment completes one and starts the next
        int step = all.length / 4 + 3;
        for (int from = 0; from < all.length; from += step) {
            segment(53, 1000 + from, 0x18, Arrays.copyOfRange(all, from, Math.min(all.length, from + step)));
        }
        assertThat(names(ObservationKind.DNS_QUERY)).containsExactlyElementsOf(asked);
    }

    @Test
    void onPacket_dnsOverTcpLengthPrefixSplitAfterSyn_readsMessage() {
        byte[] q = dnsQuery(7, "huggingface.co", 1);
        byte[] stream = concat(new byte[] {0, (byte) q.length}, q);
        segment(53, 41, 0x02, new byte[0]);
        segment(53, 42 + 1, 0x18, Arrays.copyOfRange(stream, 1, stream.length));
        segment(53, 42, 0x18, Arrays.copyOfRange(stream, 0, 1));
        assertThat(names(ObservationKind.DNS_QUERY)).containsExactly("huggingface.co");
    }

    @Test
    void onPacket_plainHttpRequest_reportsHostWithoutPort() {
        segment(11434, 1, 0x18, ("POST /api/generate?key=secret HTTP/1.1\r\nHost: Ollama.LAN:11434\r\n"
                + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
        assertThat(names(ObservationKind.HTTP_REQUEST)).containsExactly("ollama.lan");
        assertThat(seen.get(0).serverPort()).isEqualTo(11434);
        assertThat(seen.get(0).method()).isEqualTo("POST");
        assertThat(seen.get(0).urlPath()).isEqualTo("/api/generate");
        assertThat(seen.get(0).targetPort()).isZero();
    }

    @Test
    void onPacket_httpHeadSplitAcrossSegments_reassembles() {
        byte[] head = "GET /v1/models HTTP/1.1\r\nUser-Agent: x\r\nHost: api.groq.com\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        segment(80, 9, 0x02, new byte[0]);
        segment(80, 10, 0x18, Arrays.copyOfRange(head, 0, 30));
        assertThat(seen).isEmpty();
        segment(80, 40, 0x18, Arrays.copyOfRange(head, 30, head.length));
        assertThat(names(ObservationKind.HTTP_REQUEST)).containsExactly("api.groq.com");
        assertThat(seen.get(0).method()).isEqualTo("GET");
        assertThat(seen.get(0).urlPath()).isEqualTo("/v1/models");
    }

    @Test
    void onPacket_connectThenHelloInsideTunnel_reportsBoth() {
        byte[] connect = "CONNECT api.anthropic.com:443 HTTP/1.1\r\nHost: api.anthropic.com:443\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] hello = clientHello("api.anthropic.com", List.of("h2"), 1216);
        segment(3128, 99, 0x02, new byte[0]);
        segment(3128, 100, 0x18, connect);
        byte[][] parts = split(hello, 600);
        segment(3128, 100 + connect.length + 600, 0x18, parts[1]);
        segment(3128, 100 + connect.length, 0x18, parts[0]);
        assertThat(seen).extracting(Observation::kind)
                .containsExactly(ObservationKind.HTTP_REQUEST, ObservationKind.TLS_SNI);
        assertThat(seen).extracting(Observation::hostname).containsOnly("api.anthropic.com");
        assertThat(seen.get(0).method()).isEqualTo("CONNECT");
        assertThat(seen.get(0).targetPort()).isEqualTo(443);
        assertThat(seen.get(0).urlPath()).isNull();
        assertThat(seen.get(0).serverPort()).isEqualTo(3128);
        assertThat(seen.get(1).tlsVersion()).isEqualTo("1.3");
    }

    @Test
    void onPacket_startTlsAfterPlaintextCommands_readsLaterHello() {
        segment(25, 1, 0x02, new byte[0]);
        segment(25, 2, 0x18, "EHLO client\r\n".getBytes(StandardCharsets.US_ASCII));
        segment(25, 15, 0x18, "STARTTLS\r\n".getBytes(StandardCharsets.US_ASCII));
        segment(25, 25, 0x18, clientHello("mail.example.org", List.of(), 32));
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("mail.example.org");
    }

    @Test
    void onPacket_proxyProtocolV1BeforeHello_readsHello() {
        byte[] proxy = "PROXY TCP4 192.0.2.1 198.51.100.7 51000 443\r\n".getBytes(StandardCharsets.US_ASCII);
        segment(443, 1, 0x18, concat(proxy, clientHello("chatgpt.com", List.of(), 32)));
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("chatgpt.com");
    }

    @Test
    void onPacket_proxyProtocolV2BeforeSplitHello_readsHello() {
        byte[] v2 = concat(new byte[] {0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21,
            0x11, 0, 12}, new byte[12]);
        byte[] stream = concat(v2, clientHello("copilot.microsoft.com", List.of(), 1216));
        segment(443, 0, 0x02, new byte[0]);
        segment(443, 1 + 10, 0x18, Arrays.copyOfRange(stream, 10, stream.length));
        segment(443, 1, 0x18, Arrays.copyOfRange(stream, 0, 10));
        assertThat(names(ObservationKind.TLS_SNI)).containsExactly("copilot.microsoft.com");
    }

    @Test
    void onPacket_vxlanGtpAndGreTunnels_areOpened() {
        byte[] inner = ethernet(ip(CLIENT, SERVER, 17, udp(40000, 53, dnsQuery(1, "vxlan.example", 1))));
        byte[] vxlan = ethernet(ip("192.0.2.1", "192.0.2.2", 17,
                udp(33333, 4789, concat(new byte[] {8, 0, 0, 0, 0, 0, 1, 0}, inner))));
        byte[] innerIp = ip(CLIENT, SERVER, 17, udp(40000, 53, dnsQuery(2, "gtp.example", 1)));
        byte[] gtp = ethernet(ip("192.0.2.1", "192.0.2.2", 17, udp(2152, 2152,
                concat(new byte[] {0x30, (byte) 0xff, 0, (byte) innerIp.length, 0, 0, 0, 1}, innerIp))));
        byte[] greIp = ip(CLIENT, SERVER, 17, udp(40000, 53, dnsQuery(3, "gre.example", 1)));
        byte[] gre = ethernet(ip("192.0.2.1", "192.0.2.2", 47, concat(new byte[] {0, 0, 0x08, 0x00}, greIp)));
        for (byte[] f : List.of(vxlan, gtp, gre)) {
            decoder.onPacket(1, 0, f, 0, f.length, f.length);
        }
        assertThat(names(ObservationKind.DNS_QUERY)).containsExactly("vxlan.example", "gtp.example", "gre.example");
    }

    @Test
    void onPacket_moreOpenStreamsThanCap_evictsAndCounts() {
        for (int i = 0; i < dev.umbra.sensor.flow.TcpStreams.DEFAULT_MAX_STREAMS + 10; i++) {
            byte[] frame = ethernet(ip(CLIENT, SERVER, 6, tcp(1024 + (i % 60000), 443 + i / 60000, 1, 0x02,
                    new byte[0])));
            decoder.onPacket(1, 0, frame, 0, frame.length, frame.length);
        }
        assertThat(anomalies.get(Anomaly.TCP_STREAM_EVICTED)).isEqualTo(10);
    }
}
