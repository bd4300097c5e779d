package dev.umbra.sensor.http;

import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.h2Frame;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.hpackLiteral;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.fuzz.Mutator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class Http2ConnectionTest {
    private static final byte[] SETTINGS = h2Frame(4, 0, 0, hex("000300000064 000400a00000"));
    private static final byte[] WINDOW_UPDATE = h2Frame(8, 0, 0, hex("3fff0001"));
    private static final int DATA = 0;
    private static final int HEADERS = 1;
    private static final int CONTINUATION = 9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;
    private static final int CAP = 64 * 1024;

    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final BodyBudget budget = new BodyBudget(Long.MAX_VALUE);

    /** A body as the connection handed it over. */
    private record Got(String tag, String path, byte[] body, boolean complete, boolean truncated) {
        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** Keeps what the connection reports; wants every body unless told otherwise. */
    private static final class Recorder implements Http2Connection.Listener {
        final List<HttpRequest> requests = new ArrayList<>();
        final List<Boolean> hasBody = new ArrayList<>();
        final List<Got> bodies = new ArrayList<>();
        boolean wantBodies = true;

        @Override
        public Object request(HttpRequest head, boolean body) {
            requests.add(head);
            hasBody.add(body);
            return wantBodies ? "request " + requests.size() : null;
        }

        @Override
        public void body(Object tag, HttpRequest head, byte[] body, boolean complete, boolean truncated) {
            bodies.add(new Got((String) tag, head.path(), body, complete, truncated));
        }

        List<String> paths() {
            return requests.stream().map(HttpRequest::path).toList();
        }
    }

    /** Reads all of {@code b} in one call, as a stream buffer would hand it over; returns the last status. */
    private int readAll(Http2Connection c, byte[] b, Recorder r) {
        return readInPieces(c, b, r, b.length);
    }

    /**
     * Hands {@code b} over in pieces of at most {@code piece} bytes, keeping what a call did not read
     * in front of the next piece, as PacketDecoder's stream buffer does.
     */
    private int readInPieces(Http2Connection c, byte[] b, Recorder r, int piece) {
        byte[] pending = new byte[0];
        int status = Http2Connection.OPEN;
        for (int p = 0; p < b.length; p += piece) {
            byte[] buf = concat(pending, Arrays.copyOfRange(b, p, Math.min(b.length, p + piece)));
            int n = c.read(buf, 0, buf.length, r);
            if (n < 0) {
                return n;
            }
            assertThat(n).isBetween(0, buf.length);
            assertThat(buf.length - n).as("bytes held back: a preface, frame header or prefix not yet whole")
                    .isLessThan(Http2Connection.PREFACE.length);
            pending = Arrays.copyOfRange(buf, n, buf.length);
            status = Http2Connection.OPEN;
        }
        return status;
    }

    /** Reads {@code b}, which must leave the connection open or closed by the client's GOAWAY (as nghttp ends). */
    private Recorder read(byte[] b) {
        Recorder r = new Recorder();
        assertThat(readAll(new Http2Connection(anomalies, CAP, budget), b, r)).isIn(Http2Connection.OPEN, Http2Connection.CLOSED);
        return r;
    }

    private int status(byte[] b) {
        return readAll(new Http2Connection(anomalies, CAP, budget), b, new Recorder());
    }

    /** A POST to Triton's gRPC inference method. */
    private static byte[] grpcBlock() {
        return concat(hex("83 86"), hpackLiteral(":path", "/inference.GRPCInferenceService/ModelInfer"),
                hpackLiteral(":authority", "Triton.Lab.Example:8001"), hpackLiteral("content-type", "application/grpc"),
                hpackLiteral("authorization", "Bearer SYNTHETIC-token"));
    }

    private static byte[] opening(byte[]... frames) {
        return concat(Http2Connection.PREFACE, concat(frames));
    }

    private static byte[] recorded(String name) throws IOException {
        return Files.readAllBytes(HpackTest.testData().resolve("h2c").resolve(name));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** An HPACK literal with incremental indexing and a literal name (RFC 7541 6.2.1): it enters the dynamic table. */
    private static byte[] indexedLiteral(String name, String value) {
        byte[] n = ascii(name);
        byte[] v = ascii(value);
        return concat(new byte[] {0x40, (byte) n.length}, n, new byte[] {(byte) v.length}, v);
    }

    /** gRPC's Length-Prefixed-Message: flag, 4-byte length, message. */
    private static byte[] grpcMessage(int flag, byte[] message) {
        return concat(new byte[] {(byte) flag, (byte) (message.length >>> 24), (byte) (message.length >>> 16),
                (byte) (message.length >>> 8), (byte) message.length}, message);
    }

    @Test
    void read_realCurlPriorKnowledge_readsTheRequestAndItsBody() throws IOException {
        Recorder r = read(recorded("curl-prior-knowledge.bin"));
        assertThat(r.requests).hasSize(1);
        HttpRequest q = r.requests.get(0);
        assertThat(q.method()).isEqualTo("POST");
        assertThat(q.host()).isEqualTo("ollama.lab.example");
        assertThat(q.path()).isEqualTo("/api/generate");
        assertThat(q.contentType()).isEqualTo("application/json");
        assertThat(q.connectPort()).isZero();
        assertThat(r.hasBody).containsExactly(true);
        assertThat(r.bodies).hasSize(1);
        assertThat(r.bodies.get(0).text()).isEqualTo("{\"model\":\"llama3\",\"prompt\":\"hello\"}");
        assertThat(r.bodies.get(0).complete()).isTrue();
        assertThat(q.toString()).doesNotContain("SYNTHETIC", "sk-test", "session=");
    }

    @Test
    void read_realGrpcClient_readsTheMethodPathAndTheMessage() throws IOException {
        Recorder r = read(recorded("grpc-python.bin"));
        assertThat(r.requests).hasSize(1);
        HttpRequest q = r.requests.get(0);
        assertThat(q.host()).isEqualTo("triton.lab.example");
        assertThat(q.path()).isEqualTo("/inference.GRPCInferenceService/ModelInfer");
        assertThat(q.contentType()).isEqualTo("application/grpc");
        assertThat(r.bodies).singleElement().satisfies(g -> {
            assertThat(g.body()).isEqualTo(grpcMessage(0, concat(hex("0a08"), ascii("resnet50"))));
            assertThat(g.complete()).isTrue();
        });
        assertThat(q.toString()).doesNotContain("SYNTHETIC");
    }

    /**
     * nghttp POSTs one body to two paths at once: PRIORITY frames, HEADERS with priority, the second
     * block made of references to the HPACK entries of the first, DATA of both streams interleaved.
     */
    @Test
    void read_realNghttpTwoRequests_readsBothWithTheirWholeBodies() throws IOException {
        Recorder r = new Recorder();
        assertThat(readAll(new Http2Connection(anomalies, CAP, budget), recorded("nghttp-two-requests.bin"), r))
                .as("nghttp ends with GOAWAY").isEqualTo(Http2Connection.CLOSED);
        assertThat(r.paths()).containsExactly("/api/generate", "/api/chat");
        assertThat(r.requests).extracting(HttpRequest::host).containsOnly("ollama.lab.example");
        assertThat(r.requests).extracting(HttpRequest::contentType).containsOnly("application/json");
        assertThat(r.bodies).hasSize(2).allSatisfy(g -> {
            assertThat(g.complete()).isTrue();
            assertThat(g.truncated()).isFalse();
            assertThat(g.body().length).as("the 37 KB body, from three DATA frames").isGreaterThan(37_000);
            // the body ends with synthetic personal data: checked without printing it
            assertThat(g.text().startsWith("{\"model\":\"llama3\"") && g.text().endsWith("SSN 412-58-3306.\"}]}"))
                    .as("the whole body, first to last byte").isTrue();
        });
        assertThat(r.bodies.get(0).body()).isEqualTo(r.bodies.get(1).body());
        assertThat(r.requests.toString()).doesNotContain("SYNTHETIC", "token=");
    }

    @Test
    void read_realGrpcChannelOfThreeCalls_readsEveryCallAndTheGzipEncoding() throws IOException {
        Recorder r = read(recorded("grpc-three-calls.bin"));
        assertThat(r.paths()).containsExactly("/inference.GRPCInferenceService/ModelInfer",
                "/inference.GRPCInferenceService/ModelMetadata", "/inference.GRPCInferenceService/ModelInfer");
        assertThat(r.requests).extracting(HttpRequest::host).containsOnly("triton.lab.example");
        assertThat(r.requests).extracting(HttpRequest::contentEncoding).containsExactly(null, null, "gzip");
        assertThat(r.bodies).hasSize(3).allSatisfy(g -> assertThat(g.complete()).isTrue());
        assertThat(r.bodies.get(0).text().contains("SSN 412-58-3306")).as("the first call's prompt").isTrue();
        assertThat(r.bodies.get(1).text()).contains("llama-guard").doesNotContain("SSN");
        byte[] third = r.bodies.get(2).body();
        assertThat(third[0]).as("compressed flag").isEqualTo((byte) 1);
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(third, 5, third.length - 5))) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8).contains("aws_secret_access_key = Zq4V"))
                    .as("the third call's prompt, once inflated").isTrue();
        }
    }

    /** Any cut of the bytes into pieces (down to one byte) gives what one piece gives. */
    @Test
    void read_inPiecesOfAnySize_givesTheSameRequestsAndBodies() throws IOException {
        for (String name : List.of("curl-prior-knowledge.bin", "grpc-python.bin", "grpc-three-calls.bin",
                "nghttp-two-requests.bin")) {
            byte[] b = recorded(name);
            Recorder whole = read(b);
            for (int piece : new int[] {1, 2, 5, 9, 10, 17, 100, 1000, 16393}) {
                Recorder r = new Recorder();
                assertThat(readInPieces(new Http2Connection(anomalies, CAP, budget), b, r, piece))
                        .isEqualTo(readAll(new Http2Connection(anomalies, CAP, budget), b, new Recorder()));
                assertThat(r.requests).as("%s in pieces of %d", name, piece).isEqualTo(whole.requests);
                assertThat(r.bodies).hasSameSizeAs(whole.bodies);
                for (int i = 0; i < r.bodies.size(); i++) {
                    assertThat(r.bodies.get(i).body()).isEqualTo(whole.bodies.get(i).body());
                    assertThat(r.bodies.get(i).complete()).isEqualTo(whole.bodies.get(i).complete());
                }
            }
        }
    }

    @Test
    void read_paddedAndPriorityHeadersAndPaddedData_readTheContentOnly() {
        byte[] headers = concat(hex("03"), hex("80000000 ff"), grpcBlock(), hex("000000"));
        byte[] data = concat(hex("02"), ascii("hello"), hex("0000"));
        Recorder r = read(opening(SETTINGS, WINDOW_UPDATE, h2Frame(HEADERS, END_HEADERS | PADDED | PRIORITY, 1, headers),
                h2Frame(DATA, END_STREAM | PADDED, 1, data)));
        assertThat(r.paths()).containsExactly("/inference.GRPCInferenceService/ModelInfer");
        assertThat(r.bodies).singleElement().satisfies(g -> {
            assertThat(g.text()).isEqualTo("hello");
            assertThat(g.complete()).isTrue();
        });
    }

    @Test
    void read_padLongerThanThePayload_isMalformed() {
        assertThat(status(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS | PADDED, 1, concat(hex("ff"), grpcBlock())))))
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS | PADDED, 1, new byte[0])))).as("no pad length")
                .isEqualTo(Http2Connection.MALFORMED);
        byte[] headers = h2Frame(HEADERS, END_HEADERS, 1, grpcBlock());
        assertThat(status(opening(SETTINGS, headers, h2Frame(DATA, PADDED, 1, hex("05 00"))))).as("DATA")
                .isEqualTo(Http2Connection.MALFORMED);
    }

    @Test
    void read_blockSplitOverContinuations_isJoined() {
        byte[] block = grpcBlock();
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, 0, 1, Arrays.copyOfRange(block, 0, 7)),
                h2Frame(CONTINUATION, 0, 1, Arrays.copyOfRange(block, 7, 30)),
                h2Frame(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(block, 30, block.length))));
        assertThat(r.requests).extracting(HttpRequest::host).containsExactly("triton.lab.example");
    }

    @Test
    void read_somethingBetweenHeadersAndContinuation_isMalformed() {
        byte[] block = grpcBlock();
        byte[] first = h2Frame(HEADERS, 0, 1, Arrays.copyOfRange(block, 0, 7));
        byte[] rest = Arrays.copyOfRange(block, 7, block.length);
        assertThat(status(opening(SETTINGS, first, h2Frame(CONTINUATION, END_HEADERS, 3, rest)))).as("other stream")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(SETTINGS, first, WINDOW_UPDATE, h2Frame(CONTINUATION, END_HEADERS, 1, rest))))
                .as("other frame").isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(SETTINGS, h2Frame(CONTINUATION, END_HEADERS, 1, block)))).as("CONTINUATION alone")
                .isEqualTo(Http2Connection.MALFORMED);
    }

    @Test
    void read_brokenFraming_isMalformed() {
        byte[] headers = h2Frame(HEADERS, END_HEADERS, 1, grpcBlock());
        assertThat(status(opening(h2Frame(DATA, 0, 1, hex("00"))))).as("DATA before its stream opened")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(headers, h2Frame(DATA, 0, 0, hex("00"))))).as("DATA on stream 0")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(h2Frame(HEADERS, END_HEADERS, 2, grpcBlock())))).as("even stream")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(h2Frame(4, 0, 0, hex("0003")), headers))).as("SETTINGS not 6-byte entries")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(h2Frame(4, 0, 1, new byte[0]), headers))).as("SETTINGS on a stream")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(h2Frame(5, END_HEADERS, 1, hex("00000002"))))).as("client PUSH_PROMISE")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(opening(h2Frame(HEADERS, END_HEADERS, 1, hex("80"))))).as("HPACK index 0")
                .isEqualTo(Http2Connection.MALFORMED);
        byte[] big = new byte[Http2Connection.MAX_HEADER_BLOCK + 1];
        assertThat(status(opening(h2Frame(HEADERS, END_HEADERS, 1, big)))).as("block over the cap")
                .isEqualTo(Http2Connection.MALFORMED);
        byte[][] many = new byte[Http2Connection.MAX_CONTINUATIONS + 1][];
        Arrays.fill(many, h2Frame(CONTINUATION, 0, 1, new byte[0]));
        assertThat(status(opening(h2Frame(HEADERS, 0, 1, grpcBlock()), concat(many)))).as("too many CONTINUATIONs")
                .isEqualTo(Http2Connection.MALFORMED);
        assertThat(status(ascii("PRI * HTTP/1.1\r\n\r\n"))).as("not the preface").isEqualTo(Http2Connection.NOT_HTTP2);
    }

    @Test
    void read_afterGivingUp_readsNothingMore() {
        Http2Connection c = new Http2Connection(anomalies, CAP, budget);
        Recorder r = new Recorder();
        byte[] broken = opening(h2Frame(HEADERS, END_HEADERS, 2, grpcBlock()));
        assertThat(c.read(broken, 0, broken.length, r)).isEqualTo(Http2Connection.MALFORMED);
        byte[] good = h2Frame(HEADERS, END_HEADERS, 1, grpcBlock());
        assertThat(c.read(good, 0, good.length, r)).isEqualTo(Http2Connection.MALFORMED);
        assertThat(r.requests).isEmpty();
    }

    @Test
    void read_goaway_closesAndHandsOverTheOpenBodiesCut() {
        Recorder r = new Recorder();
        byte[] b = opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()), h2Frame(DATA, 0, 1, ascii("part")),
                h2Frame(7, 0, 0, hex("0000000000000000")), h2Frame(HEADERS, END_HEADERS, 3, grpcBlock()));
        assertThat(readAll(new Http2Connection(anomalies, CAP, budget), b, r)).isEqualTo(Http2Connection.CLOSED);
        assertThat(r.requests).hasSize(1);
        assertThat(r.bodies).singleElement().satisfies(g -> {
            assertThat(g.text()).isEqualTo("part");
            assertThat(g.complete()).isFalse();
        });
    }

    @Test
    void read_unknownFrameTypesAndPriorityFrames_areSkipped() {
        Recorder r = read(opening(SETTINGS, h2Frame(0xfa, 0xff, 0, hex("0102030405")), h2Frame(2, 0, 3, hex("0000000010")),
                h2Frame(HEADERS, END_HEADERS | END_STREAM, 5, grpcBlock())));
        assertThat(r.requests).hasSize(1);
        assertThat(r.hasBody).containsExactly(false);
        assertThat(r.bodies).isEmpty();
    }

    @Test
    void read_missingPseudoHeaders() {
        byte[] hostOnly = concat(hex("82 86 84"), hpackLiteral("host", "ollama.lab.example:11434"));
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, hostOnly)));
        assertThat(r.requests).extracting(HttpRequest::host).as("Host when there is no :authority")
                .containsExactly("ollama.lab.example");
        assertThat(r.paths()).containsExactly("/");
        byte[] noHost = hex("82 86 84");
        assertThat(status(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, noHost)))).as("no authority, no host")
                .isEqualTo(Http2Connection.MALFORMED);
        byte[] noMethod = concat(hex("86 84"), hpackLiteral(":authority", "a.example"));
        assertThat(status(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, noMethod)))).as("no method")
                .isEqualTo(Http2Connection.MALFORMED);
        byte[] noPath = concat(hex("82 86"), hpackLiteral(":authority", "a.example"));
        assertThat(status(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, noPath)))).as("GET without a path")
                .isEqualTo(Http2Connection.MALFORMED);
    }

    /** Later header blocks name their fields by the dynamic table the earlier ones built (RFC 7541 2.3.2). */
    @Test
    void read_laterRequests_useTheDynamicTableOfEarlierBlocks() {
        byte[] first = concat(hex("83 86"), indexedLiteral(":authority", "vllm.lab.example:8000"),
                indexedLiteral(":path", "/v1/chat/completions"), indexedLiteral("content-type", "application/json"));
        // index 62 is the newest entry (content-type), 63 :path, 64 :authority
        byte[] second = hex("83 86 c0 bf be");
        byte[] third = concat(hex("82 86 c0"), hpackLiteral(":path", "/v1/models"));
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, first),
                h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, second), h2Frame(HEADERS, END_HEADERS | END_STREAM, 5, third)));
        assertThat(r.requests).extracting(HttpRequest::host).containsOnly("vllm.lab.example");
        assertThat(r.paths()).containsExactly("/v1/chat/completions", "/v1/chat/completions", "/v1/models");
        assertThat(r.requests).extracting(HttpRequest::contentType)
                .containsExactly("application/json", "application/json", null);
    }

    /** A second block on a stream is its trailers: it ends the body and is decoded so that HPACK stays in step. */
    @Test
    void read_trailers_endTheBodyAndKeepTheTableInStep() {
        byte[] trailers = indexedLiteral("x-checksum", "abc");
        byte[] next = concat(hex("83 86"), hpackLiteral(":path", "/v1/embeddings"), hpackLiteral(":authority", "a.example"),
                hex("be")); // refers to the trailer's entry: wrong if the trailers were not decoded
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()), h2Frame(DATA, 0, 1, ascii("ab")),
                h2Frame(DATA, 0, 1, ascii("cd")), h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, trailers),
                h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, next)));
        assertThat(r.paths()).containsExactly("/inference.GRPCInferenceService/ModelInfer", "/v1/embeddings");
        assertThat(r.bodies).singleElement().satisfies(g -> {
            assertThat(g.text()).isEqualTo("abcd");
            assertThat(g.complete()).isTrue();
        });
    }

    @Test
    void read_bodyOverTheCap_isHandedOverAtTheCapAndTheConnectionGoesOn() {
        Http2Connection c = new Http2Connection(anomalies, 10, budget);
        Recorder r = new Recorder();
        byte[] b = opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()), h2Frame(DATA, 0, 1, ascii("0123456")),
                h2Frame(DATA, 0, 1, ascii("789abcdef")), h2Frame(DATA, END_STREAM, 1, ascii("more")),
                h2Frame(HEADERS, END_HEADERS, 3, grpcBlock()), h2Frame(DATA, END_STREAM, 3, ascii("short")));
        assertThat(readAll(c, b, r)).isEqualTo(Http2Connection.OPEN);
        assertThat(r.requests).hasSize(2);
        assertThat(r.bodies).hasSize(2);
        assertThat(r.bodies.get(0).text()).isEqualTo("0123456789");
        assertThat(r.bodies.get(0).truncated()).isTrue();
        assertThat(r.bodies.get(0).complete()).isFalse();
        assertThat(r.bodies.get(1).text()).isEqualTo("short");
        assertThat(r.bodies.get(1).complete()).isTrue();
    }

    @Test
    void read_moreOpenBodiesThanTheCap_countsTheOnesNotFollowed() {
        List<byte[]> frames = new ArrayList<>();
        frames.add(SETTINGS);
        int n = Http2Connection.MAX_OPEN_BODIES + 2;
        for (int i = 0; i < n; i++) {
            frames.add(h2Frame(HEADERS, END_HEADERS, 1 + 2 * i, grpcBlock()));
        }
        for (int i = 0; i < n; i++) {
            frames.add(h2Frame(DATA, END_STREAM, 1 + 2 * i, ascii("body " + i)));
        }
        Recorder r = read(opening(frames.toArray(new byte[0][])));
        assertThat(r.requests).hasSize(n);
        assertThat(r.bodies).extracting(Got::text).hasSize(Http2Connection.MAX_OPEN_BODIES)
                .startsWith("body 0").endsWith("body " + (Http2Connection.MAX_OPEN_BODIES - 1));
        assertThat(anomalies.get(Anomaly.HTTP2_BODY_NOT_FOLLOWED)).isEqualTo(2);
    }

    @Test
    void read_interleavedStreams_keepTheirBodiesApart_andResetHandsOverACutBody() {
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()),
                h2Frame(HEADERS, END_HEADERS, 3, grpcBlock()), h2Frame(DATA, 0, 3, ascii("three-a ")),
                h2Frame(DATA, 0, 1, ascii("one-a ")), h2Frame(DATA, 0, 3, ascii("three-b")),
                h2Frame(3, 0, 1, hex("00000008")), h2Frame(DATA, 0, 1, ascii("after reset")),
                h2Frame(DATA, END_STREAM, 3, new byte[0])));
        assertThat(r.bodies).extracting(Got::tag, Got::text, Got::complete).containsExactly(
                org.assertj.core.groups.Tuple.tuple("request 1", "one-a ", false),
                org.assertj.core.groups.Tuple.tuple("request 2", "three-a three-b", true));
    }

    /** The bodies of all connections share one budget: a body that would pass it is cut, and its memory comes back. */
    @Test
    void read_bodiesPastTheSharedBudget_areCutAndGiveTheirMemoryBack() {
        BodyBudget small = new BodyBudget(3000);
        byte[] data = new byte[2000];
        Recorder r = new Recorder();
        Http2Connection one = new Http2Connection(anomalies, CAP, small);
        Http2Connection two = new Http2Connection(anomalies, CAP, small);
        byte[] first = opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()), h2Frame(DATA, 0, 1, data));
        assertThat(readAll(one, first, r)).isEqualTo(Http2Connection.OPEN);
        assertThat(small.used()).as("the first body's buffer").isEqualTo(2000);
        assertThat(readAll(two, first, r)).isEqualTo(Http2Connection.OPEN);
        assertThat(r.requests).hasSize(2);
        // the second body got the 1,000 bytes left, was cut there and handed over at once
        assertThat(r.bodies).singleElement().satisfies(g -> {
            assertThat(g.body()).hasSize(1000);
            assertThat(g.truncated()).isTrue();
            assertThat(g.complete()).isFalse();
        });
        assertThat(small.used()).as("the second body's memory given back").isEqualTo(2000);
        assertThat(anomalies.get(Anomaly.HTTP_BODIES_OVER_BUDGET)).isEqualTo(1);
        one.end(r);
        two.end(r);
        assertThat(r.bodies).extracting(g -> g.body().length).containsExactly(1000, 2000);
        assertThat(small.used()).as("given back").isZero();
        // with the budget spent, a new body is not read at all
        BodyBudget spent = new BodyBudget(100);
        Recorder s = new Recorder();
        assertThat(readAll(new Http2Connection(anomalies, CAP, spent), first, s)).isEqualTo(Http2Connection.OPEN);
        assertThat(s.requests).hasSize(1);
        assertThat(s.bodies).isEmpty();
        assertThat(spent.used()).isZero();
        assertThat(anomalies.get(Anomaly.HTTP_BODIES_OVER_BUDGET)).isEqualTo(2);
    }

    @Test
    void end_handsOverTheOpenBodiesCut() {
        Http2Connection c = new Http2Connection(anomalies, CAP, budget);
        Recorder r = new Recorder();
        byte[] b = opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()), h2Frame(DATA, 0, 1, ascii("so far")));
        assertThat(readAll(c, b, r)).isEqualTo(Http2Connection.OPEN);
        assertThat(r.bodies).isEmpty();
        c.end(r);
        assertThat(r.bodies).extracting(Got::text, Got::complete)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("so far", false));
    }

    @Test
    void read_bodiesNotWanted_areSkippedWithoutBeingKept() {
        Recorder r = new Recorder();
        r.wantBodies = false;
        byte[] huge = new byte[1 << 20];
        byte[] b = opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, grpcBlock()), h2Frame(DATA, END_STREAM, 1, huge),
                h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, grpcBlock()));
        assertThat(readInPieces(new Http2Connection(anomalies, CAP, budget), b, r, 1460)).isEqualTo(Http2Connection.OPEN);
        assertThat(r.requests).hasSize(2);
        assertThat(r.bodies).isEmpty();
    }

    /** A 20 KB block (gRPC metadata, a long cookie): over the first version's 16 KiB cap, inside today's. */
    @Test
    void read_headerBlockOf20KBInContinuations_isRead() {
        StringBuilder value = new StringBuilder();
        for (int i = 0; i < 160; i++) {
            value.append("SYNTHETIC-metadata-").append(i).append(';');
        }
        ByteArrayOutputStream block = new ByteArrayOutputStream();
        block.writeBytes(grpcBlock());
        for (int i = 0; i < 6; i++) {
            byte[] v = ascii(value.toString());
            // literal without indexing, new name, value length over 127: 7-bit prefix integer
            block.writeBytes(concat(hex("00"), new byte[] {6}, ascii("x-meta"), new byte[] {0x7f, (byte) ((v.length - 127) & 0x7f | 0x80),
                    (byte) ((v.length - 127) >>> 7)}, v));
        }
        byte[] all = block.toByteArray();
        assertThat(all.length).isBetween(20_000, Http2Connection.MAX_HEADER_BLOCK);
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, 0, 1, Arrays.copyOfRange(all, 0, 16384)),
                h2Frame(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(all, 16384, all.length))));
        assertThat(r.requests).extracting(HttpRequest::host).containsExactly("triton.lab.example");
        assertThat(r.requests.toString()).doesNotContain("SYNTHETIC");
    }

    /** An HPACK integer with an N-bit prefix under {@code first}'s high bits (RFC 7541 5.1). */
    private static byte[] integer(int first, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            return new byte[] {(byte) (first | value)};
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(first | max);
        for (value -= max; value >= 128; value >>>= 7) {
            out.write(value & 0x7f | 0x80);
        }
        out.write(value);
        return out.toByteArray();
    }

    /**
     * A long cookie, Huffman-coded as curl sends it: 20,000 octets that decode from 12,500 bytes
     * (found with real curl and nghttpd).
     */
    @Test
    void read_longCookieInsideTheBlockCap_keepsTheRequest() {
        // 'a' is 00011: eight of them fill five bytes, 0x18 0xc6 0x31 0x8c 0x63
        byte[] huffman = new byte[12_500];
        for (int i = 0; i < huffman.length; i += 5) {
            System.arraycopy(hex("18c6318c63"), 0, huffman, i, 5);
        }
        byte[] cookie = concat(integer(0x00, 4, 32), integer(0x80, 7, huffman.length), huffman);
        byte[] block = concat(hex("82 86 84"), hpackLiteral(":authority", "big.lab.example:11434"), cookie);
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, block)));
        assertThat(r.requests).extracting(HttpRequest::host).containsExactly("big.lab.example");
    }

    @Test
    void read_userinfoInTheAuthority_isNotKept() {
        byte[] block = concat(hex("82 86 84"), hpackLiteral(":authority", "alice:SYNTHETIC-pw@api.openai.com:443"));
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, block)));
        assertThat(r.requests).extracting(HttpRequest::host).containsExactly("api.openai.com");
        assertThat(r.requests.toString()).doesNotContain("alice", "SYNTHETIC");
    }

    @Test
    void read_connect_isATunnelToTheAuthorityWithoutABody() {
        byte[] block = concat(hpackLiteral(":method", "CONNECT"), hpackLiteral(":authority", "api.openai.com:443"));
        Recorder r = read(opening(SETTINGS, h2Frame(HEADERS, END_HEADERS, 1, block), h2Frame(DATA, 0, 1, hex("160301"))));
        HttpRequest q = r.requests.get(0);
        assertThat(q.method()).isEqualTo("CONNECT");
        assertThat(q.host()).isEqualTo("api.openai.com");
        assertThat(q.path()).isEmpty();
        assertThat(q.connectPort()).isEqualTo(443);
        assertThat(r.hasBody).containsExactly(false);
        assertThat(r.bodies).isEmpty();
    }

    @Test
    void mayStart_onlyThePrefaceOrItsStart() {
        byte[] p = Http2Connection.PREFACE;
        assertThat(Http2Connection.mayStart(p, 0, 3)).isTrue();
        assertThat(Http2Connection.mayStart(p, 0, p.length)).isTrue();
        assertThat(Http2Connection.mayStart(ascii("PRI * HTTP/1.1\r\n"), 0, 16)).isFalse();
        assertThat(Http2Connection.mayStart(ascii("POST / HTTP/1.1\r\n"), 0, 16)).isFalse();
        assertThat(Http2Connection.mayStart(p, 0, 0)).isFalse();
    }

    @Test
    void read_offsetInsideALargerArray_readsOnlyTheRange() {
        byte[] b = opening(SETTINGS, h2Frame(HEADERS, END_HEADERS | END_STREAM, 1, grpcBlock()));
        byte[] padded = concat(hex("ffffff"), b, hex("000000"));
        Recorder r = new Recorder();
        Http2Connection c = new Http2Connection(anomalies, CAP, budget);
        assertThat(c.read(padded, 3, b.length - 1, r)).as("all but the last byte, read as it comes").isEqualTo(b.length - 1);
        assertThat(r.requests).as("the block is not whole").isEmpty();
        assertThat(c.read(padded, 3 + b.length - 1, 1, r)).isEqualTo(1);
        assertThat(r.requests).hasSize(1);
        assertThat(new Http2Connection(anomalies, CAP, budget).read(padded, 3, b.length, r)).isEqualTo(b.length);
        assertThat(r.requests).hasSize(2);
    }

    @Test
    void read_seededRandomAndMutatedBytes_neverThrowAndStayInRange() throws IOException {
        List<byte[]> seeds = List.of(recorded("curl-prior-knowledge.bin"), recorded("grpc-python.bin"),
                recorded("grpc-three-calls.bin"),
                opening(SETTINGS, WINDOW_UPDATE, h2Frame(HEADERS, END_HEADERS | 0x28, 1,
                        concat(hex("02 80000000ff"), grpcBlock(), hex("0000"))), h2Frame(DATA, PADDED, 1, hex("01 41 00"))),
                opening(SETTINGS, h2Frame(HEADERS, 0, 1, Arrays.copyOfRange(grpcBlock(), 0, 9)),
                        h2Frame(CONTINUATION, END_HEADERS, 1, Arrays.copyOfRange(grpcBlock(), 9, grpcBlock().length)),
                        h2Frame(DATA, 0, 1, ascii("abc")), h2Frame(HEADERS, END_HEADERS | END_STREAM, 3, hex("83 86 be"))));
        Mutator mutator = Mutator.forTest(0x9113L, 2048);
        Random random = new Random(0x9113L);
        byte[] input = mutator.buffer();
        int requests = 0;
        int bodies = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = mutator.mutate(seeds.get(i % seeds.size()));
            int off = len == 0 ? 0 : random.nextInt(Math.min(len, 2));
            Recorder r = new Recorder();
            Http2Connection c = new Http2Connection(anomalies, 16, budget);
            int status = c.read(input, off, len - off, r);
            assertThat(status).as("input %d, campaign %d", i, Mutator.campaign())
                    .isBetween(Http2Connection.MALFORMED, len - off);
            if (status >= 0) {
                c.end(r);
            }
            for (HttpRequest q : r.requests) {
                assertThat(q.host()).isNotEmpty();
                assertThat(q.method()).isNotEmpty();
            }
            for (Got g : r.bodies) {
                assertThat(g.body().length).isLessThanOrEqualTo(16);
            }
            requests += r.requests.size();
            bodies += r.bodies.size();
        }
        assertThat(requests).as("mutations of valid connections that still carry requests").isPositive();
        assertThat(bodies).as("and bodies").isPositive();
    }
}
