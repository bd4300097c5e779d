package dev.umbra.sensor.capture.live;

import dev.umbra.sensor.capture.PacketHandler;
import dev.umbra.sensor.capture.live.LiveCaptureException.Reason;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface.PromiscuousMode;
import org.pcap4j.core.PcapStat;
import org.pcap4j.core.Pcaps;
import org.pcap4j.core.RawPacketListener;

/*
 * Design notes.
 *
 * The fast path of pcap4j 1.8.2: pcap_loop with a RawPacketListener, which hands over the frame as
 * a byte[] copied out of the kernel ring, with no pcap4j packet decoding (full decoding through
 * getNextPacket runs at about a fifth of the speed and allocates a tree of objects per frame). The
 * frame goes straight to the PacketHandler (normally a PacketDecoder) on the capture thread, with
 * the link type of the handle and the timestamp and original length pcap4j keeps in thread-locals
 * for the duration of the callback.
 *
 * The handle is built with pcap_create/pcap_activate so that the kernel buffer can be sized: 2 MiB
 * drops 14-20 % of frames at ~450 k packets/s on a veth, 128 MiB drops none. Immediate mode is off
 * by default (it wakes the thread for every frame and drops more under load); frames are delivered
 * when a ring block fills or the read timeout expires.
 *
 * Stopping: PcapHandle.close() takes a write lock that the running loop holds for reading, so close
 * alone deadlocks while a loop runs. stop() calls pcap_breakloop (which wakes the loop on Linux,
 * libpcap >= 1.10) and close() stops, waits for the loop to return, and only then closes. The
 * libpcap counters are read once more just before close so they stay available afterwards.
 *
 * Draining at a stop: with TPACKET_V3 (immediate mode off), the kernel hands a ring block to the
 * reader only when it fills or when the read timeout retires it. The frames of the block being
 * filled at the stop were taken by the kernel (libpcap counts them as received) but were never
 * readable: breaking the loop there loses up to one read timeout of traffic (measured: all 40
 * frames sent just before a stop). So a stopped run switches the handle to non-blocking and
 * dispatches until one read timeout (plus a margin) has passed since the stop, by when the kernel
 * has retired that block; frames that arrive meanwhile are delivered too. A run ended by its
 * packet count, a handler failure or a closed handle does not drain.
 *
 * Idle: pcap_loop calls back only when frames arrive, but a decoder's timeouts (idle flows ending
 * with their byte counts, reassembly buffers) must run on its own thread even when nothing arrives.
 * With an idle callback, a watchdog thread checks once per interval whether a frame came; when none
 * did it breaks the loop the way stop() does, but marked as idle: the capture thread runs the
 * callback and enters pcap_loop again. Frames that arrive meanwhile wait in the kernel ring. A busy
 * capture is never broken, so the fast path is unchanged.
 *
 * Errors become one line a user can act on (LiveCaptureException): libpcap missing (JNA's
 * UnsatisfiedLinkError, whatever form it takes), permission denied (CAP_NET_RAW), no such
 * interface, bad filter.
 */
/**
 * A live capture on one network interface through libpcap (pcap4j). Open it, {@link #run} it on one
 * thread, {@link #stop} or {@link #close} it from any thread.
 */
public final class LiveCapture implements AutoCloseable {
    private static final Logger LOG = LogManager.getLogger(LiveCapture.class);
    /** libpcap error codes (pcap/pcap.h). */
    private static final int PCAP_ERROR_NO_SUCH_DEVICE = -5;
    private static final int PCAP_ERROR_PERM_DENIED = -8;
    private static final int PCAP_ERROR_IFACE_NOT_UP = -9;
    private static final int PCAP_ERROR_PROMISC_PERM_DENIED = -11;
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    /** How much longer than the read timeout a stopped run reads, for the kernel's block timer to fire. */
    private static final long DRAIN_MARGIN_MILLIS = 50;
    private static final long DRAIN_POLL_MILLIS = 2;

    /** The one line printed when libpcap cannot be loaded. */
    public static final String LIBPCAP_MISSING_MESSAGE =
            "libpcap is not installed or cannot be loaded; install it with: apt-get install libpcap0.8";

    private final PcapHandle handle;
    private final LiveCaptureConfig config;
    private final String filter;
    private final int linkType;
    // BPF instructions the kernel holds on the socket (0: it refused the filter; -1: not known)
    private final int kernelFilterInstructions;
    private final Object lock = new Object();
    private volatile boolean stopRequested;
    // set by the idle watchdog just before it breaks the loop: the loop is to be entered again
    private volatile boolean idleBreak;
    /** The stopped run is reading the last ring block: close() must not break it (see the notes). */
    private volatile boolean draining;
    private volatile long delivered;
    private boolean looping;
    private boolean closed;
    private LiveCaptureStats lastStats;
    private RuntimeException handlerFailure;

    private LiveCapture(PcapHandle handle, LiveCaptureConfig config, String filter, int linkType,
            int kernelFilterInstructions) {
        this.handle = handle;
        this.config = config;
        this.filter = filter;
        this.linkType = linkType;
        this.kernelFilterInstructions = kernelFilterInstructions;
        this.lastStats = new LiveCaptureStats(0, 0, 0, 0);
    }

    /**
     * Opens the interface, sets the buffer, snap length, promiscuous and immediate modes, and installs
     * the BPF filter.
     *
     * @throws LiveCaptureException when libpcap is missing, permission is denied, the interface does
     *     not exist or the filter does not compile; the message is one line
     */
    public static LiveCapture open(LiveCaptureConfig config) throws LiveCaptureException {
        PcapHandle handle;
        try {
            handle = new PcapHandle.Builder(config.interfaceName())
                    .snaplen(config.snaplen())
                    .promiscuousMode(config.promiscuous() ? PromiscuousMode.PROMISCUOUS : PromiscuousMode.NONPROMISCUOUS)
                    .timeoutMillis(config.timeoutMillis())
                    .bufferSize(config.bufferBytes())
                    .immediateMode(config.immediate())
                    .timestampPrecision(PcapHandle.TimestampPrecision.NANO)
                    .build();
        } catch (LinkageError e) {
            throw libpcapMissing(e);
        } catch (PcapNativeException e) {
            throw openFailed(config.interfaceName(), e);
        }
        // the default filter depends on the link type: VLAN clauses on Ethernet only
        int dlt = handle.getDlt().value();
        String filter = config.effectiveFilter(dlt);
        try {
            handle.setFilter(filter, BpfCompileMode.OPTIMIZE);
        } catch (PcapNativeException | NotOpenException e) {
            handle.close();
            throw new LiveCaptureException(Reason.BAD_FILTER,
                    "invalid BPF filter '" + filter + "': " + oneLine(e.getMessage()), e);
        }
        LOG.info("capturing on {} (link type {}, snaplen {}, buffer {} bytes, promiscuous {}, immediate {}) "
                + "with filter {}", config.interfaceName(), dlt, config.snaplen(), config.bufferBytes(),
                config.promiscuous(), config.immediate(), filter);
        int inKernel = KernelFilter.attachedInstructions(handle);
        if (inKernel == 0) {
            LOG.warn("capture on {}: the kernel refused the BPF filter, so libpcap runs it in user space and every "
                    + "frame of the interface is copied up (drops at high rates); simplify the filter", config.interfaceName());
        }
        return new LiveCapture(handle, config, filter, dlt, inKernel);
    }

    /**
     * The libpcap version string.
     *
     * @throws LiveCaptureException when libpcap cannot be loaded
     */
    public static String libraryVersion() throws LiveCaptureException {
        try {
            return Pcaps.libVersion();
        } catch (LinkageError e) {
            throw libpcapMissing(e);
        }
    }

    /** The configuration this capture was opened with. */
    public LiveCaptureConfig config() {
        return config;
    }

    /** The BPF filter installed. */
    public String filter() {
        return filter;
    }

    /**
     * False when the kernel refused the BPF filter and libpcap runs it in user space (every frame of the
     * interface copied up; a warning is logged at open); true when the kernel holds it, or when that
     * cannot be told.
     */
    public boolean filterInKernel() {
        return kernelFilterInstructions != 0;
    }

    /** The BPF instructions the kernel holds on the capture's socket: 0 when it refused them, -1 when not known. */
    public int kernelFilterInstructions() {
        return kernelFilterInstructions;
    }

    /** The LINKTYPE_ value of the interface (1 for Ethernet). */
    public int linkType() {
        return linkType;
    }

    /**
     * Captures on the calling thread and hands every frame to the handler, until {@link #stop}, the
     * packet count or the duration is reached. The handler gets a fresh array per frame (pcap4j
     * copies each frame out of the kernel ring).
     *
     * @param handler receives the frames on this thread
     * @param maxPackets stop after this many frames, or 0 for no limit
     * @param maxDuration stop after this long, or {@code null} for no limit
     * @return the counters at the end of the run
     * @throws LiveCaptureException when libpcap reports an error or the handler throws
     * @throws IllegalStateException when the capture is closed or already running
     */
    public LiveCaptureStats run(PacketHandler handler, long maxPackets, Duration maxDuration)
            throws LiveCaptureException {
        return run(handler, maxPackets, maxDuration, null, null);
    }

    /**
     * As {@link #run(PacketHandler, long, Duration)}, and calls {@code onIdle} on the capture thread
     * each time {@code idle} passes without a frame (see the design notes), for timeouts that must
     * run even when nothing arrives.
     *
     * @param idle how long without a frame before {@code onIdle} runs; with {@code onIdle}, positive
     * @param onIdle runs on this thread, between frames; {@code null} for none
     */
    public LiveCaptureStats run(PacketHandler handler, long maxPackets, Duration maxDuration, Duration idle,
            Runnable onIdle) throws LiveCaptureException {
        if (onIdle != null && (idle == null || idle.isZero() || idle.isNegative())) {
            throw new IllegalArgumentException("idle interval must be positive: " + idle);
        }
        if (maxPackets < 0) {
            throw new IllegalArgumentException("maxPackets cannot be negative: " + maxPackets);
        }
        if (maxDuration != null && maxDuration.isNegative()) {
            throw new IllegalArgumentException("duration cannot be negative: " + maxDuration);
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("capture on " + config.interfaceName() + " is closed");
            }
            if (looping) {
                throw new IllegalStateException("capture on " + config.interfaceName() + " is already running");
            }
            looping = true;
        }
        handlerFailure = null;
        CountDownLatch finished = new CountDownLatch(1);
        Thread timer = null;
        if (maxDuration != null) {
            timer = new Thread(() -> {
                try {
                    if (!finished.await(maxDuration.toNanos(), TimeUnit.NANOSECONDS)) {
                        stop();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "umbra-capture-timer-" + config.interfaceName());
            timer.setDaemon(true);
            timer.start();
        }
        Thread watchdog = onIdle == null ? null : idleWatchdog(idle, finished);
        RawPacketListener listener = frame -> {
            Timestamp ts = handle.getTimestamp();
            long nanos = ts == null ? 0
                    : Math.floorDiv(ts.getTime(), 1000L) * 1_000_000_000L + ts.getNanos();
            Integer original = handle.getOriginalLength();
            try {
                handler.onPacket(linkType, nanos, frame, 0, frame.length, original == null ? frame.length : original);
                delivered++;
            } catch (RuntimeException e) {
                if (handlerFailure == null) {
                    handlerFailure = e;
                }
                stop();
            }
        };
        long first = delivered;
        try {
            while (!stopRequested) {
                long left = maxPackets == 0 ? -1 : maxPackets - (delivered - first);
                if (left == 0) {
                    break;
                }
                try {
                    handle.loop(left < 0 ? -1 : (int) Math.min(left, Integer.MAX_VALUE), listener);
                    break; // the count was reached
                } catch (InterruptedException e) {
                    // pcap_breakloop: a requested stop ends the run; an idle break runs the callback
                    if (stopRequested && handlerFailure == null) {
                        drain(listener);
                    }
                    if (stopRequested || !idleBreak || handlerFailure != null) {
                        break;
                    }
                    idleBreak = false;
                    try {
                        onIdle.run();
                    } catch (RuntimeException failure) {
                        handlerFailure = failure;
                        break;
                    }
                }
            }
        } catch (NotOpenException e) {
            // closed under us: nothing more to read
        } catch (PcapNativeException e) {
            throw new LiveCaptureException(Reason.CAPTURE_FAILED,
                    "capture on " + config.interfaceName() + " failed: " + oneLine(e.getMessage()), e);
        } finally {
            finished.countDown();
            for (Thread helper : new Thread[] {timer, watchdog}) {
                if (helper != null) {
                    try {
                        helper.join(1_000);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            idleBreak = false;
            synchronized (lock) {
                looping = false;
                // a stop ends one run: the next run captures again unless stopped anew
                stopRequested = false;
                lock.notifyAll();
            }
        }
        if (handlerFailure != null) {
            throw new LiveCaptureException(Reason.CAPTURE_FAILED,
                    "packet handler failed on " + config.interfaceName() + ": " + handlerFailure, handlerFailure);
        }
        return stats();
    }

    /**
     * After a stop: reads what the kernel retires within one read timeout (plus a margin), without
     * blocking, so that the frames of the block being filled at the stop are delivered (see the notes).
     */
    private void drain(RawPacketListener listener) throws PcapNativeException, NotOpenException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMillis() + DRAIN_MARGIN_MILLIS);
        draining = true;
        try {
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            while (handlerFailure == null) {
                int read;
                try {
                    read = handle.dispatch(-1, listener);
                } catch (InterruptedException e) {
                    read = 0; // another stop or a timer's break while draining: keep reading to the deadline
                }
                if (System.nanoTime() - deadline >= 0) {
                    break;
                }
                if (read <= 0) {
                    try {
                        Thread.sleep(DRAIN_POLL_MILLIS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        } finally {
            draining = false;
            handle.setBlockingMode(PcapHandle.BlockingMode.BLOCKING);
        }
    }

    /**
     * The wall clock as live capture timestamps are (nanoseconds since the epoch): what a decoder's
     * clock is moved on to when no frame arrives (see {@link #run(PacketHandler, long, Duration, Duration,
     * Runnable)}).
     */
    public static long wallClockNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Breaks the loop, marked as idle, whenever an interval passes without a frame, until {@code finished}. */
    private Thread idleWatchdog(Duration idle, CountDownLatch finished) {
        Thread t = new Thread(() -> {
            long seen = delivered;
            try {
                while (!finished.await(idle.toNanos(), TimeUnit.NANOSECONDS)) {
                    long now = delivered;
                    if (now == seen && !stopRequested) {
                        synchronized (lock) {
                            if (!closed) {
                                idleBreak = true;
                                try {
                                    handle.breakLoop();
                                } catch (NotOpenException e) {
                                    return;
                                }
                            }
                        }
                    }
                    seen = now;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "umbra-capture-idle-" + config.interfaceName());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Asks the running {@link #run} to return (or the next one, when none runs). Safe from any
     * thread, also from the handler.
     */
    public void stop() {
        stopRequested = true;
        synchronized (lock) {
            if (closed) {
                return;
            }
            try {
                handle.breakLoop();
            } catch (NotOpenException e) {
                // already closed
            }
        }
    }

    /**
     * Whether {@link #stop} was called and the run it ends (the running one, or the next) has not
     * returned yet: work done before {@link #run}, such as a warm-up, asks this to stop early.
     */
    public boolean stopRequested() {
        return stopRequested;
    }

    /** Frames handed to the handler so far. */
    public long delivered() {
        return delivered;
    }

    /** The current counters (the last ones read, once closed). */
    public LiveCaptureStats stats() {
        synchronized (lock) {
            if (!closed) {
                try {
                    PcapStat s = handle.getStats();
                    lastStats = new LiveCaptureStats(delivered, s.getNumPacketsReceived(), s.getNumPacketsDropped(),
                            s.getNumPacketsDroppedByIf());
                } catch (PcapNativeException | NotOpenException e) {
                    LOG.debug("pcap_stats failed on {}: {}", config.interfaceName(), e.getMessage());
                }
            }
            return lastStats;
        }
    }

    /**
     * Stops the loop, waits for it to return (breakLoop before close: close alone deadlocks), reads
     * the counters a last time and closes the handle. Idempotent.
     */
    @Override
    public void close() {
        stop();
        synchronized (lock) {
            if (closed) {
                return;
            }
            long waitMillis = CLOSE_WAIT_MILLIS + config.timeoutMillis() + DRAIN_MARGIN_MILLIS;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (looping) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    // closing now would block on the loop's lock forever: leave the handle to the process exit
                    LOG.warn("capture loop on {} did not stop within {} ms; handle left open",
                            config.interfaceName(), waitMillis);
                    return;
                }
                try {
                    lock.wait(Math.max(1, Math.min(100, TimeUnit.NANOSECONDS.toMillis(left))));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (looping && !draining) {
                    try {
                        handle.breakLoop();
                    } catch (NotOpenException e) {
                        break;
                    }
                }
            }
        }
        stats();
        synchronized (lock) {
            closed = true;
            handle.close();
        }
    }

    private static LiveCaptureException libpcapMissing(LinkageError e) {
        return new LiveCaptureException(Reason.LIBPCAP_MISSING, LIBPCAP_MISSING_MESSAGE, e);
    }

    private static LiveCaptureException openFailed(String name, PcapNativeException e) {
        Integer rc = e.getReturnCode();
        String message = oneLine(e.getMessage());
        String lower = message.toLowerCase(Locale.ROOT);
        if ((rc != null && (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED))
                || lower.contains("operation not permitted") || lower.contains("permission")) {
            return new LiveCaptureException(Reason.PERMISSION_DENIED, "no permission to capture on " + name
                    + ": capture needs CAP_NET_RAW (run as root, or grant it to java with "
                    + "setcap cap_net_raw+ep, or AmbientCapabilities=CAP_NET_RAW in the systemd unit)", e);
        }
        if ((rc != null && rc == PCAP_ERROR_NO_SUCH_DEVICE) || lower.contains("no such device")) {
            return new LiveCaptureException(Reason.NO_SUCH_INTERFACE,
                    "no such interface: " + name + " (list them with 'ip link')", e);
        }
        if (rc != null && rc == PCAP_ERROR_IFACE_NOT_UP) {
            return new LiveCaptureException(Reason.INTERFACE_DOWN,
                    "interface " + name + " is down (ip link set " + name + " up)", e);
        }
        return new LiveCaptureException(Reason.CAPTURE_FAILED, "cannot capture on " + name + ": " + message, e);
    }

    private static String oneLine(String s) {
        return s == null ? "unknown error" : s.replace('\n', ' ').trim();
    }
}
