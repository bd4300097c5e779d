package dev.umbra.classifier.engine;

/**
 * How the evidence of a detection is masked.
 *
 * @param kind the masking strategy
 * @param keepFirst letters or digits kept at the start (for {@link Kind#KEEP} and {@link Kind#TOKEN})
 * @param keepLast letters or digits kept at the end
 * @param label the fixed text of {@link Kind#LABEL}
 */
public record Mask(Kind kind, int keepFirst, int keepLast, String label) {
    /** Masking strategies. */
    public enum Kind {
        /** Keep the first and last N letters or digits, star the others, keep separators. */
        KEEP,
        /** Token: first N characters, then {@code ****...}, then the last M. */
        TOKEN,
        /** Email: first letter of the local part, stars, the domain. */
        EMAIL,
        /** URL with credentials: scheme, starred user and password, host. */
        URL,
        /** A fixed label in place of the value (source code, PEM blocks). */
        LABEL
    }

    /** Keep {@code first} and {@code last} letters or digits. */
    public static Mask keep(int first, int last) {
        return new Mask(Kind.KEEP, first, last, null);
    }

    /** A token mask keeping a {@code prefix}-character prefix and the last {@code last} characters. */
    public static Mask token(int prefix, int last) {
        return new Mask(Kind.TOKEN, prefix, last, null);
    }

    /** An email mask. */
    public static Mask email() {
        return new Mask(Kind.EMAIL, 0, 0, null);
    }

    /** A URL-with-credentials mask. */
    public static Mask url() {
        return new Mask(Kind.URL, 0, 0, null);
    }

    /** A fixed label. */
    public static Mask label(String label) {
        return new Mask(Kind.LABEL, 0, 0, label);
    }
}
