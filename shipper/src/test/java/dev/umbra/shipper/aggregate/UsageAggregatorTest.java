package dev.umbra.shipper.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.sensor.Container;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.PolicyEvent;
import dev.umbra.shipper.SchemaCheck;
import dev.umbra.shipper.ocsf.OcsfMapper;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UsageAggregatorTest {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private final AtomicLong nanos = new AtomicLong();
    private final Ticker ticker = nanos::get;
    private final List<Finding> out = new ArrayList<>();
    private final Match chatgpt = Catalog.builtIn().matcher().match("chatgpt.com");
    private final OcsfMapper mapper = new OcsfMapper("test", "sensor-1");

    private UsageAggregator aggregator(long rateThreshold) {
        return new UsageAggregator(new UsageAggregator.Config(Duration.ofSeconds(60), 1000, 1000, rateThreshold),
                ticker, out::add);
    }

    private static Observation dns(String client, int second) {
        return new Observation(T0.plusSeconds(second), ObservationKind.DNS_QUERY, "chatgpt.com", client, 5353,
                "10.0.0.1", 53, List.of(), List.of(), null, 40, 120, "alice", "firefox", "eth0");
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @AfterEach
    void everyEventValidatesAgainstTheSchema() {
        for (Finding f : out) {
            SchemaCheck.assertValid(mapper.toEvent(f));
        }
    }

    private List<Finding> of(EventClass c) {
        return out.stream().filter(f -> f.eventClass() == c).toList();
    }

    @Test
    void observe_browserResolvingEveryFewSeconds_oneUsageEventPerWindowWithCountsAndBytes() {
        UsageAggregator a = aggregator(0);
        for (int s = 0; s < 60; s += 5) { // 12 lookups in the first minute
            a.observe(dns("10.0.0.5", s), chatgpt);
            advance(Duration.ofSeconds(5));
        }
        a.tick();
        List<Finding> usage = of(EventClass.DNS_ACTIVITY);
        assertThat(usage).hasSize(1);
        Finding w = usage.get(0);
        assertThat(w.count()).isEqualTo(12);
        assertThat(w.bytesOut()).isEqualTo(12 * 40);
        assertThat(w.bytesIn()).isEqualTo(12 * 120);
        assertThat(w.startTime()).isEqualTo(T0);
        assertThat(w.endTime()).isEqualTo(T0.plusSeconds(55));
        assertThat(mapper.toEvent(w).at("/traffic/bytes_out").asLong()).isEqualTo(480);
    }

    @Test
    void observe_sameProcessInTwoContainersOfOneHost_oneWindowEachWithItsContainer() {
        UsageAggregator a = aggregator(0);
        Container first = Container.of("docker", "a1".repeat(32));
        Container second = Container.of("containerd", "b2".repeat(32));
        a.observe(dns("10.0.0.5", 0).withActor("root", "python3", first), chatgpt);
        a.observe(dns("10.0.0.5", 1).withActor("root", "python3", second), chatgpt);
        a.observe(dns("10.0.0.5", 2).withActor("root", "python3", first), chatgpt);
        a.flush();
        assertThat(of(EventClass.DNS_ACTIVITY)).extracting(f -> mapper.toEvent(f).at("/actor/process/container/uid")
                .asText() + " " + f.count()).containsExactlyInAnyOrder("a1".repeat(32) + " 2", "b2".repeat(32) + " 1");
    }

    @Test
    void observe_theClientsDeviceNameLearntMidWindow_isTheWindowsSourceHostname() {
        UsageAggregator a = aggregator(0);
        a.observe(dns("10.0.0.5", 0), chatgpt);
        a.observe(dns("10.0.0.5", 1).withClientHostname("ALICE-LAPTOP"), chatgpt);
        a.observe(dns("10.0.0.6", 2), chatgpt);
        a.flush();
        List<Finding> usage = of(EventClass.DNS_ACTIVITY);
        assertThat(usage).hasSize(2);
        assertThat(usage).extracting(f -> mapper.toEvent(f).at("/src_endpoint/hostname").asText(null))
                .containsExactlyInAnyOrder("ALICE-LAPTOP", null);
    }

    @Test
    void observe_severalNamesOfOneService_windowListsEachOnceInArrivalOrderUpToTheCap() {
        UsageAggregator a = aggregator(0);
        a.observe(dns("10.0.0.5", 0), chatgpt);
        for (int i = 0; i < 3 * UsageAggregator.MAX_HOSTNAMES_PER_WINDOW; i++) {
            String name = "n" + (i % (2 * UsageAggregator.MAX_HOSTNAMES_PER_WINDOW)) + ".chatgpt.com";
            a.observe(new Observation(T0.plusSeconds(1), ObservationKind.DNS_QUERY, name, "10.0.0.5", 5353,
                    "10.0.0.1", 53, List.of(), List.of(), null, 40, 120, "alice", "firefox", "eth0"), chatgpt);
            a.observe(dns("10.0.0.5", 2), chatgpt);
        }
        advance(Duration.ofSeconds(61));
        a.tick();
        List<Finding> usage = of(EventClass.DNS_ACTIVITY);
        assertThat(usage).hasSize(1);
        List<String> expected = new ArrayList<>();
        expected.add("chatgpt.com");
        for (int i = 0; i < UsageAggregator.MAX_HOSTNAMES_PER_WINDOW - 1; i++) {
            expected.add("n" + i + ".chatgpt.com");
        }
        assertThat(usage.get(0).hostnames()).containsExactlyElementsOf(expected);
        assertThat(usage.get(0).count()).isEqualTo(1 + 6L * UsageAggregator.MAX_HOSTNAMES_PER_WINDOW);
    }

    @Test
    void observe_firstTimeOnHost_firstSeenAtOnceAndOnlyOnce() {
        UsageAggregator a = aggregator(0);
        a.observe(dns("10.0.0.5", 0), chatgpt);
        assertThat(out).hasSize(1);
        assertThat(out.get(0).policy()).isEqualTo(PolicyEvent.FIRST_SEEN);
        a.observe(dns("10.0.0.5", 1), chatgpt);
        a.observe(dns("10.0.0.6", 2), chatgpt); // another host: its own first sighting
        assertThat(of(EventClass.DETECTION_FINDING)).hasSize(2);
        assertThat(of(EventClass.DNS_ACTIVITY)).isEmpty(); // windows still open
    }

    @Test
    void observe_unsanctionedService_policyEventAtOnceOncePerWindow() {
        UsageAggregator a = aggregator(0);
        Match banned = new Match(chatgpt.service(), chatgpt.pattern(), Verdict.UNSANCTIONED);
        a.observe(dns("10.0.0.5", 0), banned);
        a.observe(dns("10.0.0.5", 1), banned);
        assertThat(out.stream().filter(f -> f.policy() == PolicyEvent.UNSANCTIONED_SERVICE)).hasSize(1);
        advance(Duration.ofSeconds(61));
        a.observe(dns("10.0.0.5", 62), banned); // a new window
        assertThat(out.stream().filter(f -> f.policy() == PolicyEvent.UNSANCTIONED_SERVICE)).hasSize(2);
        assertThat(of(EventClass.DNS_ACTIVITY)).hasSize(1); // the first window closed
    }

    @Test
    void observe_rateAtThreshold_unusualRateOncePerWindow() {
        UsageAggregator a = aggregator(100);
        for (int i = 0; i < 250; i++) {
            a.observe(dns("10.0.0.5", 0), chatgpt);
        }
        List<Finding> rate = out.stream().filter(f -> f.policy() == PolicyEvent.UNUSUAL_REQUEST_RATE).toList();
        assertThat(rate).hasSize(1);
        assertThat(rate.get(0).count()).isEqualTo(100);
    }

    @Test
    void observe_manyDistinctClients_memoryBoundedAndNoSightingLost() {
        UsageAggregator a = new UsageAggregator(new UsageAggregator.Config(Duration.ofMinutes(5), 100, 50, 0),
                ticker, out::add);
        int n = 5_000;
        for (int i = 0; i < n; i++) {
            a.observe(dns("10.1." + (i / 250) + "." + (i % 250), 0), chatgpt);
        }
        a.tick();
        assertThat(a.openWindows()).isLessThanOrEqualTo(100);
        a.flush();
        long sightings = of(EventClass.DNS_ACTIVITY).stream().mapToLong(Finding::count).sum();
        assertThat(sightings).isEqualTo(n);
        assertThat(a.openWindows()).isZero();
    }

    @Test
    void detections_sensitiveItems_dataSecurityFindingAtOnce() {
        UsageAggregator a = aggregator(0);
        Observation o = new Observation(T0, ObservationKind.HTTP_REQUEST, "api.openai.com", "10.0.0.5", 40000,
                "104.18.7.192", 443, List.of(), List.of(), null, 2048, -1, null, "python3", "icap");
        Detection d = new Detection("credit_card", DetectionCategory.PII, Likelihood.VERY_LIKELY, 10, 29,
                "4111 **** **** 1111", "9f".repeat(32));
        a.detections(o, Catalog.builtIn().matcher().match("api.openai.com"), List.of(d));
        assertThat(out).hasSize(1);
        var e = mapper.toEvent(out.get(0));
        assertThat(e.get("class_uid").asInt()).isEqualTo(2006);
        assertThat(e.at("/data_security/detection_pattern").asText()).isEqualTo("credit_card");
        assertThat(e.at("/data_security/pattern_match").asText()).isEqualTo("4111 **** **** 1111");
        assertThat(e.get("severity_id").asInt()).isEqualTo(4);
        assertThat(e.toString()).doesNotContain("4111111111111111");
    }

    @Test
    void config_invalid_namedInMessage() {
        assertThatThrownBy(() -> new UsageAggregator.Config(Duration.ZERO, 1, 1, 0))
                .hasMessage("Invalid value PT0S for configuration aggregate.window: must be positive");
        assertThatThrownBy(() -> new UsageAggregator.Config(Duration.ofSeconds(1), 0, 1, 0))
                .hasMessageContaining("aggregate.max.windows");
    }

    @Test
    void tick_beforeWindowEnds_emitsNothing() {
        UsageAggregator a = aggregator(0);
        a.observe(dns("10.0.0.5", 0), chatgpt);
        advance(Duration.ofSeconds(59));
        a.tick();
        assertThat(of(EventClass.DNS_ACTIVITY)).isEmpty();
        advance(Duration.ofSeconds(1));
        a.tick();
        assertThat(of(EventClass.DNS_ACTIVITY)).hasSize(1);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(nanos.get())).isEqualTo(60);
    }
}
