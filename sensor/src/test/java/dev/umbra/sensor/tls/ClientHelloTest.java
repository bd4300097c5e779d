package dev.umbra.sensor.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClientHelloTest {
    private static ClientHello hello(int legacy, Integer... supported) {
        return new ClientHello(legacy, "x.example", List.of(), List.of(supported), false, true, null);
    }

    @Test
    void tlsVersion_supportedVersionsWithGrease_isHighestRealOne() {
        assertThat(hello(0x0303, 0x3a3a, 0x0304, 0x0303).tlsVersion()).isEqualTo("1.3");
    }

    @Test
    void tlsVersion_noSupportedVersions_isLegacyVersion() {
        assertThat(hello(0x0303).tlsVersion()).isEqualTo("1.2");
        assertThat(hello(0x0302).tlsVersion()).isEqualTo("1.1");
        assertThat(hello(0x0301).tlsVersion()).isEqualTo("1.0");
        assertThat(hello(0x0300).tlsVersion()).isEqualTo("ssl3");
    }

    @Test
    void tlsVersion_onlyGreaseOffered_fallsBackToLegacyVersion() {
        assertThat(hello(0x0303, 0xfafa).tlsVersion()).isEqualTo("1.2");
    }

    @Test
    void tlsVersion_tls13Draft_namesTheDraft() {
        assertThat(hello(0x0303, 0x7f17).tlsVersion()).isEqualTo("1.3-draft23");
    }

    @Test
    void tlsVersion_unknownCode_isFourHexDigits() {
        assertThat(hello(0xfefd).tlsVersion()).isEqualTo("fefd");
    }
}
