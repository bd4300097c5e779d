package dev.umbra.sensor.http;

/**
 * The HPACK string literal Huffman code (RFC 7541 section 5.2 and Appendix B), decoding only.
 *
 * <p>The code is canonical: codes of one length are consecutive and in symbol order, and shorter
 * codes come first. So the 257 code lengths below are the whole table, and a code read bit by bit
 * is a symbol as soon as it falls in the range of its length. Each string is read at most once per
 * connection, so the bitwise decoder is fast enough.
 */
final class HpackHuffman {
    /** Bits of the code of symbols 0-255 and of EOS (256), RFC 7541 Appendix B. */
    private static final byte[] LENGTHS = {
        13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, // 0-15
        28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28, // 16-31
        6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,         // ' ' - '/'
        5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,              // '0' - '?'
        13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,                // '@' - 'O'
        7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,             // 'P' - '_'
        15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,                // '`' - 'o'
        6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,            // 'p' - 127
        20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, // 128-143
        24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24, // 144-159
        22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, // 160-175
        21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, // 176-191
        26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25, // 192-207
        19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, // 208-223
        20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23, // 224-239
        26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, // 240-255
        30,                                                             // EOS
    };
    private static final int EOS = 256;
    private static final int MAX_BITS = 30;

    /** Symbols in code order (by length, then by symbol). */
    private static final int[] SYMBOLS = new int[LENGTHS.length];
    /** Number of codes of each length. */
    private static final int[] COUNT = new int[MAX_BITS + 1];
    /** The first (smallest) code of each length. */
    private static final int[] FIRST_CODE = new int[MAX_BITS + 1];
    /** Index in SYMBOLS of the first symbol of each length. */
    private static final int[] FIRST_INDEX = new int[MAX_BITS + 1];

    static {
        int i = 0;
        for (int bits = 1; bits <= MAX_BITS; bits++) {
            FIRST_INDEX[bits] = i;
            for (int s = 0; s < LENGTHS.length; s++) {
                if (LENGTHS[s] == bits) {
                    SYMBOLS[i++] = s;
                    COUNT[bits]++;
                }
            }
        }
        int code = 0;
        for (int bits = 1; bits <= MAX_BITS; bits++) {
            FIRST_CODE[bits] = code;
            code = (code + COUNT[bits]) << 1;
        }
    }

    private HpackHuffman() {
    }

    /**
     * Decodes {@code len} Huffman-coded bytes at {@code off}.
     *
     * @return the decoded bytes, or {@code null} when they are not a valid code (an EOS symbol, padding
     *     longer than 7 bits or not all ones, RFC 7541 5.2) or decode to more than {@code max} bytes
     */
    static byte[] decode(byte[] b, int off, int len, int max) {
        // the shortest code has 5 bits
        byte[] out = new byte[(int) Math.min(max, len * 8L / 5)];
        int n = 0;
        int code = 0;
        int bits = 0;
        for (int i = off; i < off + len; i++) {
            int c = b[i] & 0xff;
            for (int k = 7; k >= 0; k--) {
                code = code << 1 | c >> k & 1;
                bits++;
                int index = code - FIRST_CODE[bits];
                if (index >= 0 && index < COUNT[bits]) {
                    int symbol = SYMBOLS[FIRST_INDEX[bits] + index];
                    if (symbol == EOS || n == out.length) {
                        return null;
                    }
                    out[n++] = (byte) symbol;
                    code = 0;
                    bits = 0;
                } else if (bits == MAX_BITS) {
                    return null;
                }
            }
        }
        if (bits > 7 || code != (1 << bits) - 1) {
            return null;
        }
        return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }
}
