package dev.umbra.sensor.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HttpRequestParserTest {
    private final HttpRequestParser parser = new HttpRequestParser();

    private int parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return parser.parse(b, 0, b.length);
    }

    @Test
    void parse_originForm_returnsHostWithoutPortAndPathWithoutQuery() {
        String head = "POST /api/generate?token=abc HTTP/1.1\r\nhOsT:  Ollama.LAN:11434 \r\nAccept: */*\r\n\r\n";
        assertThat(parse(head + "{\"model\":\"x\"}")).isEqualTo(HttpRequestParser.OK);
        HttpRequest r = parser.result();
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.host()).isEqualTo("ollama.lan");
        assertThat(r.path()).isEqualTo("/api/generate");
        assertThat(r.headLength()).isEqualTo(head.length());
    }

    @Test
    void parse_bodyHeaders_areKept() {
        assertThat(parse("POST /v1/chat HTTP/1.1\r\nHost: a.example\r\ncontent-length:  42 \r\n"
                + "Content-Type: application/json; charset=utf-8\r\nContent-Encoding: gzip\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        HttpRequest r = parser.result();
        assertThat(r.contentLength()).isEqualTo(42);
        assertThat(r.chunked()).isFalse();
        assertThat(r.hasBody()).isTrue();
        assertThat(r.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(r.contentEncoding()).isEqualTo("gzip");
        assertThat(parse("GET / HTTP/1.1\r\nHost: a.example\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().hasBody()).isFalse();
        assertThat(parser.result().contentLength()).isEqualTo(-1);
    }

    @Test
    void parse_chunkedOverridesContentLength_andBadLengthsAreMalformed() {
        assertThat(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().chunked()).isTrue();
        assertThat(parser.result().contentLength()).isEqualTo(-1);
        assertThat(parse("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().chunked()).as("chunked must be the last coding").isFalse();
        assertThat(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"))
                .isEqualTo(HttpRequestParser.MALFORMED);
        assertThat(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5x\r\n\r\n"))
                .isEqualTo(HttpRequestParser.MALFORMED);
        assertThat(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"))
                .isEqualTo(HttpRequestParser.MALFORMED);
        assertThat(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
    }

    @Test
    void parse_absoluteForm_takesAuthorityOverHostHeader() {
        assertThat(parse("GET http://api.openai.com:80/v1/models HTTP/1.1\r\nHost: other\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("api.openai.com");
        assertThat(parser.result().path()).isEqualTo("/v1/models");
        assertThat(parser.result().absoluteForm()).isTrue();
        assertThat(parse("GET /v1/models HTTP/1.1\r\nHost: api.openai.com\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().absoluteForm()).as("origin-form").isFalse();
        assertThat(parse("CONNECT api.openai.com:443 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().absoluteForm()).as("authority-form").isFalse();
    }

    @Test
    void parse_userinfoInTheTargetOrHost_isNotKept() {
        assertThat(parse("GET http://alice:SYNTHETIC-pw@api.openai.com/v1/models HTTP/1.1\r\nHost: x\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("api.openai.com");
        assertThat(parse("GET / HTTP/1.1\r\nHost: alice:SYNTHETIC-pw@ollama.lab.example:11434\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("ollama.lab.example");
        assertThat(parse("CONNECT alice:SYNTHETIC-pw@claude.ai:443 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("claude.ai");
        assertThat(parser.result().connectPort()).isEqualTo(443);
        assertThat(parser.result().toString()).doesNotContain("alice", "SYNTHETIC");
    }

    @Test
    void parse_grpcWebAndConnect_passTheirPerMessageEncoding() {
        assertThat(parse("POST /chat.v1.Chat/Send HTTP/1.1\r\nHost: a.example\r\ngrpc-encoding: gzip\r\n"
                + "Content-Type: application/grpc-web+proto\r\nContent-Length: 5\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().contentEncoding()).isEqualTo("gzip");
        assertThat(parse("POST /chat.v1.Chat/Stream HTTP/1.1\r\nHost: a.example\r\nContent-Type: application/connect+proto\r\n"
                + "Connect-Content-Encoding: gzip\r\nContent-Encoding: br\r\nContent-Length: 5\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().contentEncoding()).isEqualTo("gzip");
        assertThat(parse("POST /v1/chat HTTP/1.1\r\nHost: a.example\r\nContent-Type: application/json\r\n"
                + "grpc-encoding: gzip\r\nContent-Encoding: br\r\nContent-Length: 5\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().contentEncoding()).isEqualTo("br");
    }

    @Test
    void parse_proxyAuthorization_keepsTheUserNeverThePassword() {
        // Basic base64("alice:SYNTHETIC-pw")
        assertThat(parse("CONNECT api.openai.com:443 HTTP/1.1\r\nHost: api.openai.com:443\r\n"
                + "Proxy-Authorization: Basic YWxpY2U6U1lOVEhFVElDLXB3\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().user()).isEqualTo("alice");
        assertThat(parser.result().authHandshake()).isFalse();
        assertThat(parser.result().toString()).doesNotContain("SYNTHETIC", "YWxpY2U6");
        // the first leg of NTLM (a NEGOTIATE message as curl sends it): no user yet, a handshake
        assertThat(parse("CONNECT claude.ai:443 HTTP/1.1\r\nproxy-authorization: NTLM "
                + "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().user()).isNull();
        assertThat(parser.result().authHandshake()).isTrue();
        assertThat(parse("GET / HTTP/1.1\r\nHost: a.example\r\nAuthorization: Basic YWxpY2U6U1lOVEhFVElDLXB3\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().user()).as("credentials for the server, not a proxy").isNull();
        assertThat(parser.result().serverUser()).isEqualTo("alice");
    }

    @Test
    void parse_authorizationToTheServer_namesItsUserButABearerTokenNoOne() {
        // an internal AI gateway behind Basic authentication: base64("alice:SYNTHETIC-pw")
        assertThat(parse("POST /api/chat HTTP/1.1\r\nHost: ollama.lab.example:11434\r\n"
                + "Authorization: Basic YWxpY2U6U1lOVEhFVElDLXB3\r\nContent-Length: 2\r\n\r\n{}")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().serverUser()).isEqualTo("alice");
        assertThat(parser.result().user()).isNull();
        assertThat(parser.result().toString()).doesNotContain("SYNTHETIC", "YWxpY2U6");
        // an API key names no one, and its text is not kept
        assertThat(parse("POST /v1/chat/completions HTTP/1.1\r\nHost: llm.lab.example\r\n"
                + "Authorization: Bearer sk-SYNTHETIC0123456789abcdef\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().serverUser()).isNull();
        assertThat(parser.result().toString()).doesNotContain("SYNTHETIC");
        // NTLM's first leg to the server: answered 401 and sent again, with the user
        assertThat(parse("GET / HTTP/1.1\r\nHost: intranet.example\r\nAuthorization: NTLM "
                + "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().authHandshake()).isTrue();
        // both: the proxy's user, and the server's
        assertThat(parse("GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\nProxy-Authorization: Basic "
                + "Ym9iOlNZTlRIRVRJQy1wdw==\r\nAuthorization: Basic YWxpY2U6U1lOVEhFVElDLXB3\r\n\r\n"))
                .isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().user()).isEqualTo("bob");
        assertThat(parser.result().serverUser()).isEqualTo("alice");
    }

    @Test
    void parse_connectIpv6_returnsBracketedHostAndPort() {
        assertThat(parse("CONNECT [2001:db8::1]:8443 HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("[2001:db8::1]");
        assertThat(parser.result().connectPort()).isEqualTo(8443);
        assertThat(parser.result().path()).isEmpty();
    }

    @Test
    void parse_headNotEnded_needsMore() {
        assertThat(parse("GET / HTTP/1.1\r\nHost: a.example\r\n")).isEqualTo(HttpRequestParser.NEED_MORE);
        assertThat(parse("GET / HTT")).isEqualTo(HttpRequestParser.NEED_MORE);
    }

    @Test
    void parse_notHttp_returnsNotHttp() {
        assertThat(parse("\u0016\u0003\u0001\u0002\u0000\u0001")).isEqualTo(HttpRequestParser.NOT_HTTP);
        assertThat(parse("get / HTTP/1.1\r\n\r\n")).isEqualTo(HttpRequestParser.NOT_HTTP);
        assertThat(parse("SSH-2.0-OpenSSH_9.2\r\n")).isEqualTo(HttpRequestParser.NOT_HTTP);
    }

    @Test
    void parse_wrongVersionOrNoHost_isMalformed() {
        assertThat(parse("GET / HTTP/2.0\r\nHost: a\r\n\r\n")).isEqualTo(HttpRequestParser.MALFORMED);
        assertThat(parse("GET / HTTP/1.1\r\nAccept: x\r\n\r\n")).isEqualTo(HttpRequestParser.MALFORMED);
        assertThat(parse("GET / HTTP/1.1\r\nHost: bad host\r\n\r\n")).isEqualTo(HttpRequestParser.MALFORMED);
    }

    @Test
    void parse_headOverCap_isMalformed() {
        char[] filler = new char[HttpRequestParser.MAX_HEAD_LENGTH];
        Arrays.fill(filler, 'a');
        assertThat(parse("GET / HTTP/1.1\r\nX: " + new String(filler))).isEqualTo(HttpRequestParser.MALFORMED);
    }

    @Test
    void parse_seededRandomBytes_neverThrows() {
        Random random = new Random(5);
        byte[] b = new byte[256];
        for (int i = 0; i < 100_000; i++) {
            random.nextBytes(b);
            System.arraycopy("GET ".getBytes(StandardCharsets.US_ASCII), 0, b, 0, (i & 1) * 4);
            parser.parse(b, 0, random.nextInt(b.length + 1));
        }
        assertThat(parse("GET / HTTP/1.1\r\nHost: a\r\n\r\n")).isEqualTo(HttpRequestParser.OK);
    }

    @Test
    void statusCodeAndStartsMethod_readWhatAProxyAndItsClientSend() {
        byte[] challenge = "HTTP/1.1 407 Proxy Authentication Required\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(HttpRequestParser.statusCode(challenge, 0, challenge.length)).isEqualTo(407);
        byte[] ok = "xxHTTP/1.0 200 Connection established\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(HttpRequestParser.statusCode(ok, 2, ok.length - 2)).isEqualTo(200);
        for (String bad : new String[] {"HTTP/1.1 40", "HTTP/2 407 x", "HTTP/1.1  407", "HTTP/1.1 4a7 x", "CONNECT a:1"}) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            assertThat(HttpRequestParser.statusCode(b, 0, b.length)).as(bad).isEqualTo(-1);
        }
        byte[] connect = "CONNECT chatgpt.com:443 HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(HttpRequestParser.startsMethod(connect, 0, connect.length, "CONNECT")).isTrue();
        assertThat(HttpRequestParser.startsMethod(connect, 0, 7, "CONNECT")).as("cut before the space").isFalse();
        assertThat(HttpRequestParser.startsMethod(connect, 1, connect.length - 1, "CONNECT")).isFalse();
        assertThat(HttpRequestParser.startsMethod(connect, 0, connect.length, "GET")).isFalse();
        byte[] get = "GET http://ollama.lab:11434/api/tags HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(HttpRequestParser.startsMethod(get, 0, get.length, "GET")).isTrue();
        assertThat(HttpRequestParser.startsMethod(get, 0, get.length, "GE")).as("a prefix of the method").isFalse();
    }
}
