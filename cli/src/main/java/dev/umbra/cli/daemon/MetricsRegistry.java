package dev.umbra.cli.daemon;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Metrics of the running daemon, read on demand from the components that own them, and written in
 * the Prometheus text exposition format (version 0.0.4). Registration is thread-safe; values are
 * read when {@code /metrics} is scraped, so counting costs the components nothing extra.
 */
public final class MetricsRegistry {
    /** A metric family: name, help, type and a supplier of its samples. */
    private record Family(String name, String help, String type, Supplier<Map<Map<String, String>, Long>> samples) {
    }

    private final List<Family> families = new CopyOnWriteArrayList<>();

    /** Registers a counter without labels. */
    public void counter(String name, String help, LongSupplier value) {
        add(name, help, "counter", () -> Map.of(Map.of(), value.getAsLong()));
    }

    /** Registers a gauge without labels. */
    public void gauge(String name, String help, LongSupplier value) {
        add(name, help, "gauge", () -> Map.of(Map.of(), value.getAsLong()));
    }

    /** Registers a counter family whose samples are keyed by label sets (for example anomalies by code). */
    public void counters(String name, String help, Supplier<Map<Map<String, String>, Long>> samples) {
        add(name, help, "counter", samples);
    }

    private void add(String name, String help, String type, Supplier<Map<Map<String, String>, Long>> samples) {
        Objects.requireNonNull(samples, "samples");
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("invalid metric name: " + name);
        }
        for (Family f : families) {
            if (f.name().equals(name)) {
                throw new IllegalArgumentException("metric registered twice: " + name);
            }
        }
        families.add(new Family(name, help, type, samples));
    }

    /** The exposition text of every metric. */
    public String scrape() {
        StringBuilder sb = new StringBuilder(4096);
        for (Family f : families) {
            sb.append("# HELP ").append(f.name()).append(' ').append(f.help().replace("\\", "\\\\").replace("\n", "\\n"))
                    .append('\n');
            sb.append("# TYPE ").append(f.name()).append(' ').append(f.type()).append('\n');
            Map<Map<String, String>, Long> samples;
            try {
                samples = f.samples().get();
            } catch (RuntimeException e) {
                continue;
            }
            List<Map.Entry<Map<String, String>, Long>> sorted = new ArrayList<>(samples.entrySet());
            sorted.sort((a, b) -> a.getKey().toString().compareTo(b.getKey().toString()));
            for (Map.Entry<Map<String, String>, Long> s : sorted) {
                sb.append(f.name());
                if (!s.getKey().isEmpty()) {
                    sb.append('{');
                    boolean first = true;
                    for (Map.Entry<String, String> label : new java.util.TreeMap<>(s.getKey()).entrySet()) {
                        if (!first) {
                            sb.append(',');
                        }
                        first = false;
                        sb.append(label.getKey()).append("=\"").append(label.getValue().replace("\\", "\\\\")
                                .replace("\"", "\\\"").replace("\n", "\\n")).append('"');
                    }
                    sb.append('}');
                }
                sb.append(' ').append(s.getValue()).append('\n');
            }
        }
        return sb.toString();
    }
}
