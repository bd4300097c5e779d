package dev.umbra.cli.daemon;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.live.LiveCapture;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.capture.live.LiveCaptureException;
import dev.umbra.sensor.capture.live.LiveCaptureStats;
import dev.umbra.sensor.decode.DecoderWarmup;
import dev.umbra.sensor.decode.PacketDecoder;
import java.time.Duration;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Live capture on one interface, on its own thread, feeding the pipeline. */
final class LiveCaptureComponent implements Component {
    private static final Logger LOG = LogManager.getLogger(LiveCaptureComponent.class);

    private final LiveCaptureConfig config;
    private final Consumer<Observation> pipeline;
    private final AnomalyCounters anomalies;
    private volatile LiveCapture capture;
    private volatile PacketDecoder decoder;
    private volatile String failure;
    private volatile boolean warming;
    private Thread thread;

    private final int maxFlows;
    private final Duration warmup;
    private PacketDecoder.BodyListener bodies;
    private int maxBodyBytes;

    LiveCaptureComponent(LiveCaptureConfig config, Consumer<Observation> pipeline, AnomalyCounters anomalies,
            int maxFlows, Duration warmup) {
        this.config = config;
        this.maxFlows = maxFlows;
        this.warmup = warmup;
        this.pipeline = pipeline;
        this.anomalies = anomalies;
    }

    /** Hands plaintext HTTP request bodies (at most {@code maxBytes} each) to {@code listener}; before start(). */
    void onHttpBodies(int maxBytes, PacketDecoder.BodyListener listener) {
        this.maxBodyBytes = maxBytes;
        this.bodies = listener;
    }

    @Override
    public String startGroup() {
        return "sources";
    }

    @Override
    public String name() {
        return "capture " + config.interfaceName();
    }

    @Override
    public void prepare() throws LiveCaptureException {
        LiveCapture.libraryVersion(); // JNA and libpcap, the slow part of the first open
    }

    @Override
    public void start() throws LiveCaptureException {
        capture = LiveCapture.open(config);
        decoder = new PacketDecoder(config.interfaceName(), pipeline, anomalies, maxFlows);
        if (bodies != null) {
            decoder.onHttpBodies(maxBodyBytes, bodies);
        }
        LiveCapture c = capture;
        warming = !warmup.isZero();
        thread = new Thread(() -> {
            try {
                // the capture is open: what arrives during the warm-up waits in the kernel buffer. One warm-up
                // per process; a second interface waits for the first one's.
                DecoderWarmup.Result warm;
                try {
                    warm = DecoderWarmup.once(warmup, c::stopRequested);
                } finally {
                    warming = false;
                }
                if (warm.passes() > 0) {
                    LOG.info("decoder warm-up before capturing on {}: {}", config.interfaceName(), warm);
                }
                // idle flows end on the decoder's clock: tick it once a second of capture time, on this thread
                long[] lastTick = {0};
                c.run((linkType, ts, buf, off, len, orig) -> {
                    decoder.onPacket(linkType, ts, buf, off, len, orig);
                    if (ts - lastTick[0] >= 1_000_000_000L) {
                        lastTick[0] = ts;
                        decoder.tick(ts);
                    }
                }, 0, null);
            } catch (LiveCaptureException | RuntimeException e) {
                failure = e.getMessage();
                LOG.error("{}", e.getMessage());
            }
        }, "umbra-capture-" + config.interfaceName());
        thread.start();
    }

    @Override
    public String notReady() {
        String f = failure;
        return f != null ? f : warming ? "warming up the decoder" : null;
    }

    /** Frames captured, libpcap's received and dropped counters. */
    LiveCaptureStats stats() {
        LiveCapture c = capture;
        return c == null ? new LiveCaptureStats(0, 0, 0, 0) : c.stats();
    }

    @Override
    public void stop(Duration timeout) {
        LiveCapture c = capture;
        if (c == null) {
            return;
        }
        c.stop();
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        PacketDecoder d = decoder;
        if (d != null) {
            d.finish();
        }
        c.close();
        LiveCaptureStats s = c.stats();
        LOG.info("capture {} stopped: {} frames, {} received, {} dropped by libpcap", config.interfaceName(),
                s.delivered(), s.received(), s.dropped());
    }
}
