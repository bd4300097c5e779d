package dev.umbra.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(HealthServer s, String path, String method) throws Exception {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.address().getPort() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(r, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthz_followsReadiness() throws Exception {
        AtomicReference<String> notReady = new AtomicReference<>("capture not started");
        try (HealthServer s = new HealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new MetricsRegistry(), notReady::get)) {
            HttpResponse<String> r = get(s, "/healthz", "GET");
            assertThat(r.statusCode()).isEqualTo(503);
            assertThat(r.body()).contains("capture not started");
            notReady.set(null);
            assertThat(get(s, "/healthz", "GET").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void metrics_prometheusTextWithLabels() throws Exception {
        MetricsRegistry m = new MetricsRegistry();
        AtomicLong packets = new AtomicLong(42);
        m.counter("umbra_packets_total", "Packets captured.", packets::get);
        m.counters("umbra_anomalies_total", "Anomalies by code.",
                () -> Map.of(Map.of("code", "dns_truncated"), 3L, Map.of("code", "tls_client_hello_truncated"), 1L));
        try (HealthServer s = new HealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), m, () -> null)) {
            HttpResponse<String> r = get(s, "/metrics", "GET");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("0.0.4"));
            assertThat(r.body()).contains("# TYPE umbra_packets_total counter\numbra_packets_total 42\n",
                    "umbra_anomalies_total{code=\"dns_truncated\"} 3\n");
            packets.set(43);
            assertThat(get(s, "/metrics", "GET").body()).contains("umbra_packets_total 43\n");
        }
    }

    @Test
    void otherPathsAndMethods_areRefused() throws Exception {
        try (HealthServer s = new HealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new MetricsRegistry(), () -> null)) {
            assertThat(get(s, "/admin", "GET").statusCode()).isEqualTo(404);
            assertThat(get(s, "/metrics", "DELETE").statusCode()).isEqualTo(405);
        }
    }

    @Test
    void new_portInUse_failsWithAddressInMessage() throws Exception {
        try (HealthServer first = new HealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new MetricsRegistry(), () -> null)) {
            int port = first.address().getPort();
            assertThatThrownBy(() -> new HealthServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                    new MetricsRegistry(), () -> null))
                    .isInstanceOf(IOException.class).hasMessageContaining("cannot listen on").hasMessageContaining(":" + port);
        }
    }

    @Test
    void register_duplicateOrBadName_isRefused() {
        MetricsRegistry m = new MetricsRegistry();
        m.gauge("umbra_spool_bytes", "Spool size.", () -> 0);
        assertThatThrownBy(() -> m.gauge("umbra_spool_bytes", "again", () -> 0)).hasMessageContaining("twice");
        assertThatThrownBy(() -> m.gauge("bad name", "x", () -> 0)).hasMessageContaining("invalid metric name");
    }
}
