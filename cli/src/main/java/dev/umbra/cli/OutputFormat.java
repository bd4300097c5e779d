package dev.umbra.cli;

/** Output formats of the reporting commands. */
enum OutputFormat {
    table, json
}
