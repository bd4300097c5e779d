package dev.umbra.sensor.http;

import static dev.umbra.sensor.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class HpackTest {
    private final Hpack hpack = new Hpack();

    /** The fields of one block as "name: value" (values of test data only, all synthetic). */
    private List<String> decode(byte[] block) {
        List<String> fields = new ArrayList<>();
        int status = hpack.decode(block, 0, block.length, (n, v) -> fields.add(text(n) + ": " + text(v)));
        assertThat(status).as("decode status").isEqualTo(Hpack.OK);
        return fields;
    }

    private int status(byte[] block) {
        return hpack.decode(block, 0, block.length, (n, v) -> { });
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    @Test
    void decode_rfc7541AppendixC3_requestsWithoutHuffman() {
        assertThat(decode(hex("828684410f7777772e6578616d706c652e636f6d"))).containsExactly(":method: GET",
                ":scheme: http", ":path: /", ":authority: www.example.com");
        assertThat(hpack.tableSize()).isEqualTo(57);
        assertThat(decode(hex("828684be58086e6f2d6361636865"))).containsExactly(":method: GET", ":scheme: http",
                ":path: /", ":authority: www.example.com", "cache-control: no-cache");
        assertThat(hpack.tableSize()).isEqualTo(110);
        assertThat(decode(hex("828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"))).containsExactly(
                ":method: GET", ":scheme: https", ":path: /index.html", ":authority: www.example.com",
                "custom-key: custom-value");
        assertThat(hpack.tableSize()).isEqualTo(164);
        assertThat(hpack.tableEntries()).isEqualTo(3);
    }

    @Test
    void decode_rfc7541AppendixC4_requestsWithHuffman() {
        assertThat(decode(hex("828684418cf1e3c2e5f23a6ba0ab90f4ff"))).containsExactly(":method: GET",
                ":scheme: http", ":path: /", ":authority: www.example.com");
        assertThat(decode(hex("828684be5886a8eb10649cbf"))).containsExactly(":method: GET", ":scheme: http",
                ":path: /", ":authority: www.example.com", "cache-control: no-cache");
        assertThat(decode(hex("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"))).containsExactly(":method: GET",
                ":scheme: https", ":path: /index.html", ":authority: www.example.com", "custom-key: custom-value");
        assertThat(hpack.tableSize()).isEqualTo(164);
    }

    @Test
    void decode_rfc7541AppendixC5_responsesEvictTheOldestEntries() {
        hpack.reset();
        // C.5: the table is 256 bytes, so the third response evicts
        assertThat(status(hex("3fe101"))).isEqualTo(Hpack.OK); // size update to 256
        assertThat(decode(hex("4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120"
                + "474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d"))).containsExactly(":status: 302",
                "cache-control: private", "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com");
        assertThat(hpack.tableSize()).isEqualTo(222);
        assertThat(decode(hex("4803333037c1c0bf"))).containsExactly(":status: 307", "cache-control: private",
                "date: Mon, 21 Oct 2013 20:13:21 GMT", "location: https://www.example.com");
        assertThat(hpack.tableSize()).isEqualTo(222);
        assertThat(hpack.tableEntries()).isEqualTo(4);
    }

    /**
     * Blocks encoded by an independent encoder (python3-hpack, {@code test-data/hpack/make-vectors.py}):
     * Huffman and raw strings, every octet value, dynamic table reuse, size updates, never-indexed fields.
     */
    @Test
    void decode_vectorsFromAnIndependentEncoder_giveTheEncodedFields() throws IOException {
        Path vectors = testData().resolve("hpack/vectors.txt");
        int blocks = 0;
        byte[] block = null;
        List<String> expected = new ArrayList<>();
        for (String line : Files.readAllLines(vectors)) {
            if (line.startsWith("connection") || line.startsWith("block ")) {
                if (block != null) {
                    assertThat(decode(block)).as("block %d", blocks).containsExactlyElementsOf(expected);
                    blocks++;
                }
                block = line.startsWith("block ") ? HexFormat.of().parseHex(line.substring(6)) : null;
                expected.clear();
                if (line.startsWith("connection")) {
                    hpack.reset();
                }
            } else if (line.startsWith("field ")) {
                String[] f = line.split(" ");
                expected.add(text(unhex(f[1])) + ": " + text(unhex(f[2])));
            }
        }
        assertThat(decode(block)).containsExactlyElementsOf(expected);
        assertThat(blocks + 1).as("blocks read").isGreaterThan(150);
    }

    private static byte[] unhex(String s) {
        return s.equals("-") ? new byte[0] : HexFormat.of().parseHex(s);
    }

    static Path testData() {
        return Path.of(System.getProperty("umbra.repo.root", "..")).resolve("test-data");
    }

    @Test
    void decode_badIndexes_areMalformed() {
        assertThat(status(hex("80"))).as("index 0").isEqualTo(Hpack.MALFORMED);
        assertThat(status(hex("be"))).as("index 62, empty dynamic table").isEqualTo(Hpack.MALFORMED);
        assertThat(status(hex("7f00"))).as("literal with name index 63, empty dynamic table")
                .isEqualTo(Hpack.MALFORMED);
        assertThat(status(hex("ff80808080808001"))).as("integer with too many continuation bytes")
                .isEqualTo(Hpack.MALFORMED);
    }

    @Test
    void decode_cutShort_isMalformed() {
        assertThat(status(hex("ff"))).as("integer cut").isEqualTo(Hpack.MALFORMED);
        assertThat(status(hex("410f7777"))).as("string shorter than its length").isEqualTo(Hpack.MALFORMED);
        assertThat(status(hex("40"))).as("name missing").isEqualTo(Hpack.MALFORMED);
        assertThat(status(hex("4003616263"))).as("value missing").isEqualTo(Hpack.MALFORMED);
    }

    @Test
    void decode_sizeUpdateAboveTheCap_isMalformedAndBelowItEvicts() {
        assertThat(decode(hex("410f7777772e6578616d706c652e636f6d"))).hasSize(1);
        assertThat(hpack.tableEntries()).isEqualTo(1);
        assertThat(status(hex("20"))).as("size update to 0").isEqualTo(Hpack.OK);
        assertThat(hpack.tableEntries()).isZero();
        // 65538 = 31 + 99 + (127 << 7) + (3 << 14): one byte above the cap
        assertThat(status(hex("3fe3ff03"))).isEqualTo(Hpack.MALFORMED);
    }

    @Test
    void decode_entryLargerThanTheTable_emptiesItAndIsStillAField() {
        hpack.reset();
        assertThat(status(hex("3f11"))).isEqualTo(Hpack.OK); // size 48
        assertThat(decode(hex("4003616263036465 66"))).containsExactly("abc: def");
        assertThat(hpack.tableEntries()).isOne(); // 3 + 3 + 32 = 38
        assertThat(decode(hex("400a61616161616161616161 0a62626262626262626262"))).hasSize(1);
        assertThat(hpack.tableEntries()).isZero(); // 52 > 48: table emptied, entry not added
    }

    @Test
    void decode_badHuffman_isMalformed() {
        // 30 one bits then padding: the EOS symbol inside a string (RFC 7541 5.2)
        assertThat(status(hex("000120 84 ffffffff"))).as("EOS").isEqualTo(Hpack.MALFORMED);
        // "a" is 00011 (5 bits); 3 zero bits of padding are not a prefix of EOS
        assertThat(status(hex("000120 81 18"))).as("padding not ones").isEqualTo(Hpack.MALFORMED);
        // "a" then a whole byte of ones: padding longer than 7 bits
        assertThat(status(hex("000120 82 1fff"))).as("padding of 11 bits").isEqualTo(Hpack.MALFORMED);
        assertThat(decode(hex("000120 81 1f"))).containsExactly(" : a"); // name " " (raw), value "a" (Huffman)
    }

    @Test
    void decode_tooManyFields_isMalformed() {
        byte[] block = new byte[Hpack.MAX_FIELDS + 1];
        java.util.Arrays.fill(block, (byte) 0x82);
        assertThat(status(block)).isEqualTo(Hpack.MALFORMED);
        assertThat(status(java.util.Arrays.copyOf(block, Hpack.MAX_FIELDS))).isEqualTo(Hpack.OK);
    }

    @Test
    void huffman_longestStringIsCapped() {
        byte[] many = new byte[Hpack.MAX_STRING_LENGTH]; // '0' is 00000: 8 zero bytes hold 12.8 symbols
        assertThat(HpackHuffman.decode(many, 0, many.length, Hpack.MAX_STRING_LENGTH)).isNull();
        byte[] fits = HpackHuffman.decode(new byte[5], 0, 5, Hpack.MAX_STRING_LENGTH);
        assertThat(fits).containsExactly('0', '0', '0', '0', '0', '0', '0', '0');
    }

    @Test
    void decode_seededRandomAndMutatedBlocks_neverThrowAndKeepTheTableBounded() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (String line : Files.readAllLines(testData().resolve("hpack/vectors.txt"))) {
            if (line.startsWith("block ") && line.length() < 1200) {
                seeds.add(HexFormat.of().parseHex(line.substring(6)));
            }
        }
        Mutator mutator = Mutator.forTest(0x7541L, 800);
        byte[] input = mutator.buffer();
        int ok = 0;
        int[] fields = new int[1];
        for (int i = 0; i < Mutator.RUNS; i++) {
            if (i % 16 == 0) {
                hpack.reset();
            }
            int len = mutator.mutate(seeds.get(i % seeds.size()));
            fields[0] = 0;
            int status = hpack.decode(input, 0, len, (n, v) -> {
                fields[0]++;
                assertThat(n.length + v.length).isLessThanOrEqualTo(2 * Hpack.MAX_STRING_LENGTH);
            });
            assertThat(status).as("input %d, campaign %d", i, Mutator.campaign()).isIn(Hpack.OK, Hpack.MALFORMED);
            assertThat(fields[0]).isLessThanOrEqualTo(Hpack.MAX_FIELDS);
            assertThat(hpack.tableSize()).isLessThanOrEqualTo(Hpack.MAX_TABLE_SIZE);
            if (status == Hpack.OK) {
                ok++;
            } else {
                hpack.reset(); // out of step with the encoder: the connection's context is gone
            }
        }
        assertThat(ok).as("mutated blocks that still decode").isPositive();
    }
}
