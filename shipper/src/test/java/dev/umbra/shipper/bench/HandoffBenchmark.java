package dev.umbra.shipper.bench;

import dev.umbra.shipper.Finding;
import dev.umbra.shipper.HandoffQueue;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The capture thread's side of the hand-off in isolation: {@code HandoffQueue.offer} plus the
 * counter update, as {@code KafkaShipper.offer} does it, with one consumer thread draining the ring
 * at the same time. Sample-time mode gives the latency distribution (p99 in the JMH output); a
 * full ring shows up as the cheap "false" path, counted.
 */
@State(Scope.Group)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class HandoffBenchmark {
    private final HandoffQueue<Finding> queue = new HandoffQueue<>(65536);
    private final ShipperCounters counters = new ShipperCounters();
    private final Finding finding = TestFindings.numbered(1);

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public boolean offer() {
        if (queue.offer(finding)) {
            counters.countQueued();
            return true;
        }
        counters.countDropped(dev.umbra.shipper.DropReason.HANDOFF_QUEUE_FULL, 1);
        return false;
    }

    @Benchmark
    @Group("handoff")
    @GroupThreads(1)
    public Finding drain() {
        return queue.poll();
    }
}
