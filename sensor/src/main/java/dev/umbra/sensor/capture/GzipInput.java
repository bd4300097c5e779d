package dev.umbra.sensor.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * A gzip stream that ends, instead of failing, where its compressed data is cut off or corrupt, and
 * remembers why, so that what came before that point still counts (the records of a capture, the lines
 * of a log).
 */
public final class GzipInput extends InputStream {
    private final InputStream in;
    private String failure;

    /**
     * Reads the gzip header at once.
     *
     * @throws CaptureFormatException when the header is cut off or not a gzip header
     */
    public GzipInput(InputStream compressed) throws IOException, CaptureFormatException {
        try {
            this.in = new GZIPInputStream(compressed, 1 << 16);
        } catch (EOFException | ZipException e) {
            throw new CaptureFormatException("gzip-compressed, but its gzip header is cut off or corrupt");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            return -1;
        }
        try {
            return in.read(b, off, len);
        } catch (EOFException e) {
            failure = "compressed data cut off";
        } catch (ZipException e) {
            failure = "compressed data corrupt (" + e.getMessage() + ")";
        }
        return -1;
    }

    /** Why the data ended early ({@code compressed data cut off}, {@code ... corrupt}), or null. */
    public String failure() {
        return failure;
    }

    /** The summary of a capture read from this stream, marked as stopped when the compressed data broke. */
    public CaptureSummary summarize(CaptureSummary s) {
        if (failure == null) {
            return s;
        }
        if (s.complete()) {
            return new CaptureSummary(s.format(), s.packets(), s.bytes(), s.bytes(), failure);
        }
        return new CaptureSummary(s.format(), s.packets(), s.bytes(), s.stoppedAtOffset(),
                s.stopReason() + " (" + failure + ")");
    }
}
