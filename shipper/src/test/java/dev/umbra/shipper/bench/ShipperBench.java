package dev.umbra.shipper.bench;

import dev.umbra.shipper.Finding;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import dev.umbra.shipper.kafka.KafkaShipper;
import dev.umbra.shipper.kafka.TestBroker;
import dev.umbra.shipper.kafka.KafkaSinkConfig;
import dev.umbra.shipper.ocsf.OcsfMapper;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
        // bench.* system properties pass shipper settings through, e.g. -Dbench.spool.max.bytes=4294967296
        for (String k : System.getProperties().stringPropertyNames()) {
            if (k.startsWith("bench.")) {
                p.setProperty(k.substring("bench.".length()), System.getProperty(k));
            }
        }
        // production defaults otherwise: acks=all, idempotence, zstd, linger 20 ms, batch 512 KiB, fsync interval 1 s
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
        Map<String, Long> cpuBefore;
        Map<String, Long> cpuAfter;
        double load0 = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        try (KafkaShipper s = shipper(broker, "bench", tmp.resolve("spool"), c)) {
            cpuBefore = threadCpu();
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
            cpuAfter = threadCpu();
        }
        double secs = (end - start) / 1e9;
        System.out.printf("throughput: %d findings acked (acks=all, idempotent, zstd) in %.2f s = %.0f findings/s;"
                + " hand-off full %d times (bench waited; %d drops: %s)%n", n, secs, n / secs, spins, c.droppedTotal(),
                c.droppedNonZero());
        System.out.printf("load average (1 min) %.2f at start, %.2f at end%n", load0,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.println("thread CPU time per finding (ns), by thread group:");
        Map<String, Long> per = new java.util.TreeMap<>();
        long shipperTotal = 0;
        for (Map.Entry<String, Long> e : cpuAfter.entrySet()) {
            long d = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
            per.merge(group(e.getKey()), d, Long::sum);
        }
        for (Map.Entry<String, Long> e : per.entrySet()) {
            System.out.printf("  %-28s %8.0f%n", e.getKey(), (double) e.getValue() / n);
            if (e.getKey().startsWith("shipper")) {
                shipperTotal += e.getValue();
            }
        }
        System.out.printf("  %-28s %8.0f  (= %.0f findings per shipper CPU-second)%n", "shipper total", (double) shipperTotal / n,
                n / (shipperTotal / 1e9));
    }

    /** CPU time of every live thread by "name#id". */
    private static Map<String, Long> threadCpu() {
        java.lang.management.ThreadMXBean t = ManagementFactory.getThreadMXBean();
        Map<String, Long> m = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo i : t.getThreadInfo(t.getAllThreadIds())) {
            if (i != null) {
                long cpu = t.getThreadCpuTime(i.getThreadId());
                if (cpu > 0) {
                    m.put(i.getThreadName() + "#" + i.getThreadId(), cpu);
                }
            }
        }
        return m;
    }

    /** Thread groups: the shipper's own threads (and the producer's I/O thread), the bench's, the broker's. */
    private static String group(String nameAndId) {
        String name = nameAndId.substring(0, nameAndId.lastIndexOf('#'));
        if (name.startsWith("umbra-shipper-")) {
            return "shipper: " + name.substring("umbra-shipper-".length());
        }
        if (name.startsWith("kafka-producer-network-thread")) {
            return "shipper: producer I/O";
        }
        if (name.equals("main")) {
            return "bench: offering thread";
        }
        if (name.contains("GC") || name.startsWith("G1")) {
            return "jvm: gc";
        }
        return "broker and jvm: other";
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
        long drainMillis;
        long[] max = new long[4]; // heap used, heap after GC, RSS, spool bytes (outage and drain)
        System.out.printf("outage %d s at %d findings/s, spool.max.bytes %s; sampled every 10 s:%n", outageSeconds,
                rate, System.getProperty("bench.spool.max.bytes", "default"));
        System.out.println("| t (s) | phase | offered | acked | heap used (MiB) | heap after last GC (MiB)"
                + " | RSS (MiB) | spool (MiB) | spool records | dropped |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|");
        try (KafkaShipper s = shipper(broker, "bench", tmp.resolve("spool"), c)) {
            long start = System.nanoTime();
            String[] phase = {"before"};
            int[] offered = {0};
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "bench-sampler");
                t.setDaemon(true);
                return t;
            });
            sampler.scheduleAtFixedRate(() -> sample(start, phase[0], offered[0], c, s, max), 0, 10, TimeUnit.SECONDS);
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
                offered[0] = i + 1;
                long el = System.nanoTime() - start;
                if (!down && el >= TimeUnit.SECONDS.toNanos(before)) {
                    down = true;
                    broker.stopBroker();
                    phase[0] = "outage";
                    System.out.printf("broker stopped at %.1f s%n", el / 1e9);
                }
                if (down && !up && el >= TimeUnit.SECONDS.toNanos(before + outageSeconds)) {
                    up = true;
                    phase[0] = "broker up";
                    broker.startBroker();
                    System.out.printf("broker started at %.1f s%n", (System.nanoTime() - start) / 1e9);
                }
            }
            phase[0] = "drain";
            long t0 = System.nanoTime();
            while (!s.idle() && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(10)) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            drainMillis = (System.nanoTime() - t0) / 1_000_000;
            sampler.shutdownNow();
            sample(start, "drained", offered[0], c, s, max);
        }
        long[] total = {0};
        BitSet seen = consumeNumbers(broker, "bench", n, total);
        int distinct = seen.cardinality();
        System.out.printf("outage %d s at %d findings/s: %d offered, %d distinct consumed back (%d lost, %d duplicates);"
                + " max heap used %d MiB, max heap after GC %d MiB, max RSS %d MiB (broker in the same JVM),"
                + " max spool %d MiB; drained %d ms after the producing stopped; counters %s%n", outageSeconds, rate,
                n, distinct, n - distinct, total[0] - distinct, max[0] >> 20, max[1] >> 20, max[2] >> 20, max[3] >> 20,
                drainMillis, Map.of("acked", c.acked(), "retried", c.retried(), "dropped", c.droppedTotal(),
                        "dropped_by_reason", c.droppedNonZero()));
    }

    /** Prints one row of the outage table and keeps the maxima. */
    private static void sample(long start, String phase, int offered, ShipperCounters c, KafkaShipper s, long[] max) {
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        // the whole heap right after the most recent collection (young or old): the live data
        long afterGc = 0;
        long lastGcEnd = -1;
        for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof com.sun.management.GarbageCollectorMXBean sun && sun.getLastGcInfo() != null
                    && sun.getLastGcInfo().getEndTime() > lastGcEnd) {
                lastGcEnd = sun.getLastGcInfo().getEndTime();
                afterGc = 0;
                for (var pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    var u = sun.getLastGcInfo().getMemoryUsageAfterGc().get(pool.getName());
                    if (pool.getType() == java.lang.management.MemoryType.HEAP && u != null) {
                        afterGc += u.getUsed();
                    }
                }
            }
        }
        long rss = rssBytes();
        long spool = c.spooledBytes();
        max[0] = Math.max(max[0], heap);
        max[1] = Math.max(max[1], afterGc);
        max[2] = Math.max(max[2], rss);
        max[3] = Math.max(max[3], spool);
        System.out.printf("| %.0f | %s | %d | %d | %d | %d | %d | %d | %d | %d |%n", (System.nanoTime() - start) / 1e9,
                phase, offered, c.acked(), heap >> 20, afterGc >> 20, rss >> 20, spool >> 20, s.spooledRecords(),
                c.droppedTotal());
    }

    /** Resident set size of this process from /proc/self/status (VmRSS), or -1 off Linux. */
    private static long rssBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** Finding numbers consumed back, without keeping the events (a 10-minute outage is 3 M of them). */
    private static BitSet consumeNumbers(TestBroker broker, String topic, int expect, long[] total) {
        Properties p = broker.clientProps();
        p.put("max.poll.records", "5000");
        BitSet seen = new BitSet(expect);
        byte[] marker = "\"log_name\":\"test-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try (var c = new org.apache.kafka.clients.consumer.KafkaConsumer<byte[], byte[]>(p,
                new org.apache.kafka.common.serialization.ByteArrayDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            long quietUntil = Long.MAX_VALUE;
            int distinct = 0;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (var r : c.poll(Duration.ofMillis(200))) {
                    total[0]++;
                    byte[] v = r.value();
                    int at = indexOf(v, marker);
                    int num = 0;
                    for (int i = at + marker.length; i < v.length && v[i] >= '0' && v[i] <= '9'; i++) {
                        num = num * 10 + (v[i] - '0');
                    }
                    if (!seen.get(num)) {
                        seen.set(num);
                        distinct++;
                    }
                }
                if (distinct >= expect && quietUntil == Long.MAX_VALUE) {
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
