package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/socks.pcap: real curl through
 * a real SOCKS proxy (danted), recorded by make-socks.sh. The SOCKS requests are checked against
 * tshark's reading of the same file.
 */
class SocksAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CAPTURE = CliRun.repoRoot().resolve("test-data/captures/socks.pcap");

    private static List<JsonNode> lines(CliRun r) throws IOException {
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void observeJson_socksRequests_nameWhatTsharkReadsOrWhatDnsAnsweredForTheAddress() throws IOException {
        HostTools.require("tshark", "tshark");
        // tshark: the first request frame of each TCP stream, with the name (socks5h) or the address sent
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y",
                "tcp.dstport == 1080 && socks.command == 1 && (socks.remote_name || socks.dst)", "-T", "fields",
                "-e", "tcp.srcport", "-e", "socks.remote_name", "-e", "socks.dst");
        Map<Integer, String> tshark = new LinkedHashMap<>();
        for (String line : t.out().lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.split("\t", -1);
            tshark.putIfAbsent(Integer.parseInt(f[0]), f[1].isEmpty() ? f[2] : f[1]);
        }
        assertThat(tshark).hasSize(4);

        Map<Integer, JsonNode> umbra = new LinkedHashMap<>();
        for (JsonNode n : lines(CliRun.run("observe", "--format", "json", CAPTURE.toString()))) {
            if (n.get("kind").asText().equals("socks_request")) {
                assertThat(umbra.put(n.get("client_port").asInt(), n)).as("one request per connection").isNull();
            }
        }
        assertThat(umbra.keySet()).isEqualTo(tshark.keySet());
        List<String> byAddress = new ArrayList<>();
        for (Map.Entry<Integer, String> e : tshark.entrySet()) {
            JsonNode n = umbra.get(e.getKey());
            assertThat(n.get("method").asText()).isEqualTo("CONNECT");
            assertThat(n.get("target_port").asInt()).isEqualTo(8443);
            assertThat(n.get("server_port").asInt()).isEqualTo(1080);
            if (e.getValue().equals("127.0.0.1")) {
                // SOCKS5 and SOCKS4 by address: named by the DNS answer the client got just before
                byAddress.add(n.get("hostname").asText());
            } else {
                assertThat(n.get("hostname").asText()).isEqualTo(e.getValue());
            }
        }
        assertThat(byAddress).containsExactly("claude.ai", "huggingface.co");
    }

    @Test
    void audit_socksCapture_listsEveryServiceReachedThroughTheProxy() throws IOException {
        Set<String> expected = Files.readAllLines(CliRun.repoRoot().resolve("test-data/captures/socks.expected.txt"))
                .stream().filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toSet());
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Set<String> rows = new HashSet<>();
        for (String line : r.out().split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length > 2 && cells[0].startsWith("127.")) {
                rows.add(cells[0] + "\t" + cells[1]);
            }
        }
        assertThat(rows).isEqualTo(expected);
    }

    @Test
    void auditJson_socksRequest_goesToTheDestinationThroughTheProxyEndpoint() throws IOException {
        List<JsonNode> events = lines(CliRun.run("audit", "--format", "json", CAPTURE.toString()));
        assertThat(events).filteredOn(e -> e.at("/unmapped/umbra/observation_kind").asText().equals("socks_request"))
                .isNotEmpty().allSatisfy(e -> {
                    assertThat(e.get("class_uid").asInt()).isEqualTo(4001);
                    assertThat(e.at("/dst_endpoint/port").asInt()).isEqualTo(8443);
                    assertThat(e.at("/dst_endpoint").has("ip")).isFalse();
                    assertThat(e.at("/proxy_endpoint/ip").asText()).isEqualTo("127.0.0.1");
                    assertThat(e.at("/proxy_endpoint/port").asInt()).isEqualTo(1080);
                });
    }
}
