package dev.umbra.sensor.bench;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureSummary;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.gen.MixedCapture;
import java.nio.file.Files;
import java.nio.file.Path;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Packets per second through the offline pipeline on one thread (one core): the capture file
 * reader and the packet decoder, on the generated mixed capture (DNS, TLS, QUIC, filler; see
 * MixedCapture), observations built and consumed. The score is packets/s ({@code ops} = packets).
 *
 * <pre>bin/bench sensor CapturePipelineBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseSerialGC"})
public class CapturePipelineBenchmark {
    /** Frames in the benchmark capture. */
    static final int PACKETS = 200_000;

    Path file;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        file = Files.createTempFile("umbra-bench-mixed", ".pcap");
        MixedCapture.write(file, PACKETS, 42);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(MixedCapture.namesFile(file));
    }

    /** Reader and decoder: every observation handed to a consumer. */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long readAndDecode(Blackhole bh) throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("bench", bh::consume, anomalies);
        CaptureSummary s = CaptureFileReader.read(file, decoder, anomalies);
        return s.packets();
    }

    /** The reader alone, frames handed to a handler that only touches them. */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long readOnly(Blackhole bh) throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        CaptureSummary s = CaptureFileReader.read(file, (l, t, b, o, c, n) -> bh.consume(b[o + 12]), anomalies);
        return s.packets();
    }
}
