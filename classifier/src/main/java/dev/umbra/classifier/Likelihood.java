package dev.umbra.classifier;

import java.util.Locale;

/** How sure a detector is, on Google DLP's five-step scale. */
public enum Likelihood {
    VERY_UNLIKELY, UNLIKELY, POSSIBLE, LIKELY, VERY_LIKELY;

    /** The lowercase wire form used in findings. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** This likelihood moved {@code steps} levels up (negative: down), clamped to the scale. */
    public Likelihood shift(int steps) {
        Likelihood[] all = values();
        return all[Math.max(0, Math.min(all.length - 1, ordinal() + steps))];
    }

    /** The likelihood with this wire form (case-insensitive); unknown names are refused. */
    public static Likelihood fromId(String id) {
        for (Likelihood l : values()) {
            if (l.id().equalsIgnoreCase(id)) {
                return l;
            }
        }
        throw new IllegalArgumentException("unknown likelihood: " + id);
    }
}
