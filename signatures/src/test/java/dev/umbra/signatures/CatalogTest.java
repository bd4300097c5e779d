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
            assertThat(s.domains()).isNotEmpty();
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
