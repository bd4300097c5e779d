package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.signatures.Catalog;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path release() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("release"));
        for (String file : Catalog.builtInFiles()) {
            Files.write(dir.resolve(file), Catalog.builtInFile(file));
        }
        return dir;
    }

    @Test
    void list_category_showsOnlyThatCategory() {
        CliRun r = CliRun.run("catalog", "list", "--category", "model_api");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("openai-api", "anthropic-api", "aws-bedrock").doesNotContain("openai-chatgpt ");
        assertThat(CliRun.run("catalog", "list", "--category", "toaster").err()).contains("Invalid value toaster for option --category");
    }

    @Test
    void show_service_printsFactsWithSourcesAndScore() {
        CliRun r = CliRun.run("catalog", "show", "openai-api");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("risk:      7/100", "trains_on_inputs", "https://openai.com/enterprise-privacy/", "/v1/files -> file_upload");
        CliRun missing = CliRun.run("catalog", "show", "no-such-thing");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("no-such-thing");
    }

    @Test
    void match_jsonFormat_printsOneLinePerHostWithNullForMisses() throws IOException {
        CliRun r = CliRun.run("catalog", "match", "--format", "json", "chatgpt.com", "www.google.com",
                "bedrock-runtime.us-east-1.amazonaws.com");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        JsonNode hit = JSON.readTree(lines.get(0));
        assertThat(hit.get("host").asText()).isEqualTo("chatgpt.com");
        assertThat(hit.get("service").asText()).isEqualTo("openai-chatgpt");
        assertThat(hit.get("category").asText()).isEqualTo("chat_assistant");
        assertThat(hit.get("verdict").asText()).isEqualTo("unknown");
        JsonNode miss = JSON.readTree(lines.get(1));
        assertThat(miss.get("service").isNull()).isTrue();
        assertThat(miss.has("verdict")).isTrue();
        assertThat(JSON.readTree(lines.get(2)).get("service").asText()).isEqualTo("aws-bedrock");
    }

    @Test
    void match_stdin_readsOneHostPerLine() throws IOException {
        InputStream saved = System.in;
        try {
            System.setIn(new ByteArrayInputStream("api.anthropic.com\n\n# comment\nexample.org\n".getBytes(StandardCharsets.UTF_8)));
            CliRun r = CliRun.run("catalog", "match", "--format", "json", "-");
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).hasSize(2);
            assertThat(JSON.readTree(lines.get(0)).get("service").asText()).isEqualTo("anthropic-api");
            assertThat(JSON.readTree(lines.get(1)).get("service").isNull()).isTrue();
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void match_stdinLineOverCap_isSkippedAndReported() throws IOException {
        InputStream saved = System.in;
        try {
            String longLine = "a".repeat(CatalogCommand.MAX_HOST_LINE + 1);
            System.setIn(new ByteArrayInputStream((longLine + "\nclaude.ai\n").getBytes(StandardCharsets.UTF_8)));
            CliRun r = CliRun.run("catalog", "match", "-");
            assertThat(r.exitCode()).isZero();
            assertThat(r.out()).contains("anthropic-claude", "1 of 1 host(s) matched");
            assertThat(r.err()).contains("skipped 1 line(s) longer than " + CatalogCommand.MAX_HOST_LINE);
        } finally {
            System.setIn(saved);
        }
    }

    @Test
    void match_withPolicyClientAndUser_appliesExceptions() throws IOException {
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, """
                {"default": "unsanctioned", "services": {"azure-openai": "sanctioned"},
                 "exceptions": [{"name": "lab", "networks": ["10.9.0.0/16"], "categories": {"chat_assistant": "tolerated"}}]}
                """);
        Map<String, String> verdicts = new HashMap<>();
        for (String client : List.of("10.9.1.1", "10.10.1.1")) {
            CliRun r = CliRun.run("catalog", "match", "--format", "json", "--policy", policy.toString(), "--client", client,
                    "claude.ai", "x.openai.azure.com");
            assertThat(r.exitCode()).as(r.err()).isZero();
            for (String line : r.out().lines().toList()) {
                JsonNode o = JSON.readTree(line);
                verdicts.put(client + " " + o.get("service").asText(), o.get("verdict").asText());
            }
        }
        assertThat(verdicts).containsEntry("10.9.1.1 anthropic-claude", "tolerated")
                .containsEntry("10.10.1.1 anthropic-claude", "unsanctioned")
                .containsEntry("10.9.1.1 azure-openai", "sanctioned");
    }

    @Test
    void validate_builtInRelease_ok_andBrokenFile_listsProblemsWithFileAndLine() throws IOException {
        Path dir = release();
        CliRun ok = CliRun.run("catalog", "validate", dir.toString());
        assertThat(ok.exitCode()).as(ok.out() + ok.err()).isZero();
        assertThat(ok.out()).startsWith("ok: " + Catalog.builtIn().services().size() + " services");
        Files.writeString(dir.resolve("zz.json"), "{\"services\": [\n{\"id\": \"dup\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"toaster\", \"domains\": [\"x.example\"]},\n{\"id\": \"openai-api\", \"name\": \"N\", "
                + "\"vendor\": \"V\", \"category\": \"model_api\", \"domains\": [\"y.example\"]}\n]}");
        CliRun bad = CliRun.run("catalog", "validate", dir.toString());
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.out()).contains("zz.json:2: service dup").contains("toaster")
                .contains("zz.json:3: service openai-api: duplicate id (first defined in " + dir.resolve("model_api.json"));
    }

    @Test
    void stats_countsEveryService() {
        CliRun r = CliRun.run("catalog", "stats");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("services: " + Catalog.builtIn().services().size(), "wildcard", "model_api", "CN=");
    }

    @Test
    void keygenSignVerify_roundTrip_thenTamperIsRefused() throws IOException {
        Path dir = release();
        String prefix = tmp.resolve("release-key").toString();
        assertThat(CliRun.run("catalog", "keygen", "--out", prefix).exitCode()).isZero();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(prefix + ".key")))).isEqualTo("rw-------");
        CliRun sign = CliRun.run("catalog", "sign", "--key", prefix + ".key", dir.toString());
        assertThat(sign.exitCode()).as(sign.err()).isZero();
        CliRun verify = CliRun.run("catalog", "verify", "--trust-key", prefix + ".pub", dir.toString());
        assertThat(verify.exitCode()).as(verify.err()).isZero();
        assertThat(verify.out()).contains("verified");
        CliRun list = CliRun.run("catalog", "list", "--catalog", dir.toString(), "--trust-key", prefix + ".pub");
        assertThat(list.exitCode()).as(list.err()).isZero();

        Path file = dir.resolve("chat_assistant.json");
        byte[] b = Files.readAllBytes(file);
        b[b.length - 2] = (byte) ' ';
        Files.write(file, b);
        CliRun tampered = CliRun.run("catalog", "verify", "--trust-key", prefix + ".pub", dir.toString());
        assertThat(tampered.exitCode()).isEqualTo(2);
        assertThat(tampered.err()).contains("chat_assistant.json", "changed after signing").doesNotContain("\tat ");
    }

    @Test
    void catalogOption_unsignedRelease_refusedUnlessAllowed() throws IOException {
        Path dir = release();
        CliRun refused = CliRun.run("catalog", "match", "--catalog", dir.toString(), "chatgpt.com");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("not signed", "--allow-unverified-catalog");
        CliRun allowed = CliRun.run("catalog", "match", "--catalog", dir.toString(), "--allow-unverified-catalog", "chatgpt.com");
        assertThat(allowed.exitCode()).as(allowed.err()).isZero();
        assertThat(allowed.err()).contains("warning", "not signed");
        assertThat(allowed.out()).contains("openai-chatgpt");
    }

    @Test
    void audit_policy_resultsCarryServiceCategoryRiskAndVerdict() throws IOException {
        Path policy = tmp.resolve("policy.json");
        Files.writeString(policy, """
                {"default": "tolerated", "services": {"openai-chatgpt": "unsanctioned", "openai-api": "sanctioned"}}
                """);
        CliRun table = CliRun.run("audit", "--policy", policy.toString(), CliRun.sample().toString());
        assertThat(table.exitCode()).as(table.err()).isZero();
        String chatgptRow = table.out().lines().filter(l -> l.contains(" openai-chatgpt ")).findFirst().orElseThrow();
        assertThat(chatgptRow).contains("chat_assistant", "unsanctioned",
                " " + Catalog.builtIn().service("openai-chatgpt").riskScore() + " ");
        CliRun json = CliRun.run("audit", "--format", "json", "--policy", policy.toString(), CliRun.sample().toString());
        boolean sawApi = false;
        for (String line : json.out().lines().toList()) {
            JsonNode data = JSON.readTree(line).get("enrichments").get(0).get("data");
            assertThat(data.has("category") && data.has("risk_score") && data.has("verdict")).as(line).isTrue();
            if (data.get("service_id").asText().equals("openai-api")) {
                sawApi = true;
                assertThat(data.get("verdict").asText()).isEqualTo("sanctioned");
                assertThat(data.get("risk_score").asInt()).isEqualTo(7);
            }
        }
        assertThat(sawApi).isTrue();
        assertThat(CliRun.run("audit", "--fail-on", "unsanctioned", "--policy", policy.toString(),
                CliRun.sample().toString()).exitCode()).isEqualTo(1);
    }

    @Test
    void audit_badPolicy_exitsTwoNamingFile() throws IOException {
        Path policy = tmp.resolve("bad-policy.json");
        Files.writeString(policy, "{\"default\": \"maybe\"}");
        CliRun r = CliRun.run("audit", "--policy", policy.toString(), CliRun.sample().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("bad-policy.json", "maybe");
    }
}
