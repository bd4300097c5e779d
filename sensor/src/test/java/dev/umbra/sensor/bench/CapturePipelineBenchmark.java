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
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseSerialGC"})
public class CapturePipelineBenchmark {
    /** Frames in the benchmark capture. */
    static final int PACKETS = 200_000;
    /**
     * Frames in the capture the sensor issue's target names ("offline umbra audit on the 1 M-packet
     * capture"): 333 MB in the temporary directory.
     */
    static final int MILLION = 1_000_000;

    /** A generated mixed capture, written once per trial in the temporary directory. */
    @State(Scope.Benchmark)
    public abstract static class Capture {
        Path file;

        abstract int packets();

        @Setup(Level.Trial)
        public void setup() throws Exception {
            file = Files.createTempFile("umbra-bench-mixed-" + packets(), ".pcap");
            MixedCapture.write(file, packets(), 42);
        }

        @TearDown(Level.Trial)
        public void tearDown() throws Exception {
            Files.deleteIfExists(file);
            Files.deleteIfExists(MixedCapture.namesFile(file));
        }
    }

    /** {@link #PACKETS} frames. */
    public static class Small extends Capture {
        @Override
        int packets() {
            return PACKETS;
        }
    }

    /** {@link #MILLION} frames. */
    public static class Million extends Capture {
        @Override
        int packets() {
            return MILLION;
        }
    }

    /** One decoder reads the whole file, every observation handed to the consumer. */
    private static long decode(Path f, Blackhole bh) throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("bench", bh::consume, anomalies);
        CaptureSummary s = CaptureFileReader.read(f, decoder, anomalies);
        return s.packets();
    }

    /** Reader and decoder: every observation handed to a consumer. */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long readAndDecode(Small capture, Blackhole bh) throws Exception {
        return decode(capture.file, bh);
    }

    /**
     * Reader and decoder over the 1 M-frame capture: one decoder for the whole file, as in an audit,
     * so the flow table fills to its cap and evicts, and the name cache holds the addresses of all the
     * answers (30 640, below its cap).
     */
    @Benchmark
    @OperationsPerInvocation(MILLION)
    public long readAndDecodeMillion(Million capture, Blackhole bh) throws Exception {
        return decode(capture.file, bh);
    }

    /** The reader alone, frames handed to a handler that only touches them. */
    @Benchmark
    @OperationsPerInvocation(PACKETS)
    public long readOnly(Small capture, Blackhole bh) throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        CaptureSummary s = CaptureFileReader.read(capture.file, (l, t, b, o, c, n) -> bh.consume(b[o + 12]),
                anomalies);
        return s.packets();
    }
}
