package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replays a capture with {@code tcpreplay --topspeed --preload-pcap} (the file loaded in memory first, so
 * that reading it does not slow the sender) from inside a network namespace onto its veth
 * end, and captures it on the host end through the pcap4j path with the default filter, decoding
 * every frame. Used by {@link ReplayTest} (20 k frames) and by {@code bin/bench-capture} (1 M
 * frames, 128 MiB vs 2 MiB buffer) through {@link #main}.
 */
final class Replay {
    private Replay() {
    }

    /**
     * What one replay gave.
     *
     * @param sent frames tcpreplay sent
     * @param seconds tcpreplay's send time
     * @param capture libpcap and delivery counters on the capturing side
     * @param names names seen, per observation kind
     */
    record Result(long sent, double seconds, LiveCaptureStats capture, Map<ObservationKind, Set<String>> names) {
        double packetsPerSecond() {
            return seconds > 0 ? sent / seconds : 0;
        }

        @Override
        public String toString() {
            return String.format("tcpreplay sent %d frames in %.3f s (%.0f packets/s); libpcap received %d, "
                    + "dropped %d (%.2f %%), by interface %d; %d frames decoded", sent, seconds, packetsPerSecond(),
                    capture.received(), capture.dropped(), 100 * capture.dropRatio(), capture.droppedByInterface(),
                    capture.delivered());
        }
    }

    /** Replays {@code file} at top speed and captures it with a kernel buffer of {@code bufferBytes}. */
    static Result run(Path file, int bufferBytes) throws Exception {
        HostTools.require("tcpreplay", "tcpreplay");
        try (Netns ns = Netns.create()) {
            // both ends quiet: no IPv6 router solicitations or DAD on the capturing side
            Map<ObservationKind, Set<String>> names = new EnumMap<>(ObservationKind.class);
            Map<ObservationKind, Set<String>> sync = new ConcurrentHashMap<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            LiveCaptureConfig config = LiveCaptureConfig.of(ns.hostIf).withBufferBytes(bufferBytes);
            LiveCaptureStats stats;
            HostTools.Result replay;
            try (LiveCapture capture = LiveCapture.open(config)) {
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
                replay = HostTools.run(600, "ip", "netns", "exec", ns.name, "tcpreplay", "--topspeed", "--preload-pcap", "-i", ns.nsIf,
                        file.toString());
                if (replay.exitCode() != 0) {
                    fail("tcpreplay failed: " + replay.err() + replay.out());
                }
                // drain: frames still in the ring are delivered within the read timeout; wait until quiet
                long last = -1;
                for (int i = 0; i < 600 && capture.delivered() != last; i++) {
                    last = capture.delivered();
                    Netns.sleep(300);
                }
                capture.stop();
                loop.join(30_000);
                stats = capture.stats();
            }
            if (failure.get() != null) {
                throw new AssertionError("capture failed", failure.get());
            }
            sync.forEach((k, v) -> names.put(k, new TreeSet<>(v)));
            return new Result(number(replay.out(), "Actual: (\\d+) packets"),
                    Double.parseDouble(String.valueOf(numberText(replay.out(), "sent in ([0-9.]+) seconds"))), stats,
                    names);
        }
    }

    private static long number(String text, String regex) {
        return Long.parseLong(numberText(text, regex));
    }

    private static String numberText(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            fail("unexpected tcpreplay output (no '" + regex + "'): " + text);
        }
        return m.group(1);
    }

    /**
     * {@code Replay FILE [BUFFER_MIB...]}: replays FILE once per buffer size and prints one line
     * each.
     */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        if (!Files.isReadable(file)) {
            System.err.println("no such capture: " + file);
            System.exit(2);
        }
        for (int i = 1; i < Math.max(2, args.length); i++) {
            int mib = args.length > 1 ? Integer.parseInt(args[i]) : 128;
            Result r = run(file, mib << 20);
            System.out.println("buffer " + mib + " MiB: " + r);
        }
    }
}
