package dev.umbra.cli.daemon;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.PacketHandler;
import dev.umbra.sensor.capture.live.LiveCapture;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.capture.live.LiveCaptureException;
import dev.umbra.sensor.capture.live.LiveCaptureStats;
import dev.umbra.sensor.decode.DecoderWarmup;
import dev.umbra.sensor.decode.PacketDecoder;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/*
 * Design notes.
 *
 * A capture on a tap or a host outlives its interface: a NIC reset, a USB or virtual NIC unplugged and
 * plugged back, a veth or VLAN interface deleted and made again by the network manager. libpcap's loop
 * then fails ("The interface disappeared"; a link that only goes down keeps the handle open and just
 * brings nothing). Failing for good would leave the daemon running and blind, and systemd restarts only a
 * process that exits. So the capture thread reopens the interface by itself: the failed handle is closed
 * (its counters kept), and opening is retried after 1 s, doubling up to MAX_BACKOFF, until it works or
 * the daemon stops. The decoder stays, so flows that outlive the outage go on. Meanwhile /healthz says
 * why and when the next attempt is; each reopening is counted (umbra_capture_reopens_total) and logged.
 * An interface that is down at start (a tap whose cable is not in yet) is waited for the same way, so
 * that one link does not keep the logs, ICAP and the other interfaces down; so is one that does not
 * exist yet when capture.wait_for_interfaces says so (a VPN's wg0). Any other failure to open at start is
 * still a failed start (a misspelt interface name by default, no permission): that is a configuration
 * error.
 */
/** Live capture on one interface, on its own thread, feeding the pipeline; reopened when it fails. */
final class LiveCaptureComponent implements Component {
    private static final Logger LOG = LogManager.getLogger(LiveCaptureComponent.class);
    /** First wait before reopening a failed capture. */
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** Longest wait between two attempts to reopen. */
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How long without a frame before the decoder's clock is moved on by the wall clock. */
    static final Duration IDLE_TICK = Duration.ofSeconds(1);

    private final LiveCaptureConfig config;
    private final Consumer<Observation> pipeline;
    private final AnomalyCounters anomalies;
    private volatile LiveCapture capture;
    private volatile PacketDecoder decoder;
    private volatile String failure;
    private volatile boolean warming;
    private volatile boolean stopping;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicLong reopens = new AtomicLong();
    // the counters of handles closed after a failure (guarded by this)
    private LiveCaptureStats closedTotals = new LiveCaptureStats(0, 0, 0, 0);
    private Thread thread;

    private final int maxFlows;
    private final Duration warmup;
    private final Duration firstBackoff;
    private PacketDecoder.BodyListener bodies;
    private int maxBodyBytes;
    private boolean waitForInterface;

    // the KDCs whose replies and the SMB servers whose logons name clients, when asked to (a tap); null:
    // clients are not named by logons
    private AddressBlocks kerberosKdcs;
    private AddressBlocks smbServers;
    // the DHCP servers whose leases name client devices (a tap); null: not named by DHCP
    private AddressBlocks dhcpServers;
    // applied to a request as it is held until answered (PacketDecoder.onHold); null: none are held
    private UnaryOperator<Observation> atHold;
    private String label = "capture";
    private boolean idleTicks = true;

    LiveCaptureComponent(LiveCaptureConfig config, Consumer<Observation> pipeline, AnomalyCounters anomalies,
            int maxFlows, Duration warmup) {
        this(config, pipeline, anomalies, maxFlows, warmup, FIRST_BACKOFF);
    }

    /** @param firstBackoff first wait before reopening a failed capture (doubling up to {@link #MAX_BACKOFF}) */
    LiveCaptureComponent(LiveCaptureConfig config, Consumer<Observation> pipeline, AnomalyCounters anomalies,
            int maxFlows, Duration warmup, Duration firstBackoff) {
        this.config = config;
        this.maxFlows = maxFlows;
        this.warmup = warmup;
        this.firstBackoff = firstBackoff;
        this.pipeline = pipeline;
        this.anomalies = anomalies;
    }

    /**
     * Makes a missing interface at start wait like a link that is down, instead of failing the start
     * ({@code capture.wait_for_interfaces}); before start().
     */
    /**
     * Names clients by the user who logged on at their address (a tap): the Kerberos principal of these KDCs'
     * replies, the NTLM user of these SMB servers' logons; before start().
     */
    void nameClientsByLogons(AddressBlocks kdcs, AddressBlocks smbServers) {
        kerberosKdcs = kdcs;
        this.smbServers = smbServers;
    }

    /** Names client devices by the DHCP leases of these servers or relay agents (a tap); before start(). */
    void nameClientHostsByDhcp(AddressBlocks servers) {
        dhcpServers = servers;
    }

    /**
     * Holds requests to servers without credentials until answered (PacketDecoder), applying {@code atHold}
     * to each as it is held (a host's daemon attributes it to its process then); before start().
     */
    void holdRequestsUntilAnswered(UnaryOperator<Observation> atHold) {
        this.atHold = atHold;
    }

    void waitForInterface(boolean wait) {
        this.waitForInterface = wait;
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
        return label + " " + config.interfaceName();
    }

    /** Names this capture in /healthz and in the log ("capture" by default); before start(). */
    void label(String label) {
        this.label = label;
    }

    /**
     * Whether the decoder's clock is ticked when nothing arrives for a second (default), so that idle flows end on
     * a quiet link; a capture whose observations go nowhere but to a side effect (attributionPrewarm) needs no
     * ticks, and spares the watchdog's wake-up each second. Before start().
     */
    void idleTicks(boolean ticks) {
        this.idleTicks = ticks;
    }

    @Override
    public void prepare() throws LiveCaptureException {
        LiveCapture.libraryVersion(); // JNA and libpcap, the slow part of the first open
    }

    @Override
    public void start() throws LiveCaptureException {
        LiveCapture opened;
        String down;
        try {
            opened = LiveCapture.open(config);
            down = null;
        } catch (LiveCaptureException e) {
            boolean waitable = e.reason() == LiveCaptureException.Reason.INTERFACE_DOWN
                    || e.reason() == LiveCaptureException.Reason.NO_SUCH_INTERFACE && waitForInterface;
            if (!waitable) {
                throw e;
            }
            // a link not up yet (a tap's cable, a NIC still negotiating), or an interface not there yet when
            // asked to wait for it (a VPN's), must not keep the rest of the daemon down: capture once it is
            opened = null;
            down = e.getMessage();
            failure = waiting(down, 1, firstBackoff); // not ready from the start, not once the thread runs
        }
        capture = opened;
        decoder = new PacketDecoder(config.interfaceName(), pipeline, anomalies, maxFlows);
        if (kerberosKdcs != null) {
            decoder.nameClientsByLogons(kerberosKdcs, smbServers);
        }
        if (dhcpServers != null) {
            decoder.nameClientHostsByDhcp(dhcpServers);
        }
        if (atHold != null) {
            decoder.holdRequestsUntilAnswered();
            decoder.onHold(atHold);
        }
        if (bodies != null) {
            decoder.onHttpBodies(maxBodyBytes, bodies);
        }
        LiveCapture first = opened;
        String startFailure = down;
        warming = !warmup.isZero();
        thread = new Thread(() -> {
            try {
                // the capture is open: what arrives during the warm-up waits in the kernel buffer. One warm-up
                // per process; a second interface waits for the first one's.
                DecoderWarmup.Result warm;
                try {
                    warm = DecoderWarmup.once(warmup, () -> stopping);
                } finally {
                    warming = false;
                }
                if (warm.passes() > 0) {
                    LOG.info("decoder warm-up before capturing on {}: {}", config.interfaceName(), warm);
                }
                capture(first != null ? first : reopen(startFailure));
            } catch (RuntimeException e) {
                failure = e.getMessage();
                LOG.error("capture on {} ended: {}", config.interfaceName(), e.toString());
            }
        }, "umbra-" + label.replace(' ', '-') + "-" + config.interfaceName());
        thread.start();
    }

    /** Runs the capture, reopening it after each failure, until stop(); nothing when {@code first} is null. */
    private void capture(LiveCapture first) {
        // idle flows end on the decoder's clock: tick it once a second of capture time, on this thread, and
        // when nothing arrives for a second, with the wall clock (what live capture timestamps are), so that
        // they end on a quiet link too
        long[] lastTick = {0};
        PacketHandler handler = (linkType, ts, buf, off, len, orig) -> {
            decoder.onPacket(linkType, ts, buf, off, len, orig);
            if (ts - lastTick[0] >= 1_000_000_000L) {
                lastTick[0] = ts;
                decoder.tick(ts);
            }
        };
        LiveCapture c = first;
        while (c != null) {
            String error;
            try {
                if (idleTicks) {
                    c.run(handler, 0, null, IDLE_TICK, () -> decoder.tick(LiveCapture.wallClockNanos()));
                } else {
                    c.run(handler, 0, null);
                }
                error = stopping ? null : "capture on " + config.interfaceName() + " ended unasked";
            } catch (LiveCaptureException e) {
                error = e.getMessage();
            }
            if (error == null) {
                return; // stop() ended the run; it closes the handle
            }
            retire(c);
            c = reopen(error);
        }
    }

    /** Closes a failed handle and keeps its counters. */
    private void retire(LiveCapture c) {
        c.close();
        LiveCaptureStats s = c.stats();
        synchronized (this) {
            closedTotals = closedTotals.plus(s);
            capture = null;
        }
    }

    /**
     * Opens the interface again, waiting {@link #firstBackoff} before the first attempt and twice as
     * long after each failed one, at most {@link #MAX_BACKOFF}.
     *
     * @return the new capture, or null when stop() came first
     */
    private LiveCapture reopen(String error) {
        long began = System.nanoTime();
        Duration wait = firstBackoff;
        String last = error;
        LOG.error("{}; opening it again in {} ms", error, wait.toMillis());
        for (int attempt = 1; ; attempt++) {
            failure = waiting(last, attempt, wait);
            try {
                if (stopRequested.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            try {
                LiveCapture c = LiveCapture.open(config);
                capture = c;
                if (stopping) { // stop() may have looked for a capture before this one was set
                    c.close();
                    return null;
                }
                reopens.incrementAndGet();
                failure = null;
                LOG.warn("capture on {} reopened after {} ms (attempt {})", config.interfaceName(),
                        (System.nanoTime() - began) / 1_000_000, attempt);
                return c;
            } catch (LiveCaptureException e) {
                if (!e.getMessage().equals(last)) {
                    LOG.error("reopening capture on {} failed: {}", config.interfaceName(), e.getMessage());
                }
                last = e.getMessage();
                long next = Math.min(wait.toMillis() * 2, MAX_BACKOFF.toMillis());
                wait = Duration.ofMillis(Math.max(next, 1));
            }
        }
    }

    /** What /healthz says while the capture waits to be opened. */
    private static String waiting(String error, int attempt, Duration wait) {
        return error + "; reopening (attempt " + attempt + " in " + wait.toMillis() + " ms)";
    }

    @Override
    public String notReady() {
        String f = failure;
        return f != null ? f : warming ? "warming up the decoder" : null;
    }

    /** Frames captured, libpcap's received and dropped counters, over every handle this component opened. */
    synchronized LiveCaptureStats stats() {
        LiveCapture c = capture;
        return c == null ? closedTotals : closedTotals.plus(c.stats());
    }

    /** Whether the capture thread is running (it ends only at stop()). */
    boolean capturing() {
        Thread t = thread;
        return t != null && t.isAlive();
    }

    /** How often the capture was reopened after a failure. */
    long reopens() {
        return reopens.get();
    }

    @Override
    public void stop(Duration timeout) {
        stopping = true;
        stopRequested.countDown();
        LiveCapture c = capture;
        if (c != null) {
            c.stop();
        }
        if (thread != null) {
            try {
                // a stopped run first reads the ring block being filled, for up to one read timeout
                thread.join(timeout.toMillis() + config.timeoutMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        PacketDecoder d = decoder;
        if (thread != null && thread.isAlive()) {
            // the decoder belongs to the capture thread while it runs: no finish from here
            LOG.warn("capture {} did not stop within {} ms; open flows not reported", config.interfaceName(),
                    timeout.toMillis() + config.timeoutMillis());
        } else if (d != null) {
            d.finish();
        }
        c = capture; // the thread may have opened another one before it saw the stop
        if (c != null) {
            c.close();
        }
        LiveCaptureStats s = stats();
        LOG.info("{} stopped: {} frames, {} received, {} dropped by libpcap{}", name(),
                s.delivered(), s.received(), s.dropped(), reopened());
    }

    private String reopened() {
        long n = reopens.get();
        return n == 0 ? "" : n == 1 ? ", reopened once" : ", reopened " + n + " times";
    }
}
