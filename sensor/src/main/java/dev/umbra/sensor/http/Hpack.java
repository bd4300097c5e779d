package dev.umbra.sensor.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An HPACK decoder (RFC 7541): turns header blocks back into header fields, keeping the dynamic table
 * from one block to the next of the same connection.
 *
 * <pre>
 * RFC 7541 6.1   indexed field               1xxxxxxx  index (7-bit prefix)
 * RFC 7541 6.2.1 literal, incremental index  01xxxxxx  name index (6) or 0 + name, value; added to the table
 * RFC 7541 6.2.2 literal, without indexing   0000xxxx  name index (4) or 0 + name, value
 * RFC 7541 6.2.3 literal, never indexed      0001xxxx  name index (4) or 0 + name, value
 * RFC 7541 6.3   dynamic table size update   001xxxxx  new maximum size (5)
 * RFC 7541 5.1   integers: an N-bit prefix, then 7 bits per byte while the high bit is set
 * RFC 7541 5.2   strings:  H (Huffman) bit, length (7-bit prefix), bytes
 * </pre>
 *
 * <p>Bounds: a size update may set at most {@link #MAX_TABLE_SIZE} bytes, a string decodes to at most
 * {@link #MAX_STRING_LENGTH} bytes, a block holds at most {@link #MAX_FIELDS} fields, an integer at most
 * four continuation bytes. Anything beyond, and any index outside the tables, makes the block
 * {@link #MALFORMED}; the decoder is then out of step with the sender and must not be used for the
 * connection's later blocks. Field values are handed to the caller and kept in the dynamic table,
 * never logged. Not thread-safe.
 */
final class Hpack {
    /** The block was decoded. */
    static final int OK = 0;
    /** The block breaks the encoding or a bound. */
    static final int MALFORMED = -3;

    /** The largest dynamic table a size update may ask for (the default is 4096, RFC 9113 6.5.2). */
    static final int MAX_TABLE_SIZE = 64 * 1024;
    /**
     * The longest name or value, decoded: more than a block of {@link Http2Connection#MAX_HEADER_BLOCK}
     * (64 KiB) can hold (the shortest Huffman code has 5 bits, so 64 KiB decode to at most 104,858
     * bytes). A long cookie or token must not cost the request its name and path.
     */
    static final int MAX_STRING_LENGTH = 128 * 1024;
    /** Fields in one block. */
    static final int MAX_FIELDS = 256;
    /** The table size a connection starts with (RFC 9113 6.5.2, SETTINGS_HEADER_TABLE_SIZE). */
    static final int DEFAULT_TABLE_SIZE = 4096;

    /** Receives the fields of a block in order; names are lowercase in HTTP/2 (RFC 9113 8.2.1). */
    interface FieldSink {
        void field(byte[] name, byte[] value);
    }

    /** RFC 7541 Appendix A. */
    private static final String[][] STATIC_TABLE = {
        {":authority", ""}, {":method", "GET"}, {":method", "POST"}, {":path", "/"}, {":path", "/index.html"},
        {":scheme", "http"}, {":scheme", "https"}, {":status", "200"}, {":status", "204"}, {":status", "206"},
        {":status", "304"}, {":status", "400"}, {":status", "404"}, {":status", "500"}, {"accept-charset", ""},
        {"accept-encoding", "gzip, deflate"}, {"accept-language", ""}, {"accept-ranges", ""}, {"accept", ""},
        {"access-control-allow-origin", ""}, {"age", ""}, {"allow", ""}, {"authorization", ""},
        {"cache-control", ""}, {"content-disposition", ""}, {"content-encoding", ""}, {"content-language", ""},
        {"content-length", ""}, {"content-location", ""}, {"content-range", ""}, {"content-type", ""},
        {"cookie", ""}, {"date", ""}, {"etag", ""}, {"expect", ""}, {"expires", ""}, {"from", ""}, {"host", ""},
        {"if-match", ""}, {"if-modified-since", ""}, {"if-none-match", ""}, {"if-range", ""},
        {"if-unmodified-since", ""}, {"last-modified", ""}, {"link", ""}, {"location", ""}, {"max-forwards", ""},
        {"proxy-authenticate", ""}, {"proxy-authorization", ""}, {"range", ""}, {"referer", ""}, {"refresh", ""},
        {"retry-after", ""}, {"server", ""}, {"set-cookie", ""}, {"strict-transport-security", ""},
        {"transfer-encoding", ""}, {"user-agent", ""}, {"vary", ""}, {"via", ""}, {"www-authenticate", ""},
    };
    private static final byte[][] STATIC_NAMES = new byte[STATIC_TABLE.length][];
    private static final byte[][] STATIC_VALUES = new byte[STATIC_TABLE.length][];

    static {
        for (int i = 0; i < STATIC_TABLE.length; i++) {
            STATIC_NAMES[i] = STATIC_TABLE[i][0].getBytes(StandardCharsets.US_ASCII);
            STATIC_VALUES[i] = STATIC_TABLE[i][1].getBytes(StandardCharsets.US_ASCII);
        }
    }

    // the dynamic table, a ring with the newest entry at head (RFC 7541 2.3.3: index 62 is the newest)
    private byte[][] names = new byte[8][];
    private byte[][] values = new byte[8][];
    private int head;
    private int count;
    private int size;
    private int maxSize = DEFAULT_TABLE_SIZE;

    private int pos;

    /** Forgets the dynamic table: a new connection. */
    void reset() {
        Arrays.fill(names, null);
        Arrays.fill(values, null);
        head = 0;
        count = 0;
        size = 0;
        maxSize = DEFAULT_TABLE_SIZE;
    }

    /** Entries in the dynamic table. */
    int tableEntries() {
        return count;
    }

    /** The dynamic table's size as RFC 7541 4.1 counts it (name + value + 32 per entry). */
    int tableSize() {
        return size;
    }

    /**
     * Decodes one whole header block.
     *
     * @return {@link #OK} or {@link #MALFORMED}
     */
    int decode(byte[] b, int off, int len, FieldSink sink) {
        int end = off + len;
        pos = off;
        for (int fields = 0; pos < end; fields++) {
            if (fields == MAX_FIELDS) {
                return MALFORMED;
            }
            int first = b[pos] & 0xff;
            if (first >= 0x80) {
                int index = integer(b, end, 7);
                if (!exists(index)) {
                    return MALFORMED;
                }
                sink.field(name(index), value(index));
            } else if ((first & 0xe0) == 0x20) {
                int newSize = integer(b, end, 5);
                if (newSize < 0 || newSize > MAX_TABLE_SIZE) {
                    return MALFORMED;
                }
                maxSize = newSize;
                evictTo(maxSize);
                fields--; // not a field
            } else {
                boolean indexing = first >= 0x40;
                int index = integer(b, end, indexing ? 6 : 4);
                byte[] name;
                if (index == 0) {
                    name = string(b, end);
                } else {
                    name = exists(index) ? name(index) : null;
                }
                byte[] value = name == null ? null : string(b, end);
                if (value == null) {
                    return MALFORMED;
                }
                if (indexing) {
                    add(name, value);
                }
                sink.field(name, value);
            }
        }
        return OK;
    }

    /** Reads an integer with an N-bit prefix at pos (RFC 7541 5.1); -1 when cut short or too long. */
    private int integer(byte[] b, int end, int prefixBits) {
        int mask = (1 << prefixBits) - 1;
        int v = b[pos++] & mask;
        if (v < mask) {
            return v;
        }
        for (int shift = 0; shift <= 21; shift += 7) {
            if (pos >= end) {
                return -1;
            }
            int c = b[pos++] & 0xff;
            v += (c & 0x7f) << shift;
            if (c < 0x80) {
                return v;
            }
        }
        return -1;
    }

    /** Reads a string literal at pos (RFC 7541 5.2); null when cut short, too long or badly coded. */
    private byte[] string(byte[] b, int end) {
        if (pos >= end) {
            return null;
        }
        boolean huffman = b[pos] < 0;
        int n = integer(b, end, 7);
        if (n < 0 || n > end - pos) {
            return null;
        }
        int start = pos;
        pos += n;
        if (huffman) {
            return HpackHuffman.decode(b, start, n, MAX_STRING_LENGTH);
        }
        return n > MAX_STRING_LENGTH ? null : Arrays.copyOfRange(b, start, start + n);
    }

    private boolean exists(int index) {
        return index >= 1 && index <= STATIC_TABLE.length + count;
    }

    private byte[] name(int index) {
        return index <= STATIC_TABLE.length ? STATIC_NAMES[index - 1] : names[slot(index)];
    }

    private byte[] value(int index) {
        return index <= STATIC_TABLE.length ? STATIC_VALUES[index - 1] : values[slot(index)];
    }

    private int slot(int index) {
        return (head + index - STATIC_TABLE.length - 1) % names.length;
    }

    /** RFC 7541 4.4: evict from the oldest end until the entry fits; one larger than the table empties it. */
    private void add(byte[] name, byte[] value) {
        int entrySize = name.length + value.length + 32;
        if (entrySize > maxSize) {
            evictTo(0);
            return;
        }
        evictTo(maxSize - entrySize);
        if (count == names.length) {
            grow();
        }
        head = (head - 1 + names.length) % names.length;
        names[head] = name;
        values[head] = value;
        count++;
        size += entrySize;
    }

    private void evictTo(int limit) {
        while (size > limit) {
            int oldest = (head + count - 1) % names.length;
            size -= names[oldest].length + values[oldest].length + 32;
            names[oldest] = null;
            values[oldest] = null;
            count--;
        }
    }

    private void grow() {
        // at most MAX_TABLE_SIZE / 32 entries fit, so this stops at 2048
        byte[][] n = new byte[names.length * 2][];
        byte[][] v = new byte[names.length * 2][];
        for (int i = 0; i < count; i++) {
            n[i] = names[(head + i) % names.length];
            v[i] = values[(head + i) % names.length];
        }
        names = n;
        values = v;
        head = 0;
    }
}
