package dev.umbra.sensor.capture.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens and closes a live capture in a JVM of its own, for tests that change what the process may
 * load or do (no libpcap, no CAP_NET_RAW). Prints {@code OK}, the link type and whether the kernel
 * had the interface in promiscuous mode while the capture was open (IFF_PROMISC in
 * /sys/class/net/IF/flags), or the error's reason and message, on one line; exit 0 or 1.
 */
public final class LiveCaptureProbe {
    private LiveCaptureProbe() {
    }

    public static void main(String[] args) {
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(args[0]))) {
            String flags = Files.readString(Path.of("/sys/class/net", args[0], "flags")).strip();
            boolean promiscuous = (Integer.decode(flags) & 0x100) != 0;
            System.out.println("OK linktype " + capture.linkType() + " promiscuous " + promiscuous);
        } catch (IOException e) {
            System.out.println("cannot read the interface flags: " + e);
            System.exit(1);
        } catch (LiveCaptureException e) {
            System.out.println(e.reason() + ": " + e.getMessage());
            System.exit(1);
        }
    }
}
