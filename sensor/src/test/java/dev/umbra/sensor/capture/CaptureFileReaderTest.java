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
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CaptureFileReaderTest {
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
}
