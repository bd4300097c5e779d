package dev.umbra.sensor.capture.live;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.capture.CaptureSummary;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the Ethernet frames of a capture file as a trafgen (netsniff-ng) packet configuration: one
 * {@code {b,b,...}} block of decimal bytes per frame, in file order. trafgen sends them from a
 * packet socket's TX ring, several times faster than tcpreplay's one {@code sendto} per frame: on
 * this 2-core host about 730 k frames/s onto a veth against tcpreplay's 260-290 k. {@code netsniff-ng
 * --in FILE.pcap --out FILE.cfg} writes the same thing, but took 108 s for 200 k frames.
 */
final class TrafgenConfig {
    /** trafgen's largest frame without its jumbo option. */
    static final int MAX_FRAME = 2048;
    private static final int LINKTYPE_ETHERNET = 1;

    private TrafgenConfig() {
    }

    /** What was written. */
    record Written(long frames, long skipped) {
    }

    /**
     * Writes {@code capture}'s Ethernet frames to {@code config}. Frames of other link types, cut
     * short by the snap length, or longer than {@link #MAX_FRAME} are skipped and counted.
     */
    static Written write(Path capture, Path config) throws IOException, CaptureFormatException {
        return write(capture, config, Long.MAX_VALUE);
    }

    /**
     * Writes the first {@code maxFrames} Ethernet frames of {@code capture}. trafgen's parser slows
     * down faster than the file grows: 200 k frames (213 MB) take it about 35 s, 1 M frames more than
     * 14 minutes; it repeats a configuration as often as it is asked to, so a part of a large capture
     * sent several times offers the same rate.
     */
    static Written write(Path capture, Path config, long maxFrames) throws IOException, CaptureFormatException {
        byte[] digits = new byte[256 * 4];
        int[] digitLength = new int[256];
        for (int v = 0; v < 256; v++) {
            byte[] text = Integer.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(text, 0, digits, v * 4, text.length);
            digitLength[v] = text.length;
        }
        long[] counts = new long[2];
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(config), 1 << 20)) {
            CaptureSummary summary = CaptureFileReader.read(capture, (linkType, time, buf, off, length, original) -> {
                if (counts[0] >= maxFrames) {
                    return;
                }
                if (linkType != LINKTYPE_ETHERNET || length != original || length > MAX_FRAME || length == 0) {
                    counts[1]++;
                    return;
                }
                try {
                    out.write('{');
                    for (int i = 0; i < length; i++) {
                        int v = buf[off + i] & 0xff;
                        if (i > 0) {
                            out.write(',');
                        }
                        out.write(digits, v * 4, digitLength[v]);
                    }
                    out.write('}');
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                counts[0]++;
            }, new AnomalyCounters());
            if (counts[0] < maxFrames && summary.packets() != counts[0] + counts[1]) {
                throw new IOException("read " + summary.packets() + " frames but wrote " + counts[0] + " and skipped "
                        + counts[1]);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Written(counts[0], counts[1]);
    }
}
