package dev.umbra.cli;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.live.LiveCapture;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.capture.live.LiveCaptureException;
import dev.umbra.sensor.capture.live.LiveCaptureStats;
import dev.umbra.sensor.decode.DecoderWarmup;
import dev.umbra.sensor.decode.PacketDecoder;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra capture}: live capture on one interface, printing every observation as it arrives
 * (like {@code umbra observe} for a file). Ends after {@code --count} frames, {@code --duration}
 * seconds, or Ctrl-C; then prints the libpcap counters (received, dropped) on standard error.
 */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = "Capture live on an interface and print every name seen (DNS queries and answers, "
                + "TLS and QUIC SNI with TLS version, ALPN, JA4 and ECH, HTTP requests with method and path, "
                + "SOCKS requests, ended flows' bytes), AI service or not, as 'umbra observe' does for a file. "
                + "Needs CAP_NET_RAW (or root).")
final class CaptureCommand implements Callable<Integer> {
    @ParentCommand
    UmbraCommand root;

    @Option(names = {"-i", "--interface"}, required = true, paramLabel = "IF",
            description = "Interface to capture on (see 'ip link').")
    String iface;

    @Option(names = {"-c", "--count"}, paramLabel = "N", defaultValue = "0",
            description = "Stop after N captured frames; 0: no limit. Default: ${DEFAULT-VALUE}.")
    long count;

    @Option(names = {"-d", "--duration"}, paramLabel = "S", defaultValue = "0",
            description = "Stop after S seconds of capture (counted after the warm-up); 0: no limit. Default: ${DEFAULT-VALUE}.")
    double durationSeconds;

    @Option(names = "--filter", paramLabel = "BPF",
            description = "BPF filter (pcap-filter(7)). Default: built from the enabled decoders (DNS, TLS, QUIC, SOCKS5 UDP relays, "
                    + "HTTP), "
                    + "covering VLAN-tagged frames on Ethernet interfaces.")
    String filter;

    @Option(names = "--snaplen", paramLabel = "BYTES", defaultValue = "65535",
            description = "Bytes kept of each frame. Default: ${DEFAULT-VALUE}.")
    int snaplen;

    @Option(names = "--buffer-size", paramLabel = "MIB", defaultValue = "128",
            description = "Kernel capture buffer in MiB; 2 MiB drops frames at a few hundred thousand packets/s. "
                    + "Default: ${DEFAULT-VALUE}.")
    int bufferMib;

    @Option(names = "--no-promiscuous", description = "Do not put the interface in promiscuous mode.")
    boolean noPromiscuous;

    @Option(names = "--immediate", description = "Immediate mode: deliver each frame at once (drops more under load).")
    boolean immediate;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "5",
            description = "Before capturing, run the decoder over bundled synthetic frames for at most S seconds, until the JIT "
                    + "has compiled it (a cold decoder reads a third as fast and drops frames in a burst); frames arriving "
                    + "meanwhile wait in the kernel buffer. 0: off. Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--format", defaultValue = "table",
            description = "table or json (one object per line). Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Override
    public Integer call() {
        if (count < 0) {
            throw UmbraException.badInput("Invalid value " + count + " for option --count: cannot be negative");
        }
        if (durationSeconds < 0 || Double.isNaN(durationSeconds)) {
            throw UmbraException.badInput("Invalid value " + durationSeconds + " for option --duration: cannot be negative");
        }
        if (warmupSeconds < 0 || warmupSeconds > 600 || Double.isNaN(warmupSeconds)) {
            throw UmbraException.badInput("Invalid value " + warmupSeconds + " for option --warmup: must be 0..600 seconds");
        }
        if (bufferMib < 1 || bufferMib > 2047) {
            throw UmbraException.badInput("Invalid value " + bufferMib + " for option --buffer-size: must be 1..2047 MiB");
        }
        LiveCaptureConfig config;
        try {
            config = LiveCaptureConfig.of(iface).withFilter(filter).withSnaplen(snaplen)
                    .withBufferBytes(bufferMib << 20).withPromiscuous(!noPromiscuous).withImmediate(immediate);
        } catch (IllegalArgumentException e) {
            throw UmbraException.badInput(e.getMessage());
        }
        AnomalyCounters anomalies = new AnomalyCounters();
        Consumer<Observation> sink = o -> root.out.println(
                format == OutputFormat.json ? ObserveCommand.json(o) : ObserveCommand.row(o));
        LiveCaptureStats stats;
        try (LiveCapture capture = LiveCapture.open(config)) {
            if (format == OutputFormat.table) {
                root.out.printf("%-30s %-11s %-40s %-39s %s%n", "TIME", "KIND", "HOSTNAME", "CLIENT", "SERVER");
            }
            CountDownLatch done = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                // Ctrl-C: end the loop and let the counters be printed before the JVM exits
                capture.stop();
                try {
                    done.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "umbra-capture-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                // the capture is open: what arrives during the warm-up waits in the kernel buffer
                if (root.verbosity() > 0 && warmupSeconds > 0) {
                    root.err.println("umbra: " + iface + " open; warming up the decoder (at most " + warmupSeconds + " s)");
                }
                DecoderWarmup.Result warm = DecoderWarmup.once(Duration.ofNanos((long) (warmupSeconds * 1e9)),
                        capture::stopRequested);
                if (root.verbosity() > 0) {
                    if (warm.passes() > 0) {
                        root.err.println("umbra: decoder warm-up: " + warm);
                    }
                    root.err.println("umbra: capturing on " + iface + " with filter: " + capture.filter());
                }
                Duration duration = durationSeconds > 0 ? Duration.ofNanos((long) (durationSeconds * 1e9)) : null;
                PacketDecoder decoder = new PacketDecoder(iface, sink, anomalies);
                decoder.nameClientsAsTap();
                // on a quiet link the decoder's clock moves on with the wall clock, so idle flows end meanwhile
                stats = capture.run(decoder, count, duration, Duration.ofSeconds(1),
                        () -> decoder.tick(LiveCapture.wallClockNanos()));
                // as a file read ends: hellos still being reassembled and the flows still open are reported
                decoder.finish();
                capture.close();
                stats = capture.stats();
                printStats(stats, anomalies);
            } finally {
                done.countDown();
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // shutting down already (Ctrl-C): the hook is running
                }
            }
        } catch (LiveCaptureException e) {
            int code = switch (e.reason()) {
                case NO_SUCH_INTERFACE, BAD_FILTER -> ExitCodes.USAGE;
                case LIBPCAP_MISSING, PERMISSION_DENIED, INTERFACE_DOWN, CAPTURE_FAILED -> ExitCodes.RUNTIME;
            };
            throw new UmbraException(code, e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    private void printStats(LiveCaptureStats s, AnomalyCounters anomalies) {
        root.err.printf("umbra: capture on %s: %d frames decoded; libpcap received %d, dropped %d (buffer full), "
                + "%d by the interface%n", iface, s.delivered(), s.received(), s.dropped(), s.droppedByInterface());
        if (root.verbosity() > 0) {
            for (Map.Entry<Anomaly, Long> e : anomalies.nonZero().entrySet()) {
                root.err.println("umbra: anomaly " + e.getKey().code() + ": " + e.getValue());
            }
        }
    }
}
