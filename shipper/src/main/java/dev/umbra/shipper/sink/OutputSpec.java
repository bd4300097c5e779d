package dev.umbra.shipper.sink;

import java.nio.file.Path;
import java.util.Locale;

/**
 * One {@code --output} value: {@code stdout}, {@code file:PATH}, or
 * {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC}.
 *
 * @param kind which sink
 * @param path the file, for {@link Kind#FILE}; null otherwise
 * @param bootstrapServers the brokers, for {@link Kind#KAFKA}; null otherwise
 * @param topic the topic, for {@link Kind#KAFKA}; null otherwise
 */
public record OutputSpec(Kind kind, Path path, String bootstrapServers, String topic) {
    /** The sink kinds. */
    public enum Kind {
        STDOUT, FILE, KAFKA
    }

    /**
     * Parses one value.
     *
     * @throws IllegalArgumentException {@code Invalid value V for option --output: rule}
     */
    public static OutputSpec parse(String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("stdout") || v.equals("-")) {
            return new OutputSpec(Kind.STDOUT, null, null, null);
        }
        if (v.toLowerCase(Locale.ROOT).startsWith("file:")) {
            String p = v.substring(5);
            if (p.isEmpty()) {
                throw invalid(value, "file: needs a path, as in file:/var/log/umbra/findings.jsonl");
            }
            return new OutputSpec(Kind.FILE, Path.of(p), null, null);
        }
        if (v.toLowerCase(Locale.ROOT).startsWith("kafka://")) {
            String rest = v.substring(8);
            int slash = rest.indexOf('/');
            if (slash <= 0 || slash == rest.length() - 1) {
                throw invalid(value, "expected kafka://HOST:PORT/TOPIC");
            }
            String servers = rest.substring(0, slash);
            String topic = rest.substring(slash + 1);
            for (String hp : servers.split(",")) {
                int colon = hp.lastIndexOf(':');
                if (colon <= 0 || colon == hp.length() - 1 || !hp.substring(colon + 1).matches("[0-9]{1,5}")
                        || Integer.parseInt(hp.substring(colon + 1)) > 65535) {
                    throw invalid(value, "'" + hp + "' is not HOST:PORT");
                }
            }
            if (!topic.matches("[A-Za-z0-9._-]{1,249}")) {
                throw invalid(value, "'" + topic + "' is not a Kafka topic name (letters, digits, '.', '_', '-')");
            }
            return new OutputSpec(Kind.KAFKA, null, servers, topic);
        }
        throw invalid(value, "expected stdout, file:PATH or kafka://HOST:PORT/TOPIC");
    }

    /** The output in the form {@link #parse} reads: {@code stdout}, {@code file:PATH}, {@code kafka://HOST:PORT/TOPIC}. */
    @Override
    public String toString() {
        return switch (kind) {
            case STDOUT -> "stdout";
            case FILE -> "file:" + path;
            case KAFKA -> "kafka://" + bootstrapServers + "/" + topic;
        };
    }

    private static IllegalArgumentException invalid(String value, String rule) {
        return new IllegalArgumentException("Invalid value " + value + " for option --output: " + rule);
    }
}
