package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra audit} classifies the plaintext request bodies of a capture of real curl traffic
 * (test-data/captures/make-http-bodies.sh): a JSON body, a chunked one, a gzip-compressed one, and
 * the same customer details sent to a site that is no AI service, which must not be reported.
 * Every output form is checked for the synthetic raw values, which must never appear.
 */
class HttpBodiesAuditTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The raw values planted in the bodies: none may reach any output. */
    private static final List<String> RAW = List.of("jane.roe", "4111 1111 1111 1111", "AKIAZ7QXJ2M4N8P3R6TW",
            "q8Vt3kZr0Lw9YbN2xHc5JmPe7UfA1sDg4RiKoT6n", "536-22-8817", "943 476 5919", "discharge notes",
            "draft an apology");

    private static Path capture() {
        return CliRun.repoRoot().resolve("test-data/captures/http-bodies.pcap");
    }

    private static Set<String> expected() throws IOException {
        return Files.readAllLines(CliRun.repoRoot().resolve("test-data/captures/http-bodies.expected.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toSet());
    }

    @Test
    void table_listsEveryDetectionMaskedAndNoRawValue() throws IOException {
        CliRun r = CliRun.run("audit", "-v", capture().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        String out = r.out();
        int section = out.indexOf("Sensitive data sent to AI services (masked):");
        assertThat(section).as(out).isPositive();
        Set<String> rows = new HashSet<>();
        for (String line : out.substring(section).split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length > 5 && cells[0].startsWith("127.")) {
                rows.add(cells[0] + "\t" + cells[1] + "\t" + cells[5]);
            }
        }
        assertThat(rows).isEqualTo(expected());
        assertThat(out).contains("4111 **** **** 1111", "j***@example.com", "***-**-8817",
                "3 request(s) to AI services carried sensitive data.");
        assertThat(out).doesNotContain("example.org");
        assertThat(r.err()).contains("4 plaintext HTTP request bodies classified; 3 request(s) to AI services carried");
        assertThat(out + r.err()).doesNotContain(RAW);
    }

    @Test
    void json_carriesOneDataSecurityFindingPerRequest() throws IOException {
        CliRun r = CliRun.run("audit", "--format", "json", capture().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<JsonNode> findings = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            JsonNode e = JSON.readTree(line);
            if (e.get("class_uid").asInt() == 2006) {
                findings.add(e);
            }
        }
        assertThat(findings).extracting(e -> e.get("evidences").get(0).get("dst_endpoint").get("hostname").asText())
                .containsExactlyInAnyOrder("api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com");
        assertThat(findings).extracting(e -> e.get("data_security").get("pattern_match").asText())
                .allSatisfy(masked -> assertThat(masked).contains("*"));
        // an audit of a capture only watched the requests go
        assertThat(findings).extracting(e -> e.get("action").asText() + " " + e.get("disposition").asText())
                .containsOnly("Observed Detected");
        assertThat(r.out()).doesNotContain(RAW).doesNotContain("example.org");
    }

    @Test
    void html_hasTheSensitiveSection() {
        CliRun r = CliRun.run("audit", "--format", "html", capture().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("<section id=\"sensitive\">", "*** *** *919", "q8****...6n")
                .contains("<div class=\"card\" id=\"sensitive\"><b>3</b>");
        assertThat(r.out()).doesNotContain(RAW);
    }

    @Test
    void failOn_kindOfSensitiveData() {
        assertThat(CliRun.run("audit", "--fail-on", "secret", capture().toString()).exitCode()).isEqualTo(1);
        assertThat(CliRun.run("audit", "--fail-on", "phi", capture().toString()).exitCode()).isEqualTo(1);
        assertThat(CliRun.run("audit", "--fail-on", "source_code", capture().toString()).exitCode()).isZero();
        CliRun bad = CliRun.run("audit", "--fail-on", "secrets", capture().toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("secrets", "pii, phi, secret, source_code, custom");
    }

    @Test
    void bodiesOff_orBadLimit() {
        CliRun off = CliRun.run("audit", "--http-body-bytes", "0", capture().toString());
        assertThat(off.exitCode()).as(off.err()).isZero();
        assertThat(off.out()).contains("3 AI service(s) used by 3 client(s)").doesNotContain("Sensitive data");
        CliRun bad = CliRun.run("audit", "--http-body-bytes", "-1", capture().toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--http-body-bytes");
    }
}
