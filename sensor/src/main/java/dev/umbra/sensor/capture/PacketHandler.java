package dev.umbra.sensor.capture;

/**
 * Receives captured frames. The buffer is only valid during the call: the reader reuses it.
 */
@FunctionalInterface
public interface PacketHandler {

    /**
     * Handles one frame.
     *
     * @param linkType the LINKTYPE_ value of the interface the frame was captured on
     * @param timestampNanos capture time in nanoseconds since the epoch
     * @param buf buffer holding the frame
     * @param off offset of the first byte of the frame
     * @param capturedLength bytes of the frame present in the buffer
     * @param originalLength length of the frame on the wire
     */
    void onPacket(int linkType, long timestampNanos, byte[] buf, int off, int capturedLength, int originalLength);
}
