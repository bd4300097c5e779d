package dev.umbra.shipper.spool;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of a {@link DiskSpool}.
 *
 * <table>
 * <caption>configuration keys</caption>
 * <tr><th>key</th><th>default</th><th>rule</th></tr>
 * <tr><td>spool.dir</td><td>(required)</td><td>a writable directory, created if missing</td></tr>
 * <tr><td>spool.max.bytes</td><td>1 GiB</td><td>&ge; 2 &times; spool.segment.bytes</td></tr>
 * <tr><td>spool.segment.bytes</td><td>64 MiB</td><td>&ge; 1024</td></tr>
 * <tr><td>spool.max.record.bytes</td><td>1 MiB</td><td>&ge; 64, &le; spool.segment.bytes</td></tr>
 * <tr><td>spool.fsync</td><td>interval</td><td>always, interval, never</td></tr>
 * <tr><td>spool.fsync.interval.ms</td><td>1000</td><td>&ge; 1</td></tr>
 * <tr><td>spool.overflow</td><td>drop_oldest</td><td>drop_oldest, drop_newest</td></tr>
 * </table>
 *
 * @param dir directory of the segment files
 * @param maxBytes size bound over every segment file
 * @param segmentBytes a segment is sealed and a new one started past this size
 * @param maxRecordBytes largest payload accepted
 * @param fsync when writes are forced to disk
 * @param fsyncIntervalMillis the interval for {@link FsyncPolicy#INTERVAL}
 * @param overflow what to do when full
 */
public record SpoolConfig(Path dir, long maxBytes, long segmentBytes, int maxRecordBytes, FsyncPolicy fsync,
        long fsyncIntervalMillis, OverflowPolicy overflow) {
    /** Default size bound: 1 GiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;
    /** Default segment size: 64 MiB. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** Default largest record: 1 MiB (Kafka's default {@code max.request.size}). */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1 << 20;

    public SpoolConfig {
        Objects.requireNonNull(dir, "spool.dir");
        Objects.requireNonNull(fsync, "spool.fsync");
        Objects.requireNonNull(overflow, "spool.overflow");
        if (segmentBytes < 1024) {
            throw invalid(segmentBytes, "spool.segment.bytes", "must be at least 1024");
        }
        if (maxBytes < 2 * segmentBytes) {
            throw invalid(maxBytes, "spool.max.bytes", "must be at least twice spool.segment.bytes ("
                    + segmentBytes + "). Lower spool.segment.bytes or raise spool.max.bytes");
        }
        if (maxRecordBytes < 64 || maxRecordBytes > segmentBytes) {
            throw invalid(maxRecordBytes, "spool.max.record.bytes",
                    "must be between 64 and spool.segment.bytes (" + segmentBytes + ")");
        }
        if (fsyncIntervalMillis < 1) {
            throw invalid(fsyncIntervalMillis, "spool.fsync.interval.ms", "must be at least 1");
        }
    }

    /** The defaults, spooling into {@code dir}. */
    public static SpoolConfig defaults(Path dir) {
        return new SpoolConfig(dir, DEFAULT_MAX_BYTES, DEFAULT_SEGMENT_BYTES, DEFAULT_MAX_RECORD_BYTES,
                FsyncPolicy.INTERVAL, 1000, OverflowPolicy.DROP_OLDEST);
    }

    /** A copy with another size bound and segment size. */
    public SpoolConfig withSizes(long newMaxBytes, long newSegmentBytes) {
        return new SpoolConfig(dir, newMaxBytes, newSegmentBytes, (int) Math.min(maxRecordBytes, newSegmentBytes),
                fsync, fsyncIntervalMillis, overflow);
    }

    /** A copy with another fsync policy. */
    public SpoolConfig withFsync(FsyncPolicy policy) {
        return new SpoolConfig(dir, maxBytes, segmentBytes, maxRecordBytes, policy, fsyncIntervalMillis, overflow);
    }

    /** A copy with another overflow policy. */
    public SpoolConfig withOverflow(OverflowPolicy policy) {
        return new SpoolConfig(dir, maxBytes, segmentBytes, maxRecordBytes, fsync, fsyncIntervalMillis, policy);
    }

    private static IllegalArgumentException invalid(Object value, String key, String rule) {
        return new IllegalArgumentException("Invalid value " + value + " for configuration " + key + ": " + rule);
    }
}
