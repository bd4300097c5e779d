package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.DecoderWarmup;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a capture with {@code tcpreplay --topspeed --preload-pcap} (the file loaded in memory first, so
 * that reading it does not slow the sender) from inside a network namespace onto its veth
 * end, and captures it on the host end through the pcap4j path with the default filter, decoding
 * every frame. Used by {@link ReplayTest} (20 k frames) and by {@code bin/bench-capture} (1 M
 * frames, 128 MiB vs 2 MiB buffer) through {@link #main}.
 *
 * <p>One tcpreplay process sends at most about 290 k packets/s onto a veth here. Several run at once
 * (each sends the whole file) to offer more; on a 2-core host they then take the cores the capture
 * needs, so they can be run at a lower priority ({@code nice}) to measure what the capture keeps up
 * with when it gets a core.
 *
 * <p>trafgen (netsniff-ng) sends from a packet socket's TX ring, one process on one core, at about
 * 730 k packets/s here: {@link #runTrafgen} offers the rate the sensor issue names (about 450 k
 * packets/s) from a single sender, which tcpreplay cannot. Its packet configuration is written from
 * the capture by {@link TrafgenConfig}; trafgen parses it before it starts sending (about 35 s for
 * 200 k frames, and much longer for more), and sends the frames in file order, from the first again
 * when it is asked for more.
 */
final class Replay {
    private Replay() {
    }

    /** Whether the decoder is warmed up before the capture starts, as the product does ({@code --no-warmup}: not). */
    static boolean warmup = true;

    /**
     * What one replay gave.
     *
     * @param sent frames tcpreplay sent
     * @param seconds tcpreplay's send time
     * @param capture libpcap and delivery counters on the capturing side
     * @param names names seen, per observation kind
     */
    record Result(long sent, double seconds, LiveCaptureStats capture, Map<ObservationKind, Set<String>> names,
            String sender, int senders, double wallSeconds, double captureCpuSeconds, long peakDeliveredPerSecond) {
        double packetsPerSecond() {
            return seconds > 0 ? sent / seconds : 0;
        }

        @Override
        public String toString() {
            String rate = senders == 1 ? String.format("%.0f packets/s", packetsPerSecond())
                    : String.format("%.0f packets/s by the slowest sender's time; %.0f packets/s over the %.3f s from"
                            + " starting the senders to the last one's end, file loading included", packetsPerSecond(),
                            sent / wallSeconds, wallSeconds);
            // the peak needs a second of samples: none for a replay shorter than that
            String peak = peakDeliveredPerSecond > 0 ? ", at most " + peakDeliveredPerSecond + " in one second" : "";
            return String.format("%s sent %d frames in %.3f s (%s); libpcap received %d, "
                    + "dropped %d (%.2f %%), by interface %d; %d frames decoded%s; capturing process %.2f s CPU",
                    senders == 1 ? sender : senders + " " + sender + "s", sent, seconds, rate, capture.received(),
                    capture.dropped(), 100 * capture.dropRatio(), capture.droppedByInterface(), capture.delivered(), peak,
                    captureCpuSeconds);
        }
    }

    /** Replays {@code file} at top speed and captures it with a kernel buffer of {@code bufferBytes}. */
    static Result run(Path file, int bufferBytes) throws Exception {
        return run(file, bufferBytes, 1, 0);
    }

    /**
     * Replays {@code file} from {@code senders} tcpreplay processes at once, each at top speed under
     * {@code nice -n niceness}; counts are summed, the time is the slowest sender's.
     */
    static Result run(Path file, int bufferBytes, int senders, int niceness) throws Exception {
        HostTools.require("tcpreplay", "tcpreplay");
        return run(bufferBytes, senders, "tcpreplay", nsIf -> List.of("nice", "-n", Integer.toString(niceness),
                "tcpreplay", "--topspeed", "--preload-pcap", "-i", nsIf, file.toString()),
                out -> new long[] {number(out, "Actual: (\\d+) packets"),
                    Math.round(1e9 * Double.parseDouble(numberText(out, "sent in ([0-9.]+) seconds")))});
    }

    /**
     * Sends {@code count} frames of {@code config} (a {@link TrafgenConfig}) from one trafgen on one
     * core at top speed, and captures them with a kernel buffer of {@code bufferBytes}. (trafgen's
     * {@code --gap} is no way to ask for a rate: with a gap of 2 222 ns it sent 53 k packets/s.)
     */
    static Result runTrafgen(Path config, long count, int bufferBytes) throws Exception {
        return runTrafgen(config, count, 1, 0, bufferBytes);
    }

    /**
     * The same from {@code cpus} trafgen processes (trafgen's {@code --cpus}: one per core, each
     * sending {@code count / cpus}) at {@code nice -n niceness}.
     */
    static Result runTrafgen(Path config, long count, int cpus, int niceness, int bufferBytes)
            throws Exception {
        HostTools.require("trafgen", "netsniff-ng");
        return run(bufferBytes, 1, "trafgen", nsIf -> List.of("nice", "-n", Integer.toString(niceness), "trafgen",
                "--dev", nsIf, "--conf", config.toString(), "--num", Long.toString(count), "--cpus", Integer.toString(cpus)),
                out -> new long[] {number(out, "(\\d+) packets outgoing"), slowestCpuNanos(out)});
    }

    /** The longest of trafgen's per-core send times ("1 sec, 234 usec on CPU0 (...)"), in nanoseconds. */
    private static long slowestCpuNanos(String out) {
        Matcher m = Pattern.compile("(\\d+) sec, (\\d+) usec on CPU").matcher(out);
        long slowest = -1;
        while (m.find()) {
            slowest = Math.max(slowest, Long.parseLong(m.group(1)) * 1_000_000_000L + 1000 * Long.parseLong(m.group(2)));
        }
        if (slowest < 0) {
            fail("unexpected trafgen output (no send time): " + out);
        }
        return slowest;
    }

    /**
     * Captures while {@code senders} copies of the command run at once in the namespace; {@code parse}
     * reads one sender's output into frames sent and its send time in nanoseconds.
     */
    private static Result run(int bufferBytes, int senders, String sender,
            java.util.function.Function<String, List<String>> command,
            java.util.function.Function<String, long[]> parse) throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (Netns ns = Netns.create()) {
            // both ends quiet: no IPv6 router solicitations or DAD on the capturing side
            Map<ObservationKind, Set<String>> names = new EnumMap<>(ObservationKind.class);
            Map<ObservationKind, Set<String>> sync = new ConcurrentHashMap<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            LiveCaptureConfig config = LiveCaptureConfig.of(ns.hostIf).withBufferBytes(bufferBytes);
            LiveCaptureStats stats;
            long sent = 0;
            double seconds = 0;
            long wall;
            long cpu;
            long[] peak = {0};
            try (LiveCapture capture = LiveCapture.open(config)) {
                if (warmup) {
                    // as umbra capture and the daemon do: once per JVM, after the open, before the first frame
                    System.out.println("decoder warm-up: " + DecoderWarmup.once(DecoderWarmup.DEFAULT_BUDGET, () -> false));
                }
                PacketDecoder decoder = new PacketDecoder(ns.hostIf, (Observation o) ->
                        sync.computeIfAbsent(o.kind(), k -> ConcurrentHashMap.newKeySet()).add(o.hostname()),
                        anomalies);
                Thread loop = new Thread(() -> {
                    try {
                        capture.run(decoder, 0, Duration.ofMinutes(10));
                    } catch (Throwable t) {
                        failure.set(t);
                    }
                }, "replay-capture");
                loop.start();
                Netns.sleep(200);
                long cpuStart = os.getProcessCpuTime();
                long wallStart = System.nanoTime();
                // frames decoded per second, sampled every 250 ms: the highest rate any second reached
                Thread sampler = new Thread(() -> {
                    long[] window = new long[5];
                    for (int i = 0; !Thread.currentThread().isInterrupted(); i++) {
                        window[i % 5] = capture.delivered();
                        if (i >= 4) {
                            peak[0] = Math.max(peak[0], window[i % 5] - window[(i + 1) % 5]);
                        }
                        try {
                            Thread.sleep(250);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }, "replay-rate");
                sampler.setDaemon(true);
                sampler.start();
                ExecutorService pool = Executors.newFixedThreadPool(senders);
                try {
                    List<Future<HostTools.Result>> replays = new ArrayList<>();
                    for (int i = 0; i < senders; i++) {
                        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", ns.name));
                        argv.addAll(command.apply(ns.nsIf));
                        replays.add(pool.submit(() -> HostTools.run(900, argv.toArray(new String[0]))));
                    }
                    for (Future<HostTools.Result> f : replays) {
                        HostTools.Result replay = f.get();
                        if (replay.exitCode() != 0) {
                            fail(sender + " failed: " + replay.err() + replay.out());
                        }
                        long[] sentAndNanos = parse.apply(replay.out() + replay.err());
                        sent += sentAndNanos[0];
                        seconds = Math.max(seconds, sentAndNanos[1] / 1e9);
                    }
                } finally {
                    pool.shutdownNow();
                }
                wall = System.nanoTime() - wallStart;
                sampler.interrupt();
                // drain: frames still in the ring are delivered within the read timeout; wait until quiet
                long last = -1;
                for (int i = 0; i < 600 && capture.delivered() != last; i++) {
                    last = capture.delivered();
                    Netns.sleep(300);
                }
                cpu = os.getProcessCpuTime() - cpuStart;
                capture.stop();
                loop.join(30_000);
                stats = capture.stats();
            }
            if (failure.get() != null) {
                throw new AssertionError("capture failed", failure.get());
            }
            sync.forEach((k, v) -> names.put(k, new TreeSet<>(v)));
            return new Result(sent, seconds, stats, names, sender, senders, wall / 1e9, cpu / 1e9, peak[0]);
        }
    }

    private static long number(String text, String regex) {
        return Long.parseLong(numberText(text, regex));
    }

    private static String numberText(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("unexpected sender output (no '" + regex + "'): " + text);
        }
        return m.group(1);
    }

    /**
     * Frames of a capture in the configuration {@link #main} gives trafgen (see
     * {@link TrafgenConfig#write(Path, Path, long)}).
     */
    static final long TRAFGEN_FRAMES = 200_000;

    /**
     * {@code Replay FILE [--senders N] [--nice N] [--no-warmup] [BUFFER_MIB...]}: replays FILE with
     * tcpreplay once per buffer size (default 128) and prints one line each. The decoder is warmed up
     * first ({@link DecoderWarmup}, once per JVM) unless {@code --no-warmup}.
     *
     * <p>{@code Replay FILE --trafgen COUNT [--cpus N] [--nice N] [BUFFER_MIB...]}: sends COUNT frames
     * from trafgen instead (one process per core, on N cores): the first {@link #TRAFGEN_FRAMES}
     * frames of FILE (fewer when FILE has fewer), from the first again after the last, until COUNT are
     * sent. Its configuration is written beside FILE as FILE.trafgen once, and kept.
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        if (!Files.isReadable(file)) {
            System.err.println("no such capture: " + file);
            System.exit(2);
        }
        int senders = 1;
        int niceness = 0;
        long trafgenCount = 0;
        int cpus = 1;
        List<Integer> buffers = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--senders" -> senders = Integer.parseInt(args[++i]);
                case "--nice" -> niceness = Integer.parseInt(args[++i]);
                case "--trafgen" -> trafgenCount = Long.parseLong(args[++i]);
                case "--cpus" -> cpus = Integer.parseInt(args[++i]);
                case "--no-warmup" -> warmup = false;
                default -> buffers.add(Integer.parseInt(args[i]));
            }
        }
        if (buffers.isEmpty()) {
            buffers.add(128);
        }
        Path config = Path.of(file + ".trafgen");
        if (trafgenCount > 0 && !(Files.isRegularFile(config)
                && Files.getLastModifiedTime(config).compareTo(Files.getLastModifiedTime(file)) > 0)) {
            Path tmp = Path.of(config + ".tmp");
            TrafgenConfig.Written w = TrafgenConfig.write(file, tmp, TRAFGEN_FRAMES);
            Files.move(tmp, config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.err.println("trafgen configuration " + config + ": " + w.frames() + " frames, " + w.skipped() + " skipped");
        }
        for (int mib : buffers) {
            Result r = trafgenCount > 0 ? runTrafgen(config, trafgenCount, cpus, niceness, mib << 20)
                    : run(file, mib << 20, senders, niceness);
            System.out.println("buffer " + mib + " MiB: " + r);
        }
    }
}
