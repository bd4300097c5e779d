package dev.umbra.cli.config;

import java.util.List;

/** A configuration file with errors; every error is one line naming the key, value and fix. */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> errors;

    public ConfigException(List<String> errors) {
        super(String.join("\n", errors));
        this.errors = List.copyOf(errors);
    }

    /** The errors, one line each. */
    public List<String> errors() {
        return errors;
    }
}
