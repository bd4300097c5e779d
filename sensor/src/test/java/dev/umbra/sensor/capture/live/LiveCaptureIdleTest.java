package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The idle callback of {@link LiveCapture#run(dev.umbra.sensor.capture.PacketHandler, long, Duration,
 * Duration, Runnable)}: it runs on the capture thread when nothing arrives (what lets a decoder end idle
 * flows on a quiet link), and the loop it breaks loses no frame. Real libpcap on loopback.
 */
class LiveCaptureIdleTest {
    @Test
    void run_nothingArrives_idleCallbackRunsOnTheCaptureThreadUntilTheRunEnds() throws Exception {
        HostTools.requireRoot();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withFilter("udp port 9 and udp port 10"))) {
            List<Thread> callers = new CopyOnWriteArrayList<>();
            AtomicReference<Thread> loopThread = new AtomicReference<>();
            AtomicReference<Object> result = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                loopThread.set(Thread.currentThread());
                try {
                    result.set(capture.run((l, t, b, o, c, n) -> { }, 0, Duration.ofMillis(1500),
                            Duration.ofMillis(200), () -> callers.add(Thread.currentThread())));
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            loop.start();
            loop.join(10_000);
            assertThat(loop.isAlive()).as("the run ended with its duration").isFalse();
            assertThat(result.get()).isInstanceOf(LiveCaptureStats.class);
            // 1.5 s at one callback per 200 ms without a frame: about 7; at least a few whatever the scheduling
            assertThat(callers).hasSizeGreaterThanOrEqualTo(3).allSatisfy(t -> assertThat(t).isSameAs(loopThread.get()));
            int after = callers.size();
            Thread.sleep(500);
            assertThat(callers).as("no callback after the run").hasSize(after);
        }
    }

    @Test
    void run_framesInBurstsWithIdleBreaksBetween_everyFrameDelivered() throws Exception {
        HostTools.requireRoot();
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo")
                        .withFilter("udp dst port " + socket.getLocalPort()))) {
            AtomicLong frames = new AtomicLong();
            AtomicLong idles = new AtomicLong();
            int bursts = 6;
            int perBurst = 50;
            AtomicReference<Object> result = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    result.set(capture.run((l, t, b, o, c, n) -> frames.incrementAndGet(), bursts * perBurst,
                            Duration.ofSeconds(30), Duration.ofMillis(100), idles::incrementAndGet));
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            loop.start();
            Thread.sleep(300); // the loop is in pcap_loop, and idle
            byte[] payload = {1, 2, 3};
            for (int burst = 0; burst < bursts; burst++) {
                for (int i = 0; i < perBurst; i++) {
                    socket.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(),
                            socket.getLocalPort()));
                }
                Thread.sleep(400); // several idle intervals between bursts
            }
            loop.join(30_000);
            assertThat(result.get()).as("the run ended at its count").isInstanceOfSatisfying(LiveCaptureStats.class,
                    s -> assertThat(s.dropped()).isZero());
            assertThat(frames.get()).isEqualTo((long) bursts * perBurst);
            assertThat(idles.get()).as("idle breaks between the bursts").isGreaterThanOrEqualTo(bursts - 1);
        }
    }

    @Test
    void run_idleCallbackThrows_endsTheRunWithTheFailure() throws Exception {
        HostTools.requireRoot();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withFilter("udp port 9 and udp port 10"))) {
            assertThatThrownBy(() -> capture.run((l, t, b, o, c, n) -> { }, 0, Duration.ofSeconds(20),
                    Duration.ofMillis(100), () -> {
                        throw new IllegalStateException("tick bug");
                    }))
                    .isInstanceOfSatisfying(LiveCaptureException.class,
                            e -> assertThat(e.getMessage()).contains("IllegalStateException: tick bug"));
        }
    }

    @Test
    void run_idleCallbackWithoutAPositiveInterval_isRejected() throws Exception {
        HostTools.requireRoot();
        try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo"))) {
            assertThatThrownBy(() -> capture.run((l, t, b, o, c, n) -> { }, 0, null, Duration.ZERO, () -> { }))
                    .hasMessage("idle interval must be positive: PT0S");
        }
    }
}
