package dev.umbra.sensor.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JA4 rules from FoxIO's technical_details/JA4.md, each checked on a hand-built hello. */
class Ja4Test {
    private static final int[] NO_EXT = new int[0];

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
        int[] ciphers = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014,
            0x009c, 0x009d, 0x002f, 0x0035};
        int[] extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
            0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
        int[] sigalgs = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
        byte[] b = new byte[200];
        int p = 0;
        for (int c : ciphers) {
            b[p++] = (byte) (c >> 8);
            b[p++] = (byte) c;
        }
        int sig = p;
        for (int s : sigalgs) {
            b[p++] = (byte) (s >> 8);
            b[p++] = (byte) s;
        }
        int alpn = p;
        b[p++] = 2;
        b[p++] = 'h';
        b[p++] = '2';
        String ja4 = Ja4.body(b, 0, ciphers.length * 2, extensions, extensions.length, sig, sigalgs.length * 2, alpn,
                0x0303, List.of(0x0304, 0x0303), true);
        assertThat(ja4).isEqualTo("t13d1516h2_8daaf6152771_e5627efa2ab1");
    }

    @Test
    void body_noSignatureAlgorithms_hashesExtensionsWithoutUnderscore() {
        int[] extensions = {0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012,
            0x002b, 0xff01, 0x000b, 0x000a, 0x0015};
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
}
