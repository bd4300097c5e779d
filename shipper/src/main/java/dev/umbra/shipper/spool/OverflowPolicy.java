package dev.umbra.shipper.spool;

import java.util.Locale;

/** What the spool does when it reaches its size bound ({@code spool.overflow}). It never blocks. */
public enum OverflowPolicy {
    /** Remove the oldest segment and count its unsent records as {@code spool_full_oldest}. */
    DROP_OLDEST,
    /** Refuse the new record and count it as {@code spool_full_newest}. */
    DROP_NEWEST;

    /** Parses {@code drop_oldest} or {@code drop_newest}. */
    public static OverflowPolicy fromId(String id) {
        try {
            return valueOf(id.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value " + id
                    + " for configuration spool.overflow: expected drop_oldest or drop_newest");
        }
    }
}
