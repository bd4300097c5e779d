package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/chromium-ech.pcap: a real
 * Chromium sending Encrypted Client Hellos over QUIC and TCP, after a DNS answer for chatgpt.com that
 * published an ECH config (make-chromium-ech.sh). The hellos' outer SNI is the public name, as tshark
 * reads it too; the connections are chatgpt.com's, with their bytes, in the audit as well.
 */
class ChromiumEchAuditTest {
    private static final Path CAPTURE = CliRun.repoRoot().resolve("test-data/captures/chromium-ech.pcap");
    private static final String PUBLIC_NAME = "ech-public.umbra-test.example";


    /** What tshark reads: client port to the SNI of each ClientHello over TCP ("tcp") or in QUIC ("udp"). */
    private static Map<Integer, String> tsharkSnis(String transport) {
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y",
                transport + " && tls.handshake.type == 1", "-T", "fields", "-e", transport + ".srcport", "-e",
                "tls.handshake.extensions_server_name");
        Map<Integer, String> out = new TreeMap<>();
        t.out().lines().filter(l -> !l.isBlank()).map(l -> l.split("\t", -1))
                .forEach(f -> out.put(Integer.parseInt(f[0]), f[1]));
        return out;
    }

    @Test
    void observeJson_echHellos_carryThePublicNameAndTheirFlowsAreChatgpts() throws IOException {
        List<JsonNode> all = CliRun.observeJson(CAPTURE);
        Map<Integer, String> tls = new TreeMap<>();
        Map<Integer, String> quic = new TreeMap<>();
        for (JsonNode n : all) {
            String kind = n.get("kind").asText();
            if (kind.equals("tls_sni") || kind.equals("quic_sni")) {
                (kind.equals("tls_sni") ? tls : quic).put(n.get("client_port").asInt(), n.get("hostname").asText());
                assertThat(n.get("ech").asBoolean()).as("Chromium sends the ECH extension in every hello").isTrue();
            }
        }
        // the same names tshark reads, connection by connection
        assertThat(tls).isEqualTo(tsharkSnis("tcp"));
        assertThat(quic).isEqualTo(tsharkSnis("udp"));
        assertThat(tls).containsValue(PUBLIC_NAME);
        assertThat(quic).containsValue(PUBLIC_NAME);
        // the DNS answer that published the config
        assertThat(all).anySatisfy(n -> {
            assertThat(n.get("kind").asText()).isEqualTo("dns_answer");
            assertThat(n.get("hostname").asText()).isEqualTo("chatgpt.com");
            assertThat(n.get("ech").asBoolean()).isTrue();
        });
        // every connection that sent a hello ends as chatgpt.com's, with what it sent
        Map<Integer, String> ends = new TreeMap<>();
        for (JsonNode n : all) {
            if (n.get("kind").asText().equals("flow_end") && n.get("bytes_out").asLong() > 0) {
                ends.put(n.get("client_port").asInt(), n.get("hostname").asText());
            }
        }
        List<Integer> hellos = new ArrayList<>(tls.keySet());
        hellos.addAll(quic.keySet());
        assertThat(ends.keySet()).containsExactlyInAnyOrderElementsOf(hellos);
        assertThat(ends.values()).containsOnly("chatgpt.com");
    }

    @Test
    void audit_echConnections_countForChatgptWithTheirUpload() throws IOException {
        long uploaded = CliRun.observeJson(CAPTURE).stream().filter(n -> n.get("kind").asText().equals("flow_end")
                && n.get("hostname").asText().equals("chatgpt.com")).mapToLong(n -> n.get("bytes_out").asLong()).sum();
        assertThat(uploaded).isPositive();
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String[]> rows = r.out().lines().map(l -> l.trim().split("\\s+"))
                .filter(c -> c.length > 12 && c[1].equals("openai-chatgpt")).toList();
        assertThat(rows).singleElement().satisfies(c -> {
            assertThat(c[9]).as("HOSTNAMES").isEqualTo("chatgpt.com");
            assertThat(Long.parseLong(c[11])).as("UPLOADED").isEqualTo(uploaded);
        });
        assertThat(r.out()).contains("1 AI service(s)").doesNotContain(PUBLIC_NAME);
    }
}
