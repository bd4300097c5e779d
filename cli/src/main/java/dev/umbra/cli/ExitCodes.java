package dev.umbra.cli;

/** Exit codes of every umbra command (STYLE.md). */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** Findings matched a {@code --fail-on} rule. */
    public static final int FINDINGS = 1;
    /** Bad input or usage. */
    public static final int USAGE = 2;
    /** Runtime failure: I/O, broker. */
    public static final int RUNTIME = 3;
    /** Internal error (a bug). */
    public static final int INTERNAL = 4;

    private ExitCodes() {
    }
}
