package dev.umbra.classifier.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChecksTest {
    @Test
    void luhn_publishedTestCardNumbers_pass() {
        assertThat(Checks.luhn("4111 1111 1111 1111", 0, 19)).isTrue();
        assertThat(Checks.luhn("378282246310005", 0, 15)).isTrue();
        assertThat(Checks.luhn("4111111111111112", 0, 16)).isFalse();
    }

    @Test
    void iban_registryExamples_passAndAlteredFails() {
        assertThat(Checks.iban("GB82WEST12345698765432", 0, 22)).isTrue();
        assertThat(Checks.iban("DE89 3704 0044 0532 0130 00", 0, 27)).isTrue();
        assertThat(Checks.iban("GB83WEST12345698765432", 0, 22)).isFalse();
        assertThat(Checks.iban("GB82west12345698765432", 0, 22)).isFalse();
    }

    @Test
    void githubChecksum_tokenFromIndependentGenerator_passes() {
        // computed by test-data/payloads/generate.py's implementation (Python zlib.crc32 + base62)
        String t = "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";
        assertThat(Checks.githubChecksum(t, 4, 34)).isTrue();
        assertThat(Checks.githubChecksum(t.replace('a', 'b'), 4, 34)).isFalse();
        assertThat(Checks.githubChecksum("ghp_aB3dE5fG7hJ9kL1mN2pQ4rS6tU8vW0", 4, 34)).isFalse();
    }

    @Test
    void entropy_uniformAndConstant_haveExpectedBits() {
        assertThat(Checks.entropy("aaaaaaaa", 0, 8)).isEqualTo(0.0);
        assertThat(Checks.entropy("abcdefgh", 0, 8)).isEqualTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
    }
}
