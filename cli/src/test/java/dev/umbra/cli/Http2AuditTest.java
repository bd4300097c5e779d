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
 * --http2-prior-knowledge and nghttp to nghttpd and real python3-grpcio calls, recorded by
 * make-h2c.sh, one request a connection and several on one connection (nghttp's two streams at once,
 * a gRPC channel's three calls). What Umbra reads is checked against tshark's reading of the same
 * file (h2c.expected.txt, which tshark wrote and which tshark is run again to confirm), and the
 * bodies with synthetic personal data are found, masked.
 */
class Http2AuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CAPTURES = CliRun.repoRoot().resolve("test-data/captures");
    private static final Path CAPTURE = CAPTURES.resolve("h2c.pcap");
    private static final Path EXPECTED = CAPTURES.resolve("h2c.expected.txt");

    /** A request HEADERS frame as tshark lists it: the columns of h2c.expected.txt. */
    private record TsharkRequest(int clientPort, int serverPort, String method, String authority, String path) {
        /** The requests of one line: tshark joins the fields of several HEADERS frames in one packet with commas. */
        static List<TsharkRequest> of(String line) {
            String[] f = line.split("\t", -1);
            assertThat(f).as("columns of %s", line).hasSize(5);
            String[] methods = f[2].split(",");
            String[] authorities = f[3].split(",");
            String[] paths = f[4].split(",");
            assertThat(authorities).hasSameSizeAs(methods);
            assertThat(paths).hasSameSizeAs(methods);
            List<TsharkRequest> requests = new ArrayList<>();
            for (int i = 0; i < methods.length; i++) {
                requests.add(new TsharkRequest(Integer.parseInt(f[0]), Integer.parseInt(f[1]), methods[i], authorities[i],
                        paths[i]));
            }
            return requests;
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

    /** tshark's requests by connection (client port), in the order of the capture. */
    private static Map<Integer, List<TsharkRequest>> expected() throws IOException {
        Map<Integer, List<TsharkRequest>> byClientPort = new LinkedHashMap<>();
        for (String line : expectedLines()) {
            for (TsharkRequest t : TsharkRequest.of(line)) {
                byClientPort.computeIfAbsent(t.clientPort(), k -> new ArrayList<>()).add(t);
            }
        }
        return byClientPort;
    }

    private static List<TsharkRequest> all(Map<Integer, List<TsharkRequest>> byConnection) {
        return byConnection.values().stream().flatMap(List::stream).toList();
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
        Map<Integer, List<TsharkRequest>> tshark = expected();
        // curl to the Ollama-like and vLLM-like ports, gRPC to Triton's and TF Serving's; nghttp's two
        // requests on one connection to 11434 and the gRPC channel's three to 8001
        assertThat(tshark.values()).extracting(l -> l.get(0).serverPort() + " x" + l.size())
                .containsExactlyInAnyOrder("11434 x1", "11434 x1", "8000 x1", "8001 x1", "8500 x1", "11434 x2", "8001 x3");

        CliRun r = CliRun.run("observe", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        // the tokens, cookie and query value make-h2c.sh sent all contain SYNTHETIC: counted (not
        // printed) and checked first, so that a failure below does not print them either
        assertThat(r.out().split("SYNTHETIC", -1).length - 1).as("credential values in the output").isZero();
        Map<Integer, List<String>> umbra = new LinkedHashMap<>();
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            if (n.get("kind").asText().equals("http_request")) {
                umbra.computeIfAbsent(n.get("client_port").asInt(), k -> new ArrayList<>()).add(n.get("method").asText()
                        + " " + n.get("hostname").asText() + ":" + n.get("server_port").asInt() + n.get("url_path").asText());
            }
        }
        Map<Integer, List<String>> seenByTshark = new LinkedHashMap<>();
        tshark.forEach((port, requests) -> seenByTshark.put(port, requests.stream()
                .map(t -> t.method() + " " + t.host() + ":" + t.serverPort() + t.pathWithoutQuery()).toList()));
        // every request of every connection, in order
        assertThat(umbra).isEqualTo(seenByTshark);
        assertThat(all(tshark)).as("the fixture has a query to leave out")
                .anyMatch(t -> !t.path().equals(t.pathWithoutQuery()));
    }

    @Test
    void audit_h2cCapture_listsEachRuntimeWithThePathsTsharkSawOnItsPort() throws IOException {
        // the catalog's runtimes by port and path (docs/catalog.md): what each request tshark saw must be
        Map<Integer, String> runtimeByPort = Map.of(11434, "ollama", 8000, "vllm", 8001, "triton", 8500,
                "tensorflow-serving");
        Map<String, List<String>> pathsByService = new TreeMap<>();
        for (TsharkRequest t : all(expected())) {
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
        // the services table, before the part on sensitive data in bodies
        r.out().substring(0, r.out().indexOf("Sensitive data sent")).lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 2 && c[0].startsWith("127."))
                .forEach(c -> assertThat(rows.put(c[1], c)).as("one row for %s", c[1]).isNull());
        assertThat(rows.keySet()).as(r.out()).containsExactlyElementsOf(pathsByService.keySet());
        pathsByService.forEach((service, paths) -> {
            String[] row = rows.get(service);
            assertThat(row[0]).isEqualTo("127.0.0.1");
            assertThat(Arrays.stream(row[row.length - 1].split(",")).map(p -> p.replaceAll("\\[.*]$", "")))
                    .as(service).containsExactlyInAnyOrderElementsOf(paths.stream().distinct().toList());
        });
        assertThat(rows.get("ollama")).contains("ollama.lab.example");
        assertThat(rows.get("triton")[rows.get("triton").length - 1]).isEqualTo(
                "/inference.GRPCInferenceService/ModelInfer[inference],/inference.GRPCInferenceService/ModelMetadata[model_management]");
    }

    /**
     * The bodies of nghttp's two requests and of the gRPC channel's first call carry a synthetic
     * e-mail address and SSN, and its third call, a gzip-compressed protobuf message
     * (grpc-encoding: gzip), a synthetic AWS secret key: found in each, masked, never printed raw.
     */
    @Test
    void audit_h2cCapture_findsTheSyntheticDataInTheBodiesMasked() throws IOException {
        CliRun r = CliRun.run("audit", "-v", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        String all = r.out() + r.err();
        // counted, not printed: the raw values the recording sent
        for (String raw : List.of("pat.doe@example.com", "412-58-3306", "SYNTHETIC", "Zq4Vt8kRr0Lw9YbN2xHc5JmPe7UfA1sDg4RiKoT6")) {
            assertThat(all.split(java.util.regex.Pattern.quote(raw), -1).length - 1).as("raw values in the output").isZero();
        }
        int section = r.out().indexOf("Sensitive data sent to AI services (masked):");
        assertThat(section).as(r.out()).isPositive();
        List<String> rows = new ArrayList<>();
        for (String line : r.out().substring(section).split("\n")) {
            String[] c = line.trim().split("\\s+");
            if (c.length > 8 && c[0].startsWith("127.")) {
                rows.add(c[1] + " " + c[4] + " " + c[5] + " " + c[8]);
            }
        }
        assertThat(rows).containsExactlyInAnyOrder(
                "ollama /api/generate email p***@example.com", "ollama /api/generate us_ssn ***-**-3306",
                "ollama /api/chat email p***@example.com", "ollama /api/chat us_ssn ***-**-3306",
                "triton /inference.GRPCInferenceService/ModelInfer us_ssn ***-**-3306",
                "triton /inference.GRPCInferenceService/ModelInfer email p***@example.com",
                "triton /inference.GRPCInferenceService/ModelInfer aws_secret_access_key Zq****...T6");
        assertThat(r.err()).contains("9 plaintext HTTP request bodies classified; 4 request(s) to AI services carried");
    }
}
