package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScanCommandTest {
    // synthetic values planted in the files below
    static final String CARD = "5555 5555 5555 4444";
    static final String SSN = "536-22-1234";
    static final String GH = "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";
    static final String PW = "Winter2024!Kp";
    static final List<String> PLANTED = List.of(CARD, SSN, GH, PW, "5555555555554444");

    @TempDir
    Path dir;

    private Path plant() throws IOException {
        Files.writeString(dir.resolve("prompt.txt"), "Please charge card " + CARD + " for the patient, SSN " + SSN + ".\n");
        Files.writeString(dir.resolve("body.json"), "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"deploy with GITHUB_TOKEN=" + GH + "\"}]}");
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream o = new GZIPOutputStream(gz)) {
            o.write(("DB_PASSWORD=" + PW + "\n").getBytes(StandardCharsets.UTF_8));
        }
        Files.write(dir.resolve("env.txt.gz"), gz.toByteArray());
        Files.writeString(dir.resolve("clean.md"), "# Notes\n\nNothing to see here.\n");
        Files.write(dir.resolve("broken.json"), "{\"prompt\": \"SSN 536-22-1234\", oops".getBytes(StandardCharsets.UTF_8));
        return dir;
    }

    @Test
    void scan_directoryJson_oneLinePerDetectionWithFields() throws IOException {
        plant();
        CliRun r = CliRun.run("scan", "--format", "json", dir.toString());
        assertThat(r.exitCode()).isEqualTo(0);
        ObjectMapper json = new ObjectMapper();
        List<String> types = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            JsonNode n = json.readTree(line);
            assertThat(n.has("source") && n.has("type") && n.has("category") && n.has("start") && n.has("end")
                    && n.has("likelihood") && n.has("masked")).as(line).isTrue();
            types.add(Path.of(n.get("source").asText()).getFileName() + ":" + n.get("type").asText());
        }
        assertThat(types).containsExactlyInAnyOrder("body.json:github_token", "broken.json:us_ssn",
                "env.txt.gz:generic_secret", "prompt.txt:credit_card", "prompt.txt:us_ssn");
        assertThat(r.err()).contains("payload_json_invalid=1");
    }

    @Test
    void scan_plantedValues_neverInAnyOutput() throws IOException {
        plant();
        List<CliRun> runs = List.of(CliRun.run("scan", dir.toString()), CliRun.run("scan", "--format", "json", dir.toString()),
                CliRun.run("-vv", "scan", "--stacktrace", dir.toString()));
        for (CliRun r : runs) {
            for (String v : PLANTED) {
                assertThat(r.out() + r.err()).as("a planted value leaked").doesNotContain(v);
            }
        }
        assertThat(runs.get(0).out()).contains("5555 **** **** 4444", "***-**-1234", "ghp_****...pY");
    }

    @Test
    void scan_failOnCategory_exitsOneOnlyWhenMatched() throws IOException {
        plant();
        assertThat(CliRun.run("scan", "--fail-on", "secret", dir.toString()).exitCode()).isEqualTo(ExitCodes.FINDINGS);
        assertThat(CliRun.run("scan", "--fail-on", "phi", dir.toString()).exitCode()).isEqualTo(ExitCodes.OK);
        assertThat(CliRun.run("scan", "--fail-on", "credit_card", dir.resolve("prompt.txt").toString()).exitCode())
                .isEqualTo(ExitCodes.FINDINGS);
        assertThat(CliRun.run("scan", "--fail-on", "any", dir.resolve("clean.md").toString()).exitCode()).isEqualTo(ExitCodes.OK);
    }

    @Test
    void scan_badInput_exitsTwoWithMessage() {
        CliRun missing = CliRun.run("scan", dir.resolve("nope.txt").toString());
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("no such file or directory");
        CliRun badRule = CliRun.run("scan", "--fail-on", "Not A Rule!", dir.toString());
        assertThat(badRule.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badRule.err()).contains("Invalid value Not A Rule! for option --fail-on");
    }

    @Test
    void scan_stdin_readsDash() {
        java.io.InputStream saved = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(("SSN " + SSN).getBytes(StandardCharsets.UTF_8)));
            CliRun r = CliRun.run("scan", "--format", "json", "-");
            assertThat(r.out()).contains("\"source\":\"-\"", "\"type\":\"us_ssn\"").doesNotContain(SSN);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void eval_generatedCorpus_everyTypeAtLeast095() {
        Path corpus = CliRun.repoRoot().resolve("test-data/payloads/corpus.jsonl");
        CliRun r = CliRun.run("eval", "--min", "0.95", corpus.toString());
        assertThat(r.exitCode()).as(r.out()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("PRECISION", "credit_card", "github_token", "source_code", "us_npi");
    }
}
