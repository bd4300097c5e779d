package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stop loses nothing the kernel took: without immediate mode, libpcap's TPACKET_V3 ring hands a
 * block to the reader only when it fills or the read timeout retires it, so the frames of the last
 * part-filled block would be lost at a stop that came before that. Real libpcap on loopback: the
 * frames are sent, the capture is stopped at once, and every one of them must reach the handler.
 */
class LiveCaptureStopTest {
    private static final int FRAMES = 40;

    @ParameterizedTest(name = "read timeout {0} ms")
    @ValueSource(ints = {100, 1_000})
    void stop_rightAfterTheLastFrames_everyFrameTheKernelTookIsDelivered(int timeoutMillis) throws Exception {
        HostTools.requireRoot();
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withTimeoutMillis(timeoutMillis)
                        .withFilter("udp dst port " + socket.getLocalPort()))) {
            AtomicLong frames = new AtomicLong();
            AtomicReference<Object> result = new AtomicReference<>();
            Thread loop = counting(capture, Duration.ofSeconds(30), frames, result);
            Thread.sleep(timeoutMillis + 300L); // in pcap_loop, between two ticks of the block timer
            byte[] payload = {1, 2, 3};
            for (int i = 0; i < FRAMES; i++) {
                socket.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(),
                        socket.getLocalPort()));
            }
            capture.stop();
            loop.join(timeoutMillis + 10_000L);
            assertThat(loop.isAlive()).as("the run returned after stop()").isFalse();
            assertThat(result.get()).isInstanceOfSatisfying(LiveCaptureStats.class, s -> {
                assertThat(s.dropped()).isZero();
                assertThat(s.delivered()).isEqualTo(FRAMES);
            });
            assertThat(frames.get()).as("frames handed to the handler").isEqualTo(FRAMES);
        }
    }

    @Test
    void stop_atTheDurationLimit_deliversTheLastFramesToo() throws Exception {
        HostTools.requireRoot();
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
                LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withTimeoutMillis(2_000)
                        .withFilter("udp dst port " + socket.getLocalPort()))) {
            AtomicLong frames = new AtomicLong();
            AtomicReference<Object> result = new AtomicReference<>();
            Thread loop = counting(capture, Duration.ofMillis(800), frames, result);
            Thread.sleep(400);
            byte[] payload = {4, 5, 6};
            for (int i = 0; i < FRAMES; i++) {
                socket.send(new DatagramPacket(payload, payload.length, InetAddress.getLoopbackAddress(),
                        socket.getLocalPort()));
            }
            loop.join(15_000);
            assertThat(loop.isAlive()).as("the run ended with its duration").isFalse();
            assertThat(result.get()).isInstanceOf(LiveCaptureStats.class);
            assertThat(frames.get()).as("frames sent 400 ms before the end, inside one 2 s block").isEqualTo(FRAMES);
        }
    }

    /** Runs the capture for at most {@code limit} on a new thread, counting frames; its stats or what it threw into {@code result}. */
    private static Thread counting(LiveCapture capture, Duration limit, AtomicLong frames, AtomicReference<Object> result) {
        Thread loop = new Thread(() -> {
            try {
                result.set(capture.run((l, t, b, o, c, n) -> frames.incrementAndGet(), 0, limit));
            } catch (Throwable t) {
                result.set(t);
            }
        });
        loop.start();
        return loop;
    }
}
