package dev.umbra.classifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ValueHasherTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void hmac_rfc4231TestCase2_matchesPublishedValue() {
        // RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?"
        assertThat(new ValueHasher(bytes("Jefe")).hmac("what do ya want for nothing?", 0, 28))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void hmac_rfc4231TestCase6_longKeyIsHashedFirst() {
        // RFC 4231 section 4.7: 131-byte key of 0xaa
        byte[] key = new byte[131];
        java.util.Arrays.fill(key, (byte) 0xaa);
        String data = "Test Using Larger Than Block-Size Key - Hash Key First";
        assertThat(new ValueHasher(key).hmac(data, 0, data.length()))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void hmac_nonAsciiAndSubrange_useUtf8OfTheSpan() {
        ValueHasher h = new ValueHasher(bytes("0123456789abcdef"));
        assertThat(h.hmac("xx\u00e9t\u00e9yy", 2, 5)).isEqualTo(h.hmac("\u00e9t\u00e9", 0, 3));
        assertThat(h.hmac("abc", 0, 3)).isNotEqualTo(h.hmac("abd", 0, 3));
    }
}
