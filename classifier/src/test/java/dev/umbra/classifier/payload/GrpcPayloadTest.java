package dev.umbra.classifier.payload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.Fixtures;
import dev.umbra.classifier.ScanResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * gRPC and protobuf bodies written by an independent encoder (python3-protobuf, and one recording
 * of a real python3-grpcio client; test-data/payloads/grpc/make-fixtures.py) and hand-made
 * malformed ones. The fixtures' sidecar (fixtures.json) lists the segments each body must give.
 */
class GrpcPayloadTest {
    private static final String SSN = "536-22-1234";
    private static final String AWS_KEY = "AKIASYNTHETIC4KEY2QZ";
    private static final String EMAIL = "maria.synthetic@example.org";
    private static final Set<String> NOT_PREFIX_CHECKED = Set.of(
            // compressed, base64 or JSON: a prefix of the body is not a prefix of the protobuf bytes
            "chat-gzip.bin", "chat-deflate.bin", "grpcio-gzip.bin", "grpc-web-text.bin", "chat-json.bin");
    private final PayloadExtractor x = new PayloadExtractor();

    /** One fixture of fixtures.json. */
    record Fixture(String file, String contentType, String encoding, byte[] body, List<Expected> segments) {
    }

    /** A segment a fixture must give. */
    record Expected(String location, String text) {
    }

    static Path dir() {
        return Path.of(System.getProperty("umbra.repo.root", "..")).resolve("test-data/payloads/grpc");
    }

    static List<Fixture> fixtures() throws IOException {
        JsonNode root = new ObjectMapper().readTree(dir().resolve("fixtures.json").toFile());
        List<Fixture> out = new ArrayList<>();
        for (JsonNode f : root.path("fixtures")) {
            List<Expected> segments = new ArrayList<>();
            for (JsonNode s : f.path("segments")) {
                segments.add(new Expected(s.path("location").asText(), s.path("text").asText()));
            }
            String file = f.path("file").asText();
            out.add(new Fixture(file, f.path("content_type").asText(), f.path("encoding").isNull() ? null : f.path("encoding").asText(),
                    Files.readAllBytes(dir().resolve(file)), segments));
        }
        return out;
    }

    private static List<String> texts(Extracted e) {
        return e.segments().stream().map(s -> e.text().substring(s.start(), s.end())).toList();
    }

    private static List<Expected> segments(Extracted e) {
        return e.segments().stream().map(s -> new Expected(s.location(), e.text().substring(s.start(), s.end()))).toList();
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A gRPC Length-Prefixed-Message. */
    static byte[] frame(int flag, byte[] message) {
        byte[] f = new byte[5 + message.length];
        f[0] = (byte) flag;
        f[1] = (byte) (message.length >>> 24);
        f[2] = (byte) (message.length >>> 16);
        f[3] = (byte) (message.length >>> 8);
        f[4] = (byte) message.length;
        System.arraycopy(message, 0, f, 5, message.length);
        return f;
    }

    /** A length-delimited field (wire type 2): tag, varint length, value. */
    static byte[] field(int number, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, (long) number << 3 | 2);
        varint(out, value.length);
        out.writeBytes(value);
        return out.toByteArray();
    }

    static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    // ---- fixtures from the independent encoder ----

    @Test
    void extract_everyFixture_givesEachListedStringAtItsLocationWithoutAnomaly() throws IOException {
        List<Fixture> fixtures = fixtures();
        assertThat(fixtures).hasSizeGreaterThanOrEqualTo(15);
        SoftAssertions soft = new SoftAssertions();
        for (Fixture f : fixtures) {
            Extracted e = x.extract(f.body(), f.contentType(), f.encoding());
            soft.assertThat(segments(e)).as(f.file()).containsAll(f.segments());
            soft.assertThat(e.anomalies()).as(f.file()).isEmpty();
        }
        soft.assertAll();
    }

    @Test
    void extract_chatFixture_givesExactlyItsStringsInOrder() throws IOException {
        Fixture chat = fixtures().stream().filter(f -> f.file().equals("chat.bin")).findFirst().orElseThrow();
        Extracted e = x.extract(chat.body(), chat.contentType(), chat.encoding());
        // nothing glued, nothing more: the float and the varint of the request give no text
        assertThat(segments(e)).containsExactlyElementsOf(chat.segments());
    }

    @Test
    void extract_gRpcWebTrailersFrame_isSkipped() throws IOException {
        Fixture web = fixtures().stream().filter(f -> f.file().equals("chat-grpc-web.bin")).findFirst().orElseThrow();
        Extracted e = x.extract(web.body(), web.contentType(), null);
        assertThat(e.text()).doesNotContain("synthetic-trailer-not-a-request");
        assertThat(segments(e)).containsExactlyElementsOf(web.segments());
    }

    @Test
    void extract_everyPrefixOfEveryFixture_neverThrowsAndKeepsTheStringsWhollyInside() throws IOException {
        int checked = 0;
        for (Fixture f : fixtures()) {
            for (int n = 0; n <= f.body().length; n++) {
                byte[] prefix = Arrays.copyOf(f.body(), n);
                Extracted e = x.extract(prefix, f.contentType(), f.encoding());
                assertOrdered(e, f.file() + " cut at " + n);
                if (NOT_PREFIX_CHECKED.contains(f.file())) {
                    continue;
                }
                List<String> texts = texts(e);
                for (Expected s : f.segments()) {
                    int end = endOf(f.body(), b(s.text()));
                    if (end >= 0 && end <= n) {
                        assertThat(texts).as("%s cut at %d: %s", f.file(), n, s.location()).contains(s.text());
                        checked++;
                    }
                }
                // a cut at a message or field boundary is no anomaly; inside one, only a truncation
                assertThat(e.anomalies().keySet()).as("%s cut at %d", f.file(), n).isSubsetOf(PayloadAnomaly.PAYLOAD_GRPC_TRUNCATED,
                        PayloadAnomaly.PAYLOAD_PROTOBUF_TRUNCATED, PayloadAnomaly.PAYLOAD_COMPRESSION_INVALID,
                        PayloadAnomaly.PAYLOAD_JSON_INVALID);
            }
        }
        assertThat(checked).isGreaterThan(10_000);
    }

    /**
     * Where a string field's value ends in a body: the value preceded by its varint length (or, in
     * a BYTES tensor, its 4-byte little-endian length), so that "level 1" is not found in "level 19";
     * -1 when it is not in the body as such (a JSON member).
     */
    private static int endOf(byte[] body, byte[] value) {
        ByteArrayOutputStream varintLength = new ByteArrayOutputStream();
        varint(varintLength, value.length);
        byte[] le = {(byte) value.length, (byte) (value.length >>> 8), (byte) (value.length >>> 16), (byte) (value.length >>> 24)};
        for (byte[] prefix : List.of(varintLength.toByteArray(), le)) {
            int at = PayloadExtractor.indexOf(body, 0, body.length, concat(prefix, value));
            if (at >= 0) {
                return at + prefix.length + value.length;
            }
        }
        return -1;
    }

    static void assertOrdered(Extracted e, String what) {
        int previousEnd = 0;
        for (Segment s : e.segments()) {
            if (s.start() < previousEnd || s.end() < s.start() || s.end() > e.text().length()) {
                throw new AssertionError(what + ": segment " + s + " outside the text or out of order");
            }
            previousEnd = s.end();
        }
    }

    // ---- detection end to end ----

    @Test
    void classify_chatFixture_detectsTheSyntheticValuesAndMasksThem() throws IOException {
        for (String file : List.of("chat.bin", "chat-gzip.bin", "grpcio-gzip.bin", "triton-infer.bin", "tfserving-predict.bin")) {
            Fixture f = fixtures().stream().filter(g -> g.file().equals(file)).findFirst().orElseThrow();
            Extracted e = x.extract(f.body(), f.contentType(), f.encoding());
            ScanResult r = Fixtures.classifier().scan(e.text());
            assertThat(r.detections()).as(file).extracting(Detection::type).contains("us_ssn", "aws_access_key_id", "email");
            StringBuilder printed = new StringBuilder().append(r).append(e.segments()).append(e.anomalies());
            for (Detection d : r.detections()) {
                printed.append(d).append(d.masked()).append(d.hmac());
                if (d.type().equals("us_ssn") && file.equals("chat.bin")) {
                    assertThat(e.segmentAt(d.start()).location()).isEqualTo("body:grpc[0].2[1].2");
                }
            }
            assertThat(printed.toString()).as(file).doesNotContain(SSN, AWS_KEY, EMAIL, "SYNTHETIC4KEY");
        }
    }

    @Test
    void classify_secretInHandBuiltGrpcMessage_isDetectedMaskedAndLocated() {
        byte[] msg = concat(field(1, b("model-x")), field(2, concat(field(1, b("user")),
                field(2, b("my ssn is " + SSN + " and my key is " + AWS_KEY)))));
        Extracted e = x.extract(frame(0, msg), "application/grpc", null);
        ScanResult r = Fixtures.classifier().scan(e.text());
        assertThat(r.detections()).extracting(Detection::type).contains("us_ssn", "aws_access_key_id");
        for (Detection d : r.detections()) {
            assertThat(e.segmentAt(d.start()).location()).isEqualTo("body:grpc[0].2.2");
            assertThat(d.masked() + d).doesNotContain(SSN, AWS_KEY);
        }
    }

    // ---- message or text ----

    @Test
    void extract_messageHoldingOnlyA65ByteString_isOpenedNotGlued() {
        String s65 = "x".repeat(64) + "!";
        byte[] box = field(1, b(s65)); // 0a 41 ...: every byte printable or LF
        assertThat(box[1]).isEqualTo((byte) 'A');
        Extracted e = x.extract(frame(0, field(3, box)), "application/grpc", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].3.1", s65));
    }

    @Test
    void extract_shortStringsThatParseAsNumberFields_stayText() {
        // "hi" is {13: 105}, "assistant" is {12: fixed64}, "078-05-1120" is {6: 55, 7: 45, 6: 53, 5: fixed32}
        byte[] msg = concat(field(1, b("hi")), field(1, b("assistant")), field(1, b("078-05-1120")), field(1, b("a")));
        Extracted e = x.extract(frame(0, msg), "application/grpc", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].1[0]", "hi"),
                new Expected("body:grpc[0].1[1]", "assistant"), new Expected("body:grpc[0].1[2]", "078-05-1120"),
                new Expected("body:grpc[0].1[3]", "a"));
    }

    @Test
    void extract_stringThatParsesAsAStringFieldOtherThan1_staysAString() {
        // "b " + 32 characters is {12: "<32 characters>"}: a field other than 1 in text is taken for a coincidence
        String s = "b " + "the thirty-two characters after.";
        assertThat(s).hasSize(2 + 32);
        Extracted e = x.extract(frame(0, field(1, b(s))), "application/grpc", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].1", s));
    }

    @Test
    void extract_seededRandomPrompts_allComeOutVerbatimAtTheirField() {
        // words whose first bytes are printable tags (' ', '"', '*', '2', ':', 'B', 'J', 'R', 'Z', 'b',
        // 'j', 'r', 'z': fields 4 to 15) make strings that often parse as messages; none may be split.
        // (A prompt starting with a line break is left out: see extract_ambiguousFields_...)
        String[] words = ("the a patient Robert John Bob Jane ran big zebra 2024-01-01 SSN " + SSN + " is was of and to in that "
                + "it for on with as at by from bank rate Zoe Jim report balance code def return var json key: value, \"quoted\" "
                + "*bold* :colon Ra re ja jo be bi Müller 東京 \t \n (x) 0x41 AKIA").split(" ");
        Random r = new Random(8);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(60);
            for (int k = 0; k < n; k++) {
                sb.append(k == 0 ? "" : " ").append(words[r.nextInt(words.length)]);
            }
            String prompt = sb.toString();
            if (prompt.startsWith("\n") || prompt.startsWith("\t")) {
                continue;
            }
            byte[] msg = concat(field(1, b("model")), field(2, concat(field(1, b("user")), field(2, b(prompt)))));
            Extracted e = x.extract(frame(0, msg), "application/grpc", null);
            assertThat(segments(e)).as(prompt).containsExactly(new Expected("body:grpc[0].1", "model"),
                    new Expected("body:grpc[0].2.1", "user"), new Expected("body:grpc[0].2.2", prompt));
        }
    }

    @Test
    void extract_ambiguousFields_loseOnlyTheirTagAndLengthCharacters() {
        // known limits of reading without a schema, pinned: a string starting with LF and a character
        // whose code is the length left reads as {1: "<the rest>"} and loses its first two characters
        String s = "\n!" + "x".repeat(33);
        Extracted asMessage = x.extract(frame(0, field(1, b(s))), "application/grpc", null);
        assertThat(segments(asMessage)).containsExactly(new Expected("body:grpc[0].1.1", "x".repeat(33)));
        // and a real message of printable bytes with a field other than 1, {5: "<40 characters>"}, is
        // read as a string with its tag and length characters ("*(") glued in
        String forty = "forty characters of a synthetic string..";
        Extracted asText = x.extract(frame(0, field(2, field(5, b(forty)))), "application/grpc", null);
        assertThat(segments(asText)).containsExactly(new Expected("body:grpc[0].2", "*(" + forty));
    }

    @Test
    void extract_bytesFields_givePrintableRunsOrNothing() {
        byte[] floats = hex("0000803f 00000040 00004040"); // 1.0f 2.0f 3.0f
        byte[] packed = hex("01 02 03 96 01"); // packed varints 1, 2, 3, 150
        byte[] blob = concat(hex("00 ff 10"), b("printable run"), hex("00 01"), b("short"), hex("fe"));
        Extracted e = x.extract(frame(0, concat(field(1, floats), field(2, packed), field(3, blob))), "application/grpc", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].3(binary)", "printable run\n"));
        assertThat(e.anomalies()).isEmpty();
    }

    @Test
    void extract_bytesThatParseAsNumbersOnly_givePrintableRuns() {
        // "xxxxxxxx\1" reads as varint fields 15 (tag 'x' = 0x78): not opened as a message, so scanned as bytes
        byte[] xs = concat(b("x".repeat(11)), hex("01"));
        Extracted nested = x.extract(frame(0, field(2, xs)), "application/grpc", null);
        assertThat(segments(nested)).containsExactly(new Expected("body:grpc[0].2(binary)", "x".repeat(11) + "\n"));
        // the same as a whole message: nothing to walk, so its printable runs, without anomaly
        Extracted top = x.extract(frame(0, xs), "application/grpc", null);
        assertThat(segments(top)).containsExactly(new Expected("body:grpc[0](binary)", "x".repeat(11) + "\n"));
        assertThat(top.anomalies()).isEmpty();
        // a real numbers-only message gives nothing
        assertThat(x.extract(frame(0, hex("08 96 01 10 05 19 0000000000000840")), "application/grpc", null).segments()).isEmpty();
    }

    @Test
    void extract_controlCharactersOrBadUtf8_areBytesNotText() {
        byte[] msg = concat(field(1, b("ansi \u001b[31mred text")), field(2, hex("48 65 6c 6c 6f c3 28 77 6f 72 6c 64 21")));
        Extracted e = x.extract(frame(0, msg), "application/grpc", null);
        assertThat(segments(e)).extracting(Expected::location).containsExactly("body:grpc[0].1(binary)", "body:grpc[0].2(binary)");
        assertThat(e.text()).contains("[31mred text");
    }

    @Test
    void extract_tritonBytesTensorOfSeveralElements_givesEachElement() {
        byte[] tensor = concat(hex("05000000"), b("first"), hex("00000000"), hex("0c000000"), b("second\nline"), hex("20"));
        Extracted e = x.extract(frame(0, field(7, tensor)), "application/grpc", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].7(element[0])", "first"),
                new Expected("body:grpc[0].7(element[2])", "second\nline "));
    }

    @Test
    void extract_jsonDocumentInAStringField_goesThroughTheJsonPath() {
        byte[] msg = field(4, b("{\"messages\":[{\"role\":\"user\",\"content\":\"hello " + SSN + "\"}]}"));
        Extracted e = x.extract(frame(0, msg), "application/grpc", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].4:messages[0].role", "role: user"),
                new Expected("body:grpc[0].4:messages[0].content", "hello " + SSN));
        assertThat(e.segments().get(1).prompt()).isTrue();
        Extracted notJson = x.extract(frame(0, field(4, b("{not json}"))), "application/grpc", null);
        assertThat(segments(notJson)).containsExactly(new Expected("body:grpc[0].4", "{not json}"));
        assertThat(notJson.anomalies()).isEmpty();
    }

    // ---- content types and framing ----

    @Test
    void isLengthPrefixed_framedTypes_onlyThose() {
        assertThat(List.of("application/grpc", "application/grpc+proto", "Application/GRPC+thrift; x=1", "application/grpc-web",
                "application/grpc-web+proto", "application/grpc-web-text", "application/grpc-web-text+proto",
                "application/connect+proto", "application/connect+json", "application/grpc+json"))
                .allMatch(PayloadExtractor::isLengthPrefixed);
        assertThat(Arrays.asList(null, "application/json", "application/x-protobuf", "application/proto", "application/grpcx",
                "text/plain", "application/grpc-webby")).noneMatch(PayloadExtractor::isLengthPrefixed);
    }

    @Test
    void extract_protobufTypes_areOneUnframedMessage() throws IOException {
        byte[] msg = concat(field(1, b("unframed")), field(2, field(1, b("nested"))));
        for (String type : List.of("application/protobuf", "application/x-protobuf", "application/proto",
                "application/vnd.google.protobuf; proto=x.Y", "application/x-google-protobuf")) {
            Extracted e = x.extract(msg, type, null);
            assertThat(segments(e)).as(type).containsExactly(new Expected("body:protobuf.1", "unframed"),
                    new Expected("body:protobuf.2.1", "nested"));
        }
        // Content-Encoding applies to an unframed body as a whole, as for any other type
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(msg);
        }
        assertThat(texts(x.extract(gz.toByteArray(), "application/x-protobuf", "gzip"))).containsExactly("unframed", "nested");
    }

    @Test
    void extract_grpcJsonAndConnectJson_framesGoThroughTheJsonPath() {
        byte[] body = concat(frame(0, b("{\"prompt\":\"first\"}")), frame(0, b("{\"prompt\":\"second\"}")));
        for (String type : List.of("application/grpc+json", "application/connect+json")) {
            Extracted e = x.extract(body, type, null);
            assertThat(segments(e)).as(type).containsExactly(new Expected("body:grpc[0]:prompt", "first"),
                    new Expected("body:grpc[1]:prompt", "second"));
        }
    }

    @Test
    void extract_badFlag_countedAndRestScannedAsPrintableRuns() {
        byte[] body = concat(frame(0, field(1, b("good one"))), frame(0x02, field(1, b("after a bad flag"))));
        Extracted e = x.extract(body, "application/grpc", null);
        assertThat(e.anomalies()).containsEntry(PayloadAnomaly.PAYLOAD_GRPC_INVALID, 1);
        assertThat(segments(e).get(0)).isEqualTo(new Expected("body:grpc[0].1", "good one"));
        assertThat(e.text()).contains("after a bad flag");
        // 0x02 is Connect's end of stream, 0x80 gRPC-Web's trailers: skipped there, bad in plain gRPC
        assertThat(x.extract(body, "application/connect+proto", null).anomalies()).isEmpty();
        assertThat(x.extract(concat(frame(0, b("")), frame(0x80, b("x"))), "application/grpc", null).anomalies())
                .containsKey(PayloadAnomaly.PAYLOAD_GRPC_INVALID);
    }

    @Test
    void extract_lengthPastTheEnd_countedTruncatedAndThePartThereWalked() {
        String prompt = "a prompt cut by the capture cap, SSN " + SSN + " and more";
        byte[] msg = concat(field(1, b("model")), field(2, concat(field(1, b("user")), field(2, b(prompt)))));
        byte[] body = Arrays.copyOf(frame(0, msg), 5 + msg.length - 9);
        Extracted e = x.extract(body, "application/grpc", null);
        assertThat(e.anomalies()).containsOnlyKeys(PayloadAnomaly.PAYLOAD_GRPC_TRUNCATED);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].1", "model"), new Expected("body:grpc[0].2.1", "user"),
                new Expected("body:grpc[0].2.2", prompt.substring(0, prompt.length() - 9)));
        assertThat(Fixtures.types(e.text())).contains("us_ssn");
        // a prefix shorter than the 5-byte frame prefix
        assertThat(x.extract(hex("00 0000"), "application/grpc", null).anomalies()).containsOnlyKeys(PayloadAnomaly.PAYLOAD_GRPC_TRUNCATED);
        // unframed protobuf cut the same way
        Extracted unframed = x.extract(Arrays.copyOf(msg, msg.length - 9), "application/x-protobuf", null);
        assertThat(unframed.anomalies()).containsOnlyKeys(PayloadAnomaly.PAYLOAD_PROTOBUF_TRUNCATED);
        assertThat(texts(unframed)).containsExactly("model", "user", prompt.substring(0, prompt.length() - 9));
    }

    @Test
    void extract_invalidTopLevelMessage_keepsTheStringsBeforeAndScansTheRest() {
        byte[] eleven = hex("08 ff ff ff ff ff ff ff ff ff ff 01"); // a varint of 11 bytes
        byte[] fieldZero = hex("02 03") ; // field number 0
        byte[] group = hex("0b 0a 01 61 0c"); // a group (wire types 3 and 4)
        for (byte[] bad : List.of(eleven, fieldZero, group, hex("0f"), hex("0e"), hex("0a 7f 61"))) {
            byte[] msg = concat(field(1, b("before")), bad, b(" after the bad field"));
            Extracted e = x.extract(frame(0, msg), "application/grpc", null);
            assertThat(e.anomalies()).as(HexFormat.of().formatHex(bad)).containsOnlyKeys(PayloadAnomaly.PAYLOAD_PROTOBUF_INVALID);
            assertThat(segments(e).get(0)).isEqualTo(new Expected("body:grpc[0].1", "before"));
            assertThat(e.text()).contains("after the bad field");
        }
    }

    @Test
    void extract_malformedNestedFields_areNotMessages() {
        // the same bad shapes inside a length-delimited field: not a message, so bytes (printable runs)
        for (byte[] bad : List.of(hex("08 ff ff ff ff ff ff ff ff ff ff 01"), hex("02 03 00"), hex("0b 0a 01 61 0c"))) {
            byte[] inner = concat(bad, b("-inner printable-"));
            Extracted e = x.extract(frame(0, field(5, inner)), "application/grpc", null);
            assertThat(e.anomalies()).isEmpty();
            assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].5(binary)", "-inner printable-\n"));
        }
    }

    @Test
    void extract_nestingAtAndPastTheCap_opensUpToTheCapAndCountsTheRest() {
        String leaf = "deep secret value";
        for (int levels : new int[] {PayloadExtractor.MAX_PROTOBUF_DEPTH, PayloadExtractor.MAX_PROTOBUF_DEPTH + 8}) {
            byte[] m = field(2, b(leaf));
            for (int i = 0; i < levels; i++) {
                m = field(1, m);
            }
            Extracted e = x.extract(frame(0, m), "application/grpc", null);
            assertThat(e.text()).as("%d levels", levels).contains(leaf);
            if (levels <= PayloadExtractor.MAX_PROTOBUF_DEPTH) {
                assertThat(e.anomalies()).isEmpty();
                assertThat(segments(e)).containsExactly(new Expected("body:grpc[0]" + ".1".repeat(levels) + ".2", leaf));
            } else {
                assertThat(e.anomalies()).containsEntry(PayloadAnomaly.PAYLOAD_PROTOBUF_TOO_DEEP, 1);
                assertThat(segments(e)).containsExactly(
                        new Expected("body:grpc[0]" + ".1".repeat(PayloadExtractor.MAX_PROTOBUF_DEPTH + 1) + "(binary)", leaf + "\n"));
            }
        }
    }

    @Test
    @Timeout(60)
    void extract_bombOfTinyFields_stopsAtTheFieldCap() {
        int fields = PayloadExtractor.MAX_PROTOBUF_FIELDS + 500_000;
        byte[] msg = new byte[fields * 2];
        for (int i = 0; i < msg.length; i += 2) {
            msg[i] = 0x08; // field 1, varint 0
        }
        byte[] tail = field(1, b("string after the cap"));
        byte[] body = concat(frame(0, concat(msg, tail)), frame(0, field(1, b("next message"))));
        Extracted e = new PayloadExtractor(8 << 20).extract(body, "application/grpc", null);
        assertThat(e.anomalies()).containsOnlyKeys(PayloadAnomaly.PAYLOAD_PROTOBUF_LIMIT);
        assertThat(e.text()).contains("string after the cap", "next message");
        // many empty length-delimited fields and many empty messages
        byte[] empties = new byte[fields * 2];
        for (int i = 0; i < empties.length; i += 2) {
            empties[i] = 0x0a;
        }
        assertThat(new PayloadExtractor(8 << 20).extract(empties, "application/x-protobuf", null).anomalies())
                .containsOnlyKeys(PayloadAnomaly.PAYLOAD_PROTOBUF_LIMIT);
        byte[] frames = new byte[5 * (PayloadExtractor.MAX_GRPC_MESSAGES + 10)];
        Extracted many = x.extract(concat(frames, frame(0, field(1, b("message past the cap")))), "application/grpc", null);
        assertThat(many.anomalies()).containsOnlyKeys(PayloadAnomaly.PAYLOAD_PROTOBUF_LIMIT);
        assertThat(many.text()).contains("message past the cap");
    }

    @Test
    void extract_compressedFlagWithoutAReadableEncoding_countedAndPrintableRuns() {
        byte[] body = frame(1, concat(field(1, b("plain bytes flagged compressed"))));
        for (String enc : Arrays.asList(null, "identity", "snappy", "zstd")) {
            Extracted e = x.extract(body, "application/grpc", enc);
            assertThat(e.anomalies()).as(enc).containsOnlyKeys(PayloadAnomaly.PAYLOAD_GRPC_COMPRESSION_UNKNOWN);
            assertThat(segments(e)).as(enc).containsExactly(new Expected("body:grpc[0](binary)", "plain bytes flagged compressed\n"));
        }
        // gzip declared but the message is not gzip
        assertThat(x.extract(body, "application/grpc", "gzip").anomalies()).containsKey(PayloadAnomaly.PAYLOAD_COMPRESSION_INVALID);
        // uncompressed messages under a declared encoding are read as they are (the flag is per message)
        assertThat(texts(x.extract(frame(0, field(1, b("as is"))), "application/grpc", "gzip"))).containsExactly("as is");
    }

    @Test
    void extract_compressedMessagesShareTheInflateBudget() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(field(1, b("a".repeat(3000))));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            body.writeBytes(frame(1, gz.toByteArray()));
        }
        Extracted e = new PayloadExtractor(4096).extract(body.toByteArray(), "application/grpc", "gzip");
        // the messages inflated give text segments; those past the budget only their compressed bytes' printable runs
        int inflatedText = e.segments().stream().filter(s -> !s.location().endsWith("(binary)")).mapToInt(s -> s.end() - s.start()).sum();
        assertThat(inflatedText).isBetween(3000, 4096);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_INFLATE_LIMIT);
    }

    @Test
    void extract_grpcWebText_decodesConcatenatedChunksAndCountsBadBase64() {
        byte[] f1 = frame(0, field(1, b("chunk one")));
        byte[] f2 = frame(0, field(1, b("chunk two!")));
        Base64.Encoder enc = Base64.getEncoder();
        String text = enc.encodeToString(f1) + "\r\n" + enc.encodeToString(f2);
        Extracted e = x.extract(b(text), "application/grpc-web-text+proto", null);
        assertThat(segments(e)).containsExactly(new Expected("body:grpc[0].1", "chunk one"), new Expected("body:grpc[1].1", "chunk two!"));
        assertThat(e.anomalies()).isEmpty();
        Extracted bad = x.extract(b(enc.encodeToString(f1) + "*not base64 at all*"), "application/grpc-web-text", null);
        assertThat(bad.anomalies()).containsOnlyKeys(PayloadAnomaly.PAYLOAD_GRPC_INVALID);
        assertThat(texts(bad)).containsExactly("chunk one", "*not base64 at all*\n");
    }

    @Test
    void extractFile_harWithGrpcWebTextPostData_decodesItWithTheEntrysGrpcEncoding() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(field(2, b("SSN " + SSN)));
        }
        String text = Base64.getEncoder().encodeToString(concat(frame(0, field(1, b("plain"))), frame(1, gz.toByteArray())));
        String har = "{\"log\":{\"version\":\"1.2\",\"entries\":[{\"request\":{\"method\":\"POST\","
                + "\"url\":\"https://llm.lab.example/chat.Chat/Complete\",\"headers\":[{\"name\":\"grpc-encoding\",\"value\":\"gzip\"}],"
                + "\"postData\":{\"mimeType\":\"application/grpc-web-text\",\"text\":\"" + text + "\"}}}]}}";
        Extracted e = x.extractFile(b(har), "session.har");
        assertThat(segments(e)).contains(new Expected("body:entries[0].postData:grpc[0].1", "plain"),
                new Expected("body:entries[0].postData:grpc[1].2", "SSN " + SSN));
        assertThat(e.anomalies()).isEmpty();
    }

    @Test
    void base64_paddedChunksAndCut_decodeAsJavaDoes() {
        Random r = new Random(5);
        for (int i = 0; i < 2000; i++) {
            byte[] a = new byte[r.nextInt(40)];
            byte[] c = new byte[r.nextInt(40)];
            r.nextBytes(a);
            r.nextBytes(c);
            byte[] text = b(Base64.getEncoder().encodeToString(a) + Base64.getMimeEncoder().encodeToString(c));
            int[] stopped = new int[1];
            assertThat(PayloadExtractor.base64(text, 0, text.length, stopped)).isEqualTo(concat(a, c));
            assertThat(stopped[0]).isEqualTo(text.length);
        }
    }

    // ---- seeded mutations ----

    /** Inputs per run: 1,000,000, or {@code -Dumbra.fuzz.runs=N} (as the sensor's fuzz tests). */
    private static final int RUNS = Integer.getInteger("umbra.fuzz.runs", 1_000_000);
    private static final String[] FUZZ_TYPES = {"application/grpc", "application/grpc-web+proto", "application/grpc-web-text",
        "application/connect+proto", "application/grpc+json", "application/x-protobuf"};
    private static final String[] FUZZ_ENCODINGS = {null, "gzip", "deflate", "snappy"};

    @Test
    @Timeout(300)
    void extract_millionMutatedBodies_neverThrowAndStayBounded() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (Fixture f : fixtures()) {
            seeds.add(f.body());
        }
        PayloadExtractor small = new PayloadExtractor(4096);
        Random random = new Random(20261122L + Long.getLong("umbra.fuzz.seed", 0L) * 1_000_003L);
        byte[] buf = new byte[1024];
        int withText = 0;
        Set<PayloadAnomaly> seen = EnumSet.noneOf(PayloadAnomaly.class);
        for (int i = 0; i < RUNS; i++) {
            int len = mutate(random, seeds.get(i % seeds.size()), buf);
            byte[] body = Arrays.copyOf(buf, len);
            String type = FUZZ_TYPES[random.nextInt(FUZZ_TYPES.length)];
            String enc = FUZZ_ENCODINGS[random.nextInt(FUZZ_ENCODINGS.length)];
            Extracted e;
            try {
                e = small.extract(body, type, enc);
            } catch (RuntimeException | StackOverflowError ex) {
                throw new AssertionError("input " + i + " (" + type + ", " + enc + "): " + HexFormat.of().formatHex(body), ex);
            }
            if (e.text().length() > 4 * 4096) {
                throw new AssertionError("input " + i + ": " + e.text().length() + " characters of text from " + len + " bytes");
            }
            assertOrdered(e, "input " + i);
            if (!e.segments().isEmpty()) {
                withText++;
            }
            seen.addAll(e.anomalies().keySet());
        }
        assertThat(withText).isGreaterThan(RUNS / 4);
        // the mutations reach every failure path of the framing and the walker
        assertThat(seen).contains(PayloadAnomaly.PAYLOAD_GRPC_INVALID, PayloadAnomaly.PAYLOAD_GRPC_TRUNCATED,
                PayloadAnomaly.PAYLOAD_GRPC_COMPRESSION_UNKNOWN, PayloadAnomaly.PAYLOAD_PROTOBUF_INVALID,
                PayloadAnomaly.PAYLOAD_PROTOBUF_TRUNCATED, PayloadAnomaly.PAYLOAD_COMPRESSION_INVALID);
    }

    /**
     * Writes into {@code buf} a mutation of {@code seed} (bit flips, random bytes, interesting values
     * for flags and lengths, truncation, copied slices) or, 5 % of the time, random bytes.
     */
    private static int mutate(Random random, byte[] seed, byte[] buf) {
        if (random.nextInt(100) < 5) {
            int len = random.nextInt(buf.length + 1);
            for (int i = 0; i < len; i++) {
                buf[i] = (byte) random.nextInt(256);
            }
            return len;
        }
        int len = Math.min(seed.length, buf.length);
        System.arraycopy(seed, 0, buf, 0, len);
        int edits = 1 + random.nextInt(8);
        byte[] interesting = {0, 1, 2, 0x0a, 0x12, 0x7f, (byte) 0x80, (byte) 0x81, (byte) 0xff, 0x08, 0x41};
        for (int e = 0; e < edits && len > 0; e++) {
            int at = random.nextBoolean() ? random.nextInt(Math.min(len, 16)) : random.nextInt(len);
            switch (random.nextInt(6)) {
                case 0 -> buf[at] ^= (byte) (1 << random.nextInt(8));
                case 1 -> buf[at] = (byte) random.nextInt(256);
                case 2 -> buf[at] = interesting[random.nextInt(interesting.length)];
                case 3 -> len = random.nextInt(len + 1);
                case 4 -> {
                    // a varint length set huge
                    int n = Math.min(len - at, 1 + random.nextInt(10));
                    for (int k = 0; k < n; k++) {
                        buf[at + k] = (byte) (k == n - 1 ? random.nextInt(128) : 0x80 | random.nextInt(128));
                    }
                }
                default -> {
                    int from = random.nextInt(len);
                    int n = Math.min(random.nextInt(32) + 1, Math.min(len - from, len - at));
                    System.arraycopy(buf, from, buf, at, n);
                }
            }
        }
        return len;
    }
}
