package dev.umbra.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogTest {
    @TempDir
    Path dir;

    @Test
    void builtIn_loads_wellKnownServicesWithDomains() {
        Catalog c = Catalog.builtIn();
        assertThat(c.services()).hasSizeGreaterThanOrEqualTo(25);
        for (String id : new String[] {"openai-chatgpt", "openai-api", "anthropic-claude", "google-gemini",
                "microsoft-copilot", "github-copilot", "perplexity", "mistral-le-chat", "huggingface",
                "deepseek-chat", "character-ai"}) {
            assertThat(c.service(id)).as(id).isNotNull();
        }
        Set<String> ids = new HashSet<>();
        for (AiService s : c.services()) {
            assertThat(ids.add(s.id())).as("unique id " + s.id()).isTrue();
            if (s.domains().isEmpty()) {
                assertThat(s.ports()).as("ports of %s, which has no domains", s.id()).isNotEmpty();
                assertThat(s.paths()).as("paths of %s, which has no domains", s.id()).isNotEmpty();
            }
        }
    }

    @Test
    void builtIn_matcher_mapsApiAndWebHostsToTheirServices() {
        HostMatcher m = Catalog.builtIn().matcher();
        assertThat(m.match("api.openai.com").service().id()).isEqualTo("openai-api");
        assertThat(m.match("chatgpt.com").service().id()).isEqualTo("openai-chatgpt");
        assertThat(m.match("api.anthropic.com").service().id()).isEqualTo("anthropic-api");
        assertThat(m.match("claude.ai").service().id()).isEqualTo("anthropic-claude");
        assertThat(m.match("api.individual.githubcopilot.com").service().id()).isEqualTo("github-copilot");
        assertThat(m.match("generativelanguage.googleapis.com").service().id()).isEqualTo("google-gemini-api");
        assertThat(m.match("my-resource.openai.azure.com").service().id()).isEqualTo("azure-openai");
        assertThat(m.match("www.google.com")).isNull();
        assertThat(m.match("github.com")).isNull();
        assertThat(m.match("grok.com").service().id()).isEqualTo("xai-grok");
        assertThat(m.match("groq.com").service().id()).isEqualTo("groq");
    }

    @Test
    void load_duplicateId_namesBothFiles() throws IOException {
        write("a.json", svc("dup", "chat_assistant", "a.example"));
        write("b.json", svc("dup", "chat_assistant", "b.example"));
        assertThatThrownBy(() -> Catalog.parse(dir)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("b.json").hasMessageContaining("dup").hasMessageContaining("a.json");
    }

    @Test
    void load_unknownCategory_namesFileAndEntry() throws IOException {
        write("a.json", svc("svc-x", "toaster", "a.example"));
        assertThatThrownBy(() -> Catalog.parse(dir)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("a.json").hasMessageContaining("svc-x").hasMessageContaining("toaster");
    }

    @Test
    void load_malformedJson_namesFileAndLine() throws IOException {
        Files.writeString(dir.resolve("bad.json"), "{\n \"services\": [\n {\"id\": }\n]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("bad.json").hasMessageContaining("line 3");
    }

    @Test
    void load_invalidDomain_namesEntry() throws IOException {
        write("a.json", svc("svc-y", "model_api", "bad domain!"));
        assertThatThrownBy(() -> Catalog.parse(dir)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("svc-y").hasMessageContaining("bad domain!");
    }

    @Test
    void load_sameDomainInTwoServices_isRefused() throws IOException {
        write("a.json", "{\"services\": [" + entry("one", "model_api", "x.example") + ","
                + entry("two", "model_api", "x.example") + "]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("x.example");
    }

    @Test
    void load_validDirectory_loadsEveryFile() throws Exception {
        write("a.json", svc("one", "model_api", "one.example"));
        write("b.json", svc("two", "chat_assistant", "=two.example"));
        Catalog c = Catalog.parse(dir);
        assertThat(c.services()).extracting(AiService::id).containsExactly("one", "two");
        assertThat(c.matcher().match("x.two.example")).isNull();
        assertThat(c.matcher().match("two.example").service().id()).isEqualTo("two");
    }

    @Test
    void parse_entryProblems_nameFileLineAndEntry() throws IOException {
        write("a.json", "{\"services\": [\n" + entry("ok-one", "model_api", "ok.example") + ",\n"
                + entry("bad-cat", "toaster", "b.example") + "\n]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("a.json:3: service bad-cat").hasMessageContaining("toaster");
    }

    @Test
    void parse_noDomains_onlyForARuntimeKnownByPortAndPath() throws Exception {
        write("a.json", "{\"services\": [{\"id\": \"srv\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"self_hosted_runtime\", \"domains\": [], \"ports\": [9000], "
                + "\"paths\": [{\"prefix\": \"/infer\", \"function\": \"inference\"}]}]}");
        assertThat(Catalog.parse(dir).services()).singleElement().satisfies(s -> {
            assertThat(s.domains()).isEmpty();
            assertThat(s.ports()).containsExactly(9000);
        });
        write("a.json", "{\"services\": [{\"id\": \"api\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"model_api\", \"domains\": []}]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).hasMessageContaining("service api")
                .hasMessageContaining("\"domains\" must not be empty unless the service has \"ports\" and \"paths\"");
        write("a.json", "{\"services\": [{\"id\": \"port-only\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"self_hosted_runtime\", \"domains\": [], \"ports\": [9000]}]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).hasMessageContaining("service port-only")
                .hasMessageContaining("must not be empty");
    }

    @Test
    void parse_riskFactWithoutSource_isRefused() throws IOException {
        write("a.json", "{\"services\": [{\"id\": \"s\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"model_api\", \"domains\": [\"s.example\"], \"risk\": {\"trains_on_inputs\": \"yes\"}}]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).hasMessageContaining("service s")
                .hasMessageContaining("trains_on_inputs").hasMessageContaining("no source");
    }

    @Test
    void parse_badRiskFacts_areEachReported() throws IOException {
        write("a.json", "{\"services\": [{\"id\": \"s\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"model_api\", \"domains\": [\"s.example\"], \"risk\": {"
                + "\"vibes\": \"unknown\", "
                + "\"soc2\": {\"value\": \"maybe\", \"source\": \"https://s.example/\", \"reviewed\": \"2026-01-01\"}, "
                + "\"sso\": {\"value\": \"yes\", \"source\": \"http://s.example/\", \"reviewed\": \"2026-01-01\"}, "
                + "\"iso27001\": {\"value\": \"yes\", \"source\": \"https://s.example/\", \"reviewed\": \"last week\"}}}]}");
        CatalogException e = org.junit.jupiter.api.Assertions.assertThrows(CatalogException.class, () -> Catalog.parse(dir));
        assertThat(e.problems()).hasSize(4);
        assertThat(String.join("\n", e.problems())).contains("vibes").contains("maybe").contains("https://")
                .contains("reviewed");
    }

    @Test
    void parse_shadowedPatternInSameService_isRefused() throws IOException {
        write("a.json", "{\"services\": [{\"id\": \"s\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"model_api\", \"domains\": [\"s.example\", \"=api.s.example\"]}]}");
        assertThatThrownBy(() -> Catalog.parse(dir)).hasMessageContaining("=api.s.example")
                .hasMessageContaining("shadowed by s.example");
    }

    @Test
    void parse_carveOutInAnotherService_isAllowedAndWins() throws Exception {
        write("a.json", "{\"services\": [" + entry("app", "chat_assistant", "s.example") + ","
                + entry("api", "model_api", "=api.s.example") + "]}");
        Catalog c = Catalog.parse(dir);
        assertThat(c.matcher().match("api.s.example").service().id()).isEqualTo("api");
        assertThat(c.matcher().match("www.s.example").service().id()).isEqualTo("app");
    }

    @Test
    void parse_riskScore_isComputedFromFactsByTheDocumentedTable() throws IOException, CatalogException {
        write("a.json", "{\"services\": [{\"id\": \"s\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"model_api\", \"domains\": [\"s.example\"], \"risk\": {"
                + "\"trains_on_inputs\": {\"value\": \"yes\", \"source\": \"https://s.example/p\", \"reviewed\": \"2026-01-01\"}, "
                + "\"jurisdiction\": {\"value\": \"CN\", \"source\": \"https://s.example/p\", \"reviewed\": \"2026-01-01\"}}}, "
                + entry("t", "model_api", "t.example") + "]}");
        Catalog c = Catalog.parse(dir);
        // trains yes 30 + jurisdiction CN 20 + unknown retention 10, enterprise 10, soc2 5, iso 4, sso 5
        assertThat(c.service("s").riskScore()).isEqualTo(84);
        // all unknown: 20 + 10 + 10 + 10 + 5 + 4 + 5
        assertThat(c.service("t").riskScore()).isEqualTo(64);
    }

    @Test
    void builtIn_riskScores_matchHandComputedExamples() {
        Catalog c = Catalog.builtIn();
        // openai-api: trains no 0, retention short 3, enterprise yes 0, US 0, soc2 yes 0, iso unknown 4, sso yes 0
        assertThat(c.service("openai-api").riskScore()).isEqualTo(7);
        // deepseek-chat: trains yes 30, retention ? 10, enterprise ? 10, CN 20, soc2 ? 5, iso ? 4, sso ? 5
        assertThat(c.service("deepseek-chat").riskScore()).isEqualTo(84);
    }

    @Test
    void parse_randomBytes_neverThrowsAnythingButCatalogException() throws IOException {
        java.util.Random random = new java.util.Random(11);
        byte[] valid = svc("x", "model_api", "x.example").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < 600; i++) {
            byte[] content = i % 2 == 0 ? new byte[random.nextInt(200)] : valid.clone();
            if (i % 2 == 0) {
                random.nextBytes(content);
            } else {
                for (int k = 0; k < 3; k++) {
                    content[random.nextInt(content.length)] = (byte) random.nextInt(256);
                }
            }
            Files.write(dir.resolve("f.json"), content);
            try {
                Catalog.parse(dir);
            } catch (CatalogException expected) {
                assertThat(expected.getMessage()).contains("f.json");
            }
        }
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content);
    }

    private static String svc(String id, String category, String domain) {
        return "{\"services\": [" + entry(id, category, domain) + "]}";
    }

    private static String entry(String id, String category, String domain) {
        return "{\"id\": \"" + id + "\", \"name\": \"N\", \"vendor\": \"V\", \"category\": \"" + category
                + "\", \"domains\": [\"" + domain + "\"]}";
    }
}
