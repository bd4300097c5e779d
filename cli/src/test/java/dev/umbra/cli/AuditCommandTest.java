package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** (client, service id) pairs the recipe of ai-sample.pcap produces (ai-sample.expected.txt). */
    private static Set<String> expectedRows() throws IOException {
        return Files.readAllLines(CliRun.repoRoot().resolve("test-data/captures/ai-sample.expected.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).collect(Collectors.toSet());
    }

    @Test
    void audit_bundledSample_listsEveryAiServiceAndNoOther() throws IOException {
        CliRun r = CliRun.run("audit", CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Set<String> rows = new HashSet<>();
        for (String line : r.out().split("\n")) {
            String[] cells = line.trim().split("\\s+");
            if (cells.length > 2 && (cells[0].startsWith("127.") || cells[0].equals("::1"))) {
                rows.add(cells[0] + "\t" + cells[1]);
            }
        }
        assertThat(rows).isEqualTo(expectedRows());
        assertThat(r.out()).doesNotContain("notopenai", "evil.example", "wikipedia", "debian");
        assertThat(r.out()).contains("12 AI service(s) used by 3 client(s)");
    }

    @Test
    void audit_jsonFormat_printsOneOcsfEventPerClientServiceAndClass() throws IOException {
        CliRun r = CliRun.run("audit", "--format", "json", CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Set<String> rows = new HashSet<>();
        Set<String> uids = new HashSet<>();
        for (String line : r.out().split("\n")) {
            JsonNode e = JSON.readTree(line);
            assertThat(e.get("metadata").get("version").asText()).isEqualTo("1.8.0");
            assertThat(uids.add(e.get("metadata").get("uid").asText())).isTrue();
            int classUid = e.get("class_uid").asInt();
            assertThat(classUid).isIn(4001, 4003);
            assertThat(e.get("type_uid").asLong()).isEqualTo(classUid * 100L + e.get("activity_id").asInt());
            assertThat(e.get("app_name").asText()).isNotBlank();
            assertThat(e.get("count").asLong()).isPositive();
            rows.add(e.get("src_endpoint").get("ip").asText() + "\t"
                    + e.get("enrichments").get(0).get("data").get("service_id").asText());
        }
        assertThat(rows).isEqualTo(expectedRows());
    }

    @Test
    void audit_gzipCompressedCapture_sameReportAsTheCaptureItself() throws IOException {
        Path gz = tmp.resolve("ai-sample.pcap.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(CliRun.sample(), out);
        }
        CliRun plain = CliRun.run("audit", CliRun.sample().toString());
        CliRun compressed = CliRun.run("audit", gz.toString());
        assertThat(compressed.exitCode()).as(compressed.err()).isZero();
        assertThat(compressed.out()).isEqualTo(plain.out()).contains("12 AI service(s) used by 3 client(s) in 172 packets");

        // cut off: what came before is reported, with a warning naming why it stopped
        byte[] whole = Files.readAllBytes(gz);
        Path cut = Files.write(tmp.resolve("cut.pcap.gz"), Arrays.copyOf(whole, whole.length * 2 / 3));
        CliRun partial = CliRun.run("audit", cut.toString());
        assertThat(partial.exitCode()).as(partial.err()).isZero();
        assertThat(partial.err()).contains("umbra: warning: " + cut).contains("compressed data cut off");
        assertThat(partial.out()).containsPattern("AI service\\(s\\) used by \\d+ client\\(s\\) in \\d+ packets");
    }

    @Test
    void audit_failOnAny_exitsOneWhenAServiceIsFound() {
        assertThat(CliRun.run("audit", "--fail-on", "any", CliRun.sample().toString()).exitCode()).isEqualTo(1);
        assertThat(CliRun.run("audit", "--fail-on", "model_hub", CliRun.sample().toString()).exitCode()).isEqualTo(1);
        assertThat(CliRun.run("audit", "--fail-on", "voice_audio", CliRun.sample().toString()).exitCode()).isZero();
    }

    @Test
    void audit_badFailOnRule_exitsTwoNamingTheValue() {
        CliRun r = CliRun.run("audit", "--fail-on", "sometimes", CliRun.sample().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value sometimes for option --fail-on");
    }

    @Test
    void audit_missingFile_exitsTwoWithOneLineNamingIt() {
        CliRun r = CliRun.run("audit", tmp.resolve("nope.pcap").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().contains("nope.pcap").contains("no such file");
    }

    @Test
    void audit_directory_exitsTwoWithOneLine() {
        CliRun r = CliRun.run("audit", tmp.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().contains(tmp.toString()).contains("is a directory");
    }

    @Test
    void audit_textFile_exitsTwoWithOneLineAndNoStackTrace() throws IOException {
        Path text = tmp.resolve("notes.txt");
        Files.writeString(text, "not a capture\n");
        CliRun r = CliRun.run("audit", text.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines()).singleElement().asString().contains("notes.txt").contains("not a pcap or pcapng");
        assertThat(r.err()).doesNotContain("Exception", "\tat ");
    }

    @Test
    void audit_captureCutMidPacket_reportsWhatCameBeforeAndWarnsWithOffset() throws IOException {
        byte[] whole = Files.readAllBytes(CliRun.sample());
        Path cut = tmp.resolve("cut.pcap");
        Files.write(cut, Arrays.copyOf(whole, whole.length - 7));
        CliRun r = CliRun.run("audit", cut.toString());
        assertThat(r.exitCode()).isZero();
        List<String> warnings = r.err().lines().toList();
        assertThat(warnings).singleElement().asString().contains("cut.pcap").containsPattern("byte offset \\d+");
        assertThat(r.out()).contains("openai-chatgpt", "anthropic-api");
    }

    @Test
    void observe_bundledSample_printsEveryNameWithRequiredFields() throws IOException {
        CliRun r = CliRun.run("observe", "--format", "json", CliRun.sample().toString());
        assertThat(r.exitCode()).isZero();
        Set<String> names = new HashSet<>();
        for (String line : r.out().split("\n")) {
            JsonNode o = JSON.readTree(line);
            for (String field : List.of("kind", "hostname", "client_ip", "server_ip", "time", "source")) {
                assertThat(o.hasNonNull(field)).as(field + " in " + line).isTrue();
            }
            names.add(o.get("kind").asText() + " " + o.get("hostname").asText());
        }
        assertThat(names).contains("dns_query www.wikipedia.org", "dns_answer chatgpt.com", "tls_sni example.org",
                "tls_sni openai.com.evil.example", "dns_query api.mistral.ai");
    }

    @Test
    void version_printsVersion() {
        CliRun r = CliRun.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("umbra ").doesNotContain("unknown");
    }

    @Test
    void help_listsCommandsAndExitCodes() {
        CliRun r = CliRun.run("--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("audit", "observe", "Exit codes");
    }

    @Test
    void unknownOptionOrNoCommand_exitsTwo() {
        assertThat(CliRun.run("audit", "--bogus", "x").exitCode()).isEqualTo(2);
        assertThat(CliRun.run().exitCode()).isEqualTo(2);
        assertThat(CliRun.run("frobnicate").exitCode()).isEqualTo(2);
    }
}
