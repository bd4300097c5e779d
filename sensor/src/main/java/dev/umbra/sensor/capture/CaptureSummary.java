package dev.umbra.sensor.capture;

/**
 * What reading one capture file produced.
 *
 * @param format {@code pcap} or {@code pcapng}
 * @param packets frames handed to the handler
 * @param bytes bytes of the file consumed
 * @param stoppedAtOffset file offset of the record where reading stopped early, or -1 when the
 *     file was read to its end
 * @param stopReason why reading stopped early (truncated or corrupt record), or {@code null}
 */
public record CaptureSummary(String format, long packets, long bytes, long stoppedAtOffset, String stopReason) {

    /** True when the whole file was read. */
    public boolean complete() {
        return stoppedAtOffset < 0;
    }
}
