package dev.umbra.shipper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.shipper.DropReason;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import dev.umbra.shipper.ocsf.OcsfMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The Kafka shipper against a real in-process KRaft broker on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaShipperBrokerTest {
    private TestBroker broker;
    private int topicNo;

    @TempDir
    Path tmp;

    @BeforeAll
    void startBroker() throws Exception {
        broker = TestBroker.start(Map.of());
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    private String newTopic() throws Exception {
        String t = "findings-" + (++topicNo);
        broker.createTopics(t);
        return t;
    }

    static Properties baseProps(String bootstrap, String topic, Path spoolDir) {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", bootstrap);
        p.setProperty("kafka.topic", topic);
        p.setProperty("sensor.host.id", "sensor-it");
        p.setProperty("spool.dir", spoolDir.toString());
        p.setProperty("spool.fsync", "never");
        p.setProperty("shipper.handoff.capacity", "262144");
        p.setProperty("shipper.retry.backoff.max.ms", "500");
        p.setProperty("kafka.producer.max.block.ms", "1000");
        p.setProperty("kafka.producer.request.timeout.ms", "3000");
        p.setProperty("kafka.producer.delivery.timeout.ms", "6000");
        p.setProperty("kafka.producer.linger.ms", "5");
        p.setProperty("shipper.drain.timeout.ms", "2000");
        return p;
    }

    static KafkaShipper shipper(Properties p, ShipperCounters counters) throws Exception {
        return new KafkaShipper(KafkaSinkConfig.fromProperties(p), new OcsfMapper("test", "sensor-it"), counters);
    }

    static void awaitIdle(KafkaShipper s, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!s.idle() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(s.idle()).as("shipper drained within %s; counters %s; last error %s", timeout,
                s.counters().snapshot(), s.lastError()).isTrue();
    }

    /** Counts per finding number, and checks every copy of a number carries the same metadata.uid. */
    static Map<Long, Integer> countByNumber(List<JsonNode> events) {
        Map<Long, Integer> counts = new HashMap<>();
        Map<Long, String> uids = new HashMap<>();
        for (JsonNode e : events) {
            dev.umbra.shipper.SchemaCheck.assertValid(e);
            long n = TestFindings.numberOf(e.at("/metadata/log_name").asText());
            counts.merge(n, 1, Integer::sum);
            String uid = e.at("/metadata/uid").asText();
            String prev = uids.putIfAbsent(n, uid);
            assertThat(prev == null || prev.equals(uid)).as("finding %d: duplicates share metadata.uid", n).isTrue();
        }
        return counts;
    }

    @Test
    void offer_100kFindings_eachConsumedExactlyOnce() throws Exception {
        String topic = newTopic();
        ShipperCounters counters = new ShipperCounters();
        int n = 100_000;
        try (KafkaShipper s = shipper(baseProps(broker.bootstrap(), topic, tmp.resolve("spool")), counters)) {
            for (int i = 0; i < n; i++) {
                assertThat(s.offer(TestFindings.numbered(i))).isTrue();
            }
            awaitIdle(s, Duration.ofSeconds(90));
        }
        List<JsonNode> events = TestBroker.consume(broker.clientProps(), List.of(topic), null, n, Duration.ofSeconds(60));
        Map<Long, Integer> counts = countByNumber(events);
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).allMatch(c -> c == 1);
        assertThat(events).allSatisfy(e -> assertThat(e.at("/device/hostname").asText()).isEqualTo("sensor-it"));
        assertThat(counters.acked()).isEqualTo(n);
        assertThat(counters.droppedTotal()).isZero();
        assertThat(counters.dropped(DropReason.HANDOFF_QUEUE_FULL)).isZero();
    }

    /** Offers findings [from, to) at about {@code perSecond}, calling {@code at} with the elapsed millis. */
    static void offerPaced(KafkaShipper s, int from, int to, int perSecond, java.util.function.LongConsumer at)
            throws InterruptedException {
        long start = System.nanoTime();
        for (int i = from; i < to; i++) {
            long due = start + (long) (i - from) * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            assertThat(s.offer(TestFindings.numbered(i))).isTrue();
            at.accept((System.nanoTime() - start) / 1_000_000);
        }
    }

    @Test
    void offer_brokerDownThenUp_noneLostSpoolGrowsAndDrains() throws Exception {
        String topic = newTopic();
        ShipperCounters counters = new ShipperCounters();
        int n = 30_000; // 6 s at 5 k/s; the broker is away from 1 s to 4 s (the 60 s version: docs/benchmarks.md)
        long[] maxSpoolDuringOutage = {0};
        boolean[] state = {false, false};
        try (KafkaShipper s = shipper(baseProps(broker.bootstrap(), topic, tmp.resolve("spool")), counters)) {
            try {
                offerPaced(s, 0, n, 5_000, ms -> {
                    try {
                        if (!state[0] && ms >= 1_000) {
                            state[0] = true;
                            broker.stopBroker();
                        } else if (state[0] && !state[1] && ms >= 4_000) {
                            state[1] = true;
                            broker.startBroker();
                        }
                        if (state[0] && !state[1]) {
                            maxSpoolDuringOutage[0] = Math.max(maxSpoolDuringOutage[0], s.spooledRecords());
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            } finally {
                if (state[0] && !state[1]) {
                    broker.startBroker();
                }
            }
            awaitIdle(s, Duration.ofSeconds(60));
        }
        List<JsonNode> events = TestBroker.consume(broker.clientProps(), List.of(topic), null, n, Duration.ofSeconds(60));
        Map<Long, Integer> counts = countByNumber(events);
        assertThat(counts).hasSize(n);
        assertThat(maxSpoolDuringOutage[0]).as("the spool held findings during the outage").isGreaterThan(1_000);
        assertThat(counters.droppedTotal()).isZero();
        assertThat(counters.acked()).isGreaterThanOrEqualTo(n);
    }

    @Test
    void offer_unknownTopicAutoCreateOff_clearErrorFindingsKeptThenDelivered() throws Exception {
        String topic = "not-yet-" + (++topicNo);
        ShipperCounters counters = new ShipperCounters();
        try (KafkaShipper s = shipper(baseProps(broker.bootstrap(), topic, tmp.resolve("spool")), counters)) {
            for (int i = 0; i < 100; i++) {
                s.offer(TestFindings.numbered(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (counters.errors(dev.umbra.shipper.DeliveryError.TOPIC_MISSING) == 0 && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(counters.errors(dev.umbra.shipper.DeliveryError.TOPIC_MISSING)).isPositive();
            assertThat(s.lastError()).contains("topic '" + topic + "' does not exist");
            assertThat(s.spooledRecords()).isEqualTo(100);
            broker.createTopics(topic);
            awaitIdle(s, Duration.ofSeconds(30));
        }
        Map<Long, Integer> counts = countByNumber(
                TestBroker.consume(broker.clientProps(), List.of(topic), null, 100, Duration.ofSeconds(30)));
        assertThat(counts).hasSize(100);
        assertThat(counters.droppedTotal()).isZero();
    }

    @Test
    void offer_unreachableBroker_clearErrorCountedFindingsKeptInSpool() throws Exception {
        int closedPort;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        ShipperCounters counters = new ShipperCounters();
        Path dir = tmp.resolve("spool");
        try (KafkaShipper s = shipper(baseProps("127.0.0.1:" + closedPort, "t", dir), counters)) {
            for (int i = 0; i < 50; i++) {
                s.offer(TestFindings.numbered(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (counters.errors(dev.umbra.shipper.DeliveryError.BROKER_UNREACHABLE) == 0
                    && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(counters.errors(dev.umbra.shipper.DeliveryError.BROKER_UNREACHABLE)).isPositive();
            assertThat(s.lastError()).contains("no broker reachable at 127.0.0.1:" + closedPort);
            assertThat(s.spooledRecords()).isEqualTo(50);
        }
        // the next start (here: against the real broker) delivers what the first left behind
        String topic = newTopic();
        Properties p = baseProps(broker.bootstrap(), "t", dir);
        ShipperCounters c2 = new ShipperCounters();
        broker.createTopics("t");
        try (KafkaShipper s = shipper(p, c2)) {
            awaitIdle(s, Duration.ofSeconds(30));
        }
        assertThat(countByNumber(TestBroker.consume(broker.clientProps(), List.of("t"), null, 50,
                Duration.ofSeconds(30)))).hasSize(50);
        assertThat(topic).isNotNull();
    }

    @Test
    void newShipper_unresolvableBootstrap_failsNamingTheKey() {
        Properties p = baseProps("no-such-host.invalid:9092", "t", tmp.resolve("spool"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> shipper(p, new ShipperCounters()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid value no-such-host.invalid:9092 for configuration kafka.bootstrap.servers");
    }

    @Test
    void offer_oversizeRecord_droppedAndCountedOthersDelivered() throws Exception {
        String topic = newTopic();
        ShipperCounters counters = new ShipperCounters();
        Properties p = baseProps(broker.bootstrap(), topic, tmp.resolve("spool"));
        p.setProperty("kafka.producer.max.request.size", "8192");
        try (KafkaShipper s = shipper(p, counters)) {
            for (int i = 0; i < 10; i++) {
                s.offer(TestFindings.numbered(i));
            }
            s.offer(TestFindings.big(10, 2_000));
            for (int i = 11; i < 20; i++) {
                s.offer(TestFindings.numbered(i));
            }
            awaitIdle(s, Duration.ofSeconds(30));
            assertThat(s.lastError()).contains("larger than the broker accepts");
        }
        Map<Long, Integer> counts = countByNumber(
                TestBroker.consume(broker.clientProps(), List.of(topic), null, 19, Duration.ofSeconds(30)));
        assertThat(counts).hasSize(19).doesNotContainKey(10L);
        assertThat(counters.dropped(DropReason.RECORD_TOO_LARGE)).isEqualTo(1);
        assertThat(counters.errors(dev.umbra.shipper.DeliveryError.RECORD_TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void umbraKilled9MidStream_restartDeliversEverySpooledFindingDuplicatesShareUid() throws Exception {
        String topic = newTopic();
        Path dir = tmp.resolve("spool");
        int maxInFlight = 2_000;
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(javaBin, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                ShipperChild.class.getName(), broker.bootstrap(), topic, dir.toString(), String.valueOf(maxInFlight))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long spooled = 0;
        long acked = 0;
        long checkpointed = 0;
        try (java.io.BufferedReader r = new java.io.BufferedReader(
                new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.US_ASCII))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String line; System.nanoTime() < deadline && (line = r.readLine()) != null; ) {
                if (!line.matches("spooled [0-9]+ acked [0-9]+ ckpt [0-9]+")) {
                    continue; // anything else the child prints
                }
                String[] f = line.split(" ");
                spooled = Long.parseLong(f[1]);
                acked = Long.parseLong(f[3]);
                checkpointed = Long.parseLong(f[5]);
                if (spooled >= 40_000 && acked >= 10_000) {
                    break;
                }
            }
            child.destroyForcibly(); // SIGKILL on Linux (the exit status 137 below proves it)
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(child.exitValue()).isEqualTo(137); // killed by SIGKILL
        assertThat(spooled).as("the child got going").isGreaterThanOrEqualTo(40_000);

        ShipperCounters counters = new ShipperCounters();
        try (KafkaShipper s = shipper(baseProps(broker.bootstrap(), topic, dir), counters)) {
            awaitIdle(s, Duration.ofSeconds(60));
        }
        List<JsonNode> events = TestBroker.consume(broker.clientProps(), List.of(topic), null, (int) spooled,
                Duration.ofSeconds(60));
        Map<Long, Integer> counts = countByNumber(events); // also: every copy of a finding has the same uid
        for (long i = 0; i < spooled; i++) {
            assertThat(counts).as("finding %d, spooled before the kill", i).containsKey(i);
        }
        long duplicates = events.size() - counts.size();
        // duplicates only among records in flight: sent but not yet checkpointed as acknowledged
        // (the child's last report is a lower bound of the checkpoint at the kill; it only grows)
        long below = checkpointed;
        assertThat(counts.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey))
                .as("re-sent findings all at or above the checkpoint %d", below)
                .allMatch(k -> k >= below);
        assertThat(duplicates).isLessThanOrEqualTo(counts.size() - below);
        System.out.printf("kill -9: %d spooled before the kill, %d acked, checkpoint >= %d, %d delivered,"
                + " %d duplicates%n", spooled, acked, checkpointed, counts.size(), duplicates);
    }

    @Test
    void spoolFull_exactlyTheCountedOldestFindingsDropped() throws Exception {
        int closedPort;
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = ss.getLocalPort();
        }
        String topic = newTopic();
        Path dir = tmp.resolve("spool");
        int n = 5_000;
        ShipperCounters c1 = new ShipperCounters();
        Properties p1 = baseProps("127.0.0.1:" + closedPort, topic, dir);
        p1.setProperty("spool.max.bytes", String.valueOf(256 * 1024));
        p1.setProperty("spool.segment.bytes", String.valueOf(32 * 1024));
        p1.setProperty("spool.max.record.bytes", String.valueOf(16 * 1024));
        p1.setProperty("shipper.drain.timeout.ms", "0");
        try (KafkaShipper s = shipper(p1, c1)) {
            for (int i = 0; i < n; i++) {
                assertThat(s.offer(TestFindings.numbered(i))).isTrue();
            }
        }
        long dropped = c1.dropped(DropReason.SPOOL_FULL_OLDEST);
        assertThat(dropped).isPositive();
        assertThat(c1.droppedTotal()).isEqualTo(dropped);

        Properties p2 = baseProps(broker.bootstrap(), topic, dir);
        p2.setProperty("spool.max.bytes", String.valueOf(256 * 1024));
        p2.setProperty("spool.segment.bytes", String.valueOf(32 * 1024));
        p2.setProperty("spool.max.record.bytes", String.valueOf(16 * 1024));
        ShipperCounters c2 = new ShipperCounters();
        try (KafkaShipper s = shipper(p2, c2)) {
            awaitIdle(s, Duration.ofSeconds(30));
        }
        Map<Long, Integer> counts = countByNumber(TestBroker.consume(broker.clientProps(), List.of(topic), null,
                (int) (n - dropped), Duration.ofSeconds(30)));
        assertThat(counts).hasSize((int) (n - dropped));
        for (long i = 0; i < n; i++) {
            assertThat(counts.containsKey(i)).as("finding %d (dropped: the %d oldest)", i, dropped)
                    .isEqualTo(i >= dropped);
        }
    }
}
