package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/proxy-auth.pcap: real curl
 * authenticating to a real Squid (Basic, NTLM, Digest) and to a SOCKS proxy (SOCKS5 user and password, SOCKS4
 * USERID), recorded by make-proxy-auth.sh. The user behind each request is the one tshark reads
 * (proxy-auth.expected.txt), every observation of the connection carries it, the audit has a row per
 * user, and no password reaches any output.
 */
class ProxyAuthAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CAPTURES = CliRun.repoRoot().resolve("test-data/captures");
    private static final Path CAPTURE = CAPTURES.resolve("proxy-auth.pcap");
    private static final Path EXPECTED = CAPTURES.resolve("proxy-auth.expected.txt");
    /** The synthetic passwords make-proxy-auth.sh sent: counted in outputs, never printed. */
    private static final List<String> PASSWORDS = List.of("SYNTHETIC-alice-pw", "SYNTHETIC-bob-pw", "SYNTHETIC-carol-pw",
            "SYNTHETIC-erin-pw", "SYNTHETIC");

    private static Map<Integer, String> expected() throws IOException {
        Map<Integer, String> users = new TreeMap<>();
        for (String line : Files.readAllLines(EXPECTED)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.split("\t");
                users.put(Integer.parseInt(f[0]), f[1]);
            }
        }
        return users;
    }

    private static void assertNoPassword(String output) {
        for (String p : PASSWORDS) {
            assertThat(output.split(Pattern.quote(p), -1).length - 1).as("passwords in the output").isZero();
        }
    }

    @Test
    void tshark_proxyAuthCapture_readsTheUsersTheExpectedFileLists() throws IOException {
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.run(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y",
                "ntlmssp.messagetype == 3 || socks.username", "-T", "fields", "-E", "separator=|", "-e", "tcp.srcport",
                "-e", "ntlmssp.auth.domain", "-e", "ntlmssp.auth.username", "-e", "socks.username");
        assertThat(t.exitCode()).as(t.err()).isZero();
        Map<Integer, String> users = new TreeMap<>();
        for (String line : t.out().lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.split("\\|", -1);
            users.put(Integer.parseInt(f[0]), !f[2].isEmpty() ? (f[1].isEmpty() ? "" : f[1] + "\\") + f[2] : f[3]);
        }
        // Basic and Digest are read by make-proxy-auth.sh from the header; the others tshark names itself
        Map<Integer, String> named = new TreeMap<>(expected());
        named.values().remove("alice");
        named.values().remove("erin");
        assertThat(users).isEqualTo(named);
        assertThat(expected().values()).containsExactlyInAnyOrder("alice", "CORP\\bob", "erin", "carol", "dave");
    }

    @Test
    void observeJson_everyObservationOfAnAuthenticatedConnection_carriesItsUser() throws IOException {
        Map<Integer, String> expected = expected();
        CliRun r = CliRun.run("observe", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertNoPassword(r.out() + r.err());
        Map<Integer, TreeSet<String>> usersByPort = new LinkedHashMap<>();
        Map<Integer, TreeSet<String>> kindsByPort = new LinkedHashMap<>();
        Map<Integer, Integer> requestsByPort = new TreeMap<>();
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            int port = n.path("client_port").asInt();
            if (n.get("kind").asText().endsWith("_request")) {
                requestsByPort.merge(port, 1, Integer::sum);
            }
            usersByPort.computeIfAbsent(port, k -> new TreeSet<>()).add(n.path("user").asText("-"));
            kindsByPort.computeIfAbsent(port, k -> new TreeSet<>()).add(n.get("kind").asText());
        }
        assertThat(usersByPort.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        expected.forEach((port, user) -> assertThat(usersByPort.get(port)).as("port %d", port).containsExactly(user));
        // the request to the proxy, the hello in the tunnel and the flow's end, each with the user
        assertThat(kindsByPort.values()).allSatisfy(k -> assertThat(k).contains("tls_sni", "flow_end"));
        // one request per connection: NTLM's NEGOTIATE leg and Digest's CONNECT before Squid's 407
        // challenge are sent again with the user, and only that one is a visit
        assertThat(requestsByPort.values()).containsOnly(1);
        int digestPort = expected.entrySet().stream().filter(e -> e.getValue().equals("erin")).findFirst()
                .orElseThrow().getKey();
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.run(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y",
                "tcp.port == " + digestPort + " && (http.request.method == \"CONNECT\" || http.response.code)",
                "-T", "fields", "-e", "http.request.method", "-e", "http.response.code");
        assertThat(t.exitCode()).as(t.err()).isZero();
        assertThat(t.out().lines().map(String::strip).toList()).as("what crossed erin's connection")
                .containsExactly("CONNECT", "407", "CONNECT", "200");
    }

    @Test
    void audit_proxyAuthCapture_hasARowPerUserAndNoPassword() throws IOException {
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertNoPassword(r.out() + r.err());
        List<String> rows = new ArrayList<>();
        r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 5 && !c[0].equals("CLIENT")
                && c[0].matches("[A-Za-z].*")).forEach(c -> rows.add(c[0] + " " + c[1]));
        assertThat(rows).containsExactlyInAnyOrder("alice openai-api", "CORP\\bob anthropic-claude",
                "erin google-gemini", "carol huggingface", "dave anthropic-api");
        assertThat(r.out()).contains("5 client(s)");
        // the first leg of NTLM (no user yet) and Digest's CONNECT before Squid's 407 are no rows of their own
        assertThat(r.out()).doesNotContain("127.0.0.1 ");
    }

    @Test
    void auditJson_findingsNameTheUserAsTheActor() throws IOException {
        CliRun r = CliRun.run("audit", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertNoPassword(r.out());
        TreeSet<String> actors = new TreeSet<>();
        for (String line : r.out().lines().toList()) {
            JsonNode e = JSON.readTree(line);
            String user = e.path("actor").path("user").path("name").asText(null);
            if (user != null) {
                actors.add(user);
            }
        }
        assertThat(actors).containsExactly("CORP\\bob", "alice", "carol", "dave", "erin");
    }
}
