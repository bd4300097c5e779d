package dev.umbra.classifier;

import java.util.Locale;

/** The family a detected sensitive item belongs to. */
public enum DetectionCategory {
    PII, PHI, SECRET, SOURCE_CODE, CUSTOM;

    /** The lowercase wire form used in findings and on the command line. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The category with this wire form (case-insensitive); unknown names are refused. */
    public static DetectionCategory fromId(String id) {
        for (DetectionCategory c : values()) {
            if (c.id().equalsIgnoreCase(id)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown category: " + id);
    }
}
