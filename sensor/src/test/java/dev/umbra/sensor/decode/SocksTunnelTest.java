package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
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

/** SOCKS 4, 4a and 5 openings on the wire, and the ClientHello inside the tunnel. */
class SocksTunnelTest {
    private static final String CLIENT = "10.0.0.5";
    private static final String PROXY = "10.0.0.1";
    private static final int CLIENT_PORT = 40000;
    private static final int PROXY_PORT = 1080;
    private static final byte[] GREETING = hex("050100");
    private static final byte[] METHOD_CHOSEN = hex("0500");
    private static final byte[] REPLY = hex("05000001 0a000001 9c40");

    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);
    private long clientSeq = 1000;
    private long proxySeq = 5000;

    private void fromClient(byte[] payload) {
        fromClientAt(clientSeq, payload);
        clientSeq += payload.length;
    }

    private void fromClientAt(long seq, byte[] payload) {
        byte[] frame = ethernet(ip(CLIENT, PROXY, 6, tcp(CLIENT_PORT, PROXY_PORT, seq, 0x18, payload)));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    private void fromProxy(byte[] payload) {
        byte[] frame = ethernet(ip(PROXY, CLIENT, 6, tcp(PROXY_PORT, CLIENT_PORT, proxySeq, 0x18, payload)));
        proxySeq += payload.length;
        decoder.onPacket(1, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    private void handshake() {
        byte[] syn = ethernet(ip(CLIENT, PROXY, 6, tcp(CLIENT_PORT, PROXY_PORT, clientSeq - 1, 0x02, new byte[0])));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, syn, 0, syn.length, syn.length);
        byte[] synAck = ethernet(ip(PROXY, CLIENT, 6, tcp(PROXY_PORT, CLIENT_PORT, proxySeq - 1, 0x12, new byte[0])));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, synAck, 0, synAck.length, synAck.length);
    }

    private static byte[] nameRequest(String name, int port) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        return concat(hex("05010003"), new byte[] {(byte) n.length}, n, new byte[] {(byte) (port >> 8), (byte) port});
    }

    private List<Observation> of(ObservationKind kind) {
        return seen.stream().filter(o -> o.kind() == kind).toList();
    }

    @Test
    void onPacket_socks5hThenSplitReorderedHello_reportsRequestHelloAndNamedFlow() {
        handshake();
        fromClient(GREETING);
        fromProxy(METHOD_CHOSEN);
        fromClient(nameRequest("API.OpenAI.com", 443));
        fromProxy(REPLY);
        byte[] hello = clientHello("api.openai.com", List.of("h2"), 1216);
        fromClientAt(clientSeq + 700, Arrays.copyOfRange(hello, 700, hello.length));
        fromClientAt(clientSeq, Arrays.copyOfRange(hello, 0, 700));
        decoder.finish();

        assertThat(of(ObservationKind.SOCKS_REQUEST)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("api.openai.com");
            assertThat(o.method()).isEqualTo("CONNECT");
            assertThat(o.targetPort()).isEqualTo(443);
            assertThat(o.clientIp()).isEqualTo(CLIENT);
            assertThat(o.clientPort()).isEqualTo(CLIENT_PORT);
            assertThat(o.serverIp()).isEqualTo(PROXY);
            assertThat(o.serverPort()).isEqualTo(PROXY_PORT);
        });
        assertThat(of(ObservationKind.TLS_SNI)).extracting(Observation::hostname).containsExactly("api.openai.com");
        assertThat(of(ObservationKind.FLOW_END)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("api.openai.com");
            assertThat(o.bytesOut()).isEqualTo(GREETING.length + nameRequest("API.OpenAI.com", 443).length
                    + hello.length);
        });
        assertThat(anomalies.total()).as("anomalies %s", anomalies.nonZero()).isZero();
    }

    @Test
    void onPacket_socks5hWithEchInside_flowIsNamedByTheProxyRequestNotTheOuterSni() {
        handshake();
        fromClient(GREETING);
        fromProxy(METHOD_CHOSEN);
        fromClient(nameRequest("claude.ai", 443));
        fromProxy(REPLY);
        fromClient(clientHello("cloudflare-ech.com", List.of("h2"), 32, true));
        decoder.finish();
        assertThat(of(ObservationKind.SOCKS_REQUEST)).extracting(Observation::hostname).containsExactly("claude.ai");
        assertThat(of(ObservationKind.TLS_SNI)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("cloudflare-ech.com");
            assertThat(o.ech()).isTrue();
        });
        assertThat(of(ObservationKind.FLOW_END)).extracting(Observation::hostname).containsExactly("claude.ai");
    }

    @Test
    void onPacket_socks5ByAddress_isNamedByAnEarlierDnsAnswer() {
        byte[] dns = ethernet(ip("10.0.0.53", CLIENT, 17, udp(53, 5353 + 1, dnsResponseWithCname(7,
                "api.anthropic.com", "edge.anthropic.example", "160.79.104.10"))));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, dns, 0, dns.length, dns.length);
        handshake();
        fromClient(GREETING);
        fromProxy(METHOD_CHOSEN);
        fromClient(hex("05010001 a04f680a 01bb"));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("api.anthropic.com");
            assertThat(o.targetPort()).isEqualTo(443);
        });
    }

    @Test
    void onPacket_socks4ToAnUnknownAddress_reportsTheAddress() {
        handshake();
        fromClient(concat(hex("04010050 c6336407"), "curl".getBytes(StandardCharsets.US_ASCII), hex("00")));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("198.51.100.7");
            assertThat(o.targetPort()).isEqualTo(80);
        });
    }

    @Test
    void onPacket_socks4aWithoutSyn_readsTheFirstPayload() {
        // the capture began after the handshake: the opening is still the flow's first payload
        fromClient(concat(hex("040101bb 00000001 00"), "gemini.google.com".getBytes(StandardCharsets.US_ASCII),
                hex("00")));
        fromProxy(hex("005a000000000000"));
        fromClient(clientHello("gemini.google.com", List.of(), 32));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).extracting(Observation::hostname)
                .containsExactly("gemini.google.com");
        assertThat(of(ObservationKind.TLS_SNI)).extracting(Observation::hostname).containsExactly("gemini.google.com");
    }

    @Test
    void onPacket_greetingWithoutSynThenRequestInTheNextSegment_followsTheStream() {
        fromClient(GREETING);
        fromProxy(METHOD_CHOSEN);
        fromClient(nameRequest("huggingface.co", 443));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).extracting(Observation::hostname)
                .containsExactly("huggingface.co");
    }

    @Test
    void onPacket_optimisticClientSendsEverythingAtOnce_readsRequestAndHello() {
        handshake();
        fromClient(concat(GREETING, nameRequest("api.mistral.ai", 443), clientHello("api.mistral.ai", List.of(), 32)));
        assertThat(seen).extracting(Observation::kind)
                .containsExactly(ObservationKind.SOCKS_REQUEST, ObservationKind.TLS_SNI);
    }

    @Test
    void onPacket_passwordSubnegotiation_isSkippedAndNeverReported() {
        String secret = "pr0xy-Passw0rd";
        handshake();
        fromClient(hex("05020002"));
        fromProxy(hex("0502"));
        byte[] auth = concat(hex("0105"), "alice".getBytes(StandardCharsets.US_ASCII), new byte[] {(byte) secret.length()},
                secret.getBytes(StandardCharsets.US_ASCII));
        fromClient(auth);
        fromProxy(hex("0100"));
        fromClient(nameRequest("api.deepseek.com", 443));
        decoder.finish();
        assertThat(of(ObservationKind.SOCKS_REQUEST)).extracting(Observation::hostname)
                .containsExactly("api.deepseek.com");
        assertThat(seen).allSatisfy(o -> assertThat(o.toString()).doesNotContain(secret));
    }

    @Test
    void onPacket_socksShapedBytesInsideAnotherFlow_areNotRead() {
        handshake();
        fromClient("hello".getBytes(StandardCharsets.US_ASCII));
        // a later segment that happens to start like a SOCKS opening is data, not an opening
        fromClient(concat(GREETING, nameRequest("api.openai.com", 443)));
        fromClient(concat(hex("040101bb 00000001 00"), "claude.ai".getBytes(StandardCharsets.US_ASCII), hex("00")));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).isEmpty();
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onPacket_brokenRequestAfterGreeting_countsMalformedAndReportsNothing() {
        handshake();
        fromClient(GREETING);
        fromProxy(METHOD_CHOSEN);
        fromClient(hex("05010002 00000000 01bb"));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).isEmpty();
        assertThat(anomalies.get(Anomaly.SOCKS_REQUEST_MALFORMED)).isEqualTo(1);
    }

    @Test
    void onPacket_udpAssociate_isReadButNotReported() {
        handshake();
        fromClient(GREETING);
        fromProxy(METHOD_CHOSEN);
        fromClient(hex("05030001 00000000 0000"));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).isEmpty();
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onPacket_httpConnectThenSocksThroughTheTunnel_readsBoth() {
        handshake();
        fromClient("CONNECT socks.example:1080 HTTP/1.1\r\nHost: socks.example:1080\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        fromProxy("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        fromClient(GREETING);
        fromClient(nameRequest("copilot.microsoft.com", 443));
        assertThat(seen).extracting(Observation::hostname).containsExactly("socks.example", "copilot.microsoft.com");
    }
}
