package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UsageReportTest {
    private static final HostMatcher BUILT_IN = Catalog.builtIn().matcher();
    private static final String[] HOSTS = {"api.openai.com", "claude.ai", "api.anthropic.com", "api.mistral.ai",
        "huggingface.co", "gemini.google.com", "api.cohere.com"};

    @Test
    void rows_areOrderedByClientThenServiceId_whateverTheInsertionOrder() {
        UsageReport report = new UsageReport();
        Random random = new Random(7);
        // clients that are prefixes of others (10.0.0.1, 10.0.0.10, 10.0.0.100) and users
        String[] clients = {"10.0.0.1", "10.0.0.10", "10.0.0.100", "10.0.0.2", "alice", "alice.b", "bob", "2001:db8::1"};
        for (int i = 0; i < 500; i++) {
            String host = HOSTS[random.nextInt(HOSTS.length)];
            Observation o = Observation.network(Instant.ofEpochSecond(i), ObservationKind.TLS_SNI, host,
                    clients[random.nextInt(clients.length)], 40000, "192.0.2.1", 443, "test");
            report.add(o, BUILT_IN.match(host));
        }

        List<UsageReport.Row> rows = report.rows();
        List<UsageReport.Row> expected = new ArrayList<>(rows);
        expected.sort(Comparator.comparing((UsageReport.Row r) -> r.client).thenComparing(r -> r.match.service().id()));
        assertThat(rows).hasSizeGreaterThan(clients.length * 3).containsExactlyElementsOf(expected);
        assertThat(rows.get(0).client).isEqualTo("10.0.0.1");
        assertThat(rows.stream().map(r -> r.client).distinct()).containsExactly(
                "10.0.0.1", "10.0.0.10", "10.0.0.100", "10.0.0.2", "2001:db8::1", "alice", "alice.b", "bob");
    }
}
