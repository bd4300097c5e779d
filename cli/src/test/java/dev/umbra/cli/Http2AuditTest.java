package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/h2c.pcap: real curl
 * --http2-prior-knowledge to nghttpd and real python3-grpcio calls, recorded by make-h2c.sh, one
 * request a connection. What Umbra reads is checked against tshark's reading of the same file
 * (h2c.expected.txt, which tshark wrote and which tshark is run again to confirm).
 */
class Http2AuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CAPTURES = CliRun.repoRoot().resolve("test-data/captures");
    private static final Path CAPTURE = CAPTURES.resolve("h2c.pcap");
    private static final Path EXPECTED = CAPTURES.resolve("h2c.expected.txt");

    /** A request HEADERS frame as tshark lists it: the columns of h2c.expected.txt. */
    private record TsharkRequest(int clientPort, int serverPort, String method, String authority, String path) {
        static TsharkRequest of(String line) {
            String[] f = line.split("\t", -1);
            assertThat(f).as("columns of %s", line).hasSize(5);
            return new TsharkRequest(Integer.parseInt(f[0]), Integer.parseInt(f[1]), f[2], f[3], f[4]);
        }

        String host() {
            return authority.substring(0, authority.lastIndexOf(':'));
        }

        String pathWithoutQuery() {
            int q = path.indexOf('?');
            return q < 0 ? path : path.substring(0, q);
        }
    }

    private static List<String> expectedLines() throws IOException {
        return Files.readAllLines(EXPECTED).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    private static Map<Integer, TsharkRequest> expected() throws IOException {
        Map<Integer, TsharkRequest> byClientPort = new LinkedHashMap<>();
        for (String line : expectedLines()) {
            TsharkRequest t = TsharkRequest.of(line);
            assertThat(byClientPort.put(t.clientPort(), t)).as("one request a connection in the fixture").isNull();
        }
        return byClientPort;
    }

    @Test
    void tshark_h2cCapture_listsWhatTheExpectedFileSays() throws IOException {
        HostTools.require("tshark", "tshark");
        // the command make-h2c.sh wrote h2c.expected.txt with
        List<String> command = new ArrayList<>(List.of("tshark", "-n", "-r", CAPTURE.toString()));
        for (int port : new int[] {11434, 8000, 8001, 8500}) {
            command.addAll(List.of("-d", "tcp.port==" + port + ",http2"));
        }
        command.addAll(List.of("-Y", "http2.type == 1 && http2.headers.method", "-T", "fields", "-e", "tcp.srcport",
                "-e", "tcp.dstport", "-e", "http2.headers.method", "-e", "http2.headers.authority",
                "-e", "http2.headers.path"));
        HostTools.Result t = HostTools.run(60, command);
        assertThat(t.exitCode()).as(t.err()).isZero();
        assertThat(t.out().lines().filter(l -> !l.isBlank()).toList()).isEqualTo(expectedLines());
    }

    @Test
    void observeJson_h2cCapture_reportsEveryRequestTsharkListsWithoutItsQueryOrCredentials() throws IOException {
        Map<Integer, TsharkRequest> tshark = expected();
        // curl to the Ollama-like and vLLM-like ports, gRPC to Triton's and TF Serving's
        assertThat(tshark.values()).extracting(TsharkRequest::serverPort)
                .containsExactlyInAnyOrder(11434, 11434, 8000, 8001, 8500);

        CliRun r = CliRun.run("observe", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        // the tokens, cookie and query value make-h2c.sh sent all contain SYNTHETIC: counted (not
        // printed) and checked first, so that a failure below does not print them either
        assertThat(r.out().split("SYNTHETIC", -1).length - 1).as("credential values in the output").isZero();
        Map<Integer, JsonNode> umbra = new LinkedHashMap<>();
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            if (n.get("kind").asText().equals("http_request")) {
                assertThat(umbra.put(n.get("client_port").asInt(), n)).as("one request a connection").isNull();
            }
        }
        assertThat(umbra.keySet()).isEqualTo(tshark.keySet());
        for (TsharkRequest t : tshark.values()) {
            JsonNode n = umbra.get(t.clientPort());
            assertThat(n.get("hostname").asText()).isEqualTo(t.host());
            assertThat(n.get("url_path").asText()).isEqualTo(t.pathWithoutQuery());
            assertThat(n.get("server_port").asInt()).isEqualTo(t.serverPort());
            assertThat(n.get("method").asText()).isEqualTo(t.method());
        }
        assertThat(tshark.values()).as("the fixture has a query to leave out")
                .anyMatch(t -> !t.path().equals(t.pathWithoutQuery()));
    }

    @Test
    void audit_h2cCapture_listsEachRuntimeWithThePathsTsharkSawOnItsPort() throws IOException {
        // the catalog's runtimes by port and path (docs/catalog.md): what each request tshark saw must be
        Map<Integer, String> runtimeByPort = Map.of(11434, "ollama", 8000, "vllm", 8001, "triton", 8500,
                "tensorflow-serving");
        Map<String, List<String>> pathsByService = new TreeMap<>();
        for (TsharkRequest t : expected().values()) {
            assertThat(runtimeByPort).as("a runtime for port %d", t.serverPort()).containsKey(t.serverPort());
            pathsByService.computeIfAbsent(runtimeByPort.get(t.serverPort()), k -> new ArrayList<>())
                    .add(t.pathWithoutQuery());
        }
        assertThat(pathsByService).hasSize(4);

        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out().split("SYNTHETIC", -1).length - 1).as("credential values in the table").isZero();
        // CLIENT SERVICE NAME ... HOSTNAMES NOTES UPLOADED DOWNLOADED PATHS, paths as /p[function],...
        Map<String, String[]> rows = new TreeMap<>();
        r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 2 && c[0].startsWith("127."))
                .forEach(c -> assertThat(rows.put(c[1], c)).as("one row for %s", c[1]).isNull());
        assertThat(rows.keySet()).as(r.out()).containsExactlyElementsOf(pathsByService.keySet());
        pathsByService.forEach((service, paths) -> {
            String[] row = rows.get(service);
            assertThat(row[0]).isEqualTo("127.0.0.1");
            assertThat(Arrays.stream(row[row.length - 1].split(",")).map(p -> p.replaceAll("\\[.*]$", "")))
                    .as(service).containsExactlyInAnyOrderElementsOf(paths);
        });
        assertThat(rows.get("ollama")).contains("ollama.lab.example");
        assertThat(rows.get("triton")[rows.get("triton").length - 1])
                .isEqualTo("/inference.GRPCInferenceService/ModelInfer[inference]");
    }
}
