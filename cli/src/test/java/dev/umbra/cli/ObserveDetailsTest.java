package dev.umbra.cli;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.pcap;
import static dev.umbra.sensor.TestFrames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.decode.LinkType;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code umbra observe} prints beyond the name: for ClientHellos the TLS version, ALPN, JA4
 * and the Encrypted Client Hello mark; for plaintext HTTP requests the method, path and CONNECT
 * target. Third-party captures of the corpus are read in place and checked against tshark's
 * reading of the same files; a synthetic capture checks {@code umbra audit}'s ECH note.
 */
class ObserveDetailsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static Path corpus(String relative) {
        Path root = CliRun.repoRoot();
        Path configured = System.getProperty("umbra.corpus") != null ? Path.of(System.getProperty("umbra.corpus"))
                : root.resolve("../shared/corpus").normalize();
        Path file = configured.resolve("pcaps").resolve(relative);
        assertThat(file).as("third-party corpus file (check out ../shared beside the project, or pass "
                + "-Dumbra.corpus=DIR)").exists();
        return file;
    }


    /** tshark's fields of every frame matching the filter, tab-separated. */
    private static List<String> tshark(Path capture, String filter, String... fields) {
        HostTools.require("tshark", "tshark");
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", capture.toString(), "-Y", filter, "-T",
                "fields", "-E", "occurrence=a", "-E", "aggregator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        HostTools.Result r = HostTools.check(60, cmd.toArray(String[]::new));
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void observeJson_corpusEchHello_marksOuterSniWithVersionAndAlpnAsTsharkReadsThem() throws IOException {
        Path capture = corpus("ndpi/tests__cfgs__default__pcap__tls_ech.pcapng");
        Set<String> expected = new TreeSet<>();
        for (String line : tshark(capture, "tls.handshake.type == 1", "tls.handshake.extensions_server_name",
                "tls.handshake.extension.type", "tls.handshake.extensions.supported_version",
                "tls.handshake.extensions_alpn_str")) {
            String[] f = line.split("\t", -1);
            boolean ech = List.of(f[1].split(",")).contains("65037");
            expected.add(f[0] + " ech=" + ech + " tls" + highestVersion(f[2]) + " alpn=" + f[3]);
        }
        assertThat(expected).as("tshark sees an ECH hello in the corpus file").anyMatch(s -> s.contains("ech=true"));

        Set<String> seen = new TreeSet<>();
        for (JsonNode n : CliRun.observeJson(capture)) {
            if (n.get("kind").asText().equals("tls_sni")) {
                List<String> alpn = new ArrayList<>();
                n.path("alpn").forEach(a -> alpn.add(a.asText()));
                seen.add(n.get("hostname").asText() + " ech=" + n.get("ech").asBoolean() + " tls"
                        + n.get("tls_version").asText() + " alpn=" + String.join(",", alpn));
                assertThat(n.get("ja4").asText()).startsWith("t13d");
            }
        }
        assertThat(seen).isEqualTo(expected);
    }

    /** The highest non-GREASE entry of tshark's supported_versions list ("0xdada,0x0304,0x0303"). */
    private static String highestVersion(String list) {
        int best = -1;
        for (String v : list.split(",")) {
            if (v.isBlank()) {
                continue;
            }
            int x = Integer.decode(v.trim());
            boolean grease = (x & 0x0f0f) == 0x0a0a && (x >> 8) == (x & 0xff);
            if (!grease && x > best) {
                best = x;
            }
        }
        return best == 0x0304 ? "1.3" : best == 0x0303 ? "1.2" : "?" + Integer.toHexString(best);
    }

    @Test
    void observeJson_corpusHttpConnect_printsMethodAndTargetPortAsTsharkReadsThem() throws IOException {
        Path capture = corpus("ndpi/tests__cfgs__default__pcap__http_connect.pcap");
        Set<String> expected = new TreeSet<>(tshark(capture, "http.request.method == \"CONNECT\"",
                "http.request.method", "http.request.uri"));
        assertThat(expected).isNotEmpty();
        Set<String> seen = new TreeSet<>();
        for (JsonNode n : CliRun.observeJson(capture)) {
            if (n.get("kind").asText().equals("http_request") && n.path("method").asText().equals("CONNECT")) {
                assertThat(n.has("url_path")).isFalse();
                seen.add("CONNECT\t" + n.get("hostname").asText() + ":" + n.get("target_port").asInt());
            }
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void observeJson_corpusHttpGets_printsMethodHostAndPathAsTsharkReadsThem() throws IOException {
        Path capture = corpus("ndpi/tests__cfgs__default__pcap__conncheck.pcap");
        Set<String> expected = new TreeSet<>();
        for (String line : tshark(capture, "http.request", "http.request.method", "http.host", "http.request.uri")) {
            String[] f = line.split("\t", -1);
            int q = f[2].indexOf('?');
            expected.add(f[0] + " " + f[1].toLowerCase(Locale.ROOT) + " " + (q < 0 ? f[2] : f[2].substring(0, q)));
        }
        assertThat(expected).hasSizeGreaterThan(1);
        Set<String> seen = new TreeSet<>();
        for (JsonNode n : CliRun.observeJson(capture)) {
            if (n.get("kind").asText().equals("http_request")) {
                seen.add(n.get("method").asText() + " " + n.get("hostname").asText() + " " + n.get("url_path").asText());
            }
        }
        assertThat(seen).isEqualTo(expected);
    }

    @Test
    void observeTable_httpAndEchHello_showDetailsColumn() throws IOException {
        Path capture = syntheticCapture();
        CliRun r = CliRun.run("observe", capture.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("DETAILS");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("tls_sni", "claude.ai", "tls1.3", "alpn=h2",
                "ja4=t13d0305h2_", "ech-outer-sni"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("tls_sni", "chatgpt.com", "tls1.3")
                .doesNotContain("ech-outer-sni"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("http_request", "POST /api/chat"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("http_request", "CONNECT api.anthropic.com:443"));
        assertThat(r.out()).doesNotContain("secret-token");
    }

    @Test
    void audit_serviceSeenOnlyAsEchOuterSni_isNoted() throws IOException {
        Path capture = syntheticCapture();
        CliRun r = CliRun.run("audit", capture.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("NOTES");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("anthropic-claude").containsPattern("claude\\.ai +ech-outer-sni-only "));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("openai-chatgpt").doesNotContain("ech-outer-sni"));
    }

    @Test
    void auditJson_echHello_carriesEchMarkVersionAndJa4InOcsf() throws IOException {
        Path capture = syntheticCapture();
        CliRun r = CliRun.run("audit", "--format", "json", capture.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonNode> events = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            events.add(JSON.readTree(line));
        }
        assertThat(events).anySatisfy(e -> {
            assertThat(e.at("/tls/sni").asText()).isEqualTo("claude.ai");
            assertThat(e.at("/tls/version").asText()).isEqualTo("1.3");
            assertThat(e.at("/ja4_fingerprint_list/0/value").asText()).startsWith("t13d0305h2_");
            assertThat(e.at("/unmapped/umbra/ech_outer_sni").asBoolean()).isTrue();
        });
        assertThat(events).anySatisfy(e -> {
            assertThat(e.at("/http_request/http_method").asText()).isEqualTo("CONNECT");
            assertThat(e.at("/http_request/url/port").asInt()).isEqualTo(443);
        });
    }

    /**
     * claude.ai only in an ECH hello; chatgpt.com in a plain hello and an ECH hello; a plain POST to
     * a local model runtime and a CONNECT to api.anthropic.com through a proxy.
     */
    private Path syntheticCapture() throws IOException {
        byte[] post = ("POST /api/chat?token=secret-token HTTP/1.1\r\nHost: ollama.lan:11434\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] connect = "CONNECT api.anthropic.com:443 HTTP/1.1\r\nHost: api.anthropic.com:443\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        List<byte[]> frames = List.of(
                ip("10.0.0.5", "104.18.32.47", 6, tcp(40001, 443, clientHello("claude.ai", List.of("h2"), 32, true))),
                ip("10.0.0.5", "104.18.32.48", 6, tcp(40002, 443, clientHello("chatgpt.com", List.of("h2"), 32))),
                ip("10.0.0.5", "104.18.32.48", 6, tcp(40003, 443, clientHello("chatgpt.com", List.of("h2"), 32, true))),
                ip("10.0.0.5", "10.0.0.9", 6, tcp(40004, 11434, post)),
                ip("10.0.0.5", "10.0.0.3", 6, tcp(40005, 3128, connect)));
        Path file = dir.resolve("details.pcap");
        Files.write(file, pcap(ByteOrder.LITTLE_ENDIAN, false, LinkType.RAW, frames));
        return file;
    }
}
