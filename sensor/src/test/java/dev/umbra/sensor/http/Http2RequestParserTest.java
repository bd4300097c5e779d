package dev.umbra.sensor.http;

import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.h2Frame;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.hpackLiteral;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Http2RequestParserTest {
    private final Http2RequestParser parser = new Http2RequestParser();

    private static final byte[] SETTINGS = h2Frame(4, 0, 0, hex("000300000064 000400a00000"));
    private static final byte[] WINDOW_UPDATE = h2Frame(8, 0, 0, hex("3fff0001"));
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** A POST to Triton's gRPC inference method, as a client's first request. */
    private static byte[] grpcBlock() {
        return concat(hex("83 86"), hpackLiteral(":path", "/inference.GRPCInferenceService/ModelInfer"),
                hpackLiteral(":authority", "Triton.Lab.Example:8001"), hpackLiteral("content-type", "application/grpc"),
                hpackLiteral("authorization", "Bearer SYNTHETIC-token"));
    }

    private static byte[] opening(byte[]... frames) {
        return concat(Http2RequestParser.PREFACE, concat(frames));
    }

    private int parse(byte[] b) {
        return parser.parse(b, 0, b.length);
    }

    private static byte[] recorded(String name) throws IOException {
        return Files.readAllBytes(HpackTest.testData().resolve("h2c").resolve(name));
    }

    @Test
    void parse_realCurlPriorKnowledge_readsTheRequestAndDropsTheQuery() throws IOException {
        byte[] opening = recorded("curl-prior-knowledge.bin");
        assertThat(parse(opening)).isEqualTo(Http2RequestParser.OK);
        HttpRequest r = parser.result();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.host()).isEqualTo("ollama.lab.example");
        assertThat(r.path()).isEqualTo("/api/generate");
        assertThat(r.contentType()).isEqualTo("application/json");
        assertThat(r.connectPort()).isZero();
        // the DATA frame with the body follows the header block
        assertThat(r.headLength()).isLessThan(opening.length);
        assertThat(r.toString()).doesNotContain("SYNTHETIC", "sk-test", "session=");
    }

    @Test
    void parse_realGrpcClient_readsTheMethodPath() throws IOException {
        byte[] opening = recorded("grpc-python.bin");
        assertThat(parse(opening)).isEqualTo(Http2RequestParser.OK);
        HttpRequest r = parser.result();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.host()).isEqualTo("triton.lab.example");
        assertThat(r.path()).isEqualTo("/inference.GRPCInferenceService/ModelInfer");
        assertThat(r.contentType()).isEqualTo("application/grpc");
        assertThat(r.toString()).doesNotContain("SYNTHETIC");
    }

    @Test
    void parse_everyPrefix_needsMoreThenOk() throws IOException {
        for (byte[] opening : List.of(recorded("curl-prior-knowledge.bin"), recorded("grpc-python.bin"),
                opening(SETTINGS, h2Frame(1, END_HEADERS, 1, grpcBlock())))) {
            assertThat(parse(opening)).isEqualTo(Http2RequestParser.OK);
            int head = parser.result().headLength();
            for (int n = 0; n < head; n++) {
                assertThat(parser.parse(opening, 0, n)).as("prefix of %d bytes", n)
                        .isEqualTo(n == 0 ? Http2RequestParser.NOT_HTTP2 : Http2RequestParser.NEED_MORE);
            }
            assertThat(parser.parse(opening, 0, head)).isEqualTo(Http2RequestParser.OK);
        }
    }

    @Test
    void parse_paddedAndPriorityHeaders_readTheFragmentOnly() {
        byte[] payload = concat(hex("03"), hex("80000000 ff"), grpcBlock(), hex("000000"));
        byte[] opening = opening(SETTINGS, WINDOW_UPDATE, h2Frame(1, END_HEADERS | END_STREAM | 0x8 | 0x20, 1, payload));
        assertThat(parse(opening)).isEqualTo(Http2RequestParser.OK);
        assertThat(parser.result().path()).isEqualTo("/inference.GRPCInferenceService/ModelInfer");
        assertThat(parser.result().headLength()).isEqualTo(opening.length);
    }

    @Test
    void parse_padLongerThanThePayload_isMalformed() {
        byte[] payload = concat(hex("ff"), grpcBlock());
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS | 0x8, 1, payload))))
                .isEqualTo(Http2RequestParser.MALFORMED);
    }

    @Test
    void parse_blockSplitOverContinuations_isJoined() {
        byte[] block = grpcBlock();
        byte[] opening = opening(SETTINGS, h2Frame(1, 0, 1, Arrays.copyOfRange(block, 0, 7)),
                h2Frame(9, 0, 1, Arrays.copyOfRange(block, 7, 30)),
                h2Frame(9, END_HEADERS, 1, Arrays.copyOfRange(block, 30, block.length)));
        assertThat(parse(opening)).isEqualTo(Http2RequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("triton.lab.example");
        assertThat(parser.result().headLength()).isEqualTo(opening.length);
    }

    @Test
    void parse_somethingBetweenHeadersAndContinuation_isMalformed() {
        byte[] block = grpcBlock();
        byte[] first = h2Frame(1, 0, 1, Arrays.copyOfRange(block, 0, 7));
        byte[] rest = Arrays.copyOfRange(block, 7, block.length);
        assertThat(parse(opening(SETTINGS, first, h2Frame(9, END_HEADERS, 3, rest)))).as("other stream")
                .isEqualTo(Http2RequestParser.MALFORMED);
        assertThat(parse(opening(SETTINGS, first, WINDOW_UPDATE, h2Frame(9, END_HEADERS, 1, rest)))).as("other frame")
                .isEqualTo(Http2RequestParser.MALFORMED);
    }

    @Test
    void parse_brokenFraming_isMalformed() {
        byte[] headers = h2Frame(1, END_HEADERS, 1, grpcBlock());
        assertThat(parse(opening(h2Frame(0, 0, 1, hex("00"))))).as("DATA first").isEqualTo(Http2RequestParser.MALFORMED);
        assertThat(parse(opening(h2Frame(1, END_HEADERS, 2, grpcBlock())))).as("even stream")
                .isEqualTo(Http2RequestParser.MALFORMED);
        assertThat(parse(opening(h2Frame(4, 0, 0, hex("0003")), headers))).as("SETTINGS not 6-byte entries")
                .isEqualTo(Http2RequestParser.MALFORMED);
        assertThat(parse(opening(h2Frame(4, 0, 1, new byte[0]), headers))).as("SETTINGS on a stream")
                .isEqualTo(Http2RequestParser.MALFORMED);
        assertThat(parse(opening(h2Frame(5, END_HEADERS, 1, hex("00000002"))))).as("client PUSH_PROMISE")
                .isEqualTo(Http2RequestParser.MALFORMED);
        byte[][] pings = new byte[Http2RequestParser.MAX_FRAMES_BEFORE_HEADERS][];
        Arrays.fill(pings, h2Frame(6, 0, 0, new byte[8]));
        assertThat(parse(opening(concat(pings), headers))).as("too many frames first")
                .isEqualTo(Http2RequestParser.MALFORMED);
        assertThat(parse(opening(h2Frame(1, END_HEADERS, 1, hex("80"))))).as("HPACK index 0")
                .isEqualTo(Http2RequestParser.MALFORMED);
        byte[] big = new byte[Http2RequestParser.MAX_HEADER_BLOCK + 1];
        assertThat(parse(opening(h2Frame(1, END_HEADERS, 1, big)))).as("block over the cap")
                .isEqualTo(Http2RequestParser.MALFORMED);
    }

    @Test
    void parse_goawayBeforeAnyRequest_isNotARequest() {
        assertThat(parse(opening(SETTINGS, h2Frame(7, 0, 0, hex("0000000000000000")))))
                .isEqualTo(Http2RequestParser.NOT_HTTP2);
    }

    @Test
    void parse_unknownFrameTypes_areSkipped() {
        byte[] opening = opening(SETTINGS, h2Frame(0xfa, 0xff, 0, hex("0102030405")), h2Frame(1, END_HEADERS, 1,
                grpcBlock()));
        assertThat(parse(opening)).isEqualTo(Http2RequestParser.OK);
    }

    @Test
    void parse_missingPseudoHeaders() {
        byte[] hostOnly = concat(hex("82 86 84"), hpackLiteral("host", "ollama.lab.example:11434"));
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, hostOnly)))).isEqualTo(Http2RequestParser.OK);
        assertThat(parser.result().host()).as("Host when there is no :authority").isEqualTo("ollama.lab.example");
        assertThat(parser.result().path()).isEqualTo("/");
        byte[] noHost = hex("82 86 84");
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, noHost)))).as("no authority, no host")
                .isEqualTo(Http2RequestParser.MALFORMED);
        byte[] noMethod = concat(hex("86 84"), hpackLiteral(":authority", "a.example"));
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, noMethod)))).as("no method")
                .isEqualTo(Http2RequestParser.MALFORMED);
        byte[] noPath = concat(hex("82 86"), hpackLiteral(":authority", "a.example"));
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, noPath)))).as("GET without a path")
                .isEqualTo(Http2RequestParser.MALFORMED);
    }

    /** An HPACK integer with an N-bit prefix under {@code first}'s high bits (RFC 7541 5.1). */
    private static byte[] integer(int first, int prefixBits, int value) {
        int max = (1 << prefixBits) - 1;
        if (value < max) {
            return new byte[] {(byte) (first | value)};
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(first | max);
        for (value -= max; value >= 128; value >>>= 7) {
            out.write(value & 0x7f | 0x80);
        }
        out.write(value);
        return out.toByteArray();
    }

    /**
     * A long cookie, Huffman-coded as curl sends it: 20,000 octets that decode from 12,500 bytes,
     * longer than any one field needs but well inside the block cap (found with real curl and nghttpd).
     */
    @Test
    void parse_longCookieInsideTheBlockCap_keepsTheRequest() {
        // 'a' is 00011: eight of them fill five bytes, 0x18 0xc6 0x31 0x8c 0x63
        byte[] huffman = new byte[12_500];
        for (int i = 0; i < huffman.length; i += 5) {
            System.arraycopy(hex("18c6318c63"), 0, huffman, i, 5);
        }
        byte[] cookie = concat(integer(0x00, 4, 32), integer(0x80, 7, huffman.length), huffman);
        byte[] block = concat(hex("82 86 84"), hpackLiteral(":authority", "big.lab.example:11434"), cookie);
        assertThat(block.length).isLessThan(Http2RequestParser.MAX_HEADER_BLOCK);
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, block)))).isEqualTo(Http2RequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("big.lab.example");
    }

    @Test
    void parse_userinfoInTheAuthority_isNotKept() {
        byte[] block = concat(hex("82 86 84"), hpackLiteral(":authority", "alice:SYNTHETIC-pw@api.openai.com:443"));
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, block)))).isEqualTo(Http2RequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("api.openai.com");
        assertThat(parser.result().toString()).doesNotContain("alice", "SYNTHETIC");
    }

    @Test
    void parse_connect_isATunnelToTheAuthority() {
        byte[] block = concat(hpackLiteral(":method", "CONNECT"), hpackLiteral(":authority", "api.openai.com:443"));
        assertThat(parse(opening(SETTINGS, h2Frame(1, END_HEADERS, 1, block)))).isEqualTo(Http2RequestParser.OK);
        HttpRequest r = parser.result();
        assertThat(r.method()).isEqualTo("CONNECT");
        assertThat(r.host()).isEqualTo("api.openai.com");
        assertThat(r.path()).isEmpty();
        assertThat(r.connectPort()).isEqualTo(443);
    }

    @Test
    void mayStart_onlyThePrefaceOrItsStart() {
        byte[] p = Http2RequestParser.PREFACE;
        assertThat(Http2RequestParser.mayStart(p, 0, 3)).isTrue();
        assertThat(Http2RequestParser.mayStart(p, 0, p.length)).isTrue();
        assertThat(Http2RequestParser.mayStart(ascii("PRI * HTTP/1.1\r\n"), 0, 16)).isFalse();
        assertThat(Http2RequestParser.mayStart(ascii("POST / HTTP/1.1\r\n"), 0, 16)).isFalse();
        assertThat(Http2RequestParser.mayStart(p, 0, 0)).isFalse();
    }

    @Test
    void parse_offsetInsideALargerArray_readsOnlyTheRange() {
        byte[] opening = opening(SETTINGS, h2Frame(1, END_HEADERS, 1, grpcBlock()));
        byte[] padded = concat(hex("ffffff"), opening, hex("ffffff"));
        assertThat(parser.parse(padded, 3, opening.length)).isEqualTo(Http2RequestParser.OK);
        assertThat(parser.result().headLength()).isEqualTo(opening.length);
        assertThat(parser.parse(padded, 3, opening.length - 1)).isEqualTo(Http2RequestParser.NEED_MORE);
    }

    @Test
    void parse_seededRandomAndMutatedBytes_neverThrowAndStayInRange() throws IOException {
        List<byte[]> seeds = List.of(recorded("curl-prior-knowledge.bin"), recorded("grpc-python.bin"),
                opening(SETTINGS, WINDOW_UPDATE, h2Frame(1, END_HEADERS | 0x28, 1,
                        concat(hex("02 80000000ff"), grpcBlock(), hex("0000")))),
                opening(SETTINGS, h2Frame(1, 0, 1, Arrays.copyOfRange(grpcBlock(), 0, 9)),
                        h2Frame(9, END_HEADERS, 1, Arrays.copyOfRange(grpcBlock(), 9, grpcBlock().length))));
        Mutator mutator = Mutator.forTest(0x9113L, 1200);
        Random random = new Random(0x9113L);
        byte[] input = mutator.buffer();
        int ok = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = mutator.mutate(seeds.get(i % seeds.size()));
            int off = len == 0 ? 0 : random.nextInt(Math.min(len, 2));
            int status = parser.parse(input, off, len - off);
            assertThat(status).as("input %d, campaign %d", i, Mutator.campaign())
                    .isBetween(Http2RequestParser.MALFORMED, Http2RequestParser.OK);
            if (status == Http2RequestParser.OK) {
                ok++;
                HttpRequest r = parser.result();
                assertThat(r.headLength()).isBetween(Http2RequestParser.PREFACE.length + 9, len - off);
                assertThat(r.host()).isNotEmpty();
                assertThat(r.method()).isNotEmpty();
            }
        }
        assertThat(ok).as("mutations of valid openings that still parse").isPositive();
    }
}
