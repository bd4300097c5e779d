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
}
