package dev.umbra.classifier;

import java.util.Objects;

/**
 * A sensitive item found in a payload. It never holds the raw value: only where it was, a masked
 * form safe to show, and a keyed hash that lets repeats be correlated.
 *
 * @param type detector type, stable snake_case ({@code email}, {@code credit_card}, {@code aws_access_key_id})
 * @param category the family of the type
 * @param likelihood how sure the detector is
 * @param start offset of the first character in the decoded text
 * @param end offset after the last character in the decoded text
 * @param masked the value with most characters replaced (for example {@code 4111 **** **** 1111})
 * @param hmac hex HMAC-SHA256 of the value under the deployment's key
 */
public record Detection(String type, DetectionCategory category, Likelihood likelihood, int start, int end,
        String masked, String hmac) {

    public Detection {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(likelihood, "likelihood");
        Objects.requireNonNull(masked, "masked");
        Objects.requireNonNull(hmac, "hmac");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad offsets: " + start + ".." + end);
        }
    }
}
