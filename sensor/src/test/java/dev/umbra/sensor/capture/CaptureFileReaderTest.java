package dev.umbra.sensor.capture;

import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.pcap;
import static dev.umbra.sensor.TestFrames.pcapng;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.TestFrames.Iface;
import dev.umbra.sensor.TestFrames.Packet;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptureFileReaderTest {
    @TempDir
    Path tmp;

    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final List<long[]> seen = new ArrayList<>(); // linkType, timestamp, length, first byte

    private final PacketHandler recorder = (linkType, ts, buf, off, len, orig) ->
            seen.add(new long[] {linkType, ts, len, len > 0 ? buf[off] & 0xff : -1});

    private CaptureSummary read(byte[] file) throws Exception {
        return CaptureFileReader.read(Channels.newChannel(new ByteArrayInputStream(file)), recorder, anomalies);
    }

    private static byte[] frame(String name) {
        return ethernet(ip("10.0.0.1", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, name, 1))));
    }

    @Test
    void read_pcapEitherByteOrderMicros_deliversFramesWithTimes() throws Exception {
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            seen.clear();
            CaptureSummary s = read(pcap(order, false, 1, List.of(frame("a.example"), frame("b.example"))));
            assertThat(s.format()).isEqualTo("pcap");
            assertThat(s.packets()).isEqualTo(2);
            assertThat(s.complete()).isTrue();
            assertThat(seen.get(0)[0]).isEqualTo(1);
            assertThat(seen.get(0)[1]).isEqualTo(1_700_000_000L * 1_000_000_000L + 123_456_000L);
            assertThat(seen.get(1)[2]).isEqualTo(frame("b.example").length);
        }
    }

    @Test
    void read_pcapNanos_keepsNanoseconds() throws Exception {
        read(pcap(ByteOrder.LITTLE_ENDIAN, true, 1, List.of(frame("a.example"))));
        assertThat(seen.get(0)[1]).isEqualTo(1_700_000_000L * 1_000_000_000L + 123_456_789L);
    }

    @Test
    void read_pcapngMixedLinkTypesAndResolutions_givesEachPacketItsInterface() throws Exception {
        byte[] raw = ip("10.0.0.1", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, "c.example", 1)));
        for (ByteOrder order : List.of(ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN)) {
            seen.clear();
            CaptureSummary s = read(pcapng(order,
                    List.of(new Iface(1, -1), new Iface(101, 9)),
                    List.of(new Packet(0, 1_700_000_000_123_456L, frame("a.example")),
                            new Packet(1, 1_700_000_000_123_456_789L, raw))));
            assertThat(s.format()).isEqualTo("pcapng");
            assertThat(s.packets()).isEqualTo(2);
            assertThat(seen.get(0)[0]).isEqualTo(1);
            assertThat(seen.get(0)[1]).isEqualTo(1_700_000_000_123_456_000L);
            assertThat(seen.get(1)[0]).isEqualTo(101);
            assertThat(seen.get(1)[1]).isEqualTo(1_700_000_000_123_456_789L);
            assertThat(seen.get(1)[3]).isEqualTo(0x45);
        }
    }

    @Test
    void read_pcapngPacketOfUndeclaredInterface_isCountedAndSkipped() throws Exception {
        CaptureSummary s = read(pcapng(ByteOrder.LITTLE_ENDIAN, List.of(new Iface(1, -1)),
                List.of(new Packet(3, 0, frame("a.example")), new Packet(0, 0, frame("b.example")))));
        assertThat(s.packets()).isEqualTo(1);
        assertThat(anomalies.get(dev.umbra.sensor.Anomaly.CAPTURE_UNKNOWN_INTERFACE)).isEqualTo(1);
    }

    @Test
    void read_pcapngSimplePacketBlockTooShortForItsLength_isCountedAndSkipped() throws Exception {
        // found by a 30 M-input fuzz campaign (seed 3): a 12-byte SPB left -4 bytes of packet data
        byte[] base = pcapng(ByteOrder.LITTLE_ENDIAN, List.of(new Iface(1, -1)),
                List.of(new Packet(0, 0, frame("a.example"))));
        byte[] spb = java.nio.ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(3).putInt(12).putInt(12)
                .array();
        byte[] tail = pcapng(ByteOrder.LITTLE_ENDIAN, List.of(new Iface(1, -1)), List.of(new Packet(0, 0,
                frame("b.example"))));
        byte[] file = new byte[base.length + spb.length + tail.length];
        System.arraycopy(base, 0, file, 0, base.length);
        System.arraycopy(spb, 0, file, base.length, spb.length);
        System.arraycopy(tail, 0, file, base.length + spb.length, tail.length);
        CaptureSummary s = read(file);
        assertThat(s.packets()).isEqualTo(2);
        assertThat(seen).allSatisfy(f -> assertThat(f[2]).isEqualTo(frame("a.example").length));
        assertThat(anomalies.get(dev.umbra.sensor.Anomaly.CAPTURE_BAD_BLOCK)).isEqualTo(1);
    }

    @Test
    void read_pcapCutMidPacket_deliversEverythingBeforeAndNamesOffset() throws Exception {
        byte[] file = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(frame("a.example"), frame("b.example")));
        int secondRecord = 24 + 16 + frame("a.example").length;
        CaptureSummary s = read(Arrays.copyOf(file, file.length - 5));
        assertThat(s.packets()).isEqualTo(1);
        assertThat(s.complete()).isFalse();
        assertThat(s.stoppedAtOffset()).isEqualTo(secondRecord);
        assertThat(s.stopReason()).contains("cut off");
    }

    @Test
    void read_pcapngCutMidBlock_deliversEverythingBefore() throws Exception {
        byte[] file = pcapng(ByteOrder.BIG_ENDIAN, List.of(new Iface(1, -1)),
                List.of(new Packet(0, 0, frame("a.example")), new Packet(0, 0, frame("b.example"))));
        CaptureSummary s = read(Arrays.copyOf(file, file.length - 10));
        assertThat(s.packets()).isEqualTo(1);
        assertThat(s.stoppedAtOffset()).isPositive();
    }

    @Test
    void read_pcapRecordLengthAbsurd_stopsWithReason() throws Exception {
        byte[] file = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(frame("a.example")));
        file[24 + 8 + 3] = 0x7f; // incl_len of the first record: 2 GB
        CaptureSummary s = read(file);
        assertThat(s.packets()).isZero();
        assertThat(s.stopReason()).contains("exceeds");
        assertThat(s.stoppedAtOffset()).isEqualTo(24);
    }

    @Test
    void read_notACapture_throwsClearReason() {
        assertThatThrownBy(() -> read("hello, this is a text file\n".getBytes()))
                .isInstanceOf(CaptureFormatException.class).hasMessageContaining("not a pcap or pcapng");
        assertThatThrownBy(() -> read(new byte[0])).isInstanceOf(CaptureFormatException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> read(new byte[] {(byte) 0xd4, (byte) 0xc3, (byte) 0xb2, (byte) 0xa1, 2, 0}))
                .isInstanceOf(CaptureFormatException.class).hasMessageContaining("header cut off");
    }

    @Test
    void read_randomAndMutatedFiles_neverThrowAnythingButFormatErrors() throws IOException {
        Random random = new Random(3);
        byte[] validPcap = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(frame("a.example"), frame("b.example")));
        byte[] validNg = pcapng(ByteOrder.LITTLE_ENDIAN, List.of(new Iface(1, 6), new Iface(113, -1)),
                List.of(new Packet(0, 5, frame("a.example")), new Packet(1, 6, frame("b.example"))));
        for (int i = 0; i < 50_000; i++) {
            byte[] b = (i % 2 == 0 ? validPcap : validNg).clone();
            for (int k = 0; k <= random.nextInt(6); k++) {
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
            }
            b = Arrays.copyOf(b, random.nextInt(b.length + 1));
            try {
                read(b);
            } catch (CaptureFormatException expected) {
                // documented outcome for a file that is not a capture
            } catch (Exception e) {
                throw new AssertionError("iteration " + i + " threw " + e, e);
            }
        }
        assertThat(seen).isNotEmpty();
    }
    @Test
    void read_gzipCompressedPcapAndPcapng_readAsTheyAre() throws Exception {
        byte[] pcap = pcap(ByteOrder.LITTLE_ENDIAN, true, 1, List.of(frame("a.example"), frame("b.example")));
        byte[] pcapng = pcapng(ByteOrder.BIG_ENDIAN, List.of(new Iface(1, -1)),
                List.of(new Packet(0, 0, frame("c.example"))));
        for (byte[] capture : List.of(pcap, pcapng)) {
            Path file = write("capture.gz", gzip(capture));
            assertThat(CaptureFileReader.isCapture(file)).isTrue();
            seen.clear();
            CaptureSummary plain = read(capture);
            List<long[]> plainFrames = List.copyOf(seen);
            seen.clear();
            CaptureSummary s = CaptureFileReader.read(file, recorder, anomalies);
            assertThat(s).as("same summary as the uncompressed capture").isEqualTo(plain);
            assertThat(s.complete()).isTrue();
            assertThat(seen).as("same frames").usingRecursiveFieldByFieldElementComparator().isEqualTo(plainFrames);
            assertThat(seen).hasSize((int) plain.packets()).isNotEmpty();
        }
    }

    @Test
    void read_gzipCutOffAtARecordBoundary_deliversWhatCameBeforeAndSaysWhy() throws Exception {
        byte[] one = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(frame("a.example")));
        byte[] two = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(frame("a.example"), frame("b.example")));
        // two gzip members, the first holding exactly the header and the first record: cutting the second
        // member leaves a stream whose data so far ends on a record boundary
        byte[] first = gzip(one);
        byte[] second = gzip(Arrays.copyOfRange(two, one.length, two.length));
        byte[] cut = new byte[first.length + second.length / 2];
        System.arraycopy(first, 0, cut, 0, first.length);
        System.arraycopy(second, 0, cut, first.length, second.length / 2);
        CaptureSummary s = CaptureFileReader.read(write("cut.pcap.gz", cut), recorder, anomalies);
        assertThat(s.packets()).isGreaterThanOrEqualTo(1);
        assertThat(s.complete()).isFalse();
        assertThat(s.stopReason()).contains("compressed data cut off");
        assertThat(seen).hasSize((int) s.packets());
    }

    @Test
    void read_gzipCorruptOrRandom_stopsWithAReasonNeverThrowsBeyondTheFormatError() throws Exception {
        byte[] capture = pcap(ByteOrder.LITTLE_ENDIAN, false, 1, List.of(frame("a.example"), frame("b.example"),
                frame("c.example")));
        byte[] gz = gzip(capture);
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            byte[] bad = gz.clone();
            int flips = 1 + random.nextInt(4);
            for (int f = 0; f < flips; f++) {
                bad[2 + random.nextInt(bad.length - 2)] ^= (byte) (1 + random.nextInt(255)); // magic kept
            }
            byte[] mutated = random.nextBoolean() ? bad : Arrays.copyOf(bad, 2 + random.nextInt(bad.length - 2));
            Path file = write("bad.gz", mutated);
            try {
                CaptureSummary s = CaptureFileReader.read(file, recorder, anomalies);
                // corrupt deflate data decompresses to other bytes until the CRC check at the member's end
                assertThat(s.packets()).isLessThanOrEqualTo(s.bytes() / 16); // a record has a 16-byte header
                if (!s.complete()) {
                    assertThat(s.stopReason()).isNotBlank();
                }
            } catch (CaptureFormatException e) {
                // a gzip header broken, or nothing that reads as a capture header came out
                assertThat(e.getMessage()).isNotBlank();
            }
            CaptureFileReader.isCapture(file); // answers, never throws
        }
    }

    @Test
    void isCapture_gzipOfALogOrNothing_isFalse() throws Exception {
        assertThat(CaptureFileReader.isCapture(write("log.gz", gzip("1700000000.123 5 10.0.0.1 TCP_MISS/200\n"
                .getBytes(StandardCharsets.US_ASCII))))).isFalse();
        assertThat(CaptureFileReader.isCapture(write("empty.gz", gzip(new byte[0])))).isFalse();
        assertThat(CaptureFileReader.isCapture(write("magic-only.gz", new byte[] {0x1f, (byte) 0x8b}))).isFalse();
        assertThat(CaptureFileReader.isCapture(write("plain.pcap", pcap(ByteOrder.BIG_ENDIAN, false, 1, List.of()))))
                .isTrue();
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        }
        return out.toByteArray();
    }
}
