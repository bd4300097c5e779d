package dev.umbra.sensor.bench;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.decode.IpText;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.dns.NameCache;
import dev.umbra.sensor.gen.MixedCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Writes to the DNS name cache alone, as the 1 M-frame mixed capture makes them: the first
 * {@value #PUTS} addresses of its answers, each put under the name asked, at the answer's capture
 * time, into a new cache with the sensor's defaults. Ops are puts. Answers repeat addresses (the 1 M
 * capture's 185 734 answer addresses are 30 640 distinct ones), so most puts update an entry in place.
 * TTLs are not in the observations: every put uses 300 s, which the cache clamps as it would any.
 *
 * <pre>bin/bench sensor NameCacheBenchmark</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseSerialGC"})
public class NameCacheBenchmark {
    /** Puts per invocation. */
    static final int PUTS = 150_000;

    /** The answers' addresses, names and times, read once from the generated capture. */
    @State(Scope.Benchmark)
    public static class Answers {
        String[] addresses;
        String[] names;
        long[] times;

        @Setup(Level.Trial)
        public void setup() throws Exception {
            Path file = Files.createTempFile("umbra-bench-mixed-" + CapturePipelineBenchmark.MILLION, ".pcap");
            try {
                read(file);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(MixedCapture.namesFile(file));
            }
        }

        private void read(Path file) throws Exception {
            MixedCapture.write(file, CapturePipelineBenchmark.MILLION, 42);
            List<String[]> puts = new ArrayList<>();
            List<Long> at = new ArrayList<>();
            long[] numbers = new long[2];
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder("bench", o -> {
                if (o.kind() == ObservationKind.DNS_ANSWER && puts.size() < PUTS) {
                    long nanos = o.time().getEpochSecond() * 1_000_000_000L + o.time().getNano();
                    for (String a : o.answers()) {
                        if (IpText.parse(a, numbers) && puts.size() < PUTS) {
                            puts.add(new String[] {a, o.hostname()});
                            at.add(nanos);
                        }
                    }
                }
            }, anomalies);
            CaptureFileReader.read(file, decoder, anomalies);
            if (puts.size() < PUTS) {
                throw new IllegalStateException("the capture's answers hold " + puts.size() + " addresses, fewer than " + PUTS);
            }
            addresses = new String[PUTS];
            names = new String[PUTS];
            times = new long[PUTS];
            for (int i = 0; i < PUTS; i++) {
                addresses[i] = puts.get(i)[0];
                names[i] = puts.get(i)[1];
                times[i] = at.get(i);
            }
        }
    }

    /** A new cache, every answer's addresses put at its time. */
    @Benchmark
    @OperationsPerInvocation(PUTS)
    public long putAnswers(Answers answers) {
        long[] now = new long[1];
        NameCache cache = new NameCache(NameCache.DEFAULT_MAX_ENTRIES, NameCache.DEFAULT_MIN_TTL_SECONDS,
                NameCache.DEFAULT_MAX_TTL_SECONDS, () -> now[0]);
        String[] addresses = answers.addresses;
        String[] names = answers.names;
        long[] times = answers.times;
        for (int i = 0; i < PUTS; i++) {
            now[0] = times[i];
            cache.put(addresses[i], names[i], 300);
        }
        return cache.size();
    }
}
