package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.capture.live.LiveCaptureException.Reason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What a user sees when live capture cannot start: one line naming the fix, never a JNA stack
 * trace. The libpcap and capability cases run in a JVM of their own (LiveCaptureProbe).
 */
class LiveCaptureErrorsTest {
    @Test
    void open_libpcapCannotBeLoaded_oneLineNamingAptGet() {
        // what JNA meets on a host without libpcap0.8: no library file to load
        List<String> cmd = HostTools.javaCommand("-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8");
        cmd.add(LiveCaptureProbe.class.getName());
        cmd.add("lo");
        HostTools.Result r = HostTools.run(60, cmd);

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.out().strip()).isEqualTo(
                "LIBPCAP_MISSING: libpcap is not installed or cannot be loaded; install it with: apt-get install libpcap0.8");
        assertThat(r.err()).doesNotContain("UnsatisfiedLinkError", "at com.sun.jna");
    }

    @Test
    void open_withoutCapNetRaw_oneLineNamingTheCapability() {
        HostTools.require("setpriv", "util-linux");
        HostTools.requireRoot();
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw",
                "--"));
        cmd.addAll(HostTools.javaCommand());
        cmd.add(LiveCaptureProbe.class.getName());
        cmd.add("lo");
        HostTools.Result r = HostTools.run(60, cmd);

        assertThat(r.exitCode()).as("stderr: %s", r.err()).isEqualTo(1);
        assertThat(r.out().strip()).startsWith("PERMISSION_DENIED: no permission to capture on lo: capture needs CAP_NET_RAW")
                .doesNotContain("\n");
    }

    @Test
    void open_onlyCapNetRaw_isEnough() {
        HostTools.require("setpriv", "util-linux");
        HostTools.requireRoot();
        // every capability dropped but CAP_NET_RAW: open, promiscuous (no CAP_NET_ADMIN needed: the systemd
        // unit grants CAP_NET_RAW alone), 128 MiB buffer, filter, close
        List<String> cmd = new ArrayList<>(List.of("setpriv", "--bounding-set", "-all,+net_raw", "--inh-caps", "-all",
                "--"));
        cmd.addAll(HostTools.javaCommand());
        cmd.add(LiveCaptureProbe.class.getName());
        cmd.add("lo");
        HostTools.Result r = HostTools.run(60, cmd);

        assertThat(r.exitCode()).as("stdout: %s stderr: %s", r.out(), r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("OK linktype 1 promiscuous true");
    }

    @Test
    void open_noSuchInterface_namesTheInterface() {
        assertThatThrownBy(() -> LiveCapture.open(LiveCaptureConfig.of("umbra-nope0")))
                .isInstanceOfSatisfying(LiveCaptureException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.NO_SUCH_INTERFACE);
                    assertThat(e.getMessage()).isEqualTo("no such interface: umbra-nope0 (list them with 'ip link')");
                });
    }

    @Test
    void open_interfaceDown_namesItAndHowToBringItUp() {
        HostTools.requireRoot();
        try (Netns ns = Netns.create()) {
            HostTools.check(10, "ip", "link", "set", ns.hostIf, "down");
            assertThatThrownBy(() -> LiveCapture.open(LiveCaptureConfig.of(ns.hostIf)))
                    .isInstanceOfSatisfying(LiveCaptureException.class, e -> {
                        assertThat(e.reason()).isEqualTo(Reason.INTERFACE_DOWN);
                        assertThat(e.getMessage()).isEqualTo("interface " + ns.hostIf + " is down (ip link set "
                                + ns.hostIf + " up)");
                    });
        }
    }

    @Test
    void open_badFilter_namesTheFilter() {
        HostTools.requireRoot();
        assertThatThrownBy(() -> LiveCapture.open(LiveCaptureConfig.of("lo").withFilter("udp port banana")))
                .isInstanceOfSatisfying(LiveCaptureException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.BAD_FILTER);
                    assertThat(e.getMessage()).startsWith("invalid BPF filter 'udp port banana': ").doesNotContain("\n");
                });
    }

    @Test
    void close_whileLoopWaitsForFrames_returnsAndEndsTheLoop() throws Exception {
        HostTools.requireRoot();
        // a filter nothing on lo matches: the loop sits in poll() until pcap_breakloop wakes it
        LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withFilter("udp port 9 and udp port 10"));
        AtomicReference<Object> result = new AtomicReference<>();
        Thread loop = new Thread(() -> {
            try {
                result.set(capture.run((l, t, b, o, c, n) -> { }, 0, null));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        loop.start();
        Thread.sleep(300);

        capture.close();
        loop.join(10_000);

        assertThat(loop.isAlive()).isFalse();
        assertThat(result.get()).isInstanceOf(LiveCaptureStats.class);
        assertThat(((LiveCaptureStats) result.get()).delivered()).isZero();
        assertThatThrownBy(() -> capture.run((l, t, b, o, c, n) -> { }, 0, null))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        capture.close();
    }

    @Test
    void run_duration_returnsAfterIt() throws Exception {
        HostTools.requireRoot();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withFilter("udp port 9 and udp port 10"))) {
            LiveCaptureStats stats = capture.run((l, t, b, o, c, n) -> { }, 0, Duration.ofMillis(300));
            assertThat(stats.delivered()).isZero();
            assertThat(stats.dropped()).isZero();
        }
    }

    @Test
    void run_handlerThrows_stopsAndReportsTheFailure() throws Exception {
        HostTools.requireRoot();
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
                LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo")
                        .withFilter("udp dst port " + socket.getLocalPort()).withImmediate(true))) {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    result.set(capture.run((l, t, b, o, c, n) -> {
                        throw new IllegalStateException("handler bug");
                    }, 0, Duration.ofSeconds(20)));
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            loop.start();
            byte[] payload = {1, 2, 3};
            for (int i = 0; i < 200 && loop.isAlive(); i++) {
                socket.send(new java.net.DatagramPacket(payload, payload.length, java.net.InetAddress.getLoopbackAddress(),
                        socket.getLocalPort()));
                loop.join(50);
            }
            loop.join(10_000);
            assertThat(result.get()).isInstanceOfSatisfying(LiveCaptureException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.CAPTURE_FAILED);
                assertThat(e.getMessage()).isEqualTo("packet handler failed on lo: java.lang.IllegalStateException: handler bug");
            });
        }
    }

    @Test
    void run_afterADurationRun_capturesAgain() throws Exception {
        HostTools.requireRoot();
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress());
                LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo")
                        .withFilter("udp dst port " + socket.getLocalPort()).withImmediate(true))) {
            capture.run((l, t, b, o, c, n) -> { }, 0, Duration.ofMillis(200));
            AtomicReference<Object> result = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    result.set(capture.run((l, t, b, o, c, n) -> { }, 2, Duration.ofSeconds(20)));
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            loop.start();
            byte[] payload = {1, 2, 3};
            for (int i = 0; i < 200 && loop.isAlive(); i++) {
                socket.send(new java.net.DatagramPacket(payload, payload.length,
                        java.net.InetAddress.getLoopbackAddress(), socket.getLocalPort()));
                loop.join(50);
            }
            loop.join(10_000);
            assertThat(result.get()).isInstanceOfSatisfying(LiveCaptureStats.class,
                    s -> assertThat(s.delivered()).isEqualTo(2));
        }
    }

    @Test
    void run_negativeCount_isRejected() throws Exception {
        HostTools.requireRoot();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo"))) {
            assertThatThrownBy(() -> capture.run((l, t, b, o, c, n) -> { }, -1, null))
                    .hasMessage("maxPackets cannot be negative: -1");
        }
    }
}
