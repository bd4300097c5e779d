package dev.umbra.sensor.decode;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.Channels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/*
 * Design notes.
 *
 * A JVM starts interpreting the decoder and compiles it as it runs: in a fresh JVM the live read
 * path drains a full kernel ring at about 200 k frames/s, once compiled at about 700 k (DrainBench,
 * docs/benchmarks.md). A burst that meets a cold decoder fills the ring and frames are dropped. So
 * once a live capture is open, and before its loop starts, the decoder runs over a bundled capture
 * of synthetic frames (warmup.pcap, written by the test generator MixedCapture with 2 000 frames and
 * seed 7: DNS over UDP and TCP with CNAME chains, ClientHellos whole, split, reordered and with ECH,
 * QUIC Initials over several packets, IPv6, VLAN, QinQ, filler) until the JIT has compiled what those
 * frames run. Frames arriving meanwhile wait in the kernel ring.
 *
 * Each pass decodes every frame with a decoder of its own (flow table, stream buffers, name cache
 * and anomaly counters of its own, a sink that counts) and ends it with finish(); nothing of the
 * warm-up reaches the real decoder, its counters or its sink. Only the compiled code and the
 * profiles it was compiled from are shared.
 *
 * When to stop: after at least minFrames, once the JIT has finished no compilation for 200 ms (the
 * JVM's total compilation time, CompilationMXBean, has not grown: the compiler threads are done with
 * what the passes asked for), or when the time budget is spent, or when cancelled, whichever comes
 * first; always after whole passes, and at least one. Without compilation times (a JVM without a JIT
 * or without monitoring) it stops after minFrames. Measured on the 2-core host with the default
 * 200 000 frames and 5 s, in a fresh JVM: it settles after 1.9-3.2 s and 3-5 M frames under
 * bin/umbra's JIT options (C1, C2 for the crypto only), 3.2-4.5 s and 5-8 M frames with the full
 * tiered JIT.
 */
/**
 * Runs the packet decoder over bundled synthetic frames so that the JIT compiles it before a live
 * capture meets its first burst. See the design notes.
 */
public final class DecoderWarmup {
    private static final Logger LOG = LogManager.getLogger(DecoderWarmup.class);
    /** The bundled capture, beside this class. */
    static final String RESOURCE = "warmup.pcap";
    /** Frames decoded at least, unless the budget ends first. */
    public static final long DEFAULT_MIN_FRAMES = 200_000;
    /** The longest a warm-up runs. */
    public static final Duration DEFAULT_BUDGET = Duration.ofSeconds(5);
    /** How long the JIT must have finished nothing for the warm-up to call it settled. */
    private static final long QUIET_NANOS = 200_000_000L;
    private static final long MAX_BUDGET_SECONDS = 86_400;

    /** Why a warm-up ended. */
    public enum Ending {
        /** A zero budget: nothing ran. */
        OFF("off"),
        /** The JIT went quiet after the minimum of frames. */
        SETTLED("compilation settled"),
        /** The time budget was spent first. */
        BUDGET_SPENT("time budget spent"),
        /** Cancelled (a stop requested meanwhile). */
        STOPPED("stopped");

        private final String text;

        Ending(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * What a warm-up did.
     *
     * @param frames frames decoded
     * @param passes passes over the bundled frames
     * @param observations observations the passes made (and dropped)
     * @param elapsed wall time taken
     * @param compileMillis JIT compilation time added meanwhile, all compiler threads (-1 when the JVM
     *     does not say)
     * @param ending why it ended
     */
    public record Result(long frames, long passes, long observations, Duration elapsed, long compileMillis,
            Ending ending) {
        static final Result NONE = new Result(0, 0, 0, Duration.ZERO, 0, Ending.OFF);

        @Override
        public String toString() {
            if (ending == Ending.OFF) {
                return ending.toString();
            }
            return String.format("%d frames in %d passes, %d ms, JIT %s, %s", frames, passes, elapsed.toMillis(),
                    compileMillis < 0 ? "time unknown" : compileMillis + " ms", ending);
        }
    }

    private record Frame(int linkType, long timestampNanos, byte[] bytes, int originalLength) {
    }

    private static Result first;

    private final List<Frame> frames;

    private DecoderWarmup(List<Frame> frames) {
        this.frames = frames;
    }

    /** The bundled synthetic frames. */
    public static DecoderWarmup bundled() {
        try (InputStream in = DecoderWarmup.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the warm-up capture " + RESOURCE + " is missing from the jar");
            }
            return load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the warm-up capture " + RESOURCE, e);
        }
    }

    /** Frames of a pcap or pcapng capture read from {@code in}. */
    static DecoderWarmup load(InputStream in) throws IOException {
        List<Frame> list = new ArrayList<>();
        try {
            CaptureFileReader.read(Channels.newChannel(in), (linkType, ts, buf, off, len, orig) ->
                    list.add(new Frame(linkType, ts, Arrays.copyOfRange(buf, off, off + len), orig)),
                    new AnomalyCounters());
        } catch (CaptureFormatException e) {
            throw new IOException("not a capture: " + e.getMessage(), e);
        }
        if (list.isEmpty()) {
            throw new IOException("the capture has no frames");
        }
        return new DecoderWarmup(list);
    }

    /**
     * Warms the decoder up once for this process: the first call runs the bundled frames with the
     * default minimum and {@code budget} and keeps the result; later calls (other interfaces, a
     * capture started again) wait for that one and return its result. A zero budget runs nothing.
     * {@code cancelled} is asked after every pass: true ends the warm-up there (a stop requested
     * meanwhile), and what ran so far counts as this process' warm-up.
     *
     * @throws IllegalArgumentException when the budget is negative
     */
    public static Result once(Duration budget, BooleanSupplier cancelled) {
        return once(budget, cancelled, DecoderWarmup::bundled);
    }

    /**
     * {@link #once} with the frames from {@code frames}. A warm-up that fails (the bundled capture
     * unreadable: a damaged jar) is logged and counts as done: the capture goes on cold.
     */
    static synchronized Result once(Duration budget, BooleanSupplier cancelled, Supplier<DecoderWarmup> frames) {
        Objects.requireNonNull(budget, "budget");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("budget cannot be negative: " + budget);
        }
        if (first == null) {
            if (budget.isZero()) {
                return Result.NONE;
            }
            try {
                first = frames.get().run(DEFAULT_MIN_FRAMES, budget, cancelled);
            } catch (RuntimeException e) {
                LOG.warn("decoder warm-up failed, capturing without it: {}", e.getMessage());
                first = Result.NONE;
            }
        }
        return first;
    }

    /** Forgets the process' warm-up, so that the next {@link #once} runs one (tests). */
    static synchronized void forget() {
        first = null;
    }

    /** Frames in one pass. */
    public int framesPerPass() {
        return frames.size();
    }

    /**
     * Decodes the frames pass after pass: at least {@code minFrames} (whole passes), then until the
     * JIT has been quiet for 200 ms, and no pass starts after {@code budget}; a zero budget runs
     * nothing. {@code cancelled} is asked after every pass: true ends the warm-up there.
     *
     * @throws IllegalArgumentException when minFrames or the budget is negative
     */
    public Result run(long minFrames, Duration budget, BooleanSupplier cancelled) {
        if (minFrames < 0) {
            throw new IllegalArgumentException("minFrames cannot be negative: " + minFrames);
        }
        Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(cancelled, "cancelled");
        if (budget.isNegative()) {
            throw new IllegalArgumentException("budget cannot be negative: " + budget);
        }
        if (budget.isZero()) {
            return Result.NONE;
        }
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long compileStart = jitTimed ? jit.getTotalCompilationTime() : -1;
        long start = System.nanoTime();
        // a budget of centuries is no budget; toNanos() would overflow
        long budgetNanos = budget.getSeconds() < MAX_BUDGET_SECONDS ? budget.toNanos() : MAX_BUDGET_SECONDS * 1_000_000_000L;
        long decoded = 0;
        long passes = 0;
        long[] observations = {0};
        Ending ending = null;
        long compiledBefore = compileStart;
        long quietSince = start;
        do {
            PacketDecoder decoder = new PacketDecoder("warm-up", o -> observations[0]++, new AnomalyCounters());
            for (Frame f : frames) {
                decoder.onPacket(f.linkType, f.timestampNanos, f.bytes, 0, f.bytes.length, f.originalLength);
            }
            decoder.finish();
            decoded += frames.size();
            passes++;
            long now = System.nanoTime();
            if (jitTimed) {
                long compiled = jit.getTotalCompilationTime();
                if (compiled != compiledBefore) {
                    compiledBefore = compiled;
                    quietSince = now;
                } else if (decoded >= minFrames && now - quietSince >= QUIET_NANOS) {
                    ending = Ending.SETTLED;
                }
            } else if (decoded >= minFrames) {
                ending = Ending.SETTLED;
            }
            if (ending == null && cancelled.getAsBoolean()) {
                ending = Ending.STOPPED;
            } else if (ending == null && System.nanoTime() - start >= budgetNanos) {
                ending = Ending.BUDGET_SPENT;
            }
        } while (ending == null);
        long compileMillis = jitTimed ? jit.getTotalCompilationTime() - compileStart : -1;
        return new Result(decoded, passes, observations[0], Duration.ofNanos(System.nanoTime() - start),
                compileMillis, ending);
    }
}
