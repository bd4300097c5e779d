package dev.umbra.sensor.capture.live;

/**
 * Counters of a live capture since it was opened (over all its runs). The libpcap counters are those
 * of {@code pcap_stats(3PCAP)} on Linux.
 *
 * @param delivered frames handed to the packet handler
 * @param received frames the kernel passed the filter and offered to the capture ({@code ps_recv}; on
 *     Linux this count includes the dropped ones)
 * @param dropped frames dropped because the capture buffer was full ({@code ps_drop}): raise the
 *     buffer size or lighten the filter when this is not 0
 * @param droppedByInterface frames the interface or its driver dropped ({@code ps_ifdrop})
 */
public record LiveCaptureStats(long delivered, long received, long dropped, long droppedByInterface) {

    /** These counters and {@code other}'s added up (a capture over several handles). */
    public LiveCaptureStats plus(LiveCaptureStats other) {
        return new LiveCaptureStats(delivered + other.delivered, received + other.received, dropped + other.dropped,
                droppedByInterface + other.droppedByInterface);
    }

    /** Share of received frames that were dropped, 0 when nothing was received. */
    public double dropRatio() {
        return received <= 0 ? 0 : (double) dropped / received;
    }
}
