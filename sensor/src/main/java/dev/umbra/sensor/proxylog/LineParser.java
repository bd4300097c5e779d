package dev.umbra.sensor.proxylog;

/**
 * Parses the lines of one log stream, in order. Implementations keep per-stream state (the field
 * header of W3C and Zeek logs) and are not thread-safe: one parser per stream.
 *
 * <p>A parser reads the line in place, emits zero or more observations through its
 * {@link LogContext}, and counts a {@link LogAnomaly} there for a line it cannot use. It never
 * throws for bad input.
 */
public interface LineParser {
    /**
     * Parses one line, without its line terminator.
     *
     * @param buf holds the line
     * @param off where the line starts
     * @param len its length in bytes
     * @param lineNumber 1-based number of the line in its stream, for anomaly reports
     */
    void parse(byte[] buf, int off, int len, long lineNumber);
}
