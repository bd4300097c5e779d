package dev.umbra.signatures;

import java.util.Locale;

/** The organisation's policy outcome for an AI service. */
public enum Verdict {
    SANCTIONED,
    TOLERATED,
    UNSANCTIONED,
    /** No policy says anything about the service. */
    UNKNOWN;

    /** The lowercase wire form used in policy files and findings. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a policy-file value strictly.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    public static Verdict fromId(String id) {
        if (id != null) {
            String wanted = id.trim().toUpperCase(Locale.ROOT);
            for (Verdict v : values()) {
                if (v.name().equals(wanted)) {
                    return v;
                }
            }
        }
        throw new IllegalArgumentException(
                "unknown verdict: " + id + " (one of sanctioned, tolerated, unsanctioned, unknown)");
    }
}
