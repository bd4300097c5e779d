package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umbra observe} on a 20 k-frame instance of the generated mixed capture, against the
 * generator's own list of names. The generator (sensor test sources, JDK only) runs as a
 * single-file program, as its recipe in test-data/generator/README.md says.
 *
 * <p>Every kind is exact: DNS query names, DNS answers and CNAME targets, SNIs of single-segment,
 * ECH-outer, split and reordered ClientHellos, and QUIC SNIs of Initials split over several packets.
 */
class ObserveMixedCaptureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void observe_generatedMixedCapture_findsExactlyTheGeneratorsNames() throws Exception {
        Path generator = CliRun.repoRoot().resolve("sensor/src/test/java/dev/umbra/sensor/gen/MixedCapture.java");
        Path capture = dir.resolve("mixed.pcap");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                generator.toString(), capture.toString(), "20000", "42")
                .redirectErrorStream(true).redirectOutput(dir.resolve("gen.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("generator finished").isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve("gen.log"))).isZero();
        Map<String, Set<String>> expected = new HashMap<>();
        for (String line : Files.readAllLines(dir.resolve("mixed.pcap.names.tsv"))) {
            String[] f = line.split("\t");
            expected.computeIfAbsent(f[0], k -> new TreeSet<>()).add(f[1]);
        }

        CliRun r = CliRun.run("observe", "--format", "json", capture.toString());

        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, Set<String>> seen = new HashMap<>();
        Set<String> cnames = new TreeSet<>();
        Set<String> echMarked = new TreeSet<>();
        Set<String> tlsVersions = new TreeSet<>();
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            seen.computeIfAbsent(n.get("kind").asText(), k -> new TreeSet<>()).add(n.get("hostname").asText());
            if (n.path("ech").asBoolean(false)) {
                echMarked.add(n.get("kind").asText() + " " + n.get("hostname").asText());
            }
            if (n.has("tls_version")) {
                tlsVersions.add(n.get("tls_version").asText());
            }
            if (n.has("answers")) {
                n.get("answers").forEach(a -> {
                    if (Character.isLetter(a.asText().charAt(0))) {
                        cnames.add(a.asText());
                    }
                });
            }
        }
        assertThat(seen.get("dns_query")).isEqualTo(expected.get("dns_query"));
        assertThat(seen.get("dns_answer")).isEqualTo(expected.get("dns_query"));
        assertThat(cnames).isEqualTo(expected.get("dns_cname"));
        Set<String> allTls = union(expected, "tls_sni", "tls_sni_ech_outer", "tls_sni_split", "tls_sni_split_reordered");
        assertThat(seen.get("tls_sni")).isEqualTo(allTls);
        assertThat(seen.get("quic_sni")).isEqualTo(expected.get("quic_sni"));
        // exactly the generator's ECH hellos are marked as outer SNIs; every hello offers TLS 1.3
        assertThat(echMarked).isEqualTo(expected.get("tls_sni_ech_outer").stream().map(h -> "tls_sni " + h)
                .collect(java.util.stream.Collectors.toCollection(TreeSet::new)));
        assertThat(tlsVersions).containsExactly("1.3");
        // the generator's mDNS filler is local-link name resolution, kept apart from DNS
        assertThat(seen.getOrDefault("local_name_query", Set.of())).allMatch(n -> n.endsWith(".local"));
        assertThat(seen.keySet()).isSubsetOf("dns_query", "dns_answer", "tls_sni", "quic_sni", "flow_end",
                "http_request", "local_name_query");
    }

    private static Set<String> union(Map<String, Set<String>> m, String... kinds) {
        Set<String> all = new TreeSet<>();
        for (String k : List.of(kinds)) {
            all.addAll(m.getOrDefault(k, Set.of()));
        }
        return all;
    }
}
