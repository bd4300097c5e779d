package dev.umbra.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CatalogHolderTest {
    @TempDir
    Path dir;

    private Path catalogWith(String id, String domain) throws Exception {
        Files.writeString(dir.resolve("c.json"), "{\"services\": [{\"id\": \"" + id + "\", \"name\": \"N\", \"vendor\": \"V\", "
                + "\"category\": \"model_api\", \"domains\": [\"" + domain + "\"]}]}");
        return dir;
    }

    @Test
    void reload_newCatalog_isUsedByTheSameMatcher() throws Exception {
        CatalogHolder holder = new CatalogHolder(Catalog.parse(catalogWith("one", "one.example")));
        HostMatcher m = holder.matcher();
        assertThat(m.match("one.example").service().id()).isEqualTo("one");
        Path next = catalogWith("two", "two.example");
        holder.reload(() -> Catalog.parse(next));
        assertThat(m.match("one.example")).isNull();
        assertThat(m.match("two.example").service().id()).isEqualTo("two");
    }

    @Test
    void matcher_runtimeLookups_goToTheCurrentCatalog() {
        // every lookup the interface has is delegated: a wrapper that kept the interface's defaults for
        // matchRuntime/isRuntimePort made the daemon blind to self-hosted runtimes
        HostMatcher m = new CatalogHolder(Catalog.builtIn()).matcher();
        assertThat(m.isRuntimePort(11434)).isTrue();
        assertThat(m.matchRuntime(11434, "/api/chat", "10.0.0.7", null).service().id()).isEqualTo("ollama");
        assertThat(m.match("chatgpt.com", "10.0.0.7", null).service().id()).isEqualTo("openai-chatgpt");
    }

    @Test
    void reload_badCatalog_keepsTheCurrentOne() throws Exception {
        CatalogHolder holder = new CatalogHolder(Catalog.parse(catalogWith("one", "one.example")));
        Files.writeString(dir.resolve("c.json"), "{\"services\": [");
        assertThatThrownBy(() -> holder.reload(() -> Catalog.parse(dir))).isInstanceOf(CatalogException.class)
                .hasMessageContaining("c.json");
        assertThat(holder.matcher().match("one.example").service().id()).isEqualTo("one");
    }

    @Test
    void reload_whileReading_readersSeeOneCatalogOrTheOther() throws Exception {
        Catalog a = Catalog.parse(catalogWith("one", "shared.example"));
        Catalog b = Catalog.parse(catalogWith("two", "shared.example"));
        CatalogHolder holder = new CatalogHolder(a);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger bad = new AtomicInteger();
        Thread reader = new Thread(() -> {
            for (int i = 0; i < 2_000_000 && !stop.get(); i++) {
                Match m = holder.matcher().match("x.shared.example");
                if (m == null || !(m.service().id().equals("one") || m.service().id().equals("two"))) {
                    bad.incrementAndGet();
                }
            }
        });
        reader.start();
        for (int i = 0; i < 1000; i++) {
            Catalog next = i % 2 == 0 ? b : a;
            holder.reload(() -> next);
        }
        stop.set(true);
        reader.join(10_000);
        assertThat(bad.get()).isZero();
        assertThat(holder.current()).isSameAs(a);
    }
}
