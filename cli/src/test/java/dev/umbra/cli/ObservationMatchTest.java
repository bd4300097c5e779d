package dev.umbra.cli;

import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.pcap;
import static dev.umbra.sensor.TestFrames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Self-hosted runtimes recognised by server port and path when the host name says nothing: the rule
 * itself (ObservationMatch) and {@code umbra audit} of a capture of requests to a LAN Ollama server.
 */
class ObservationMatchTest {
    private static final HostMatcher CATALOG = Catalog.builtIn().matcher();
    private static final Instant T = Instant.parse("2026-11-21T10:00:00Z");

    @TempDir
    Path tmp;

    @Test
    void of_plaintextRequestToARuntimePortAndPath_isThatRuntime() {
        assertThat(ObservationMatch.of(CATALOG, http("10.0.0.5", 11434, "/api/chat"), null).service().id())
                .isEqualTo("ollama");
        Observation logged = Observation.request(T, ObservationKind.PROXY_REQUEST, "gpu-box.corp", "10.9.8.7", 0,
                "10.1.2.3", 1234, "alice", "POST", "/v1/chat/completions", 200, -1, 48213, "access.log");
        assertThat(ObservationMatch.of(CATALOG, logged, "alice").service().id()).isEqualTo("lm-studio");
    }

    @Test
    void of_hostNameFirst_portAndPathOnlyForPlaintextRequests() {
        assertThat(ObservationMatch.of(CATALOG, http("chatgpt.com", 11434, "/api/chat"), null).service().id())
                .as("a name the catalog has wins").isEqualTo("openai-chatgpt");
        assertThat(ObservationMatch.of(CATALOG, http("10.0.0.5", 11434, "/"), null)).as("port alone").isNull();
        assertThat(ObservationMatch.of(CATALOG, http("10.0.0.5", 8080, "/api/chat"), null)).as("path alone").isNull();
        Observation hello = Observation.network(T, ObservationKind.TLS_SNI, "10.0.0.5", "10.0.0.7", 51000, "10.0.0.5",
                11434, "test");
        assertThat(ObservationMatch.of(CATALOG, hello, null)).as("not a plaintext request").isNull();
    }

    @Test
    void audit_captureOfRequestsToALanOllama_reportsOllamaWithThePathsFunctions() throws Exception {
        Path capture = tmp.resolve("ollama.pcap");
        String chat = "POST /api/chat HTTP/1.1\r\nHost: 10.0.0.5:11434\r\nContent-Length: 2\r\n\r\n{}";
        String tags = "GET /api/tags HTTP/1.1\r\nHost: 10.0.0.5:11434\r\n\r\n";
        Files.write(capture, pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(
                request(51000, 11434, chat),
                request(51001, 11434, tags),
                request(51002, 11434, "GET / HTTP/1.1\r\nHost: 10.0.0.5:11434\r\n\r\n"),
                request(51003, 8080, "POST /api/chat HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nContent-Length: 2\r\n\r\n{}"))));
        CliRun r = CliRun.run("audit", capture.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("1 AI service(s) used by 1 client(s) in 4 packets");
        String row = r.out().lines().filter(l -> l.startsWith("10.0.0.7 ")).findFirst().orElseThrow();
        assertThat(row).contains("ollama", "self_hosted_runtime", "/api/chat[chat]", "/api/tags[model_list]")
                .doesNotContain(" / ");
        // the two runtime flows' ends carry their first request's path: their bytes are Ollama's upload
        assertThat(row.split(" {2,}")).contains(Integer.toString(chat.length() + tags.length()));

        CliRun json = CliRun.run("audit", "--format", "json", capture.toString());
        assertThat(json.out()).contains("\"pattern\":\"port 11434\"");
    }

    private static Observation http(String host, int port, String path) {
        return Observation.httpRequest(T, host, "10.0.0.7", 51000, "10.0.0.5", port, "POST", path, 0, "test");
    }

    private static byte[] request(int srcPort, int dstPort, String head) {
        return ethernet(ip("10.0.0.7", "10.0.0.5", 6, tcp(srcPort, dstPort, head.getBytes(StandardCharsets.US_ASCII))));
    }
}
