package dev.umbra.classifier;

import java.util.Locale;

/** The family a detected sensitive item belongs to. */
public enum DetectionCategory {
    PII, PHI, SECRET, SOURCE_CODE, CUSTOM;

    /** The lowercase wire form used in findings and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
