package dev.umbra.sensor.capture.live;

/**
 * Opens and closes a live capture in a JVM of its own, for tests that change what the process may
 * load or do (no libpcap, no CAP_NET_RAW). Prints {@code OK} or the error's reason and message on
 * one line; exit 0 or 1.
 */
public final class LiveCaptureProbe {
    private LiveCaptureProbe() {
    }

    public static void main(String[] args) {
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(args[0]))) {
            System.out.println("OK linktype " + capture.linkType());
        } catch (LiveCaptureException e) {
            System.out.println(e.reason() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
