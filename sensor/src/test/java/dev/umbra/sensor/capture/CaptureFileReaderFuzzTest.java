package dev.umbra.sensor.capture;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.pcap;
import static dev.umbra.sensor.TestFrames.pcapng;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.TestFrames.Iface;
import dev.umbra.sensor.TestFrames.Packet;
import dev.umbra.sensor.decode.LinkType;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.fuzz.Mutator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * 1,000,000 seeded mutated capture files (pcap in both byte orders and resolutions, the modified
 * pcap format, pcapng with interfaces of different link types, if_tsresol, EPB/SPB and an unknown
 * block; 5 % wholly random bytes) read through a real {@link PacketDecoder}. The only exception
 * allowed is {@link CaptureFormatException}; every frame handed on lies inside the reader's buffer;
 * no file yields more records than its bytes can hold; the decoder's guard never fires. The
 * timeout only guards against a loop without a cap.
 */
class CaptureFileReaderFuzzTest {
    private static final int RUNS = Mutator.RUNS;

    private static byte[] dns(String name) {
        return ethernet(ip("10.0.0.5", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, name, 1))));
    }

    /** A pcapng with a simple packet block (type 3) and an unknown block (type 0x0bad) between packets. */
    private static byte[] pcapngWithSpbAndUnknownBlock() {
        byte[] base = pcapng(ByteOrder.LITTLE_ENDIAN, List.of(new Iface(LinkType.ETHERNET, 9)),
                List.of(new Packet(0, 5, dns("ng.example"))));
        byte[] frame = dns("spb.example");
        int spbLength = 12 + ((frame.length + 3) & ~3) + 4;
        ByteBuffer extra = ByteBuffer.allocate(spbLength + 16).order(ByteOrder.LITTLE_ENDIAN);
        extra.putInt(3).putInt(spbLength).putInt(frame.length).put(frame);
        extra.position(spbLength - 4);
        extra.putInt(spbLength);
        extra.putInt(0x0bad).putInt(16).putInt(0xdeadbeef).putInt(16);
        byte[] out = Arrays.copyOf(base, base.length + extra.capacity());
        System.arraycopy(extra.array(), 0, out, base.length, extra.capacity());
        return out;
    }

    @Test
    @Timeout(180)
    void read_millionMutatedCaptureFiles_onlyFormatErrorsAndFramesInBounds() throws IOException {
        AnomalyCounters anomalies = new AnomalyCounters();
        long[] observations = new long[1];
        PacketDecoder decoder = new PacketDecoder("fuzz", o -> observations[0]++, anomalies);
        byte[] hello = ethernet(ip("10.0.0.5", "198.51.100.7", 6, tcp(40000, 443, 1, 0x18,
                clientHello("claude.ai", List.of("h2"), 64))));
        byte[][] seeds = {
            pcap(ByteOrder.LITTLE_ENDIAN, false, LinkType.ETHERNET, List.of(dns("a.example"), hello)),
            pcap(ByteOrder.BIG_ENDIAN, true, LinkType.RAW, List.of(ip("10.0.0.5", "10.0.0.53", 17,
                    udp(40000, 53, dnsQuery(2, "raw.example", 28))))),
            pcapng(ByteOrder.LITTLE_ENDIAN, List.of(new Iface(LinkType.ETHERNET, 6), new Iface(LinkType.LINUX_SLL, 9)),
                    List.of(new Packet(0, 5, dns("eth.example")), new Packet(1, 6, concat16(dns("sll.example"))))),
            pcapng(ByteOrder.BIG_ENDIAN, List.of(new Iface(LinkType.ETHERNET, -1)),
                    List.of(new Packet(0, 7, hello))),
            pcapngWithSpbAndUnknownBlock(),
            modifiedPcap()};
        Mutator m = Mutator.forTest(21, 2048);
        long[] delivered = new long[1];
        int[] bounds = new int[1];
        long formatErrors = 0;
        String[] firstOutside = new String[1];
        int[] index = new int[1];
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            byte[] file = Arrays.copyOf(m.buffer(), len);
            index[0] = i;
            long before = delivered[0];
            try {
                CaptureFileReader.read(Channels.newChannel(new ByteArrayInputStream(file)),
                        (linkType, ts, buf, off, capturedLength, originalLength) -> {
                            if (off < 0 || capturedLength < 0 || off + capturedLength > buf.length) {
                                bounds[0]++;
                                if (firstOutside[0] == null) {
                                    firstOutside[0] = "frame at " + off + "+" + capturedLength + " of a " + buf.length
                                            + "-byte buffer from input " + index[0] + " of campaign " + Mutator.campaign()
                                            + ": " + HexFormat.of().formatHex(file);
                                }
                            }
                            delivered[0]++;
                            decoder.onPacket(linkType, ts, buf, off, capturedLength, originalLength);
                        }, anomalies, 4096);
            } catch (CaptureFormatException expected) {
                formatErrors++; // the documented outcome for a file that is not a capture
            }
            // every record has at least a 16-byte header (pcap) or a 12-byte block (pcapng SPB)
            if (delivered[0] - before > len / 12) {
                throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + (delivered[0] - before) + " records from " + len
                        + " bytes");
            }
        }
        decoder.finish();
        assertThat(bounds[0]).as("frames outside the reader's buffer; the first: %s", firstOutside[0]).isZero();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(delivered[0]).isGreaterThan(RUNS / 4);
        assertThat(formatErrors).isPositive();
        assertThat(observations[0]).isPositive();
    }

    /** A Linux cooked (SLL) header for an IPv4 payload, in front of the IP packet of an Ethernet frame. */
    private static byte[] concat16(byte[] ethernetFrame) {
        byte[] out = new byte[16 + ethernetFrame.length - 14];
        out[15] = 0x00;
        out[14] = 0x08;
        System.arraycopy(ethernetFrame, 14, out, 16, ethernetFrame.length - 14);
        return out;
    }

    /** The "modified" pcap of Alexey Kuznetzov (magic A1B2CD34): 8 more bytes per record header. */
    private static byte[] modifiedPcap() {
        byte[] frame = dns("modified.example");
        ByteBuffer b = ByteBuffer.allocate(24 + 24 + frame.length).order(ByteOrder.BIG_ENDIAN);
        b.putInt(0xA1B2CD34).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535)
                .putInt(LinkType.ETHERNET);
        b.putInt(1_700_000_000).putInt(5).putInt(frame.length).putInt(frame.length).putInt(0).putInt(0).put(frame);
        return b.array();
    }
}
