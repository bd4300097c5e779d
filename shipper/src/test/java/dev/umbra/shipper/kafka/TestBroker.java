package dev.umbra.shipper.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft broker (Kafka's own test kit) on a random loopback port, for the
 * integration tests. The broker can be stopped and started again on the same port.
 */
public final class TestBroker implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaClusterTestKit cluster;
    private final Properties clientProps;

    private TestBroker(KafkaClusterTestKit cluster, Properties clientProps) {
        this.cluster = cluster;
        this.clientProps = clientProps;
    }

    /** Starts a combined broker+controller with auto topic creation off and the given extra settings. */
    public static TestBroker start(Map<String, String> extra) throws Exception {
        return start(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1)
                .build(), extra, new Properties());
    }

    public static TestBroker start(TestKitNodes nodes, Map<String, String> extra, Properties clientProps) throws Exception {
        KafkaClusterTestKit.Builder b = new KafkaClusterTestKit.Builder(nodes);
        Map<String, String> cfg = new HashMap<>();
        cfg.put("auto.create.topics.enable", "false");
        cfg.put("num.partitions", "1");
        cfg.put("offsets.topic.replication.factor", "1");
        cfg.put("transaction.state.log.replication.factor", "1");
        cfg.put("transaction.state.log.min.isr", "1");
        cfg.put("group.initial.rebalance.delay.ms", "0");
        cfg.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
        cfg.putAll(extra);
        cfg.forEach(b::setConfigProp);
        KafkaClusterTestKit c = b.build();
        try {
            c.format();
            c.startup();
            c.waitForReadyBrokers();
        } catch (Exception e) {
            c.close();
            throw e;
        }
        return new TestBroker(c, clientProps);
    }

    public String bootstrap() {
        return cluster.bootstrapServers();
    }

    /** The port a named listener is bound to (for listeners added through the configuration). */
    public int boundPort(String listener) {
        return cluster.brokers().values().iterator().next()
                .boundPort(org.apache.kafka.common.network.ListenerName.normalised(listener));
    }

    /** Client settings for the test's own admin and consumer (security settings when needed). */
    public Properties clientProps() {
        Properties p = new Properties();
        p.putAll(clientProps);
        p.put("bootstrap.servers", bootstrap());
        return p;
    }

    public void createTopics(String... names) throws Exception {
        try (Admin admin = Admin.create(clientProps())) {
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                topics.add(new NewTopic(n, 1, (short) 1));
            }
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Stops the broker (the controller keeps running). */
    public void stopBroker() {
        cluster.brokers().values().forEach(bs -> {
            bs.shutdown();
            bs.awaitShutdown();
        });
    }

    /** Starts the stopped broker again, on the same port. */
    public void startBroker() throws Exception {
        cluster.brokers().values().forEach(bs -> bs.startup());
        cluster.waitForReadyBrokers();
    }

    /** Reads every record of the topics from the beginning until {@code done} or the timeout. */
    public static List<JsonNode> consume(Properties props, Collection<String> topics, BooleanSupplier ignored, int expect,
            Duration timeout) throws IOException {
        Properties p = new Properties();
        p.putAll(props);
        p.put("max.poll.records", "5000");
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> tps = topics.stream().map(t -> new TopicPartition(t, 0)).toList();
            c.assign(tps);
            c.seekToBeginning(tps);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (out.size() < expect && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(JSON.readTree(r.value()));
                }
            }
            // a short extra poll so that duplicates beyond 'expect' are seen too
            long extra = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < extra) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    out.add(JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }

    /** Reads every record of one topic from the beginning (see the other overload). */
    public List<JsonNode> consume(String topic, int expect, Duration timeout) throws IOException {
        return consume(clientProps(), List.of(topic), null, expect, timeout);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
