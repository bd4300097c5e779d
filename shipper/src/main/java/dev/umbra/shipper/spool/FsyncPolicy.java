package dev.umbra.shipper.spool;

import java.util.Locale;

/** When the spool forces its writes to the disk ({@code spool.fsync}). */
public enum FsyncPolicy {
    /** After every appended batch: survives power loss, slowest. */
    ALWAYS,
    /** At most every {@code spool.fsync.interval.ms}: a power loss loses at most that window. */
    INTERVAL,
    /** Never explicitly; the OS writes back. Survives a process kill, not a power loss. */
    NEVER;

    /** Parses {@code always}, {@code interval} or {@code never}. */
    public static FsyncPolicy fromId(String id) {
        try {
            return valueOf(id.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Invalid value " + id
                    + " for configuration spool.fsync: expected always, interval or never");
        }
    }
}
