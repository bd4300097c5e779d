package dev.umbra.classifier.icap;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Fixtures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IcapHandlerTest {
    static final String NO_CONTENT = "ICAP/1.0 204 No Content\r\nISTag: \"umbra-1\"\r\nEncapsulated: null-body=0\r\n\r\n";
    static final String GH = "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"; // synthetic

    private final List<IcapFinding> findings = new ArrayList<>();
    private final AtomicInteger scans = new AtomicInteger();
    /** What the scope was asked: host, client ip, user. */
    private final List<String> asked = new ArrayList<>();
    private IcapServer server;

    private EmbeddedChannel channel(IcapConfig config) {
        return channel(config, IcapScope.ALL);
    }

    private EmbeddedChannel channel(IcapConfig config, IcapScope scope) {
        IcapScope recording = (host, ip, user) -> {
            asked.add(host + " " + ip + " " + user);
            return scope.covers(host, ip, user);
        };
        server = new IcapServer(config, text -> {
            scans.incrementAndGet();
            return Fixtures.classifier().scan(text);
        }, recording, findings::add);
        return new EmbeddedChannel(new IcapHandler(server));
    }

    /** Only the AI API host is in scope. */
    private static final IcapScope OPENAI_ONLY = (host, ip, user) -> "api.openai.com".equals(host);

    /** A REQMOD for a POST to {@code host}; {@code preview} bytes of the body (all when -1) go in the preview. */
    static String reqmodTo(String host, String body, int preview, boolean allow204) {
        String http = "POST http://" + host + "/upload HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n";
        String icap = "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\nX-Client-IP: 10.1.2.3\r\n"
                + (allow204 ? "Allow: 204\r\n" : "") + (preview >= 0 ? "Preview: " + preview + "\r\n" : "")
                + "Encapsulated: req-hdr=0, req-body=" + http.length() + "\r\n\r\n" + http;
        if (preview < 0) {
            return icap + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        }
        String head = body.substring(0, Math.min(preview, body.length()));
        String chunk = head.isEmpty() ? "" : Integer.toHexString(head.length()) + "\r\n" + head + "\r\n";
        return icap + chunk + (preview >= body.length() ? "0; ieof\r\n\r\n" : "0\r\n\r\n");
    }

    private void assertNotClassified() {
        assertThat(scans).as("classifier calls").hasValue(0);
        assertThat(findings).as("findings reported").isEmpty();
    }

    private static String written(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        ByteBuf b;
        while ((b = ch.readOutbound()) != null) {
            sb.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return sb.toString();
    }

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    static String reqmod(String body, boolean preview, String extraIcapHeaders) {
        String http = "POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\nContent-Type: application/json\r\n\r\n";
        return "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\nX-Client-IP: 10.1.2.3\r\n"
                + "Allow: 204\r\n" + (preview ? "Preview: " + body.length() + "\r\n" : "") + extraIcapHeaders
                + "Encapsulated: req-hdr=0, req-body=" + http.length() + "\r\n\r\n" + http
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n" + (preview ? "0; ieof\r\n\r\n" : "0\r\n\r\n");
    }

    @Test
    void options_advertisesReqmodPreviewAnd204() {
        EmbeddedChannel ch = channel(IcapConfig.monitor());
        ch.writeInbound(buf("OPTIONS icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\n\r\n"));
        assertThat(written(ch)).startsWith("ICAP/1.0 200 OK\r\n").contains("Methods: REQMOD", "Allow: 204", "Preview: 4096");
    }

    @Test
    void reqmod_monitorMode_reports204AndFinding() {
        EmbeddedChannel ch = channel(IcapConfig.monitor());
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"card 4111 1111 1111 1111\"}]}";
        ch.writeInbound(buf(reqmod(body, false, "X-Authenticated-User: YWxpY2U=\r\n")));
        assertThat(written(ch)).startsWith("ICAP/1.0 204 No Content");
        assertThat(findings).hasSize(1);
        IcapFinding f = findings.get(0);
        assertThat(f.clientIp()).isEqualTo("10.1.2.3");
        assertThat(f.user()).isEqualTo("alice");
        assertThat(f.url()).isEqualTo("http://api.openai.com/v1/chat/completions");
        assertThat(f.api()).isEqualTo("openai");
        assertThat(f.detections()).extracting(d -> d.type()).containsExactly("credit_card");
        assertThat(f.toString()).doesNotContain("4111 1111 1111 1111");
    }

    @Test
    void reqmod_fragmentedAndPreviewWithContinue_isReassembled() {
        EmbeddedChannel ch = channel(IcapConfig.monitor());
        String http = "POST /x HTTP/1.1\r\nHost: h\r\n\r\n";
        String head = "REQMOD icap://h/reqmod ICAP/1.0\r\nAllow: 204\r\nPreview: 4\r\nEncapsulated: req-hdr=0, req-body="
                + http.length() + "\r\n\r\n" + http + "4\r\nSSN \r\n0\r\n\r\n";
        for (int i = 0; i < head.length(); i += 7) {
            ch.writeInbound(buf(head.substring(i, Math.min(head.length(), i + 7))));
        }
        assertThat(written(ch)).isEqualTo("ICAP/1.0 100 Continue\r\n\r\n");
        ch.writeInbound(buf("b\r\n536-22-1234\r\n0\r\n\r\n"));
        assertThat(written(ch)).startsWith("ICAP/1.0 204");
        assertThat(findings.get(0).detections()).extracting(d -> d.type()).containsExactly("us_ssn");
    }

    @Test
    void reqmod_blockMode_answersBlockPageOnlyForBlockedCategory() {
        EmbeddedChannel ch = channel(IcapConfig.blocking(Set.of(DetectionCategory.SECRET)));
        ch.writeInbound(buf(reqmod("token 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", true, "")));
        String out = written(ch);
        assertThat(out).startsWith("ICAP/1.0 200 OK").contains("Encapsulated: res-hdr=0, res-body=", "HTTP/1.1 403 Forbidden");
        ch.writeInbound(buf(reqmod("card 4111 1111 1111 1111", true, "")));
        assertThat(written(ch)).startsWith("ICAP/1.0 204");
        assertThat(findings).extracting(IcapFinding::blocked).containsExactly(true, false);
    }

    @Test
    void reqmod_without204_echoesRequest() {
        EmbeddedChannel ch = channel(IcapConfig.monitor());
        String body = "hello";
        ch.writeInbound(buf(reqmod(body, false, "").replace("Allow: 204\r\n", "")));
        assertThat(written(ch)).startsWith("ICAP/1.0 200 OK").contains("POST /v1/chat/completions", "5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void decode_malformedRequests_answer400() {
        for (String bad : List.of("GARBAGE\r\n\r\n", "REQMOD icap://h/ ICAP/1.0\r\n\r\n",
                "REQMOD icap://h/ ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=x\r\n\r\n",
                reqmod("abc", false, "").replace("3\r\nabc", "zz\r\nabc"))) {
            EmbeddedChannel ch = channel(IcapConfig.monitor());
            ch.writeInbound(buf(bad));
            assertThat(written(ch)).as(bad).startsWith("ICAP/1.0 400 Bad Request");
        }
    }

    @Test
    void decode_seededRandomBytes_neverThrows() {
        Random r = new Random(77);
        for (int i = 0; i < 200; i++) {
            EmbeddedChannel ch = channel(IcapConfig.monitor());
            byte[] junk = new byte[r.nextInt(2000)];
            r.nextBytes(junk);
            String prefix = i % 2 == 0 ? "REQMOD icap://h/ ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=20\r\n\r\n" : "";
            ByteBuf b = Unpooled.buffer();
            b.writeCharSequence(prefix, StandardCharsets.ISO_8859_1);
            b.writeBytes(junk);
            ch.writeInbound(b);
            written(ch);
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void reqmod_outOfScopeWholeBodyInPreview_answers204WithoutClassifying() {
        EmbeddedChannel ch = channel(IcapConfig.blocking(Set.of(DetectionCategory.SECRET)), OPENAI_ONLY);
        ch.writeInbound(buf(reqmodTo("files.example.com", "{\"token\":\"" + GH + "\"}", 4096, true)));
        assertThat(written(ch)).isEqualTo(NO_CONTENT);
        assertNotClassified();
        assertThat(asked).containsExactly("files.example.com 10.1.2.3 null");
        assertThat(server.counters()).containsEntry("icap_out_of_scope", 1L).containsEntry("icap_no_content_204", 1L)
                .doesNotContainKey("icap_blocked");
    }

    @Test
    void reqmod_outOfScopeBodyLongerThanPreview_answers204InsteadOf100Continue() {
        EmbeddedChannel ch = channel(IcapConfig.blocking(Set.of(DetectionCategory.SECRET)), OPENAI_ONLY);
        String body = "x".repeat(100) + " token " + GH;
        // no Allow: 204: a 204 is still allowed at the end of a preview (RFC 3507 section 4.5)
        ch.writeInbound(buf(reqmodTo("files.example.com", body, 10, false)));
        assertThat(written(ch)).isEqualTo(NO_CONTENT);
        assertNotClassified();
        // the connection is ready for the next request, which is in scope and blocked
        ch.writeInbound(buf(reqmodTo("api.openai.com", body, 10, true)));
        assertThat(written(ch)).isEqualTo("ICAP/1.0 100 Continue\r\n\r\n");
        ch.writeInbound(buf(Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n"));
        assertThat(written(ch)).startsWith("ICAP/1.0 200 OK").contains("HTTP/1.1 403 Forbidden");
        assertThat(findings).singleElement().satisfies(f -> {
            assertThat(f.blocked()).isTrue();
            assertThat(f.url()).isEqualTo("http://api.openai.com/upload");
        });
        assertThat(server.counters()).containsEntry("icap_out_of_scope", 1L).containsEntry("icap_blocked", 1L);
    }

    @Test
    void reqmod_outOfScopeNoPreviewAllow204_answers204BeforeTheBodyAndDropsIt() {
        EmbeddedChannel ch = channel(IcapConfig.blocking(Set.of(DetectionCategory.SECRET)), OPENAI_ONLY);
        String body = "{\"token\":\"" + GH + "\"}";
        String msg = reqmodTo("files.example.com", body, -1, true);
        int bodyAt = msg.indexOf("\r\n\r\n", msg.indexOf("POST ")) + 4;
        ch.writeInbound(buf(msg.substring(0, bodyAt)));
        assertThat(written(ch)).as("answered from the headers alone").isEqualTo(NO_CONTENT);
        ch.writeInbound(buf(msg.substring(bodyAt)));
        assertThat(written(ch)).isEmpty();
        assertNotClassified();
        // the rest of the message was consumed: the next request on the connection is read from its start
        ch.writeInbound(buf(reqmodTo("api.openai.com", "write a haiku", -1, true)));
        assertThat(written(ch)).isEqualTo(NO_CONTENT);
        assertThat(findings).hasSize(1);
        assertThat(scans).hasValue(1);
    }

    @Test
    void reqmod_outOfScopeNoPreviewNo204_echoesEachChunkAsItArrives() {
        EmbeddedChannel ch = channel(IcapConfig.blocking(Set.of(DetectionCategory.SECRET)), OPENAI_ONLY);
        String http = "PUT http://files.example.com/a HTTP/1.1\r\nHost: files.example.com\r\n\r\n";
        ch.writeInbound(buf("REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: req-hdr=0, req-body=" + http.length()
                + "\r\n\r\n" + http));
        assertThat(written(ch)).isEqualTo("ICAP/1.0 200 OK\r\nISTag: \"umbra-1\"\r\nEncapsulated: req-hdr=0, req-body="
                + http.length() + "\r\n\r\n" + http);
        ch.writeInbound(buf("5; ext=1\r\nhel"));
        assertThat(written(ch)).isEqualTo("5\r\nhel");
        ch.writeInbound(buf("lo\r\n"));
        assertThat(written(ch)).isEqualTo("lo\r\n");
        ch.writeInbound(buf(Integer.toHexString(GH.length()) + "\r\n"));
        assertThat(written(ch)).isEqualTo(Integer.toHexString(GH.length()) + "\r\n");
        ch.writeInbound(buf(GH + "\r\n0\r\n\r\n"));
        assertThat(written(ch)).isEqualTo(GH + "\r\n0\r\n\r\n");
        assertNotClassified();
        assertThat(server.counters()).containsEntry("icap_echo_200", 1L).containsEntry("icap_out_of_scope", 1L);
    }

    @Test
    void reqmod_outOfScopeNullBody_answers204OrEchoesHeaders() {
        EmbeddedChannel ch = channel(IcapConfig.monitor(), OPENAI_ONLY);
        String http = "CONNECT files.example.com:443 HTTP/1.1\r\nHost: files.example.com:443\r\n\r\n";
        String head = "REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nEncapsulated: req-hdr=0, null-body=" + http.length() + "\r\n";
        ch.writeInbound(buf(head + "Allow: 204\r\n\r\n" + http));
        assertThat(written(ch)).isEqualTo(NO_CONTENT);
        ch.writeInbound(buf(head + "\r\n" + http));
        assertThat(written(ch)).isEqualTo("ICAP/1.0 200 OK\r\nISTag: \"umbra-1\"\r\nEncapsulated: req-hdr=0, null-body="
                + http.length() + "\r\n\r\n" + http);
        assertNotClassified();
        assertThat(asked).containsExactly("files.example.com null null", "files.example.com null null");
    }

    @Test
    void reqmod_inScope_isClassifiedAsWithoutScope() {
        EmbeddedChannel ch = channel(IcapConfig.monitor(), OPENAI_ONLY);
        ch.writeInbound(buf(reqmod("card 4111 1111 1111 1111", true, "X-Authenticated-User: YWxpY2U=\r\n")));
        assertThat(written(ch)).isEqualTo(NO_CONTENT);
        assertThat(asked).containsExactly("api.openai.com 10.1.2.3 alice");
        assertThat(findings).singleElement().satisfies(f -> assertThat(f.detections()).isNotEmpty());
        assertThat(server.counters()).doesNotContainKey("icap_out_of_scope");
    }

    @Test
    void reqmod_scopeThrows_requestIsClassifiedAndCounted() {
        EmbeddedChannel ch = channel(IcapConfig.monitor(), (host, ip, user) -> {
            throw new IllegalStateException("no catalog");
        });
        ch.writeInbound(buf(reqmod("card 4111 1111 1111 1111", false, "")));
        assertThat(written(ch)).isEqualTo(NO_CONTENT);
        assertThat(findings).hasSize(1);
        assertThat(server.counters()).containsEntry("icap_scope_failed", 1L);
    }

    @Test
    void hostName_targetFormsAndHostHeader_givesLowercaseNameWithoutPort() {
        String[][] cases = {
            {"http://API.OpenAI.com:8080/v1?x=1", "other.example", "api.openai.com"},
            {"https://user:pw@api.openai.com/v1", null, "api.openai.com"},
            {"http://api.openai.com?q", null, "api.openai.com"},
            {"api.anthropic.com:443", "ignored.example", "api.anthropic.com"},
            {"/v1/messages", "Api.Anthropic.com:80", "api.anthropic.com"},
            {"/v1/messages", "[2001:db8::1]:8080", "2001:db8::1"},
            {"http://[2001:db8::1]/x", null, "2001:db8::1"},
            {"/v1/messages", null, null},
            {"*", null, null},
            {"http:///x", "h.example", "h.example"},
            {"/x", "[", null},
        };
        for (String[] c : cases) {
            IcapHandler.Request r = new IcapHandler.Request();
            r.target = c[0];
            r.host = c[1];
            assertThat(r.hostName()).as(c[0] + " / " + c[1]).isEqualTo(c[2]);
        }
    }

    @Test
    void decode_outOfScopeMalformedOrTruncated_answers400OrWaits() {
        String good = reqmodTo("files.example.com", "abc", -1, true);
        EmbeddedChannel bad = channel(IcapConfig.monitor(), OPENAI_ONLY);
        bad.writeInbound(buf(good.replace("3\r\nabc", "zz\r\nabc")));
        assertThat(written(bad)).isEqualTo(NO_CONTENT + "ICAP/1.0 400 Bad Request\r\nISTag: \"umbra-1\"\r\n"
                + "Encapsulated: null-body=0\r\n\r\n");
        EmbeddedChannel badEnd = channel(IcapConfig.monitor(), OPENAI_ONLY);
        badEnd.writeInbound(buf(reqmodTo("files.example.com", "abc", 4096, true).replace("abc\r\n", "abcXY")));
        assertThat(written(badEnd)).startsWith("ICAP/1.0 400 Bad Request");
        for (int cut = 1; cut < good.length(); cut += 5) {
            EmbeddedChannel ch = channel(IcapConfig.monitor(), OPENAI_ONLY);
            ch.writeInbound(buf(good.substring(0, cut)));
            assertThat(written(ch)).as("cut at " + cut).isIn("", NO_CONTENT);
            ch.finishAndReleaseAll();
        }
        assertNotClassified();
    }

    @Test
    void decode_seededRandomBytesOutOfScope_neverThrows() {
        Random r = new Random(78);
        for (int i = 0; i < 200; i++) {
            EmbeddedChannel ch = channel(IcapConfig.monitor(), (host, ip, user) -> false);
            String http = "POST /x HTTP/1.1\r\nHost: h\r\n\r\n";
            byte[] junk = new byte[r.nextInt(2000)];
            r.nextBytes(junk);
            ByteBuf b = Unpooled.buffer();
            b.writeCharSequence("REQMOD icap://h/ ICAP/1.0\r\n" + (i % 2 == 0 ? "Allow: 204\r\n" : "")
                    + "Encapsulated: req-hdr=0, req-body=" + http.length() + "\r\n\r\n" + http
                    + (i % 3 == 0 ? Integer.toHexString(junk.length) + "\r\n" : ""), StandardCharsets.ISO_8859_1);
            b.writeBytes(junk);
            ch.writeInbound(b);
            written(ch);
            ch.finishAndReleaseAll();
        }
        assertNotClassified();
    }

    @Test
    void reqmod_grpcWebWithGzipMessage_usesGrpcEncodingNotContentEncoding() throws java.io.IOException {
        EmbeddedChannel ch = channel(IcapConfig.monitor());
        // a gRPC-Web message {1: "user", 2: "SSN 536-22-1234"} gzip-compressed, flag 1 (synthetic SSN)
        byte[] msg = {0x0a, 4, 'u', 's', 'e', 'r', 0x12, 15, 'S', 'S', 'N', ' ', '5', '3', '6', '-', '2', '2', '-', '1', '2', '3', '4'};
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream o = new java.util.zip.GZIPOutputStream(gz)) {
            o.write(msg);
        }
        byte[] compressed = gz.toByteArray();
        byte[] body = new byte[5 + compressed.length];
        body[0] = 1;
        body[4] = (byte) compressed.length;
        System.arraycopy(compressed, 0, body, 5, compressed.length);
        String http = "POST /chat.Chat/Complete HTTP/1.1\r\nHost: llm.lab.example\r\nContent-Type: application/grpc-web+proto\r\n"
                + "grpc-encoding: gzip\r\nContent-Length: " + body.length + "\r\n\r\n";
        ByteBuf b = Unpooled.buffer();
        b.writeCharSequence("REQMOD icap://127.0.0.1/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\nAllow: 204\r\n"
                + "Encapsulated: req-hdr=0, req-body=" + http.length() + "\r\n\r\n" + http + Integer.toHexString(body.length) + "\r\n",
                StandardCharsets.ISO_8859_1);
        b.writeBytes(body);
        b.writeCharSequence("\r\n0\r\n\r\n", StandardCharsets.ISO_8859_1);
        ch.writeInbound(b);
        assertThat(written(ch)).startsWith("ICAP/1.0 204 No Content");
        assertThat(findings).hasSize(1);
        assertThat(findings.get(0).detections()).extracting(d -> d.type()).containsExactly("us_ssn");
    }
}
