package dev.umbra.cli.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.TestFrames;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.capture.live.LiveCaptureStats;
import dev.umbra.sensor.capture.live.Netns;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The daemon's live capture when its interface goes away: real libpcap on the host end of a veth pair
 * into a network namespace the test creates; the pair is deleted and made again under the same name,
 * as a NIC unplugged and plugged back (or a veth remade by a network manager). DNS queries sent from
 * the host to the namespace are the traffic.
 */
class LiveCaptureComponentTest {
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);

    @Test
    void interfaceDeletedAndMadeAgain_captureReopensAndNamesArriveBeforeAndAfter() throws Exception {
        try (Netns ns = netns()) {
            List<Observation> seen = new CopyOnWriteArrayList<>();
            LiveCaptureComponent capture = started(ns, seen);
            try {
                awaitQuery(ns, seen, "before.reopen.test");
                assertThat(capture.notReady()).isNull();

                ns.removeLink();
                await(() -> capture.notReady() != null, "capture to report its interface gone");
                assertThat(capture.notReady()).as("/healthz reason while the interface is gone")
                        .startsWith("capture on " + ns.hostIf + " failed: ")
                        .contains("; reopening (attempt ");
                // attempts go on failing while it is gone, further and further apart
                await(() -> capture.notReady().contains("(attempt 3 in 800 ms)"), "third attempt to reopen");
                assertThat(capture.reopens()).isZero();
                assertThat(capture.capturing()).isTrue();

                ns.restoreLink();
                await(() -> capture.notReady() == null, "capture to be reopened once the interface is back");
                assertThat(capture.reopens()).isEqualTo(1);
                awaitQuery(ns, seen, "after.reopen.test");
            } finally {
                capture.stop(Duration.ofSeconds(10));
            }
            assertThat(capture.capturing()).isFalse();
            LiveCaptureStats stats = capture.stats();
            long queries = seen.stream().filter(o -> o.kind() == ObservationKind.DNS_QUERY).count();
            assertThat(stats.delivered()).as("frames of both handles counted").isGreaterThanOrEqualTo(queries);
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.DNS_QUERY).extracting(Observation::hostname)
                    .contains("before.reopen.test", "after.reopen.test");
        }
    }

    @Test
    void stopWhileTheInterfaceIsGone_endsTheCaptureThreadWithoutReopening() throws Exception {
        try (Netns ns = netns()) {
            List<Observation> seen = new CopyOnWriteArrayList<>();
            LiveCaptureComponent capture = started(ns, seen);
            try {
                awaitQuery(ns, seen, "gone.reopen.test");
                ns.removeLink();
                await(() -> capture.notReady() != null, "capture to report its interface gone");
            } finally {
                capture.stop(Duration.ofSeconds(10));
            }
            assertThat(capture.capturing()).as("capture thread after stop()").isFalse();
            assertThat(capture.reopens()).isZero();
            ns.restoreLink(); // nothing may come back to life now
            TimeUnit.MILLISECONDS.sleep(3 * FIRST_BACKOFF.toMillis());
            assertThat(capture.capturing()).isFalse();
            assertThat(capture.reopens()).isZero();
        }
    }

    @Test
    void interfaceDownAtStart_startsWaitingAndCapturesOnceItIsUp() throws Exception {
        try (Netns ns = netns()) {
            HostTools.check(10, "ip", "link", "set", ns.hostIf, "down");
            List<Observation> seen = new CopyOnWriteArrayList<>();
            LiveCaptureComponent capture = started(ns, seen); // no exception: the rest of the daemon starts
            try {
                assertThat(capture.notReady()).as("/healthz reason while the link is down")
                        .startsWith("interface " + ns.hostIf + " is down (ip link set " + ns.hostIf + " up); reopening (attempt ");
                assertThat(capture.capturing()).isTrue();
                HostTools.check(10, "ip", "link", "set", ns.hostIf, "up");
                await(() -> capture.notReady() == null, "capture to open once the link is up");
                assertThat(capture.reopens()).isEqualTo(1);
                awaitQuery(ns, seen, "up.reopen.test");
            } finally {
                capture.stop(Duration.ofSeconds(10));
            }
            assertThat(capture.capturing()).isFalse();
        }
    }

    @Test
    void stopRightAfterAQuery_theQueryIsStillReported() throws Exception {
        try (Netns ns = netns()) {
            List<Observation> seen = new CopyOnWriteArrayList<>();
            LiveCaptureComponent capture = started(ns, seen);
            try {
                awaitQuery(ns, seen, "first.stop.test");
                // one query, then the daemon's stop at once: the query is in the ring block being filled
                byte[] query = TestFrames.dnsQuery(0x5252, "last.stop.test", 1);
                try (DatagramSocket socket = new DatagramSocket()) {
                    socket.send(new DatagramPacket(query, query.length, InetAddress.getByName(ns.nsIp), 53));
                }
            } finally {
                capture.stop(Duration.ofSeconds(10));
            }
            assertThat(capture.capturing()).isFalse();
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.DNS_QUERY).extracting(Observation::hostname)
                    .as("a query sent just before the stop").contains("last.stop.test");
            assertThat(capture.stats().delivered()).as("delivered, of what libpcap received")
                    .isEqualTo(capture.stats().received() - capture.stats().dropped());
        }
    }

    private static Netns netns() {
        HostTools.requireRoot();
        HostTools.require("ip", "iproute2");
        return Netns.create();
    }

    /** A capture on the namespace's host end, started (no warm-up), its observations into {@code seen}. */
    private static LiveCaptureComponent started(Netns ns, List<Observation> seen) throws Exception {
        LiveCaptureComponent c = new LiveCaptureComponent(LiveCaptureConfig.of(ns.hostIf).withBufferBytes(4 << 20),
                seen::add, new AnomalyCounters(), 1024, Duration.ZERO, FIRST_BACKOFF);
        c.prepare();
        c.start();
        return c;
    }

    /** Sends a DNS query for {@code name} into the namespace until the capture reports it (bounded). */
    private static void awaitQuery(Netns ns, List<Observation> seen, String name) throws IOException {
        byte[] query = TestFrames.dnsQuery(0x5151, name, 1);
        try (DatagramSocket socket = new DatagramSocket()) {
            DatagramPacket packet = new DatagramPacket(query, query.length, InetAddress.getByName(ns.nsIp), 53);
            await(() -> {
                try {
                    socket.send(packet);
                } catch (IOException e) {
                    return false; // the route may still be coming up
                }
                sleep(100);
                return seen.stream().anyMatch(o -> o.kind() == ObservationKind.DNS_QUERY && name.equals(o.hostname()));
            }, "the query for " + name + " to be captured");
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after 15 s waiting for " + what);
            }
            sleep(20);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
