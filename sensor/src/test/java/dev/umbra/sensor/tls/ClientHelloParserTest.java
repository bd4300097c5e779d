package dev.umbra.sensor.tls;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ClientHelloParserTest {
    private final ClientHelloParser parser = new ClientHelloParser();

    @Test
    void parseRecord_fullHello_returnsSniAlpnAndVersions() {
        byte[] r = clientHello("API.Anthropic.com", List.of("h2", "http/1.1"), 32);
        assertThat(parser.parseRecord(r, 0, r.length)).isEqualTo(ClientHelloParser.OK);
        ClientHello h = parser.result();
        assertThat(h.serverName()).isEqualTo("api.anthropic.com");
        assertThat(h.alpn()).containsExactly("h2", "http/1.1");
        assertThat(h.supportedVersions()).containsExactly(0x0304, 0x0303);
        assertThat(h.legacyVersion()).isEqualTo(0x0303);
        assertThat(h.complete()).isTrue();
        assertThat(h.echPresent()).isFalse();
    }

    @Test
    void parseRecord_alpnLists_oneTwoAndManyEntriesCommonOrNot() {
        for (List<String> alpn : List.of(List.of("h3"), List.of("h2", "http/1.1"), List.of("acme-tls/1", "x-custom"),
                List.of("h2", "http/1.1", "h3", "grpc-exp", "spdy/3.1"))) {
            byte[] r = clientHello("a.example", alpn, 32);
            assertThat(parser.parseRecord(r, 0, r.length)).isEqualTo(ClientHelloParser.OK);
            assertThat(parser.result().alpn()).isEqualTo(alpn);
        }
    }

    @Test
    void parseRecord_alpnWithUnprintableBytes_writesThemAsHex() {
        byte[] r = clientHello("a.example", List.of("h2", "ab"), 32);
        int at = indexOf(r, new byte[] {2, 'a', 'b'});
        r[at + 2] = 0x07;
        r[at + 1] = '\\';
        assertThat(parser.parseRecord(r, 0, r.length)).isEqualTo(ClientHelloParser.OK);
        assertThat(parser.result().alpn()).containsExactly("h2", "\\x5c\\x07");
    }

    @Test
    void parseRecord_helloWithoutSni_returnsNullName() {
        byte[] r = clientHello(null, List.of(), 32);
        assertThat(parser.parseRecord(r, 0, r.length)).isEqualTo(ClientHelloParser.OK);
        assertThat(parser.result().serverName()).isNull();
    }

    @Test
    void parseRecord_cutAfterServerName_returnsNameMarkedIncomplete() {
        // a post-quantum-sized key share makes the hello span two TCP segments
        byte[] r = clientHello("chatgpt.com", List.of("h2"), 1216);
        assertThat(r.length).isGreaterThan(1300);
        assertThat(parser.parseRecord(r, 0, 1200)).isEqualTo(ClientHelloParser.OK);
        assertThat(parser.result().serverName()).isEqualTo("chatgpt.com");
        assertThat(parser.result().complete()).isFalse();
    }

    @Test
    void parseRecord_cutBeforeServerName_needsMoreData() {
        byte[] r = clientHello("chatgpt.com", List.of(), 32);
        assertThat(parser.parseRecord(r, 0, 60)).isEqualTo(ClientHelloParser.NOT_ENOUGH_DATA);
        assertThat(parser.parseRecord(r, 0, 3)).isEqualTo(ClientHelloParser.NOT_ENOUGH_DATA);
    }

    @Test
    void parseRecord_otherRecordTypes_areNotTls() {
        assertThat(parser.parseRecord(hex("170303001000"), 0, 6)).isEqualTo(ClientHelloParser.NOT_TLS);
        byte[] http = "GET / HTTP/1.1\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(parser.parseRecord(http, 0, http.length)).isEqualTo(ClientHelloParser.NOT_TLS);
        // a ServerHello (handshake type 2)
        assertThat(parser.parseRecord(hex("160303004a02000046"), 0, 9)).isEqualTo(ClientHelloParser.NOT_TLS);
    }

    @Test
    void parseRecord_oversizeRecordLength_isMalformed() {
        assertThat(parser.parseRecord(hex("16030148000100"), 0, 7)).isEqualTo(ClientHelloParser.MALFORMED);
    }

    @Test
    void parseRecord_serverNameLengthPastExtension_isMalformed() {
        byte[] r = clientHello("chatgpt.com", List.of(), 32);
        int sni = indexOf(r, "chatgpt.com".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        r[sni - 2] = 0x7f; // host name length far beyond the extension
        assertThat(parser.parseRecord(r, 0, r.length)).isEqualTo(ClientHelloParser.MALFORMED);
    }

    @Test
    void parseRecord_sessionIdLongerThan32_isMalformed() {
        byte[] r = clientHello("chatgpt.com", List.of(), 32);
        r[9 + 34] = 33;
        assertThat(parser.parseRecord(r, 0, r.length)).isEqualTo(ClientHelloParser.MALFORMED);
    }

    @Test
    void parseRecord_randomAndMutatedBytes_neverThrow() {
        Random random = new Random(11);
        byte[] valid = clientHello("copilot-proxy.githubusercontent.com", List.of("h2"), 64);
        int ok = 0;
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[random.nextInt(400)];
                random.nextBytes(b);
                if (b.length > 5) {
                    b[0] = 22;
                    b[1] = 3;
                    b[5] = 1;
                }
            } else {
                b = valid.clone();
                for (int k = 0; k <= random.nextInt(4); k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            int status = parser.parseRecord(b, 0, b.length == 0 ? 0 : random.nextInt(b.length + 1));
            assertThat(status).isBetween(ClientHelloParser.MALFORMED, ClientHelloParser.OK);
            if (status == ClientHelloParser.OK) {
                ok++;
                String name = parser.result().serverName();
                assertThat(name == null || name.length() <= 4 * 255).isTrue();
            }
        }
        assertThat(ok).isPositive();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
