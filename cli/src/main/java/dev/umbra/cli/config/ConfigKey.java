package dev.umbra.cli.config;

import java.util.Objects;

/**
 * One row of the configuration table: a dotted lowercase key, its type, default, rule and doc.
 *
 * @param name dotted lowercase key ({@code capture.buffer_bytes})
 * @param type value type
 * @param defaultValue the default in its YAML text form ({@code "128m"}, {@code "[]"}, {@code ""})
 * @param validator checks a parsed value; {@link Validator#ANY} when the type says it all
 * @param doc one sentence for help and the default file
 */
public record ConfigKey(String name, ConfigType type, String defaultValue, Validator validator, String doc) {

    public ConfigKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(validator, "validator");
        Objects.requireNonNull(doc, "doc");
        if (!name.matches("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+|[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("configuration key must be dotted lowercase: " + name);
        }
    }

    /** Checks a value of a key; returns {@code null} when valid, else the rule and how to fix it. */
    @FunctionalInterface
    public interface Validator {
        /** Accepts every value of the right type. */
        Validator ANY = value -> null;

        /**
         * @param value the parsed value: String, Boolean, Long (INT, SIZE in bytes), java.time.Duration,
         *     or List of String
         * @return {@code null} when valid, else "rule. how to fix"
         */
        String check(Object value);
    }
}
