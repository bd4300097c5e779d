package dev.umbra.sensor.proxylog;

/**
 * Cuts a byte stream into LF-terminated lines for a {@link LogStream}, with a cap on line length:
 * a longer line is counted ({@code log_line_too_long}) and skipped up to its LF. Bytes after the
 * last LF are held until more arrive; {@link #finish} hands them over as a last line (files) and
 * tailers instead leave them for the next read. Not thread-safe.
 */
public final class LineSplitter {
    private final LogStream stream;
    private final byte[] partial;
    private int partialLen;
    private boolean skipping;
    private long consumed;
    private long fed;

    /**
     * @param maxLineLength the longest line handed on, in bytes (without the LF)
     */
    public LineSplitter(LogStream stream, int maxLineLength) {
        this.stream = stream;
        this.partial = new byte[maxLineLength];
    }

    /** Feeds bytes; complete lines go to the stream at once. */
    public void feed(byte[] buf, int off, int len) {
        int end = off + len;
        int s = off;
        for (int i = off; i < end; i++) {
            if (buf[i] != '\n') {
                continue;
            }
            if (skipping) {
                skipping = false;
            } else if (partialLen > 0) {
                if (!append(buf, s, i - s)) {
                    skipping = false;
                    stream.lineTooLong();
                } else {
                    stream.line(partial, 0, partialLen);
                }
            } else if (i - s > partial.length) {
                stream.lineTooLong();
            } else {
                stream.line(buf, s, i - s);
            }
            partialLen = 0;
            consumed = fed + (i + 1 - off);
            s = i + 1;
        }
        if (s < end && !skipping) {
            if (!append(buf, s, end - s)) {
                skipping = true;
                partialLen = 0;
                stream.lineTooLong();
            }
        }
        fed += len;
    }

    private boolean append(byte[] buf, int off, int len) {
        if (partialLen + len > partial.length) {
            return false;
        }
        System.arraycopy(buf, off, partial, partialLen, len);
        partialLen += len;
        return true;
    }

    /**
     * Bytes up to and including the last LF fed: where the next line starts, counted from the first
     * byte fed.
     */
    public long consumed() {
        return consumed;
    }

    /** Whether a partial line is held. */
    public boolean hasPartial() {
        return partialLen > 0 || skipping;
    }

    /** Forgets a held partial line (after a truncation, where it can no longer be completed). */
    public void reset() {
        partialLen = 0;
        skipping = false;
    }

    /** Hands a held partial line on as the last line, and tells the stream it ended. */
    public void finish() {
        if (partialLen > 0 && !skipping) {
            stream.line(partial, 0, partialLen);
        }
        partialLen = 0;
        skipping = false;
        stream.finish();
    }
}
