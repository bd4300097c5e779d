package dev.umbra.shipper.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.spool.FsyncPolicy;
import dev.umbra.shipper.spool.OverflowPolicy;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KafkaSinkConfigTest {
    private static Properties base() {
        Properties p = new Properties();
        p.setProperty("kafka.bootstrap.servers", "broker-1:9093");
        p.setProperty("kafka.topic", "umbra");
        p.setProperty("spool.dir", "/var/lib/umbra/spool");
        return p;
    }

    @Test
    void fromProperties_defaults_safeProducerAndOneGibSpool() {
        KafkaSinkConfig c = KafkaSinkConfig.fromProperties(base());
        assertThat(c.producer()).containsEntry("acks", "all").containsEntry("enable.idempotence", "true")
                .containsEntry("compression.type", "zstd");
        assertThat(c.spool().maxBytes()).isEqualTo(1L << 30);
        assertThat(c.spool().fsync()).isEqualTo(FsyncPolicy.INTERVAL);
        assertThat(c.spool().overflow()).isEqualTo(OverflowPolicy.DROP_OLDEST);
        assertThat(c.spool().dir()).isEqualTo(Path.of("/var/lib/umbra/spool"));
        for (EventClass e : EventClass.values()) {
            assertThat(c.topicFor(e)).isEqualTo("umbra");
        }
        assertThat(c.sensorHostId()).isNotBlank();
    }

    @Test
    void fromProperties_producerPrefix_passedThroughAndOverridesDefaults() {
        Properties p = base();
        p.setProperty("kafka.producer.security.protocol", "SASL_SSL");
        p.setProperty("kafka.producer.linger.ms", "50");
        p.setProperty("kafka.producer.ssl.truststore.location", "/etc/umbra/trust.p12");
        p.setProperty("kafka.producerx", "ignored");
        KafkaSinkConfig c = KafkaSinkConfig.fromProperties(p);
        assertThat(c.producer()).containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "50")
                .containsEntry("ssl.truststore.location", "/etc/umbra/trust.p12").doesNotContainKey("x");
    }

    @Test
    void fromProperties_topicPerFamily_routesEachClass() {
        Properties p = base();
        p.setProperty("kafka.topic.policy", "umbra.policy");
        p.setProperty("kafka.topic.data_security", "umbra.dlp");
        p.setProperty("sensor.host.id", "sensor-9");
        KafkaSinkConfig c = KafkaSinkConfig.fromProperties(p);
        assertThat(c.topicFor(EventClass.DNS_ACTIVITY)).isEqualTo("umbra");
        assertThat(c.topicFor(EventClass.DETECTION_FINDING)).isEqualTo("umbra.policy");
        assertThat(c.topicFor(EventClass.DATA_SECURITY_FINDING)).isEqualTo("umbra.dlp");
        assertThat(c.sensorHostId()).isEqualTo("sensor-9");
        assertThat(c.producer()).containsEntry("client.id", "umbra-sensor-9");
    }

    @Test
    void fromProperties_badValues_errorNamesKeyAndValue() {
        Properties p = base();
        p.setProperty("spool.max.bytes", "lots");
        assertThatThrownBy(() -> KafkaSinkConfig.fromProperties(p))
                .hasMessage("Invalid value lots for configuration spool.max.bytes: expected an integer");
        Properties q = base();
        q.setProperty("kafka.topic.policy", "bad topic");
        assertThatThrownBy(() -> KafkaSinkConfig.fromProperties(q))
                .hasMessageStartingWith("Invalid value bad topic for configuration kafka.topic.policy");
        Properties r = base();
        r.remove("kafka.bootstrap.servers");
        assertThatThrownBy(() -> KafkaSinkConfig.fromProperties(r))
                .hasMessageStartingWith("Invalid value  for configuration kafka.bootstrap.servers");
        Properties s = base();
        s.setProperty("spool.overflow", "block");
        assertThatThrownBy(() -> KafkaSinkConfig.fromProperties(s))
                .hasMessage("Invalid value block for configuration spool.overflow: expected drop_oldest or drop_newest");
    }

    @Test
    void newProducer_unknownSecurityProtocol_clearError() {
        Properties p = base();
        p.setProperty("kafka.producer.security.protocol", "TLS_PLEASE");
        KafkaSinkConfig c = KafkaSinkConfig.fromProperties(p);
        assertThatThrownBy(() -> KafkaShipper.newProducer(c)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("TLS_PLEASE");
    }
}
