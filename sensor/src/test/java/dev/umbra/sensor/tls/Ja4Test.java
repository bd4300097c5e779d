package dev.umbra.sensor.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** JA4 rules from FoxIO's technical_details/JA4.md, each checked on a hand-built hello. */
class Ja4Test {
    private static final int[] NO_EXT = new int[0];
    private static final List<Integer> SPEC_CIPHERS = List.of(0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
            0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035);
    private static final List<Integer> SPEC_EXTENSIONS = List.of(0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017,
            0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015);
    private static final List<Integer> SPEC_SIGALGS = List.of(0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806,
            0x0601);

    @Test
    void grease_reservedValues_areRecognised() {
        assertThat(Ja4.grease(0x0a0a)).isTrue();
        assertThat(Ja4.grease(0xfafa)).isTrue();
        assertThat(Ja4.grease(0x0a1a)).isFalse();
        assertThat(Ja4.grease(0x1301)).isFalse();
    }

    @Test
    void body_specExample_matchesDocumentedHashes() {
        // JA4.md example: 15 ciphers, 16 extensions, ALPN h2, signature algorithms listed there
        Hello h = Hello.of(SPEC_CIPHERS, SPEC_EXTENSIONS, SPEC_SIGALGS, "h2", List.of(0x0304, 0x0303), true);
        assertThat(h.ja4(true)).isEqualTo("t13d1516h2_8daaf6152771_e5627efa2ab1");
    }

    @Test
    void body_noSignatureAlgorithms_hashesExtensionsWithoutUnderscore() {
        int[] extensions = SPEC_EXTENSIONS.stream().mapToInt(Integer::intValue).toArray();
        byte[] b = {0x13, 0x01};
        String ja4 = Ja4.body(b, 0, 2, extensions, extensions.length, -1, 0, -1, 0x0303, List.of(), false);
        assertThat(ja4).startsWith("t12i011600_").endsWith("_6d807ffa2a79");
    }

    @Test
    void body_noCiphersNoExtensions_usesZeroHashes() {
        String ja4 = Ja4.body(new byte[0], 0, 0, NO_EXT, 0, -1, 0, -1, 0x0300, List.of(), false);
        assertThat(ja4).isEqualTo("ts3i000000_000000000000_000000000000");
    }

    @Test
    void body_nonAlphanumericAlpn_printsHexDigits() {
        byte[] b = {0x13, 0x01, 2, 0x30, (byte) 0xab};
        // JA4.md: 0x30 0xAB is printed as "3b"
        assertThat(Ja4.body(b, 0, 2, NO_EXT, 0, -1, 0, 2, 0x0303, List.of(), true)).startsWith("t12d01003b_");
    }

    @Test
    void body_greaseEverywhere_isIgnored() {
        byte[] b = {0x0a, 0x0a, 0x13, 0x01};
        int[] extensions = {0x1a1a, 0x0000, 0x000a};
        String ja4 = Ja4.body(b, 0, 4, extensions, 3, -1, 0, -1, 0x0303, List.of(0x2a2a, 0x0304), true);
        assertThat(ja4).startsWith("t13d010200_");
    }

    /** A hello's inputs laid out as Ja4.body reads them: ciphers, then signature algorithms, then one ALPN value. */
    private record Hello(byte[] b, int ciphersLength, int[] extensions, int sigAt, int sigLength, int alpnAt,
            List<Integer> versions, boolean sni) {
        static Hello of(List<Integer> ciphers, List<Integer> extensions, List<Integer> sigalgs, String alpn,
                List<Integer> versions, boolean sni) {
            byte[] b = new byte[2 * ciphers.size() + 2 * sigalgs.size() + 1 + alpn.length()];
            int p = 0;
            for (int c : ciphers) {
                b[p++] = (byte) (c >> 8);
                b[p++] = (byte) c;
            }
            int sig = p;
            for (int a : sigalgs) {
                b[p++] = (byte) (a >> 8);
                b[p++] = (byte) a;
            }
            int alpnAt = p;
            b[p++] = (byte) alpn.length();
            for (char ch : alpn.toCharArray()) {
                b[p++] = (byte) ch;
            }
            return new Hello(b, 2 * ciphers.size(), extensions.stream().mapToInt(Integer::intValue).toArray(),
                    sigalgs.isEmpty() ? -1 : sig, 2 * sigalgs.size(), alpn.isEmpty() ? -1 : alpnAt, versions, sni);
        }

        String ja4(boolean memo) {
            return Ja4.body(b, 0, ciphersLength, extensions, extensions.length, sigAt, sigLength, alpnAt, 0x0303,
                    versions, sni, memo);
        }
    }

    @Test
    void body_extensionsShuffled_sameFingerprintFromTheMemo() {
        List<Integer> extensions = new ArrayList<>(SPEC_EXTENSIONS);
        String first = Hello.of(SPEC_CIPHERS, extensions, SPEC_SIGALGS, "h2", List.of(0x0304), true).ja4(true);
        Collections.shuffle(extensions, new Random(7)); // as Chrome does on every connection
        String second = Hello.of(SPEC_CIPHERS, extensions, SPEC_SIGALGS, "h2", List.of(0x0304), true).ja4(true);
        assertThat(second).isEqualTo("t13d1516h2_8daaf6152771_e5627efa2ab1").isSameAs(first);
    }

    /**
     * Hellos of a few hundred client stacks (more than the memo holds), extensions shuffled, GREASE
     * here and there, and now and then one never seen again: the memo gives what computing gives.
     */
    @Test
    void body_manyClients_memoAgreesWithComputing() {
        Random rnd = new Random(20261121);
        int[] pool = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c,
            0x009d, 0x002f, 0x0035, 0x0000, 0x0010, 0x000d, 0x002b, 0x0033, 0x4469, 0xfe0d, 0x0a0a, 0x1a1a, 0x0403,
            0x0804, 0x0503, 0x0601};
        List<Hello> clients = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            clients.add(randomHello(rnd, pool));
        }
        int same = 0;
        for (int i = 0; i < 20_000; i++) {
            Hello h;
            if (rnd.nextInt(20) == 0) {
                h = randomHello(rnd, pool);
            } else {
                Hello c = clients.get(rnd.nextInt(rnd.nextBoolean() ? 10 : clients.size()));
                List<Integer> ext = new ArrayList<>();
                for (int e : c.extensions()) {
                    ext.add(e);
                }
                Collections.shuffle(ext, rnd);
                h = new Hello(c.b(), c.ciphersLength(), ext.stream().mapToInt(Integer::intValue).toArray(), c.sigAt(),
                        c.sigLength(), c.alpnAt(), c.versions(), c.sni());
            }
            String memo = h.ja4(true);
            assertThat(memo).as("hello %d", i).isEqualTo(h.ja4(false));
            if (memo == h.ja4(true)) {
                same++;
            }
        }
        assertThat(same).as("fingerprints served from the memo").isGreaterThan(10_000);
    }

    @Test
    void body_hugeCipherList_notRememberedButRight() {
        List<Integer> ciphers = new ArrayList<>();
        for (int i = 0; i < Ja4.MEMO_MAX_KEY + 50; i++) {
            ciphers.add(0x0100 + i);
        }
        Hello h = Hello.of(ciphers, List.of(0x000d), List.of(0x0403), "h2", List.of(), false);
        String first = h.ja4(true);
        assertThat(first).isEqualTo(h.ja4(false)).startsWith("t12i9901h2_");
        assertThat(h.ja4(true)).isEqualTo(first).isNotSameAs(first);
    }

    private static Hello randomHello(Random rnd, int[] pool) {
        List<Integer> ciphers = new ArrayList<>();
        List<Integer> extensions = new ArrayList<>();
        List<Integer> sigalgs = new ArrayList<>();
        for (int i = rnd.nextInt(20); i > 0; i--) {
            ciphers.add(pool[rnd.nextInt(pool.length)]);
        }
        for (int i = rnd.nextInt(20); i > 0; i--) {
            extensions.add(pool[rnd.nextInt(pool.length)]);
        }
        for (int i = rnd.nextInt(10); i > 0; i--) {
            sigalgs.add(pool[rnd.nextInt(pool.length)]);
        }
        String alpn = switch (rnd.nextInt(4)) {
            case 0 -> "";
            case 1 -> "h2";
            case 2 -> "http/1.1";
            default -> "\u0001x";
        };
        List<Integer> versions = rnd.nextBoolean() ? List.of(0x0304, 0x0303) : List.of();
        return Hello.of(ciphers, extensions, sigalgs, alpn, versions, rnd.nextBoolean());
    }
}
