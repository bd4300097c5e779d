package dev.umbra.sensor.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A large reusable read buffer over a channel. Records are parsed in place in {@link #array()}
 * from {@link #position()}; {@link #ensure(int)} makes sure a whole record is in the buffer.
 */
final class ChannelInput {
    private final ReadableByteChannel channel;
    private final int maxRecord;
    private byte[] buf;
    private int pos;
    private int limit;
    private long consumedBefore;
    private boolean eof;

    ChannelInput(ReadableByteChannel channel, int initialSize, int maxRecord) {
        this.channel = channel;
        this.maxRecord = maxRecord;
        this.buf = new byte[initialSize];
    }

    /**
     * Makes {@code n} bytes available at {@link #position()}.
     *
     * @return false when the input ends first
     * @throws IllegalArgumentException when n exceeds the record cap
     */
    boolean ensure(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (n > maxRecord || n < 0) {
            throw new IllegalArgumentException("record of " + n + " bytes exceeds cap " + maxRecord);
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            consumedBefore += pos;
            limit -= pos;
            pos = 0;
        }
        while (limit < n && !eof) {
            if (limit == buf.length) {
                // grow by doubling as bytes arrive, not to the length a record header claims: a
                // corrupt length near the cap in a short input costs what the input holds
                byte[] bigger = new byte[(int) Math.min(Math.max(2L * buf.length, 4096), maxRecord)];
                System.arraycopy(buf, 0, bigger, 0, limit);
                buf = bigger;
            }
            int read = channel.read(ByteBuffer.wrap(buf, limit, buf.length - limit));
            if (read < 0) {
                eof = true;
            } else {
                limit += read;
            }
        }
        return limit >= n;
    }

    /** True when no byte is left. */
    boolean atEnd() throws IOException {
        return !ensure(1);
    }

    byte[] array() {
        return buf;
    }

    int position() {
        return pos;
    }

    /** Bytes available at the position. */
    int available() {
        return limit - pos;
    }

    void skip(int n) {
        pos += n;
    }

    /** File offset of the position. */
    long offset() {
        return consumedBefore + pos;
    }
}
