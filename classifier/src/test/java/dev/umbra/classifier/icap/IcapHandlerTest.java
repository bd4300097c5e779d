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
import org.junit.jupiter.api.Test;

class IcapHandlerTest {
    private final List<IcapFinding> findings = new ArrayList<>();

    private EmbeddedChannel channel(IcapConfig config) {
        IcapServer server = new IcapServer(config, Fixtures.classifier(), findings::add);
        return new EmbeddedChannel(new IcapHandler(server));
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
}
