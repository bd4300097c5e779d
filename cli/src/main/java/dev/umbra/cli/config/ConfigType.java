package dev.umbra.cli.config;

/** The value types of configuration keys; each parses and checks a YAML scalar or list. */
public enum ConfigType {
    STRING, BOOLEAN, INT, SIZE, DURATION, LIST
}
