package dev.umbra.sensor.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.flow.FlowKey;
import java.net.InetAddress;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IpTextTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    @Test
    void v4_anyOffset_dottedQuad() {
        byte[] b = {9, 9, (byte) 192, 0, 2, (byte) 255, 9};
        assertThat(IpText.v4(b, 2)).isEqualTo("192.0.2.255");
        assertThat(IpText.v4(new byte[4], 0)).isEqualTo("0.0.0.0");
    }

    /** The examples of RFC 5952 sections 4.1 to 4.3 and 5. */
    @Test
    void v6_rfc5952Examples_canonicalText() {
        assertThat(IpText.v6(hex("20010db8000000000000000000000001"), 0)).isEqualTo("2001:db8::1");
        assertThat(IpText.v6(hex("20010db8000000000000000000020001"), 0)).isEqualTo("2001:db8::2:1");
        // 4.2.2: a single zero word is not shortened
        assertThat(IpText.v6(hex("20010db8000000010001000100010001"), 0)).isEqualTo("2001:db8:0:1:1:1:1:1");
        // 4.2.3: the longest run, the first one on a tie
        assertThat(IpText.v6(hex("20010000000000010000000000000001"), 0)).isEqualTo("2001:0:0:1::1");
        assertThat(IpText.v6(hex("20010db8000000000001000000000001"), 0)).isEqualTo("2001:db8::1:0:0:1");
        // 4.1: leading zeros dropped, lowercase
        assertThat(IpText.v6(hex("20010DB800AB0ABCFFFF000000000000"), 0)).isEqualTo("2001:db8:ab:abc:ffff::");
        assertThat(IpText.v6(new byte[16], 0)).isEqualTo("::");
        assertThat(IpText.v6(hex("00000000000000000000000000000001"), 0)).isEqualTo("::1");
        // 5: IPv4-mapped keeps the dotted quad
        assertThat(IpText.v6(hex("00000000000000000000ffffc0000280"), 0)).isEqualTo("::ffff:192.0.2.128");
    }

    /**
     * Random addresses with zero words planted, against the JDK's parser: the text must parse back to
     * the same bytes, and have no leading zeros, no uppercase, and no "::" standing for one word.
     */
    @Test
    void v6_randomAddresses_roundTripInCanonicalForm() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5952);
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[17];
            rnd.nextBytes(b);
            for (int w = 0; w < 8; w++) {
                if (rnd.nextInt(3) == 0) {
                    b[1 + 2 * w] = 0;
                    b[2 + 2 * w] = 0;
                }
            }
            String text = IpText.v6(b, 1);
            byte[] back = InetAddress.getByName(text).getAddress();
            if (back.length == 4) {
                assertThat(text).startsWith("::ffff:");
                continue;
            }
            assertThat(back).isEqualTo(java.util.Arrays.copyOfRange(b, 1, 17));
            assertThat(text).doesNotContain(":::").matches("[0-9a-f:]+");
            for (String group : text.split(":", -1)) {
                assertThat(group.length() <= 1 || group.charAt(0) != '0').as(text).isTrue();
            }
            if (text.contains("::")) {
                int groups = text.replace("::", ":").split(":", -1).length;
                assertThat(text.split("::", -1)).hasSize(2);
                assertThat(groups).as(text).isLessThanOrEqualTo(7);
            }
        }
    }

    /** What v4 and v6 write parses back to the numbers FlowKey holds for the same bytes. */
    @Test
    void parse_textOfRandomAddresses_givesTheirFlowKeyNumbers() {
        SplittableRandom rnd = new SplittableRandom(4291);
        long[] out = new long[2];
        for (int n = 0; n < 50_000; n++) {
            boolean v6 = rnd.nextBoolean();
            byte[] b = new byte[16];
            rnd.nextBytes(b);
            if (v6) {
                for (int w = 0; w < 8; w++) {
                    if (rnd.nextInt(3) == 0) {
                        b[2 * w] = 0;
                        b[2 * w + 1] = 0;
                    }
                }
                if (rnd.nextInt(20) == 0) { // IPv4-mapped: "::ffff:a.b.c.d"
                    java.util.Arrays.fill(b, 0, 10, (byte) 0);
                    b[10] = (byte) 0xff;
                    b[11] = (byte) 0xff;
                }
            }
            FlowKey k = FlowKey.of(v6, b, 0, 0, 1, 1, 6);
            String text = v6 ? IpText.v6(b, 0) : IpText.v4(b, 0);
            assertThat(IpText.parse(text, out)).as(text).isTrue();
            assertThat(out).as(text).containsExactly(k.srcHi(), k.srcLo());
        }
    }

    @Test
    void parse_otherValidForms_matchTheJdk() throws Exception {
        long[] out = new long[2];
        for (String text : new String[] {"2001:DB8::1", "0:0:0:0:0:0:0:1", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4",
            "2001:db8:0:0:1::", "fe80::0001:2"}) {
            byte[] jdk = InetAddress.getByName(text).getAddress();
            assertThat(IpText.parse(text, out)).as(text).isTrue();
            if (jdk.length == 4) {
                assertThat(out[1]).as(text).isEqualTo(FlowKey.of(false, jdk, 0, 0, 1, 1, 6).srcLo());
            } else {
                FlowKey k = FlowKey.of(true, jdk, 0, 0, 1, 1, 6);
                assertThat(out).as(text).containsExactly(k.srcHi(), k.srcLo());
            }
        }
    }

    @Test
    void parse_notAnAddress_isFalse() {
        long[] out = new long[2];
        for (String text : new String[] {"", "1.2.3", "1.2.3.4.5", "1.2.3.256", "01.2.3.4", "1..2.3", "1.2.3.4.",
            ":1", "1:", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "g::1", "12345::1",
            "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3", "1.2.3.4::", "chatgpt.com", "a".repeat(50)}) {
            assertThat(IpText.parse(text, out)).as(text).isFalse();
        }
    }
}
