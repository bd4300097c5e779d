package dev.umbra.shipper.bench;

import dev.umbra.shipper.Finding;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import dev.umbra.shipper.kafka.KafkaShipper;
import dev.umbra.shipper.kafka.TestBroker;
import dev.umbra.shipper.kafka.KafkaSinkConfig;
import dev.umbra.shipper.ocsf.OcsfMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Bench command for the Kafka shipper against a real in-process KRaft broker on loopback (the
 * broker shares the JVM and the cores). Modes:
 * <pre>
 *   throughput N          offer N findings as fast as the hand-off takes them; findings/s until all acked
 *   handoff RATE SECONDS  offer at RATE/s; latency of each offer() call on the "capture" thread
 *   outage SECONDS RATE   offer at RATE/s with the broker stopped for SECONDS; heap and spool during
 *                         the outage, drain time after, and a consume-back check that none was lost
 * </pre>
 * Run as docs/benchmarks.md says. Numbers are printed as one block of text.
 */
public final class ShipperBench {
    private ShipperBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: ShipperBench throughput N | handoff RATE SECONDS | outage SECONDS RATE");
            System.exit(2);
        }
        Path tmp = Files.createTempDirectory("umbra-shipper-bench");
        try (TestBroker broker = TestBroker.start(Map.of())) {
            switch (args[0]) {
                case "throughput" -> throughput(broker, tmp, Integer.parseInt(args[1]));
                case "handoff" -> handoff(broker, tmp, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                case "outage" -> outage(broker, tmp, Integer.parseInt(args[1]), Integer.parseInt(args[2]));
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            }
        } finally {
            deleteTree(tmp);
        }
    }

    private static KafkaShipper shipper(TestBroker broker, String topic, Path spool, ShipperCounters c)
            throws Exception {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", broker.bootstrap());
        p.setProperty("kafka.topic", topic);
        p.setProperty("sensor.host.id", "bench-sensor");
        p.setProperty("spool.dir", spool.toString());
        // production defaults otherwise: acks=all, idempotence, zstd, linger 10 ms, fsync interval 1 s
        return new KafkaShipper(KafkaSinkConfig.fromProperties(p), new OcsfMapper("bench", "bench-sensor"), c);
    }

    private static void throughput(TestBroker broker, Path tmp, int n) throws Exception {
        broker.createTopics("bench");
        Finding[] findings = new Finding[n];
        for (int i = 0; i < n; i++) {
            findings[i] = TestFindings.numbered(i);
        }
        ShipperCounters c = new ShipperCounters();
        int capacity = 65536;
        long spins = 0;
        long start;
        long end;
        try (KafkaShipper s = shipper(broker, "bench", tmp.resolve("spool"), c)) {
            start = System.nanoTime();
            long lastPrint = start;
            for (int i = 0; i < n; i++) {
                while (s.queuedInMemory() >= capacity - 1) {
                    spins++; // hand-off full: the bench waits (capture would drop and count)
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
                s.offer(findings[i]);
                if ((i & 1023) == 0 && System.nanoTime() - lastPrint > 1_000_000_000L) {
                    lastPrint = System.nanoTime();
                    System.out.println("  " + c.snapshot().entrySet().stream().filter(e -> e.getValue() != 0).toList());
                }
            }
            while (c.acked() < n) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            end = System.nanoTime();
        }
        double secs = (end - start) / 1e9;
        System.out.printf("throughput: %d findings acked (acks=all, idempotent, zstd) in %.2f s = %.0f findings/s;"
                + " hand-off full %d times (bench waited; %d drops: %s)%n", n, secs, n / secs, spins, c.droppedTotal(),
                c.droppedNonZero());
    }

    private static void handoff(TestBroker broker, Path tmp, int rate, int seconds) throws Exception {
        broker.createTopics("bench");
        int n = rate * seconds;
        Finding[] findings = new Finding[n];
        for (int i = 0; i < n; i++) {
            findings[i] = TestFindings.numbered(i);
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(1), 3);
        ShipperCounters c = new ShipperCounters();
        try (KafkaShipper s = shipper(broker, "bench", tmp.resolve("spool"), c)) {
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + (long) i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait); // no busy-wait: 2 shared cores
                }
                long t0 = System.nanoTime();
                s.offer(findings[i]);
                long t1 = System.nanoTime();
                if (i >= n / 10) { // the first tenth is warm-up
                    h.recordValue(Math.min(t1 - t0, h.getHighestTrackableValue()));
                }
            }
            while (c.acked() + c.droppedTotal() < n) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
        }
        System.out.printf("handoff at %d/s for %d s (%d calls measured): p50 %.2f us, p99 %.2f us, p99.9 %.2f us,"
                + " max %.2f us; dropped %d%n", rate, seconds, h.getTotalCount(), h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3, h.getMaxValue() / 1e3,
                c.droppedTotal());
    }

    private static void outage(TestBroker broker, Path tmp, int outageSeconds, int rate) throws Exception {
        broker.createTopics("bench");
        int before = 5;
        int after = 5;
        int n = rate * (before + outageSeconds + after);
        ShipperCounters c = new ShipperCounters();
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long maxHeap = 0;
        long maxSpool = 0;
        long maxSpoolRecords = 0;
        long drainMillis;
        try (KafkaShipper s = shipper(broker, "bench", tmp.resolve("spool"), c)) {
            long start = System.nanoTime();
            boolean down = false;
            boolean up = false;
            for (int i = 0; i < n; i++) {
                long due = start + (long) i * 1_000_000_000L / rate;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (!s.offer(TestFindings.numbered(i))) {
                    throw new IllegalStateException("hand-off refused finding " + i);
                }
                long el = System.nanoTime() - start;
                if (!down && el >= TimeUnit.SECONDS.toNanos(before)) {
                    down = true;
                    broker.stopBroker();
                    System.out.printf("broker stopped at %.1f s%n", el / 1e9);
                }
                if (down && !up && el >= TimeUnit.SECONDS.toNanos(before + outageSeconds)) {
                    up = true;
                    broker.startBroker();
                    System.out.printf("broker started at %.1f s%n", (System.nanoTime() - start) / 1e9);
                }
                if (down && !up && i % 500 == 0) {
                    maxHeap = Math.max(maxHeap, mem.getHeapMemoryUsage().getUsed());
                    maxSpool = Math.max(maxSpool, c.spooledBytes());
                    maxSpoolRecords = Math.max(maxSpoolRecords, s.spooledRecords());
                }
            }
            long t0 = System.nanoTime();
            while (!s.idle() && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5)) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            drainMillis = (System.nanoTime() - t0) / 1_000_000;
        }
        long[] total = {0};
        Set<Long> seen = consumeNumbers(broker, "bench", n, total);
        System.out.printf("outage %d s at %d findings/s: %d offered, %d distinct consumed back (%d lost, %d duplicates);"
                + " during the outage: max heap used %d MiB (broker in the same JVM), max spool %d KiB / %d records;"
                + " drained %d ms after the producing stopped; counters %s%n", outageSeconds, rate, n, seen.size(),
                n - seen.size(), total[0] - seen.size(), maxHeap >> 20, maxSpool >> 10, maxSpoolRecords,
                drainMillis, Map.of("acked", c.acked(), "retried", c.retried(), "dropped", c.droppedTotal()));
    }

    /** Finding numbers consumed back, without keeping the events (a 60 s outage is 350 k of them). */
    private static Set<Long> consumeNumbers(TestBroker broker, String topic, int expect, long[] total) {
        Properties p = broker.clientProps();
        p.put("max.poll.records", "5000");
        Set<Long> seen = new HashSet<>();
        byte[] marker = "\"log_name\":\"test-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    total[0]++;
                    byte[] v = r.value();
                    int at = indexOf(v, marker);
                    long num = 0;
                    for (int i = at + marker.length; i < v.length && v[i] >= '0' && v[i] <= '9'; i++) {
                        num = num * 10 + (v[i] - '0');
                    }
                    seen.add(num);
                }
                if (seen.size() >= expect && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                }
            }
        }
        return seen;
    }

    private static int indexOf(byte[] v, byte[] m) {
        outer:
        for (int i = 0; i + m.length <= v.length; i++) {
            for (int j = 0; j < m.length; j++) {
                if (v[i + j] != m[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("not a test finding");
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }
}
