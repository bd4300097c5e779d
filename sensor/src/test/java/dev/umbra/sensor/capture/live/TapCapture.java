package dev.umbra.sensor.capture.live;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.PacketDecoder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A live capture on the host's end of a test's veth (default filter), read by two decoders at once: one
 * that names clients as a tap does, by the logons it sees (Kerberos, SMB) and the device names of DHCP
 * leases, and one that does not, as a host's daemon does.
 */
final class TapCapture {
    /** A test's traffic, run while the capture runs. */
    interface Traffic {
        void run() throws Exception;
    }

    /** What the naming decoder reported. */
    final ConcurrentLinkedQueue<Observation> named = new ConcurrentLinkedQueue<>();
    /** What the other decoder reported. */
    final ConcurrentLinkedQueue<Observation> plain = new ConcurrentLinkedQueue<>();
    /** The naming decoder's anomalies. */
    final AnomalyCounters anomalies = new AnomalyCounters();
    /** libpcap's counters at the end. */
    LiveCaptureStats stats;

    private TapCapture() {
    }

    /**
     * Captures while {@code traffic} runs, then until the naming decoder has reported {@code lastName} (10 s at
     * most), and stops.
     */
    static TapCapture run(Netns ns, String lastName, Traffic traffic) throws Exception {
        TapCapture c = new TapCapture();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
            PacketDecoder asTap = new PacketDecoder(ns.hostIf, c.named::add, c.anomalies);
            asTap.nameClientsAsTap();
            PacketDecoder without = new PacketDecoder(ns.hostIf, c.plain::add, new AnomalyCounters());
            CaptureLoop loop = CaptureLoop.start(capture, (linkType, time, buf, off, captured, original) -> {
                asTap.onPacket(linkType, time, buf, off, captured, original);
                without.onPacket(linkType, time, buf, off, captured, original);
            }, Duration.ofSeconds(90), "test-capture");
            traffic.run();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (System.nanoTime() < deadline && c.named.stream().noneMatch(o -> o.hostname().equals(lastName))) {
                Netns.sleep(50);
            }
            loop.stop();
            asTap.finish();
            without.finish();
            c.stats = capture.stats();
        }
        return c;
    }

    /** The users of the naming decoder's observations of this kind and name, in order. */
    List<String> users(ObservationKind kind, String name) {
        return named.stream().filter(o -> o.kind() == kind && o.hostname().equals(name)).map(Observation::user).toList();
    }
}
