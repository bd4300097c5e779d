package dev.umbra.cli.bench;

import dev.umbra.cli.AuditPipeline;
import dev.umbra.sensor.gen.MixedCapture;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
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

/**
 * Packets per second through {@code umbra audit}'s pipeline on one thread (one core), on the 1 M-frame
 * generated mixed capture the sensor issue's target names: the capture file reader, the packet decoder
 * as the audit sets it up (observations only for names the catalog has, {@code PacketDecoder.onlyNames}),
 * and the catalog match of every observation into the usage report. Not included: the JVM's start, the
 * catalog's load (done once in the set-up) and printing the report. The sensor's own
 * CapturePipelineBenchmark measures the decoder making an observation of every name instead.
 *
 * <pre>bin/bench cli AuditPipelineBenchmark</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseSerialGC"})
@State(Scope.Benchmark)
public class AuditPipelineBenchmark {
    /** Frames in the capture. */
    static final int MILLION = 1_000_000;

    private Path file;
    private HostMatcher matcher;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        file = Files.createTempFile("umbra-bench-mixed-" + MILLION, ".pcap");
        MixedCapture.write(file, MILLION, 42);
        matcher = Catalog.builtIn().matcher();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        Files.deleteIfExists(file);
        Files.deleteIfExists(MixedCapture.namesFile(file));
    }

    /** The whole file through the audit's reader, decoder and matching, into a new report. */
    @Benchmark
    @OperationsPerInvocation(MILLION)
    public AuditPipeline.Result auditMillion() {
        return AuditPipeline.run(file, matcher);
    }
}
