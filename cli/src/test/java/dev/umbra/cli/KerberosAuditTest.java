package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit} on test-data/captures/kerberos-tap.pcap: a real MIT KDC's
 * replies to alice (UDP, IPv4) and bob (TCP, IPv6), a computer account's login from alice's address, then
 * their TLS and DNS to AI services, recorded by make-kerberos-tap.sh. Each client address is named by the
 * principal tshark reads in the KDC's replies to it (kerberos-tap.expected.txt).
 */
class KerberosAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CAPTURES = CliRun.repoRoot().resolve("test-data/captures");
    private static final Path CAPTURE = CAPTURES.resolve("kerberos-tap.pcap");

    /** Address to "user services" from the expected file. */
    private static Map<String, String[]> expected() throws IOException {
        Map<String, String[]> out = new TreeMap<>();
        for (String line : Files.readAllLines(CAPTURES.resolve("kerberos-tap.expected.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.split("\t");
                out.put(f[0], new String[] {f[1], f[2]});
            }
        }
        return out;
    }

    @Test
    void tshark_kdcReplies_nameTheUsersTheExpectedFileLists() throws IOException {
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y",
                "kerberos.msg_type == 11 || kerberos.msg_type == 13", "-T", "fields", "-E", "separator=|", "-e",
                "ip.dst", "-e", "ipv6.dst", "-e", "kerberos.CNameString", "-e", "kerberos.crealm");
        Map<String, TreeSet<String>> byAddress = new TreeMap<>();
        for (String line : t.out().lines().filter(l -> !l.isBlank()).toList()) {
            String[] f = line.split("\\|", -1);
            byAddress.computeIfAbsent(f[0].isEmpty() ? f[1] : f[0], k -> new TreeSet<>()).add(f[2] + "@" + f[3]);
        }
        assertThat(byAddress.get("10.77.0.10")).containsExactly("WS01$@UMBRA.TEST", "alice@UMBRA.TEST");
        assertThat(byAddress.get("fd77::10")).containsExactly("bob@UMBRA.TEST");
        expected().forEach((address, v) -> assertThat(byAddress.get(address)).contains(v[0]));
    }

    @Test
    void observeJson_everyObservationOfAnAddress_carriesItsKerberosUser() throws IOException {
        Map<String, String[]> expected = expected();
        CliRun r = CliRun.run("observe", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, TreeSet<String>> users = new TreeMap<>();
        Map<String, TreeSet<String>> kinds = new TreeMap<>();
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            String client = n.path("client_ip").asText();
            users.computeIfAbsent(client, k -> new TreeSet<>()).add(n.path("user").asText("-"));
            kinds.computeIfAbsent(client, k -> new TreeSet<>()).add(n.get("kind").asText());
        }
        assertThat(users.keySet()).isEqualTo(expected.keySet());
        expected.forEach((address, v) -> assertThat(users.get(address)).as(address).containsExactly(v[0]));
        assertThat(kinds.get("10.77.0.10")).contains("tls_sni", "dns_query", "dns_answer", "flow_end");
        assertThat(kinds.get("fd77::10")).contains("tls_sni", "flow_end");
    }

    @Test
    void audit_kerberosCapture_hasARowPerUserAndService() throws IOException {
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> rows = new ArrayList<>();
        r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 5 && c[0].contains("@"))
                .forEach(c -> rows.add(c[0] + " " + c[1]));
        List<String> want = new ArrayList<>();
        expected().values().forEach(v -> {
            for (String service : v[1].split(",")) {
                want.add(v[0] + " " + service);
            }
        });
        assertThat(rows).containsExactlyInAnyOrderElementsOf(want);
        assertThat(r.out()).contains("2 client(s)").doesNotContain("WS01$");
    }
}
