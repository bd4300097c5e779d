package dev.umbra.classifier;

import java.util.Locale;

/** How sure a detector is, on Google DLP's five-step scale. */
public enum Likelihood {
    VERY_UNLIKELY, UNLIKELY, POSSIBLE, LIKELY, VERY_LIKELY;

    /** The lowercase wire form used in findings. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
