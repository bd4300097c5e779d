package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.capture.PacketHandler;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A live capture's loop on a thread of its own, as the daemon runs it, for tests that drive traffic
 * meanwhile: {@link #stop()} breaks the loop, waits for it and fails the test when the loop threw.
 */
final class CaptureLoop {
    private final LiveCapture capture;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private CaptureLoop(LiveCapture capture, PacketHandler handler, Duration limit, String name) {
        this.capture = capture;
        this.thread = new Thread(() -> {
            try {
                capture.run(handler, 0, limit);
            } catch (Throwable t) {
                failure.set(t);
            }
        }, name);
    }

    /** Starts {@code capture.run(handler, 0, limit)} on a new thread. */
    static CaptureLoop start(LiveCapture capture, PacketHandler handler, Duration limit, String name) {
        CaptureLoop loop = new CaptureLoop(capture, handler, limit, name);
        loop.thread.start();
        return loop;
    }

    /** Stops the capture, waits up to 10 s for the loop to return, and checks that it returned cleanly. */
    void stop() throws InterruptedException {
        capture.stop();
        thread.join(10_000);
        assertThat(thread.isAlive()).as("capture loop returned after stop()").isFalse();
        assertThat(failure.get()).as("what the capture loop threw").isNull();
    }
}
