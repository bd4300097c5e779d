package dev.umbra.classifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DetectionTest {
    @Test
    void new_validDetection_keepsMaskedFormOnly() {
        Detection d = new Detection("credit_card", DetectionCategory.PII, Likelihood.VERY_LIKELY, 10, 29,
                "4111 **** **** 1111", "ab12");
        assertThat(d.masked()).isEqualTo("4111 **** **** 1111");
        assertThat(d.category().id()).isEqualTo("pii");
        assertThat(d.likelihood().id()).isEqualTo("very_likely");
    }

    @Test
    void new_badOffsets_isRefused() {
        assertThatThrownBy(() -> new Detection("email", DetectionCategory.PII, Likelihood.LIKELY, 5, 4, "a***", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5..4");
        assertThatThrownBy(() -> new Detection("email", DetectionCategory.PII, Likelihood.LIKELY, -1, 4, "a***", "x"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
