package dev.umbra.classifier.payload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.classifier.Detection;
import dev.umbra.classifier.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class PayloadExtractorTest {
    private static final String CARD = "4111 1111 1111 1111";
    private final PayloadExtractor x = new PayloadExtractor();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> prompts(Extracted e) {
        return e.segments().stream().filter(Segment::prompt).map(s -> e.text().substring(s.start(), s.end())).toList();
    }

    private static List<String> types(Extracted e) {
        return Fixtures.scan(e.text()).stream().map(Detection::type).toList();
    }

    @Test
    void extract_openAiChatBody_pointsAtMessageContent() {
        Extracted e = x.extract(b("{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"card " + CARD + "\"}]}]}"), "application/json", null);
        assertThat(e.api()).isEqualTo("openai");
        assertThat(prompts(e)).containsExactly("be brief", "card " + CARD);
        assertThat(types(e)).containsExactly("credit_card");
        Detection d = Fixtures.scan(e.text()).get(0);
        assertThat(e.segmentAt(d.start()).location()).isEqualTo("body:messages[1].content[0].text");
    }

    @Test
    void extract_anthropicGeminiChatGptClaudeBodies_findPromptFields() {
        Extracted a = x.extract(b("{\"model\":\"claude-sonnet-4\",\"max_tokens\":1024,\"system\":\"sys\","
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"), null, null);
        assertThat(a.api()).isEqualTo("anthropic");
        assertThat(prompts(a)).containsExactly("sys", "hello");
        Extracted g = x.extract(b("{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"hi gemini\"}]}],"
                + "\"generationConfig\":{\"temperature\":0.1}}"), "application/json", null);
        assertThat(g.api()).isEqualTo("gemini");
        assertThat(prompts(g)).containsExactly("hi gemini");
        Extracted c = x.extract(b("{\"action\":\"next\",\"messages\":[{\"id\":\"1\",\"author\":{\"role\":\"user\"},"
                + "\"content\":{\"content_type\":\"text\",\"parts\":[\"hi chatgpt\"]}}],\"parent_message_id\":\"p\"}"), null, null);
        assertThat(c.api()).isEqualTo("chatgpt_web");
        assertThat(prompts(c)).containsExactly("hi chatgpt");
        Extracted w = x.extract(b("{\"prompt\":\"hi claude\",\"timezone\":\"Europe/Paris\",\"attachments\":[],"
                + "\"rendering_mode\":\"messages\"}"), null, null);
        assertThat(w.api()).isEqualTo("claude_web");
        assertThat(prompts(w)).containsExactly("hi claude");
    }

    @Test
    void extract_jsonKeysKeepAssignmentContext() {
        Extracted e = x.extract(b("{\"db\":{\"password\":\"Summer2024!x\"}}"), null, null);
        assertThat(types(e)).containsExactly("generic_secret");
    }

    @Test
    void extract_invalidJson_countedAndRestScanned() {
        Extracted e = x.extract(b("{\"a\":\"ok\", \"b\": nope " + CARD + " }"), "application/json", null);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_JSON_INVALID);
        assertThat(types(e)).contains("credit_card");
    }

    @Test
    void extract_deepJson_countedNotCrashing() {
        String deep = "[".repeat(5000) + "\"" + CARD + "\"" + "]".repeat(5000);
        Extracted e = x.extract(b(deep), null, null);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_JSON_TOO_DEEP);
        assertThat(types(e)).contains("credit_card");
    }

    @Test
    void extract_gzipAndDeflate_areInflated() throws IOException {
        byte[] body = b("{\"prompt\":\"card " + CARD + "\"}");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(body);
        }
        assertThat(types(x.extract(gz.toByteArray(), "application/json", "gzip"))).containsExactly("credit_card");
        assertThat(types(x.extract(gz.toByteArray(), null, null))).containsExactly("credit_card");
        ByteArrayOutputStream df = new ByteArrayOutputStream();
        try (DeflaterOutputStream o = new DeflaterOutputStream(df)) {
            o.write(body);
        }
        assertThat(types(x.extract(df.toByteArray(), "application/json", "deflate"))).containsExactly("credit_card");
    }

    @Test
    void extract_truncatedOrInvalidGzip_countedAndHeadScanned() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(b("card " + CARD + " " + "lorem ipsum ".repeat(2000)));
        }
        byte[] all = gz.toByteArray();
        byte[] cut = java.util.Arrays.copyOf(all, all.length / 2);
        Extracted e = x.extract(cut, "text/plain", "gzip");
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_COMPRESSION_INVALID);
        assertThat(types(e)).contains("credit_card");
        Extracted bad = x.extract(new byte[] {0x1f, (byte) 0x8b, 1, 2, 3}, null, "gzip");
        assertThat(bad.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_COMPRESSION_INVALID);
    }

    @Test
    void extract_gzipBomb_stopsAtCap() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            byte[] zeros = new byte[1 << 20];
            java.util.Arrays.fill(zeros, (byte) 'a');
            for (int i = 0; i < 8; i++) {
                o.write(zeros);
            }
        }
        Extracted e = new PayloadExtractor(1 << 20).extract(gz.toByteArray(), "text/plain", "gzip");
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_INFLATE_LIMIT);
        assertThat(e.text().length()).isEqualTo(1 << 20);
    }

    /** Broke CoverageFuzzTest's oracle (a hand-written input): each gzip part inflated up to the cap of its own. */
    @Test
    void extract_multipartOfManyGzipParts_inflatesAtMostTheCapInAll() throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(b("a".repeat(5000)));
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int i = 0; i < 40; i++) {
            body.write(b("--ab\r\n\r\n"));
            body.write(gz.toByteArray());
            body.write(b("\r\n"));
        }
        body.write(b("--ab--\r\n"));
        Extracted e = new PayloadExtractor(4096).extract(body.toByteArray(), "multipart/form-data; boundary=ab", null);
        // 40 parts of 5000 inflated bytes each: the first part fills the 4096-byte cap, the others inflate nothing
        assertThat(e.text().chars().filter(c -> c == 'a').count()).isEqualTo(4096);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_INFLATE_LIMIT);
    }

    @Test
    void extract_formUrlencoded_decodesFields() {
        Extracted e = x.extract(b("q=card+4111+1111+1111+1111&pw=%ZZbad"), "application/x-www-form-urlencoded", null);
        assertThat(prompts(e)).containsExactly("q: card " + CARD);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_FORM_INVALID);
    }

    @Test
    void extract_multipart_scansEachPartWithItsType() {
        String body = "--XyZ\r\nContent-Disposition: form-data; name=\"meta\"\r\nContent-Type: application/json\r\n\r\n"
                + "{\"prompt\":\"card " + CARD + "\"}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; "
                + "filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nSSN 536-22-1234\r\n--XyZ--\r\n";
        Extracted e = x.extract(b(body), "multipart/form-data; boundary=XyZ", null);
        assertThat(types(e)).containsExactly("credit_card", "us_ssn");
        assertThat(e.segments()).extracting(Segment::location)
                .containsExactly("body:meta:prompt", "body:file(notes.txt)");
        Extracted broken = x.extract(b("--XyZ\r\nContent-Type: text/plain\r\n\r\nSSN 536-22-1234"), "multipart/form-data; boundary=XyZ", null);
        assertThat(broken.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_MULTIPART_INVALID);
        assertThat(types(broken)).containsExactly("us_ssn");
    }

    @Test
    void extract_har_scansEveryRequestBodyAndAuthHeader() {
        String har = "{\"log\":{\"version\":\"1.2\",\"entries\":[{\"request\":{\"method\":\"POST\",\"url\":\"https://api.openai.com/v1/chat/completions\","
                + "\"headers\":[{\"name\":\"Authorization\",\"value\":\"Bearer sk-proj-" + "a1B2c3D4e5".repeat(7) + "abcdT3BlbkFJ" + "Z9y8X7w6V5".repeat(7) + "wxyz\"}],"
                + "\"postData\":{\"mimeType\":\"application/json\",\"text\":\"{\\\"messages\\\":[{\\\"role\\\":\\\"user\\\",\\\"content\\\":\\\"SSN 536-22-1234\\\"}]}\"}}},"
                + "{\"request\":{\"method\":\"POST\",\"url\":\"https://x.example/form\",\"headers\":[],"
                + "\"postData\":{\"mimeType\":\"application/x-www-form-urlencoded\",\"text\":\"q=4111+1111+1111+1111\"}}}]}}";
        Extracted e = x.extractFile(b(har), "session.har");
        assertThat(types(e)).containsExactly("openai_api_key", "us_ssn", "credit_card");
        assertThat(prompts(e)).containsExactly("SSN 536-22-1234", "q: " + CARD);
        Extracted bad = x.extractFile(b("{\"log\": {\"entries\": 5}}"), "x.har");
        assertThat(bad.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_HAR_INVALID);
    }

    @Test
    void extract_binary_countedAndPrintableRunsScanned() {
        byte[] bin = new byte[4096];
        new Random(3).nextBytes(bin);
        byte[] planted = b("card " + CARD + " end");
        System.arraycopy(planted, 0, bin, 1000, planted.length);
        bin[10] = 0;
        Extracted e = x.extract(bin, null, null);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_BINARY);
        assertThat(types(e)).contains("credit_card");
    }

    @Test
    void extract_oversize_countedAndHeadScanned() {
        PayloadExtractor small = new PayloadExtractor(2048);
        Extracted e = small.extract(b("SSN 536-22-1234 " + "z".repeat(5000)), "text/plain", null);
        assertThat(e.anomalies()).containsKey(PayloadAnomaly.PAYLOAD_OVERSIZE);
        assertThat(e.text()).hasSize(2048);
        assertThat(types(e)).containsExactly("us_ssn");
    }

    @Test
    void extract_seededRandomBytesUnderEveryType_neverThrows() {
        Random r = new Random(99);
        String[] typesTried = {null, "application/json", "multipart/form-data; boundary=ab", "application/x-www-form-urlencoded",
            "application/har+json", "text/plain"};
        String[] encodings = {null, "gzip", "deflate"};
        for (int i = 0; i < 300; i++) {
            byte[] buf = new byte[r.nextInt(3000)];
            r.nextBytes(buf);
            if (i % 3 == 0 && buf.length > 4) {
                buf[0] = (byte) (i % 2 == 0 ? '{' : '-');
                buf[1] = (byte) (i % 2 == 0 ? '"' : '-');
            }
            Extracted e = x.extract(buf, typesTried[i % typesTried.length], encodings[i % encodings.length]);
            assertThat(e.text()).isNotNull();
            Fixtures.classifier().scan(e.text());
        }
    }
}
