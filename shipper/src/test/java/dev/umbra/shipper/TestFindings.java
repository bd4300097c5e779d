package dev.umbra.shipper;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.Match;
import java.time.Instant;
import java.util.List;

/** Findings for tests, numbered through {@code metadata.log_name} ({@code test-<n>}). */
public final class TestFindings {
    private static final Match CHATGPT = Catalog.builtIn().matcher().match("chatgpt.com");
    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");
    private static final ObservationKind[] KINDS = {ObservationKind.DNS_QUERY, ObservationKind.TLS_SNI,
        ObservationKind.PROXY_REQUEST};

    private TestFindings() {
    }

    /** Finding number {@code n}: a usage event of ChatGPT, its class cycling over DNS, Network and HTTP. */
    public static Finding numbered(long n) {
        Observation o = Observation.network(T0.plusMillis(n), KINDS[(int) (n % 3)], "chatgpt.com", "10.0.0.5",
                40000 + (int) (n % 20000), "104.18.32.47", 443, "test-" + n);
        return Finding.usage(o, CHATGPT, List.of("chatgpt.com"), T0.plusMillis(n), 1);
    }

    /** The number of a test finding's event, from {@code metadata.log_name}. */
    public static long numberOf(String logName) {
        return Long.parseLong(logName.substring("test-".length()));
    }

    /** Finding number {@code n} covering {@code hosts} host names: a large event. */
    public static Finding big(long n, int hosts) {
        Observation o = Observation.network(T0.plusMillis(n), ObservationKind.TLS_SNI, "chatgpt.com", "10.0.0.5",
                40000, "104.18.32.47", 443, "test-" + n);
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            names.add("h" + i + ".chatgpt.com");
        }
        return Finding.usage(o, CHATGPT, names, T0.plusMillis(n), 1);
    }
}
