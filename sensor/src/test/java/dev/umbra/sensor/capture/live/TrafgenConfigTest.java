package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.gen.MixedCapture;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trafgen configuration {@link Replay#runTrafgen} sends: trafgen itself reads it back and writes
 * the frames to a pcap, which must hold the source's Ethernet frames byte for byte, in order.
 */
class TrafgenConfigTest {
    @TempDir
    Path dir;

    @Test
    void write_trafgenSendsTheCapturesFramesByteForByte() throws Exception {
        HostTools.require("trafgen", "netsniff-ng");
        Path capture = dir.resolve("mixed.pcap");
        MixedCapture.write(capture, 3_000, 5);
        List<byte[]> frames = frames(capture);

        Path config = dir.resolve("mixed.trafgen");
        TrafgenConfig.Written w = TrafgenConfig.write(capture, config);
        assertThat(w.frames()).isEqualTo(frames.size());
        assertThat(w.skipped()).isZero();

        Path out = dir.resolve("sent.pcap");
        HostTools.Result r = HostTools.run(120, "trafgen", "--in", config.toString(), "--out", out.toString(),
                "--num", Long.toString(w.frames()), "--cpus", "1");
        assertThat(r.exitCode()).as("trafgen: %s %s", r.out(), r.err()).isZero();
        List<byte[]> sent = frames(out);
        assertThat(sent).hasSameSizeAs(frames);
        for (int i = 0; i < frames.size(); i++) {
            assertThat(sent.get(i)).as("frame %d", i).isEqualTo(frames.get(i));
        }
    }

    @Test
    void write_framesTrafgenCannotSend_areSkippedAndCounted() throws Exception {
        // a pcap of link type raw IPv4 (101): nothing in it is an Ethernet frame
        Path capture = dir.resolve("raw.pcap");
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(capture))) {
            out.writeInt(0xa1b2c3d4);
            out.writeShort(2);
            out.writeShort(4);
            out.writeLong(0);
            out.writeInt(65535);
            out.writeInt(101);
            for (int i = 0; i < 3; i++) {
                out.writeInt(i);
                out.writeInt(0);
                out.writeInt(20);
                out.writeInt(20);
                out.write(new byte[20]);
            }
        }
        TrafgenConfig.Written w = TrafgenConfig.write(capture, dir.resolve("raw.trafgen"));
        assertThat(w.frames()).isZero();
        assertThat(w.skipped()).isEqualTo(3);
        assertThat(Files.size(dir.resolve("raw.trafgen"))).isZero();
    }

    private static List<byte[]> frames(Path file) throws IOException, dev.umbra.sensor.capture.CaptureFormatException {
        List<byte[]> frames = new ArrayList<>();
        CaptureFileReader.read(file, (linkType, time, buf, off, length, original) ->
                frames.add(Arrays.copyOfRange(buf, off, off + length)), new AnomalyCounters());
        return frames;
    }
}
