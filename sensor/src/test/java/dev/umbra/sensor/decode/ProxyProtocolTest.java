package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyProtocolTest {
    private static int length(byte[] b, int len) {
        return ProxyProtocol.headerLength(b, 0, len);
    }

    @Test
    void headerLength_v1_returnsLengthThroughCrlf() {
        byte[] b = "PROXY TCP6 2001:db8::1 2001:db8::2 51000 443\r\n\u0016\u0003".getBytes(StandardCharsets.US_ASCII);
        assertThat(length(b, b.length)).isEqualTo(b.length - 2);
    }

    @Test
    void headerLength_v2_returnsSixteenPlusAddressLength() {
        byte[] b = hex("0d0a0d0a000d0a515549540a21110014" + "00".repeat(20));
        assertThat(length(b, b.length)).isEqualTo(36);
    }

    @Test
    void headerLength_cutShort_needsMore() {
        byte[] v1 = "PROXY TCP4 1.2.3.4".getBytes(StandardCharsets.US_ASCII);
        assertThat(length(v1, v1.length)).isEqualTo(ProxyProtocol.NEED_MORE);
        assertThat(length(v1, 3)).isEqualTo(ProxyProtocol.NEED_MORE);
        assertThat(length(hex("0d0a0d0a000d0a51"), 8)).isEqualTo(ProxyProtocol.NEED_MORE);
    }

    @Test
    void headerLength_v1WithoutCrlfWithinCap_isMalformed() {
        byte[] b = ("PROXY " + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
        assertThat(length(b, b.length)).isEqualTo(ProxyProtocol.MALFORMED);
    }

    @Test
    void headerLength_v2WrongVersion_isMalformed() {
        assertThat(length(hex("0d0a0d0a000d0a515549540a11110000"), 16)).isEqualTo(ProxyProtocol.MALFORMED);
    }

    @Test
    void headerLength_otherBytes_isZero() {
        assertThat(length(hex("160301"), 3)).isZero();
        assertThat(length("POST / HTTP/1.1".getBytes(StandardCharsets.US_ASCII), 15)).isZero();
        assertThat(length(hex("0d0a4745"), 4)).isZero();
        assertThat(length(new byte[0], 0)).isZero();
    }
}
