package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.h2Frame;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.hpackLiteral;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.http.Http2Connection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cleartext HTTP/2 (h2c) connections on the wire: what real clients sent
 * ({@code test-data/h2c/record-openings.py}: curl with prior knowledge, a gRPC client, nghttp and a gRPC
 * channel with several requests on one connection) cut into segments, reordered, after an HTTP/1.1
 * {@code Upgrade: h2c}; every request reported, and the bodies handed to the body listener.
 */
class Http2CleartextTest {
    private static final String CLIENT = "10.0.0.7";
    private static final String SERVER = "10.0.0.5";
    private static final int CLIENT_PORT = 41000;
    private static final int GRPC_PORT = 8001;

    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);
    private long clientSeq = 1000;

    private static byte[] recorded(String name) throws IOException {
        return Files.readAllBytes(Path.of(System.getProperty("umbra.repo.root", "..")).resolve("test-data/h2c")
                .resolve(name));
    }

    private void syn(int port) {
        byte[] syn = ethernet(ip(CLIENT, SERVER, 6, tcp(CLIENT_PORT, port, clientSeq - 1, 0x02, new byte[0])));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, syn, 0, syn.length, syn.length);
    }

    private void fromClientAt(int port, long seq, byte[] payload) {
        byte[] frame = ethernet(ip(CLIENT, SERVER, 6, tcp(CLIENT_PORT, port, seq, 0x18, payload)));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    private void fromClient(int port, byte[] payload) {
        fromClientAt(port, clientSeq, payload);
        clientSeq += payload.length;
    }

    private void finFromClient(int port) {
        byte[] frame = ethernet(ip(CLIENT, SERVER, 6, tcp(CLIENT_PORT, port, clientSeq, 0x11, new byte[0])));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    /** A body the decoder handed over. */
    private record Body(String path, byte[] bytes, boolean complete, String type, String encoding) {
        String text() {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }

    private List<Body> bodies(int cap) {
        List<Body> bodies = new ArrayList<>();
        decoder.onHttpBodies(cap, (request, body, complete, type, encoding) ->
                bodies.add(new Body(request.urlPath(), body, complete, type, encoding)));
        return bodies;
    }

    /** Sends {@code b} after a SYN in segments of {@code mss} bytes, every pair of segments swapped. */
    private void sendSwapped(int port, byte[] b, int mss) {
        syn(port);
        long base = clientSeq;
        List<Integer> starts = new ArrayList<>();
        for (int p = 0; p < b.length; p += mss) {
            starts.add(p);
        }
        for (int i = 0; i < starts.size(); i += 2) {
            for (int j : i + 1 < starts.size() ? new int[] {i + 1, i} : new int[] {i}) {
                int p = starts.get(j);
                fromClientAt(port, base + p, Arrays.copyOfRange(b, p, Math.min(b.length, p + mss)));
            }
        }
        clientSeq = base + b.length;
    }

    private List<Observation> of(ObservationKind kind) {
        return seen.stream().filter(o -> o.kind() == kind).toList();
    }

    @Test
    void onPacket_grpcOpeningSplitAndReordered_reportsTheRequestAndNamesTheFlow() throws IOException {
        byte[] opening = recorded("grpc-python.bin");
        syn(GRPC_PORT);
        fromClientAt(GRPC_PORT, clientSeq + 200, Arrays.copyOfRange(opening, 200, opening.length));
        fromClientAt(GRPC_PORT, clientSeq + 30, Arrays.copyOfRange(opening, 30, 200));
        assertThat(of(ObservationKind.HTTP_REQUEST)).isEmpty();
        fromClientAt(GRPC_PORT, clientSeq, Arrays.copyOfRange(opening, 0, 30));
        assertThat(of(ObservationKind.HTTP_REQUEST)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("triton.lab.example");
            assertThat(o.method()).isEqualTo("POST");
            assertThat(o.urlPath()).isEqualTo("/inference.GRPCInferenceService/ModelInfer");
            assertThat(o.serverIp()).isEqualTo(SERVER);
            assertThat(o.serverPort()).isEqualTo(GRPC_PORT);
        });
        decoder.finish();
        assertThat(of(ObservationKind.FLOW_END)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("triton.lab.example");
            assertThat(o.urlPath()).isEqualTo("/inference.GRPCInferenceService/ModelInfer");
            assertThat(o.bytesOut()).isEqualTo(opening.length);
        });
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).isZero();
        assertThat(seen.toString()).doesNotContain("SYNTHETIC");
    }

    @Test
    void onPacket_curlOpeningInOneSegmentWithoutSyn_isReadFromTheSegment() throws IOException {
        fromClient(80, recorded("curl-prior-knowledge.bin"));
        assertThat(of(ObservationKind.HTTP_REQUEST)).singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("ollama.lab.example");
            assertThat(o.urlPath()).isEqualTo("/api/generate");
        });
        assertThat(seen.toString()).doesNotContain("SYNTHETIC", "sk-test", "session=");
    }

    @Test
    void onPacket_prefaceAloneThenTheRestWithoutSyn_followsTheStream() throws IOException {
        byte[] opening = recorded("curl-prior-knowledge.bin");
        fromClient(11434, Arrays.copyOfRange(opening, 0, 24));
        fromClient(11434, Arrays.copyOfRange(opening, 24, 60));
        assertThat(seen).isEmpty();
        fromClient(11434, Arrays.copyOfRange(opening, 60, opening.length));
        assertThat(of(ObservationKind.HTTP_REQUEST)).singleElement()
                .satisfies(o -> assertThat(o.urlPath()).isEqualTo("/api/generate"));
    }

    @Test
    void alsoRequestsTo_aRuntimePortWhateverTheAuthority() throws IOException {
        decoder.onlyNames(name -> false);
        decoder.alsoRequestsTo(port -> port == GRPC_PORT);
        fromClient(GRPC_PORT, recorded("grpc-python.bin"));
        assertThat(of(ObservationKind.HTTP_REQUEST)).singleElement()
                .satisfies(o -> assertThat(o.serverPort()).isEqualTo(GRPC_PORT));
    }

    @Test
    void onPacket_upgradeFromHttp1_reportsBothRequests() {
        byte[] upgrade = ("GET /v2/health/ready HTTP/1.1\r\nHost: triton.lab.example:8000\r\nConnection: Upgrade, "
                + "HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        syn(8000);
        fromClient(8000, upgrade);
        // after the server's 101: the preface, SETTINGS, then stream 3 (stream 1 was the upgraded request)
        byte[] block = concat(hex("83 86"), hpackLiteral(":path", "/v2/models/resnet50/infer"),
                hpackLiteral(":authority", "triton.lab.example:8000"));
        fromClient(8000, concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0])));
        fromClient(8000, h2Frame(1, 0x4, 3, block));
        assertThat(of(ObservationKind.HTTP_REQUEST)).extracting(Observation::urlPath)
                .containsExactly("/v2/health/ready", "/v2/models/resnet50/infer");
    }

    @Test
    void onPacket_segmentThatOnlyBeganLikeThePreface_isReadAsWhatItIs() {
        fromClient(8080, "P".getBytes(StandardCharsets.US_ASCII));
        fromClient(8080, "OST /predictions/resnet HTTP/1.1\r\nHost: torchserve.lab.example\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII));
        assertThat(of(ObservationKind.HTTP_REQUEST)).singleElement()
                .satisfies(o -> assertThat(o.urlPath()).isEqualTo("/predictions/resnet"));
    }

    @Test
    void onPacket_brokenOpenings_areCountedNotReported() {
        syn(GRPC_PORT);
        fromClient(GRPC_PORT, concat(Http2Connection.PREFACE, h2Frame(0, 0, 1, hex("00"))));
        clientSeq = 90_000;
        fromClient(GRPC_PORT + 1, concat(Http2Connection.PREFACE, h2Frame(1, 0x4, 1, hex("80"))));
        assertThat(of(ObservationKind.HTTP_REQUEST)).isEmpty();
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).isEqualTo(2);
    }

    @Test
    void onPacket_headerBlockThatNeverEnds_isCountedAtTheBlockCap() {
        syn(GRPC_PORT);
        fromClient(GRPC_PORT, concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0])));
        // HEADERS without END_HEADERS, then CONTINUATIONs that never end it, past the block cap
        fromClient(GRPC_PORT, h2Frame(1, 0, 1, hex("83 86")));
        for (int i = 0; i < 20; i++) {
            fromClient(GRPC_PORT, h2Frame(9, 0, 1, new byte[4000]));
        }
        assertThat(of(ObservationKind.HTTP_REQUEST)).isEmpty();
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).isEqualTo(1);
    }

    @Test
    void onPacket_grpcChannelOfThreeCalls_reportsEveryCallAndHandsOverEveryMessage() throws IOException {
        List<Body> bodies = bodies(PacketDecoder.DEFAULT_MAX_BODY_BYTES);
        sendSwapped(GRPC_PORT, recorded("grpc-three-calls.bin"), 100);
        assertThat(of(ObservationKind.HTTP_REQUEST)).extracting(Observation::urlPath).containsExactly(
                "/inference.GRPCInferenceService/ModelInfer", "/inference.GRPCInferenceService/ModelMetadata",
                "/inference.GRPCInferenceService/ModelInfer");
        assertThat(of(ObservationKind.HTTP_REQUEST)).extracting(Observation::hostname).containsOnly("triton.lab.example");
        assertThat(bodies).extracting(Body::type).containsOnly("application/grpc");
        assertThat(bodies).extracting(Body::encoding).containsExactly(null, null, "gzip");
        assertThat(bodies).allSatisfy(b -> assertThat(b.complete()).isTrue());
        assertThat(bodies.get(0).text().contains("SSN 412-58-3306")).as("the first call's prompt").isTrue();
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).isZero();
        assertThat(seen.toString()).doesNotContain("SYNTHETIC", "412-58");
    }

    @Test
    void onPacket_nghttpTwoStreamsInterleaved_handsOverBothWholeBodies() throws IOException {
        List<Body> bodies = bodies(PacketDecoder.DEFAULT_MAX_BODY_BYTES);
        sendSwapped(11434, recorded("nghttp-two-requests.bin"), 1448);
        assertThat(of(ObservationKind.HTTP_REQUEST)).extracting(Observation::urlPath)
                .containsExactly("/api/generate", "/api/chat");
        assertThat(bodies).hasSize(2).allSatisfy(b -> {
            assertThat(b.complete()).isTrue();
            assertThat(b.type()).isEqualTo("application/json");
            assertThat(b.text().endsWith("SSN 412-58-3306.\"}]}")).as("the body's last bytes").isTrue();
            assertThat(b.bytes().length).isGreaterThan(37_000);
        });
        assertThat(anomalies.get(Anomaly.TCP_REASSEMBLY_OVERFLOW)).isZero();
    }

    @Test
    void onPacket_bodyOverTheCap_isHandedOverCutAndLaterRequestsStillCount() throws IOException {
        List<Body> bodies = bodies(1000);
        sendSwapped(11434, recorded("nghttp-two-requests.bin"), 1448);
        assertThat(bodies).hasSize(2).allSatisfy(b -> {
            assertThat(b.complete()).isFalse();
            assertThat(b.bytes()).hasSize(1000);
        });
        assertThat(anomalies.get(Anomaly.HTTP_BODY_TRUNCATED)).isEqualTo(2);
    }

    @Test
    void onPacket_finWhileABodyIsOpen_handsItOverCut() {
        List<Body> bodies = bodies(PacketDecoder.DEFAULT_MAX_BODY_BYTES);
        byte[] block = concat(hex("83 86"), hpackLiteral(":path", "/v1/chat/completions"),
                hpackLiteral(":authority", "vllm.lab.example:8000"), hpackLiteral("content-type", "application/json"));
        syn(8000);
        fromClient(8000, concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x4, 1, block)));
        fromClient(8000, h2Frame(0, 0, 1, "{\"messages\":[".getBytes(StandardCharsets.US_ASCII)));
        assertThat(bodies).isEmpty();
        finFromClient(8000);
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo("{\"messages\":[");
            assertThat(b.complete()).isFalse();
            assertThat(b.path()).isEqualTo("/v1/chat/completions");
        });
    }

    @Test
    void onPacket_authorizationToTheServer_namesTheRequestsUserNeverItsPassword() {
        // Basic base64("alice:SYNTHETIC-pw") to an internal gateway, then a bearer token: no user, no text of it
        byte[] first = concat(hex("83 86"), hpackLiteral(":path", "/v1/chat/completions"),
                hpackLiteral(":authority", "vllm.lab.example:8000"), hpackLiteral("authorization", "Basic YWxpY2U6U1lOVEhFVElDLXB3"));
        byte[] second = concat(hex("83 86"), hpackLiteral(":path", "/v1/models"),
                hpackLiteral(":authority", "vllm.lab.example:8000"), hpackLiteral("authorization", "Bearer SYNTHETIC-api-key-0123"));
        syn(8000);
        fromClient(8000, concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x5, 1, first),
                h2Frame(1, 0x5, 3, second)));
        List<Observation> requests = seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList();
        assertThat(requests).extracting(Observation::urlPath).containsExactly("/v1/chat/completions", "/v1/models");
        // NTLM and Basic name the connection's user; the second request on it is hers too
        assertThat(requests).extracting(Observation::user).containsExactly("alice", "alice");
        assertThat(seen.toString()).doesNotContain("SYNTHETIC", "YWxpY2U6");
    }

    @Test
    void finish_handsOverTheBodiesStillOpen() {
        List<Body> bodies = bodies(PacketDecoder.DEFAULT_MAX_BODY_BYTES);
        fromClient(8000, concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x4, 1,
                concat(hex("83 86"), hpackLiteral(":path", "/v1/completions"), hpackLiteral(":authority", "vllm.lab.example"))),
                h2Frame(0, 0, 1, "prompt so far".getBytes(StandardCharsets.US_ASCII))));
        assertThat(bodies).isEmpty();
        decoder.finish();
        assertThat(bodies).extracting(Body::text).containsExactly("prompt so far");
        assertThat(bodies.get(0).complete()).isFalse();
    }

    private static final long T0 = 1_700_000_000_000_000_000L;
    // past the stream table's idle timeout (30 s)
    private static final long IDLE = dev.umbra.sensor.flow.TcpStreams.DEFAULT_IDLE_NANOS + 1_000_000_000L;

    private void fromClientAtTime(int port, long time, long seq, byte[] payload, int flags) {
        byte[] frame = ethernet(ip(CLIENT, SERVER, 6, tcp(CLIENT_PORT, port, seq, flags, payload)));
        decoder.onPacket(1, time, frame, 0, frame.length, frame.length);
    }

    /** The first request of a channel: its fields enter the dynamic table (RFC 7541 6.2.1). */
    private static byte[] firstCall() {
        return concat(hex("83 86"), indexed(":authority", "triton.lab.example:8001"),
                indexed(":path", "/inference.GRPCInferenceService/ModelInfer"), indexed("content-type", "application/grpc"));
    }

    private static byte[] indexed(String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.US_ASCII);
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        return concat(new byte[] {0x40, (byte) n.length}, n, new byte[] {(byte) v.length}, v);
    }

    /** A later call on the channel: every field by the dynamic table (62 content-type, 63 :path, 64 :authority). */
    private static final byte[] LATER_CALL = hex("83 86 c0 bf be");

    /**
     * A gRPC channel idle for longer than the stream timeout: its stream is forgotten, but the reader
     * (its HPACK table) is set aside, so the next call, made only of references to that table, is read.
     */
    @Test
    void tick_idleChannel_isResumedAtItsNextCallWithItsHpackTable() {
        List<Body> bodies = bodies(PacketDecoder.DEFAULT_MAX_BODY_BYTES);
        syn(GRPC_PORT);
        byte[] first = concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x4, 1, firstCall()),
                h2Frame(0, 0, 1, "streaming part".getBytes(StandardCharsets.US_ASCII)));
        fromClientAtTime(GRPC_PORT, T0, clientSeq, first, 0x18);
        clientSeq += first.length;
        decoder.tick(T0 + IDLE);
        // the stream went: the body still open was handed over, cut
        assertThat(bodies).extracting(Body::text, Body::complete).containsExactly(
                org.assertj.core.groups.Tuple.tuple("streaming part", false));
        byte[] later = concat(h2Frame(1, 0x4, 3, LATER_CALL), h2Frame(0, 0x1, 3, "second".getBytes(StandardCharsets.US_ASCII)));
        fromClientAtTime(GRPC_PORT, T0 + 10 * IDLE, clientSeq, later, 0x18);
        assertThat(of(ObservationKind.HTTP_REQUEST)).extracting(Observation::hostname, Observation::urlPath).containsOnly(
                org.assertj.core.groups.Tuple.tuple("triton.lab.example", "/inference.GRPCInferenceService/ModelInfer"))
                .hasSize(2);
        assertThat(bodies).extracting(Body::text).containsExactly("streaming part", "second");
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).isZero();
    }

    @Test
    void tick_idleChannelResumedBySegmentsOutOfOrder_readsTheCall() {
        syn(GRPC_PORT);
        byte[] first = concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x5, 1, firstCall()));
        fromClientAtTime(GRPC_PORT, T0, clientSeq, first, 0x18);
        clientSeq += first.length;
        decoder.tick(T0 + IDLE);
        byte[] later = h2Frame(1, 0x5, 3, LATER_CALL);
        fromClientAtTime(GRPC_PORT, T0 + 2 * IDLE, clientSeq + 4, Arrays.copyOfRange(later, 4, later.length), 0x18);
        fromClientAtTime(GRPC_PORT, T0 + 2 * IDLE, clientSeq, Arrays.copyOfRange(later, 0, 4), 0x18);
        assertThat(of(ObservationKind.HTTP_REQUEST)).hasSize(2);
    }

    @Test
    void tick_idleChannelThatThenCloses_isForgotten() {
        syn(GRPC_PORT);
        byte[] first = concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x5, 1, firstCall()));
        fromClientAtTime(GRPC_PORT, T0, clientSeq, first, 0x18);
        clientSeq += first.length;
        decoder.tick(T0 + IDLE);
        fromClientAtTime(GRPC_PORT, T0 + 2 * IDLE, clientSeq, new byte[0], 0x11);
        // bytes after the FIN (a capture out of order at best): not read as the old connection
        fromClientAtTime(GRPC_PORT, T0 + 2 * IDLE, clientSeq, h2Frame(1, 0x5, 3, LATER_CALL), 0x18);
        assertThat(of(ObservationKind.HTTP_REQUEST)).hasSize(1);
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).isZero();
    }

    /**
     * More h2c connections at once than the cap: the one past it is counted and not read; once the
     * others end, new ones are followed again (every way a reader ends gives its place back).
     */
    @Test
    void onPacket_moreH2cConnectionsThanTheCap_areCountedAndTheirPlacesComeBack() {
        byte[] first = concat(Http2Connection.PREFACE, h2Frame(4, 0, 0, new byte[0]), h2Frame(1, 0x5, 1, firstCall()));
        int n = PacketDecoder.MAX_HTTP2_CONNECTIONS;
        for (int i = 0; i <= n; i++) {
            byte[] frame = ethernet(ip(CLIENT, SERVER, 6, tcp(20_000 + i, GRPC_PORT, 5000, 0x18, first)));
            decoder.onPacket(1, T0, frame, 0, frame.length, frame.length);
        }
        assertThat(anomalies.get(Anomaly.HTTP2_CONNECTION_NOT_FOLLOWED)).isEqualTo(1);
        assertThat(of(ObservationKind.HTTP_REQUEST)).hasSize(n);
        // they end in every way a reader can: FIN, RST, idle then FIN, a new SYN on the same ports, broken
        for (int i = 0; i < n; i++) {
            int port = 20_000 + i;
            switch (i % 5) {
                case 0 -> decoder.onPacket(1, T0, packet(port, 5000 + first.length, 0x11, new byte[0]), 0,
                        packet(port, 5000 + first.length, 0x11, new byte[0]).length, 0);
                case 1 -> decoder.onPacket(1, T0, packet(port, 5000 + first.length, 0x14, new byte[0]), 0,
                        packet(port, 5000 + first.length, 0x14, new byte[0]).length, 0);
                case 2 -> decoder.onPacket(1, T0, packet(port, 1, 0x02, new byte[0]), 0,
                        packet(port, 1, 0x02, new byte[0]).length, 0);
                case 3 -> decoder.onPacket(1, T0, packet(port, 5000 + first.length, 0x18, PUSH_PROMISE), 0,
                        packet(port, 5000 + first.length, 0x18, PUSH_PROMISE).length, 0);
                default -> { } // left idle: set aside below, then closed
            }
        }
        decoder.tick(T0 + IDLE);
        for (int i = 4; i < n; i += 5) {
            byte[] fin = packet(20_000 + i, 5000 + first.length, 0x11, new byte[0]);
            decoder.onPacket(1, T0 + IDLE, fin, 0, fin.length, fin.length);
        }
        for (int i = 0; i < n; i++) {
            byte[] frame = packet(30_000 + i, 5000, 0x18, first);
            decoder.onPacket(1, T0 + IDLE, frame, 0, frame.length, frame.length);
        }
        assertThat(anomalies.get(Anomaly.HTTP2_REQUEST_MALFORMED)).as("the broken ones").isEqualTo((n + 1) / 5);
        assertThat(anomalies.get(Anomaly.HTTP2_CONNECTION_NOT_FOLLOWED)).as("places given back").isEqualTo(1);
        assertThat(of(ObservationKind.HTTP_REQUEST)).hasSize(2 * n);
    }

    /** What no client may send (RFC 9113 8.4): the reader gives the connection up. */
    private static final byte[] PUSH_PROMISE = h2Frame(5, 0x4, 1, hex("00000002"));

    private static byte[] packet(int clientPort, long seq, int flags, byte[] payload) {
        return ethernet(ip(CLIENT, SERVER, 6, tcp(clientPort, GRPC_PORT, seq, flags, payload)));
    }

    @Test
    void onPacket_laterSegmentsOfAConnection_areReadInOrderWithoutSyn() throws IOException {
        // the capture starts at the preface's segment: each later segment continues the same connection
        byte[] b = recorded("grpc-three-calls.bin");
        for (int p = 0; p < b.length; p += 300) {
            fromClient(GRPC_PORT, Arrays.copyOfRange(b, p, Math.min(b.length, p + 300)));
        }
        assertThat(of(ObservationKind.HTTP_REQUEST)).hasSize(3);
    }
}
