package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The recorded tap captures of test-data/captures whose clients are named by logons (kerberos-tap.pcap,
 * smb-tap.pcap), and what their expected files say of them.
 */
final class TapCaptures {
    /** test-data/captures of this checkout. */
    static final Path DIR = CliRun.repoRoot().resolve("test-data/captures");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TapCaptures() {
    }

    /** Client address to {user, comma-separated AI service ids} from {@code NAME.expected.txt}. */
    static Map<String, String[]> expected(String name) throws IOException {
        Map<String, String[]> out = new TreeMap<>();
        for (String line : Files.readAllLines(DIR.resolve(name + ".expected.txt"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                String[] f = line.split("\t");
                out.put(f[0], new String[] {f[1], f[2]});
            }
        }
        return out;
    }

    /**
     * Client address to the values of {@code field} ("-" where absent) in {@code umbra observe --format json}
     * output.
     */
    private static Map<String, TreeSet<String>> byClient(String observeJson, String field) throws IOException {
        Map<String, TreeSet<String>> out = new TreeMap<>();
        for (String line : observeJson.lines().toList()) {
            JsonNode n = JSON.readTree(line);
            out.computeIfAbsent(n.path("client_ip").asText(), k -> new TreeSet<>()).add(n.path(field).asText("-"));
        }
        return out;
    }

    /**
     * {@code umbra observe --format json} of {@code NAME.pcap}: the client addresses are those of the expected
     * file, each observation of one carries the address's user ("-" for none), alice's address (10.77.0.10)
     * has TLS, DNS and flow ends, bob's (fd77::10) TLS and flow ends. Returns the run.
     */
    static CliRun observeNamesEveryClient(String name) throws IOException {
        Map<String, String[]> expected = expected(name);
        CliRun r = CliRun.run("observe", "--format", "json", DIR.resolve(name + ".pcap").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, TreeSet<String>> users = byClient(r.out(), "user");
        Map<String, TreeSet<String>> kinds = byClient(r.out(), "kind");
        assertThat(users.keySet()).isEqualTo(expected.keySet());
        expected.forEach((address, v) -> assertThat(users.get(address)).as(address).containsExactly(v[0]));
        assertThat(kinds.get("10.77.0.10")).contains("tls_sni", "dns_query", "dns_answer", "flow_end");
        assertThat(kinds.get("fd77::10")).contains("tls_sni", "flow_end");
        return r;
    }
}
