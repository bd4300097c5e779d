package dev.umbra.sensor.proxylog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads whole log files through a {@link LogStream}. */
public final class LogFiles {
    private static final int CHUNK = 64 * 1024;

    private LogFiles() {
    }

    /**
     * Reads every line of a file (CRLF or LF, gzip-compressed or not: rotated logs often are)
     * through a new stream.
     *
     * @return the stream, with its detected format and the context's counters
     * @throws IOException when the file cannot be read or its gzip data is corrupt; bad lines
     *     never throw
     */
    public static LogStream read(Path file, LogOptions options, LogContext ctx) throws IOException {
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file))) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            // RFC 1952 section 2.3.1: ID1 = 31, ID2 = 139
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new java.util.zip.GZIPInputStream(raw, CHUNK) : raw;
            return read(in, options, ctx);
        }
    }

    /** Reads every line of a stream through a new {@link LogStream}. */
    public static LogStream read(InputStream in, LogOptions options, LogContext ctx) throws IOException {
        LogStream stream = new LogStream(options, ctx);
        LineSplitter splitter = new LineSplitter(stream, options.maxLineLength());
        byte[] buf = new byte[CHUNK];
        int n;
        while ((n = in.read(buf)) > 0) {
            splitter.feed(buf, 0, n);
        }
        splitter.finish();
        return stream;
    }
}
