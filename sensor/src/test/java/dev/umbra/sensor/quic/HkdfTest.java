package dev.umbra.sensor.quic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class HkdfTest {
    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hmac(Hkdf h, byte[] key, byte[] data) {
        byte[] out = new byte[Hkdf.HASH];
        h.hmac(key, key.length, data, data.length, null, out, 0);
        return out;
    }

    @Test
    void hmac_rfc4231TestCase1_matches() {
        byte[] key = new byte[20];
        Arrays.fill(key, (byte) 0x0b);
        assertThat(HEX.formatHex(hmac(new Hkdf(), key, "Hi There".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void hmac_rfc4231TestCase2_shortKeyMatches() {
        byte[] out = hmac(new Hkdf(), "Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));
        assertThat(HEX.formatHex(out)).isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void hmac_rfc4231TestCase6_keyLongerThanABlockIsHashedFirst() {
        byte[] key = new byte[131];
        Arrays.fill(key, (byte) 0xaa);
        byte[] out = hmac(new Hkdf(), key,
                "Test Using Larger Than Block-Size Key - Hash Key First".getBytes(StandardCharsets.US_ASCII));
        assertThat(HEX.formatHex(out)).isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void hmac_reusedInstanceAndSecondDataPart_matchesJceMac() throws Exception {
        Hkdf h = new Hkdf();
        Mac mac = Mac.getInstance("HmacSHA256");
        Random rnd = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] key = new byte[1 + rnd.nextInt(100)];
            byte[] data = new byte[rnd.nextInt(300)];
            byte[] tail = new byte[rnd.nextInt(3)];
            rnd.nextBytes(key);
            rnd.nextBytes(data);
            rnd.nextBytes(tail);
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(data);
            mac.update(tail);
            byte[] out = new byte[Hkdf.HASH + 3];
            h.hmac(key, key.length, data, data.length, tail, out, 3);
            assertThat(Arrays.copyOfRange(out, 3, out.length)).isEqualTo(mac.doFinal());
        }
    }

    @Test
    void expandOneBlock_outputMayBeThePrk() {
        Hkdf h = new Hkdf();
        byte[] prk = HEX.parseHex("7db5df06e7a69e432496adedb00851923595221596ae2ae9fb8115c1e9ed0a44");
        byte[] expected = new byte[Hkdf.HASH];
        h.expandOneBlock(prk.clone(), InitialKeys.labelInfo("client in", 32), expected);
        h.expandOneBlock(prk, InitialKeys.labelInfo("client in", 32), prk);
        // RFC 9001 A.1: client_initial_secret from the initial_secret above
        assertThat(HEX.formatHex(prk)).isEqualTo(HEX.formatHex(expected))
                .isEqualTo("c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea");
    }
}
