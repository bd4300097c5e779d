package dev.umbra.shipper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.shipper.ShipperCounters;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The broker, a separate JVM, killed with SIGKILL mid-stream and restarted: nothing is lost. */
class KafkaShipperBrokerKillTest {
    @TempDir
    Path tmp;

    @Test
    void offer_brokerKilled9AndRestarted_noneLost() throws Exception {
        int n = 15_000; // 3 s at 5 k/s; kill -9 at 1.5 s, restart right away (a JVM start takes seconds)
        ShipperCounters counters = new ShipperCounters();
        try (BrokerProcess broker = BrokerProcess.start(tmp.resolve("broker"))) {
            Properties p = KafkaShipperBrokerTest.baseProps(broker.bootstrap(), "killed", tmp.resolve("spool"));
            p.setProperty("kafka.producer.delivery.timeout.ms", "10000");
            boolean[] killed = {false};
            try (KafkaShipper s = KafkaShipperBrokerTest.shipper(p, counters)) {
                KafkaShipperBrokerTest.offerPaced(s, 0, n, 5_000, ms -> {
                    if (!killed[0] && ms >= 1_500) {
                        killed[0] = true;
                        try {
                            broker.kill9();
                            broker.startAgain();
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                });
                KafkaShipperBrokerTest.awaitIdle(s, Duration.ofSeconds(90));
            }
            assertThat(killed[0]).isTrue();
            Properties consumer = new Properties();
            consumer.put("bootstrap.servers", broker.bootstrap());
            List<JsonNode> events = TestBroker.consume(consumer, List.of("killed"), null, n, Duration.ofSeconds(60));
            Map<Long, Integer> counts = KafkaShipperBrokerTest.countByNumber(events);
            assertThat(counts).hasSize(n);
            assertThat(counters.droppedTotal()).isZero();
            System.out.printf("broker kill -9: %d findings, %d delivered, %d duplicates, %d retried%n", n,
                    counts.size(), events.size() - counts.size(), counters.retried());
        }
    }
}
