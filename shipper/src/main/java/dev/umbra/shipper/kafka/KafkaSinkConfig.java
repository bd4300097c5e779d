package dev.umbra.shipper.kafka;

import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.spool.FsyncPolicy;
import dev.umbra.shipper.spool.OverflowPolicy;
import dev.umbra.shipper.spool.SpoolConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Settings of the Kafka sink: where to, how the producer is configured, and its spool.
 *
 * <p>Read from flat dotted keys ({@link #fromProperties}); {@link #KEYS} is the table of every key,
 * its default and rule. Any {@code kafka.producer.<name>} is passed to the producer as
 * {@code <name>} and overrides Umbra's default for it: that is how TLS and SASL are configured
 * ({@code kafka.producer.security.protocol=SASL_SSL}, {@code kafka.producer.sasl.mechanism=SCRAM-SHA-512},
 * {@code kafka.producer.ssl.truststore.location=...}, {@code kafka.producer.ssl.keystore.location=...}
 * for mTLS).
 *
 * @param bootstrapServers {@code host:port[,host:port...]}
 * @param topics topic per event family ({@code usage}, {@code policy}, {@code data_security})
 * @param sensorHostId the record key: per-host ordering on one partition
 * @param producer producer settings, Umbra's defaults overlaid with the user's
 * @param spool the spool
 * @param handoffCapacity slots in the hand-off queue in front of the sender thread
 * @param maxInFlight records handed to the producer and not yet acknowledged, at most
 * @param retryBackoffMaxMillis longest wait before sending failed records again
 * @param drainTimeoutMillis how long {@code close()} keeps delivering before leaving the rest in the spool
 */
public record KafkaSinkConfig(String bootstrapServers, Map<String, String> topics, String sensorHostId,
        Map<String, Object> producer, SpoolConfig spool, int handoffCapacity, int maxInFlight,
        long retryBackoffMaxMillis, long drainTimeoutMillis) {

    /** Prefix of keys passed through to the Kafka producer. */
    public static final String PRODUCER_PREFIX = "kafka.producer.";

    /** One configuration key: name, default, rule and documentation. */
    public record Key(String name, String defaultValue, String doc) {
    }

    /** Every key this sink reads, with its default ("" when required or computed). */
    public static final List<Key> KEYS = List.of(
            new Key("kafka.bootstrap.servers", "", "host:port list of brokers; set by --output kafka://HOST:PORT/TOPIC"),
            new Key("kafka.topic", "umbra-findings", "topic of every event family not given its own"),
            new Key("kafka.topic.usage", "", "topic for DNS, Network and HTTP Activity (4003, 4001, 4002)"),
            new Key("kafka.topic.policy", "", "topic for Detection Findings (2004)"),
            new Key("kafka.topic.data_security", "", "topic for Data Security Findings (2006)"),
            new Key("sensor.host.id", "", "record key and device.hostname; default: this host's name"),
            new Key("kafka.producer.*", "", "any Kafka producer setting, e.g. kafka.producer.security.protocol"),
            new Key("shipper.handoff.capacity", "65536", "hand-off queue slots; a full queue drops and counts"),
            new Key("shipper.max.in.flight", "20000", "records sent and not yet acknowledged, at most"),
            new Key("shipper.retry.backoff.max.ms", "5000", "longest wait before resending failed records"),
            new Key("shipper.drain.timeout.ms", "10000", "how long shutdown keeps delivering"),
            new Key("spool.dir", "~/.local/state/umbra/spool", "spool directory (one per Umbra instance)"),
            new Key("spool.max.bytes", String.valueOf(SpoolConfig.DEFAULT_MAX_BYTES), "spool size bound"),
            new Key("spool.segment.bytes", String.valueOf(SpoolConfig.DEFAULT_SEGMENT_BYTES), "segment file size"),
            new Key("spool.max.record.bytes", String.valueOf(SpoolConfig.DEFAULT_MAX_RECORD_BYTES), "largest event"),
            new Key("spool.fsync", "interval", "always, interval or never"),
            new Key("spool.fsync.interval.ms", "1000", "fsync interval for spool.fsync=interval"),
            new Key("spool.overflow", "drop_oldest", "drop_oldest or drop_newest when the spool is full"));

    public KafkaSinkConfig {
        Objects.requireNonNull(spool, "spool");
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            throw invalid(bootstrapServers, "kafka.bootstrap.servers", "a host:port list is required");
        }
        topics = Collections.unmodifiableMap(new TreeMap<>(topics));
        for (EventClass c : EventClass.values()) {
            String t = topics.get(c.family());
            if (t == null || !t.matches("[A-Za-z0-9._-]{1,249}")) {
                throw invalid(t, "kafka.topic." + c.family(), "a Kafka topic name (letters, digits, '.', '_', '-')");
            }
        }
        producer = Collections.unmodifiableMap(new LinkedHashMap<>(producer));
        if (handoffCapacity < 2) {
            throw invalid(handoffCapacity, "shipper.handoff.capacity", "must be at least 2");
        }
        if (maxInFlight < 1) {
            throw invalid(maxInFlight, "shipper.max.in.flight", "must be at least 1");
        }
        if (retryBackoffMaxMillis < 1) {
            throw invalid(retryBackoffMaxMillis, "shipper.retry.backoff.max.ms", "must be at least 1");
        }
        if (drainTimeoutMillis < 0) {
            throw invalid(drainTimeoutMillis, "shipper.drain.timeout.ms", "must not be negative");
        }
    }

    /** The topic of an event class. */
    public String topicFor(EventClass c) {
        return topics.get(c.family());
    }

    /**
     * Reads the keys of {@link #KEYS} from {@code props}; unknown keys outside {@code kafka.producer.}
     * are ignored (other components read them).
     *
     * @throws IllegalArgumentException {@code Invalid value V for configuration K: rule}
     */
    public static KafkaSinkConfig fromProperties(Properties props) {
        Function<String, String> get = k -> {
            String v = props.getProperty(k);
            if (v != null) {
                return v.trim();
            }
            for (Key key : KEYS) {
                if (key.name().equals(k)) {
                    return key.defaultValue();
                }
            }
            return "";
        };
        Map<String, String> topics = new TreeMap<>();
        String def = get.apply("kafka.topic");
        for (String family : List.of("usage", "policy", "data_security")) {
            String t = get.apply("kafka.topic." + family);
            topics.put(family, t.isEmpty() ? def : t);
        }
        String host = get.apply("sensor.host.id");
        if (host.isEmpty()) {
            host = localHostName();
        }
        Map<String, Object> producer = defaultProducerSettings(host);
        for (String name : new TreeMap<>(propsAsMap(props)).keySet()) {
            if (name.startsWith(PRODUCER_PREFIX) && name.length() > PRODUCER_PREFIX.length()) {
                producer.put(name.substring(PRODUCER_PREFIX.length()), props.getProperty(name).trim());
            }
        }
        String dir = get.apply("spool.dir");
        if (dir.startsWith("~/")) {
            dir = System.getProperty("user.home") + dir.substring(1);
        }
        SpoolConfig spool = new SpoolConfig(Path.of(dir), longOf(get, "spool.max.bytes"),
                longOf(get, "spool.segment.bytes"), (int) longOf(get, "spool.max.record.bytes"),
                FsyncPolicy.fromId(get.apply("spool.fsync")), longOf(get, "spool.fsync.interval.ms"),
                OverflowPolicy.fromId(get.apply("spool.overflow")));
        return new KafkaSinkConfig(get.apply("kafka.bootstrap.servers"), topics, host, producer, spool,
                (int) longOf(get, "shipper.handoff.capacity"), (int) longOf(get, "shipper.max.in.flight"),
                longOf(get, "shipper.retry.backoff.max.ms"), longOf(get, "shipper.drain.timeout.ms"));
    }

    /**
     * Umbra's producer defaults: every acknowledged record is on every in-sync replica
     * ({@code acks=all}), retries cannot duplicate or reorder within a partition (idempotence),
     * zstd compression, and batches of up to 512 KiB gathered for up to 20 ms: at high rates fewer,
     * larger produce requests cost the producer's I/O thread and the broker about a third less CPU
     * per finding than 256 KiB / 10 ms did (docs/benchmarks.md, "Shipper"), for at most 20 ms more
     * latency. 512 KiB stays well under the 1 MiB request and message limits of a default broker.
     */
    public static Map<String, Object> defaultProducerSettings(String clientSuffix) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("acks", "all");
        p.put("enable.idempotence", "true");
        p.put("compression.type", "zstd");
        p.put("linger.ms", "20");
        p.put("batch.size", String.valueOf(512 * 1024));
        p.put("max.in.flight.requests.per.connection", "5");
        p.put("request.timeout.ms", "15000");
        p.put("delivery.timeout.ms", "30000");
        p.put("max.block.ms", "5000");
        p.put("reconnect.backoff.max.ms", "2000");
        p.put("client.id", "umbra-" + clientSuffix);
        return p;
    }

    private static Map<String, String> propsAsMap(Properties props) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String n : props.stringPropertyNames()) {
            m.put(n, props.getProperty(n));
        }
        return m;
    }

    private static long longOf(Function<String, String> get, String key) {
        String v = get.apply(key);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw invalid(v, key, "expected an integer");
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String env = System.getenv("HOSTNAME");
            return env == null || env.isBlank() ? "unknown-host" : env;
        }
    }

    private static IllegalArgumentException invalid(Object value, String key, String rule) {
        return new IllegalArgumentException("Invalid value " + value + " for configuration " + key + ": " + rule);
    }
}
