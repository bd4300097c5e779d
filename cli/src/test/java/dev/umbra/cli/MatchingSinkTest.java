package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MatchingSinkTest {
    private static final HostMatcher BUILT_IN = Catalog.builtIn().matcher();

    private static Observation sni(String host, String client, long second) {
        return Observation.network(Instant.ofEpochSecond(second), ObservationKind.TLS_SNI, host, client, 40000,
                "192.0.2.1", 443, "test");
    }

    private static List<Observation> sightings() {
        List<Observation> out = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            out.add(sni(i % 3 == 0 ? "api.openai.com" : i % 3 == 1 ? "claude.ai" : "www.example.com",
                    "10.0.0." + (i % 7), i));
        }
        return out;
    }

    private static String table(UsageReport r) {
        StringBuilder sb = new StringBuilder();
        for (UsageReport.Row row : r.rows()) {
            sb.append(row.client).append(' ').append(row.match.service().id()).append(' ').append(row.count)
                    .append(' ').append(row.first).append(' ').append(row.last).append('\n');
        }
        return sb.toString();
    }

    /** A sink whose catalog load finishes when {@code release} is counted down. */
    private static MatchingSink loadingUntil(CountDownLatch release, UsageReport report) {
        return MatchingSink.loading(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return BUILT_IN;
        }, report);
    }

    @Test
    void accept_catalogStillLoading_reportEqualsLoadedFirst() throws Exception {
        UsageReport expected = new UsageReport();
        MatchingSink first = MatchingSink.ready(BUILT_IN, expected);
        sightings().forEach(first);
        first.finish();

        CountDownLatch release = new CountDownLatch(1);
        UsageReport report = new UsageReport();
        MatchingSink sink = loadingUntil(release, report);
        List<Observation> all = sightings();
        all.subList(0, 60).forEach(sink);
        assertThat(report.isEmpty()).isTrue(); // held until the catalog is there
        release.countDown();
        all.subList(60, all.size()).forEach(sink);
        sink.finish();

        assertThat(report.rows()).isNotEmpty();
        assertThat(table(report)).isEqualTo(table(expected));
    }

    @Test
    void accept_moreThanBufferWhileLoading_waitsForTheCatalogAndLosesNothing() {
        UsageReport report = new UsageReport();
        MatchingSink sink = MatchingSink.loading(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return BUILT_IN;
        }, report);
        for (int i = 0; i < MatchingSink.MAX_EARLY + 10; i++) {
            sink.accept(sni("api.openai.com", "10.0.0.1", i));
        }
        sink.finish();
        assertThat(report.rows()).singleElement().satisfies(r -> assertThat(r.count).isEqualTo(MatchingSink.MAX_EARLY + 10));
    }

    @Test
    void mayMatch_catalogLoaded_onlyHostsAServiceHas_whileLoading_every() throws Exception {
        MatchingSink ready = MatchingSink.ready(BUILT_IN, new UsageReport());
        assertThat(ready.mayMatch("api.openai.com")).isTrue();
        assertThat(ready.mayMatch("eu.api.openai.com")).isTrue(); // a subdomain of a catalog domain
        assertThat(ready.mayMatch("www.example.com")).isFalse();
        assertThat(ready.mayMatch("")).isFalse();

        CountDownLatch release = new CountDownLatch(1);
        MatchingSink loading = loadingUntil(release, new UsageReport());
        assertThat(loading.mayMatch("www.example.com")).isTrue(); // nothing known yet: the decoder makes it
        release.countDown();
        loading.finish();
        assertThat(loading.mayMatch("www.example.com")).isFalse();
        assertThat(loading.mayMatch("claude.ai")).isTrue();
    }

    @Test
    void finish_loadFailed_throwsTheLoadsErrorAndAcceptNeverThrows() {
        UsageReport report = new UsageReport();
        MatchingSink sink = MatchingSink.loading(() -> {
            throw UmbraException.badInput("catalog broken: entry 3");
        }, report);
        for (Observation o : sightings()) {
            sink.accept(o);
        }
        assertThatThrownBy(sink::finish).isInstanceOf(UmbraException.class).hasMessage("catalog broken: entry 3")
                .satisfies(e -> assertThat(((UmbraException) e).exitCode()).isEqualTo(ExitCodes.USAGE));
        assertThat(report.isEmpty()).isTrue();
    }
}
