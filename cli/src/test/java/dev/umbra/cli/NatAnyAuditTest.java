package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/nat-any.pcap: {@code tcpdump -i
 * any} on a host that masquerades a container's traffic with nftables, as Docker does
 * (make-nat-any.sh). tshark shows each of the container's DNS queries and ClientHellos twice, from the
 * container's address and from the host's; Umbra reports each once, from the container, with the bytes
 * tshark counts on the container's side, and keeps the host's own connection.
 */
class NatAnyAuditTest {
    private static final Path CAPTURE = CliRun.repoRoot().resolve("test-data/captures/nat-any.pcap");
    private static final String CONTAINER = "172.17.0.2";
    private static final String HOST = "192.0.2.10";


    private static List<String> tshark(String filter, String... fields) {
        HostTools.require("tshark", "tshark");
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", CAPTURE.toString(), "-Y", filter, "-T",
                "fields", "-E", "separator=,"));
        for (String f : fields) {
            cmd.add("-e");
            cmd.add(f);
        }
        return HostTools.check(60, cmd.toArray(String[]::new)).out().lines().filter(l -> !l.isBlank()).toList();
    }

    @Test
    void observeJson_masqueradedContainer_eachNameOnceFromTheContainer() throws IOException {
        // the capture holds both copies: tshark reads every hello and query of the container twice
        assertThat(tshark("tls.handshake.type == 1", "ip.src", "tls.handshake.extensions_server_name"))
                .containsExactlyInAnyOrder(CONTAINER + ",chatgpt.com", HOST + ",chatgpt.com",
                        CONTAINER + ",claude.ai", HOST + ",claude.ai", HOST + ",api.anthropic.com");
        assertThat(tshark("dns.flags.response == 0", "ip.src", "dns.qry.name"))
                .containsExactlyInAnyOrder(CONTAINER + ",chatgpt.com", HOST + ",chatgpt.com");

        List<JsonNode> all = CliRun.observeJson(CAPTURE);
        List<String> hellos = new ArrayList<>();
        List<String> queries = new ArrayList<>();
        for (JsonNode n : all) {
            String who = n.get("client_ip").asText() + "/" + n.get("hostname").asText();
            switch (n.get("kind").asText()) {
                case "tls_sni" -> hellos.add(who);
                case "dns_query" -> queries.add(who);
                default -> {
                }
            }
        }
        assertThat(hellos).containsExactlyInAnyOrder(CONTAINER + "/chatgpt.com", CONTAINER + "/claude.ai",
                HOST + "/api.anthropic.com");
        assertThat(queries).containsExactly(CONTAINER + "/chatgpt.com");
    }

    @Test
    void observeJson_masqueradedContainer_flowBytesAreTheContainerSidesOnce() throws IOException {
        List<JsonNode> ends = CliRun.observeJson(CAPTURE).stream().filter(n -> n.get("kind").asText().equals("flow_end")).toList();
        assertThat(ends).extracting(n -> n.get("client_ip").asText() + "/" + n.get("hostname").asText())
                .containsExactlyInAnyOrder(CONTAINER + "/chatgpt.com", CONTAINER + "/claude.ai",
                        HOST + "/api.anthropic.com");
        for (JsonNode end : ends) {
            String ip = end.get("client_ip").asText();
            int port = end.get("client_port").asInt();
            long out = sum(tshark("ip.src == " + ip + " && tcp.srcport == " + port, "tcp.len"));
            long in = sum(tshark("ip.dst == " + ip + " && tcp.dstport == " + port, "tcp.len"));
            assertThat(end.get("bytes_out").asLong()).as("bytes out, %s", end).isEqualTo(out).isPositive();
            assertThat(end.get("bytes_in").asLong()).as("bytes in, %s", end).isEqualTo(in).isPositive();
        }
        // the 20 000-byte POST, with TLS's overhead, went to chatgpt.com once
        assertThat(ends).filteredOn(n -> n.get("hostname").asText().equals("chatgpt.com")).singleElement()
                .satisfies(n -> assertThat(n.get("bytes_out").asLong()).isBetween(20_000L, 22_000L));
    }

    @Test
    void audit_masqueradedContainer_oneRowPerServiceAndClient() {
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 12
                && c[0].matches("\\d+\\.\\d+\\.\\d+\\.\\d+")).map(c -> c[0] + "/" + c[1]).toList();
        assertThat(rows).containsExactlyInAnyOrder(CONTAINER + "/openai-chatgpt", CONTAINER + "/anthropic-claude",
                HOST + "/anthropic-api");
        assertThat(r.out()).contains("3 AI service(s) used by 2 client(s)");
    }

    private static long sum(List<String> lengths) {
        return lengths.stream().mapToLong(Long::parseLong).sum();
    }
}
