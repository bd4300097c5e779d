package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.TestFrames;
import dev.umbra.sensor.decode.PacketDecoder;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * The default filters are run by the kernel, not by libpcap in user space. When Linux refuses to
 * attach a BPF program, libpcap says so on standard error only ("Kernel filter failed") and filters
 * in user space: every frame is then copied up and counted as received, which at line rate costs the
 * capture its buffer. One such program was written (a hop-by-hop clause, with the rest of the default
 * filter). For each protocol set, the capture on a veth is sent 60 datagrams no filter lets through,
 * then one DNS query: libpcap's received counter must count what passed the kernel's filter (the query,
 * where DNS is on), not the other 60.
 */
class LiveCaptureKernelFilterTest {
    private static final List<Set<CaptureProtocol>> SETS = List.of(LiveCaptureConfig.DEFAULT_PROTOCOLS,
            EnumSet.of(CaptureProtocol.DNS), EnumSet.of(CaptureProtocol.QUIC), EnumSet.of(CaptureProtocol.DNS,
                    CaptureProtocol.SOCKS_UDP), EnumSet.of(CaptureProtocol.TLS, CaptureProtocol.HTTP),
            EnumSet.of(CaptureProtocol.DNS, CaptureProtocol.KERBEROS, CaptureProtocol.SMB, CaptureProtocol.DHCP));

    @Test
    void run_defaultFilters_areAttachedToTheSocketNotRunInUserSpace() throws Exception {
        try (Netns ns = Netns.create()) {
            // a link just up sends its IGMP and MLD reports, each repeated, within its first seconds; one that
            // reaches the socket before the filter is attached is counted as received and then filtered out
            // in user space by libpcap, so the received and delivered counts below would differ by it
            Netns.sleep(3000);
            for (Set<CaptureProtocol> protocols : SETS) {
                ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
                LiveCaptureStats stats;
                try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf).withProtocols(protocols))) {
                    // the socket itself says it holds the program (SO_GET_FILTER)
                    assertThat(capture.kernelFilterInstructions()).as("%s: instructions on the socket", protocols)
                            .isPositive();
                    CaptureLoop loop = CaptureLoop.start(capture, new PacketDecoder(ns.hostIf, seen::add,
                            new AnomalyCounters()), Duration.ofSeconds(30), "test-capture");
                    try (DatagramSocket socket = new DatagramSocket()) {
                        InetAddress target = InetAddress.getByName(ns.nsIp);
                        byte[] other = {0x01, 0x02, 0x03, 0x04}; // not DNS, not a QUIC long header, not SOCKS
                        for (int i = 0; i < 60; i++) {
                            socket.send(new DatagramPacket(other, other.length, target, 9000 + i));
                        }
                        byte[] query = TestFrames.dnsQuery(0x4b46, "kernel.filter.test", 1);
                        socket.send(new DatagramPacket(query, query.length, target, 53));
                    }
                    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                    while (protocols.contains(CaptureProtocol.DNS) && System.nanoTime() < deadline
                            && seen.stream().noneMatch(o -> o.kind() == ObservationKind.DNS_QUERY)) {
                        Netns.sleep(20);
                    }
                    loop.stop();
                    stats = capture.stats();
                }
                if (protocols.contains(CaptureProtocol.DNS)) {
                    assertThat(seen).as("%s: the query", protocols).anySatisfy(o -> assertThat(o.hostname())
                            .isEqualTo("kernel.filter.test"));
                }
                // the query where DNS is on, and at most a few frames the filter lets through on its own (none
                // expected); filtered in user space, the 60 others would be counted too
                assertThat(stats.received()).as("%s: frames libpcap received (%s)", protocols, stats).isLessThanOrEqualTo(5);
                assertThat(stats.delivered()).as("%s: delivered", protocols).isEqualTo(stats.received());
            }
        }
    }

    @Test
    void open_aFilterTheKernelRefuses_isToldApart() throws Exception {
        // the hop-by-hop clause as first written: libpcap compiles it, Linux refuses to attach it
        String refused = CaptureFilter.withVlan(String.join(" or ", "(tcp)", "(udp port 53)",
                "(" + CaptureProtocol.QUIC.filter() + ")", "(" + CaptureProtocol.SOCKS_UDP.filter() + ")", "(udp port 88)",
                "((ip[9] = 17 and ip[6:2] & 0x3fff != 0) or (ip6 and ((ip6[6] = 0 and ip6[40] != 58) or ip6[6] = 43 "
                        + "or ip6[6] = 44 or ip6[6] = 60 or ip6[6] = 51 or ip6[6] = 135 or ip6[6] = 139 or ip6[6] = 140)))"));
        try (Netns ns = Netns.create();
                LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf).withFilter(refused))) {
            assertThat(capture.kernelFilterInstructions()).isZero();
            assertThat(capture.filterInKernel()).isFalse();
        }
    }
}
