package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/** kafka-clients logs through SLF4J; the lines must arrive in Log4j2 (DESIGN.md). */
class KafkaLoggingBridgeTest {

    @Test
    void kafkaProducer_logsStartupThroughSlf4j_reachesLog4j2Appender() {
        List<LogEvent> events = new CopyOnWriteArrayList<>();
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                events.add(event.toImmutable());
            }
        };
        capture.start();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        config.getRootLogger().addAppender(capture, Level.INFO, null);
        Configurator.setLevel("org.apache.kafka", Level.INFO);
        Properties props = new Properties();
        // nothing listens on port 9 of loopback; the producer logs its configuration at start anyway
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            producer.close(Duration.ZERO);
        } finally {
            config.getRootLogger().removeAppender("capture");
            Configurator.setLevel("org.apache.kafka", Level.WARN);
        }
        assertThat(events).anySatisfy(e -> {
            assertThat(e.getLoggerName()).startsWith("org.apache.kafka");
            assertThat(e.getMessage().getFormattedMessage()).contains("ProducerConfig values");
        });
    }
}
