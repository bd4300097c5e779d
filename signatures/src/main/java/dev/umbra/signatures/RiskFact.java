package dev.umbra.signatures;

import java.time.LocalDate;
import java.util.Objects;

/**
 * One risk fact about an AI service, with where it comes from.
 *
 * @param value the fact's value ({@code yes}, {@code opt_out}, {@code US}, ...), or {@link #UNKNOWN}
 * @param source the URL the fact was taken from; {@code null} only when the value is unknown
 * @param reviewed the day a person last checked the fact against the source; {@code null} only when
 *     the value is unknown
 */
public record RiskFact(String value, String source, LocalDate reviewed) {
    /** The value of a fact nobody has established. */
    public static final String UNKNOWN = "unknown";
    /** The fact "not known", shared. */
    public static final RiskFact UNKNOWN_FACT = new RiskFact(UNKNOWN, null, null);

    public RiskFact {
        Objects.requireNonNull(value, "value");
        if (!UNKNOWN.equals(value) && (source == null || reviewed == null)) {
            throw new IllegalArgumentException("risk fact " + value + " needs a source and a reviewed date");
        }
    }

    /** True when the value is {@link #UNKNOWN}. */
    public boolean isUnknown() {
        return UNKNOWN.equals(value);
    }
}
