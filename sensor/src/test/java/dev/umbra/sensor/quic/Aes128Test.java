package dev.umbra.sensor.quic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class Aes128Test {
    private static final HexFormat HEX = HexFormat.of();

    private static String encrypt(String key, String block) {
        Aes128 aes = new Aes128();
        aes.setKey(HEX.parseHex(key), 0);
        byte[] out = new byte[16];
        aes.encryptBlock(HEX.parseHex(block), 0, out, 0);
        return HEX.formatHex(out);
    }

    @Test
    void encryptBlock_fips197AppendixC1_matches() {
        assertThat(encrypt("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff"))
                .isEqualTo("69c4e0d86a7b0430d8cdb78070b4c55a");
    }

    @Test
    void encryptBlock_fips197AppendixB_matches() {
        assertThat(encrypt("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734"))
                .isEqualTo("3925841d02dc09fbdc118597196a0b32");
    }

    @Test
    void encryptBlock_rfc9001AppendixA2_givesTheHeaderProtectionMask() {
        assertThat(encrypt("9f50449e04a0e810283a1e9933adedd2", "d1b1c98dd7689fb8ec11d242b123dc9b"))
                .startsWith("437b9aec36");
    }

    @Test
    void encryptBlock_randomKeysAndBlocks_matchTheJdkCipher() throws Exception {
        Random rnd = new Random(9001);
        Aes128 aes = new Aes128();
        Cipher jdk = Cipher.getInstance("AES/ECB/NoPadding");
        byte[] buf = new byte[40];
        for (int i = 0; i < 2000; i++) {
            byte[] key = new byte[16];
            rnd.nextBytes(key);
            rnd.nextBytes(buf);
            int at = rnd.nextInt(8);
            aes.setKey(key, 0);
            jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            byte[] expected = jdk.doFinal(buf, at, 16);
            byte[] out = new byte[20];
            aes.encryptBlock(buf, at, out, 4);
            assertThat(Arrays.copyOfRange(out, 4, 20)).as("key %s", HEX.formatHex(key)).isEqualTo(expected);
            // in place, with the key set once for several blocks
            aes.encryptBlock(buf, at, buf, at);
            assertThat(Arrays.copyOfRange(buf, at, at + 16)).isEqualTo(expected);
        }
    }
}
