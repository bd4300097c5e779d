package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.flow.FlowKey;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CookedCopiesTest {
    private static final long IDLE = 120_000_000_000L;
    private static final long T = 1_700_000_000_000_000_000L;
    private final CookedCopies copies = new CookedCopies(IDLE);

    @Test
    void translatedCopy_sourceTranslatedWithinTheWindow_laterFlowAndItsRepliesAreCopies() {
        assertThat(segment("172.17.0.2", 40000, "104.18.32.47", 443, 1000, 0x02, T)).isFalse();
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 1000, 0x02, T + 40_000_000)).isTrue();
        // remembered both ways, whatever they carry, until idle
        assertThat(segment("104.18.32.47", 443, "192.0.2.10", 61000, 77, 0x12, T + 1_000_000_000L)).isTrue();
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 1001, 0x10, T + 100_000_000_000L)).isTrue();
        assertThat(copies.translatedFlows()).isEqualTo(2);
        // the original is never a copy
        assertThat(segment("172.17.0.2", 40000, "104.18.32.47", 443, 1001, 0x10, T + 100_000_000_001L)).isFalse();
        // idle for longer than the flow idle time: forgotten, and the packet is the host's own
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 1002, 0x10, T + 221_000_000_000L)).isFalse();
        assertThat(copies.translatedFlows()).isZero();
    }

    @Test
    void translatedCopy_afterTheWindow_notACopy() {
        assertThat(segment("172.17.0.2", 40000, "104.18.32.47", 443, 1000, 0x02, T)).isFalse();
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 1000, 0x02, T + 50_000_001)).isFalse();
    }

    @Test
    void translatedCopy_destinationTranslated_aCopy() {
        assertThat(segment("198.51.100.7", 50000, "192.0.2.10", 8080, 5, 0x02, T)).isFalse();
        assertThat(segment("198.51.100.7", 50000, "172.17.0.3", 80, 5, 0x02, T + 1_000)).isTrue();
    }

    @Test
    void translatedCopy_bothEndpointsOrNeitherChanged_notACopy() {
        assertThat(segment("172.17.0.2", 40000, "104.18.32.47", 443, 1000, 0x02, T)).isFalse();
        // both ends differ: a coincidence, not a translation Linux makes
        assertThat(segment("192.0.2.10", 61000, "104.18.32.48", 443, 1000, 0x02, T + 1_000)).isFalse();
        // the same flow again: a retransmission, not a translation
        assertThat(segment("192.0.2.10", 61000, "104.18.32.48", 443, 1000, 0x02, T + 2_000)).isFalse();
        assertThat(copies.translatedFlows()).isZero();
    }

    @Test
    void translatedCopy_otherSequenceNumbersOrPayload_notACopy() {
        assertThat(segment("172.17.0.2", 40000, "104.18.32.47", 443, 1000, 0x02, T)).isFalse();
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 1001, 0x02, T + 1_000)).isFalse();
        byte[] query = "\u0001\u0002query for one".getBytes(StandardCharsets.ISO_8859_1);
        byte[] other = "\u0001\u0002query for two".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(datagram("10.0.0.2", 40000, "10.0.0.53", 53, query, T)).isFalse();
        assertThat(datagram("192.0.2.10", 40000, "10.0.0.53", 53, other, T + 1_000)).isFalse();
        assertThat(datagram("192.0.2.11", 40000, "10.0.0.53", 53, query, T + 2_000)).isTrue();
    }

    @Test
    void translatedCopy_synOnARememberedFlow_checkedAgain() {
        assertThat(segment("172.17.0.2", 40000, "104.18.32.47", 443, 1000, 0x02, T)).isFalse();
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 1000, 0x02, T + 1_000)).isTrue();
        // the host's own connection later on the same ports: a new SYN that nothing was seen before
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 424242, 0x02, T + 5_000_000_000L)).isFalse();
        assertThat(segment("104.18.32.47", 443, "192.0.2.10", 61000, 9, 0x12, T + 5_001_000_000L)).isFalse();
        assertThat(copies.translatedFlows()).isZero();
        // and a new translated connection on them is a copy again
        assertThat(segment("172.17.0.2", 40002, "104.18.32.47", 443, 77, 0x02, T + 6_000_000_000L)).isFalse();
        assertThat(segment("192.0.2.10", 61000, "104.18.32.47", 443, 77, 0x02, T + 6_000_001_000L)).isTrue();
    }

    @Test
    void translatedCopy_moreFlowsThanTheCap_oldestForgotten() {
        for (int i = 0; i < CookedCopies.MAX_TRANSLATED; i++) {
            long t = T + i * 100_000L;
            segment("172.17.0.2", 1024 + i, "104.18.32.47", 443, i, 0x02, t);
            assertThat(segment("192.0.2.10", 1024 + i, "104.18.32.47", 443, i, 0x02, t + 1)).isTrue();
        }
        assertThat(copies.translatedFlows()).isEqualTo(CookedCopies.MAX_TRANSLATED);
        // the first flows' two directions went first
        assertThat(segment("192.0.2.10", 1024, "104.18.32.47", 443, 1_000_000, 0x10, T + 1_000_000_000L)).isFalse();
        assertThat(segment("192.0.2.10", 1024 + CookedCopies.MAX_TRANSLATED - 1, "104.18.32.47", 443, 1_000_000, 0x10,
                T + 1_000_000_000L)).isTrue();
    }

    @Test
    void exactCopy_randomAndCutPackets_neverThrows() {
        Random r = new Random(20261122);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = new byte[r.nextInt(80)];
            r.nextBytes(b);
            int off = b.length == 0 ? 0 : r.nextInt(b.length);
            copies.exactCopy(r.nextBoolean() ? 0x0800 : 0x86dd, b, off, b.length - off, T + i);
        }
        byte[] packet = ip("10.0.0.2", "10.0.0.3", 17, udp(1, 2, new byte[3]));
        assertThat(copies.exactCopy(0x0800, packet, 0, packet.length, T + 1_000_000_000L)).isFalse();
        assertThat(copies.exactCopy(0x0800, packet, 0, packet.length, T + 1_000_000_001L)).isTrue();
    }

    private boolean segment(String src, int srcPort, String dst, int dstPort, long seq, int flags, long now) {
        byte[] packet = ip(src, dst, 6, tcp(srcPort, dstPort, seq, flags, new byte[0]));
        int ipHeader = (packet[0] & 0xf0) == 0x40 ? 20 : 40;
        return copies.translatedCopy(key(packet, srcPort, dstPort, 6), 1, 6, packet, ipHeader,
                packet.length - ipHeader, packet.length, (flags & 0x12) == 0x02, now);
    }

    private boolean datagram(String src, int srcPort, String dst, int dstPort, byte[] payload, long now) {
        byte[] packet = ip(src, dst, 17, udp(srcPort, dstPort, payload));
        return copies.translatedCopy(key(packet, srcPort, dstPort, 17), 1, 17, packet, 20, packet.length - 20, 28, false,
                now);
    }

    private static FlowKey key(byte[] packet, int srcPort, int dstPort, int protocol) {
        boolean v6 = (packet[0] & 0xf0) == 0x60;
        return FlowKey.of(v6, packet, v6 ? 8 : 12, v6 ? 24 : 16, srcPort, dstPort, protocol);
    }
}
