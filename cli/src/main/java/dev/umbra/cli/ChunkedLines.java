package dev.umbra.cli;

import java.io.PrintWriter;

/**
 * Lines for a command's writer, written in chunks of about {@value #CHUNK} characters. The writers of
 * {@link Main} flush on every println, which for the 30 000 rows of a large audit, or the 265 000
 * sightings {@code umbra observe} prints for a 1 M-frame capture, is a write to stdout per line. Call
 * {@link #flush()} at the end (and wherever the lines so far must be out).
 */
final class ChunkedLines {
    /** Characters gathered before a write. */
    static final int CHUNK = 1 << 16;

    private final PrintWriter out;
    private final String newline = System.lineSeparator();
    private final StringBuilder text = new StringBuilder(CHUNK + 1024);

    ChunkedLines(PrintWriter out) {
        this.out = out;
    }

    /** The builder the current line is appended to; end the line with {@link #endLine()}. */
    StringBuilder text() {
        return text;
    }

    /** Ends the current line, and writes the chunk when it is full. */
    void endLine() {
        text.append(newline);
        if (text.length() >= CHUNK) {
            out.write(text.toString());
            text.setLength(0);
        }
    }

    /** Adds a whole line. */
    void line(CharSequence line) {
        text.append(line);
        endLine();
    }

    /** Writes what is gathered and flushes the writer. */
    void flush() {
        out.write(text.toString());
        text.setLength(0);
        out.flush();
    }
}
