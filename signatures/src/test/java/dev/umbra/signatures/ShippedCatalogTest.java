package dev.umbra.signatures;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Schema and coverage checks over the catalog shipped in the jar (issue 4 acceptance). */
class ShippedCatalogTest {
    private static final Catalog CATALOG = Catalog.builtIn();

    @Test
    void builtIn_validation_reportsNoProblems() throws IOException {
        Catalog.Builder builder = new Catalog.Builder();
        for (String file : Catalog.builtInFiles()) {
            builder.add(file, Catalog.builtInFile(file));
        }
        assertThat(builder.problems()).isEmpty();
    }

    @Test
    void builtIn_everyService_hasCategoryDomainAndSourcedFacts() {
        for (AiService s : CATALOG.services()) {
            assertThat(s.category()).as(s.id()).isNotNull();
            if (s.domains().isEmpty()) {
                // an inference server with no site of its own is known by port and path alone
                assertThat(s.category()).as(s.id()).isEqualTo(Category.SELF_HOSTED_RUNTIME);
                assertThat(s.ports()).as(s.id()).isNotEmpty();
                assertThat(s.paths()).as(s.id()).isNotEmpty();
            }
            assertThat(s.riskScore()).as(s.id()).isBetween(0, 100);
            for (Map.Entry<String, RiskFact> f : s.facts().entrySet()) {
                if (!f.getValue().isUnknown()) {
                    assertThat(f.getValue().source()).as(s.id() + " " + f.getKey()).startsWith("https://");
                    assertThat(f.getValue().reviewed()).as(s.id() + " " + f.getKey()).isNotNull();
                }
            }
        }
    }

    @Test
    void builtIn_coverage_spansCategoriesJurisdictionsAndServices() {
        Set<Category> categories = EnumSet.noneOf(Category.class);
        Set<String> jurisdictions = new HashSet<>();
        int patterns = 0;
        for (AiService s : CATALOG.services()) {
            categories.add(s.category());
            jurisdictions.add(s.facts().getOrDefault("jurisdiction", RiskFact.UNKNOWN_FACT).value());
            patterns += s.domains().size();
        }
        assertThat(CATALOG.services()).hasSizeGreaterThanOrEqualTo(300);
        assertThat(patterns).isGreaterThanOrEqualTo(1000);
        assertThat(categories).containsExactlyInAnyOrder(Category.values());
        assertThat(jurisdictions).contains("US", "CN", "FR", "DE", "GB");
    }

    @Test
    void builtIn_apiHostsProgramsUse_areCovered() {
        HostMatcher m = CATALOG.matcher();
        for (String host : List.of("api.openai.com", "api.anthropic.com", "generativelanguage.googleapis.com",
                "x.openai.azure.com", "bedrock-runtime.ap-southeast-2.amazonaws.com",
                "me-central1-aiplatform.googleapis.com", "openrouter.ai", "api.groq.com", "api.together.xyz",
                "api.replicate.com")) {
            Match match = m.match(host);
            assertThat(match).as(host).isNotNull();
        }
    }

    @Test
    void aiHostList_everyHost_matchesItsService() throws IOException {
        List<String[]> rows = new ArrayList<>();
        for (String line : lines("ai-hosts.txt")) {
            rows.add(line.split("\\s+"));
        }
        assertThat(rows).hasSizeGreaterThanOrEqualTo(200);
        List<String> wrong = new ArrayList<>();
        for (String[] row : rows) {
            assertThat(CATALOG.service(row[1])).as("service id in the list: " + row[1]).isNotNull();
            Match m = CATALOG.matcher().match(row[0]);
            String got = m == null ? null : m.service().id();
            if (!row[1].equals(got)) {
                wrong.add(row[0] + " -> " + got + " (expected " + row[1] + ")");
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    void nonAiHostList_noHost_matches() throws IOException {
        List<String> hosts = lines("non-ai-hosts.txt");
        assertThat(hosts).hasSizeGreaterThanOrEqualTo(200);
        List<String> matched = new ArrayList<>();
        for (String host : hosts) {
            Match m = CATALOG.matcher().match(host);
            if (m != null) {
                matched.add(host + " -> " + m.service().id() + " by " + m.pattern());
            }
        }
        assertThat(matched).isEmpty();
    }

    @Test
    void builtIn_pathRules_splitChatFromUpload() {
        AiService chatgpt = CATALOG.service("openai-chatgpt");
        assertThat(chatgpt.functionOf("/backend-api/files/process_upload_stream")).isEqualTo("file_upload");
        assertThat(chatgpt.functionOf("/backend-api/conversation")).isEqualTo("chat");
        assertThat(chatgpt.functionOf("/favicon.ico")).isNull();
    }

    @Test
    void builtIn_selfHostedRuntimes_haveTheirPorts() {
        assertThat(CATALOG.servicesOnPort(11434)).extracting(AiService::id).containsExactly("ollama");
        assertThat(CATALOG.servicesOnPort(443)).isEmpty();
        // Triton's HTTP port is vLLM's default too: their paths tell them apart
        assertThat(CATALOG.servicesOnPort(8000)).extracting(AiService::id).containsExactlyInAnyOrder("triton", "vllm");
        assertThat(CATALOG.servicesOnPort(8001)).extracting(AiService::id).containsExactly("triton");
        // a runtime known by port must say which paths are its API: the port alone is not evidence
        for (AiService s : CATALOG.services()) {
            if (!s.ports().isEmpty()) {
                assertThat(s.paths()).as("path rules of %s", s.id()).isNotEmpty();
            }
        }
    }

    static List<String> lines(String resource) throws IOException {
        try (InputStream in = ShippedCatalogTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            List<String> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String t = line.trim();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    out.add(t);
                }
            }
            return out;
        }
    }
}
