package dev.umbra.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.cli.Outputs;
import dev.umbra.shipper.ocsf.OcsfMapper;
import dev.umbra.shipper.sink.OutputSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's log appender installed into this JVM's real Log4j2 context, writing to a buffer: JSON lines,
 * repeat suppression with its report, and no secret from the configuration in the log.
 */
class DaemonLoggingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    @TempDir
    Path tmp;

    @AfterEach
    void restoreCommandLineLogging() {
        ((LoggerContext) LogManager.getContext(false)).reconfigure();
    }

    private synchronized String output() {
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    private List<JsonNode> jsonLines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : output().split("\n")) {
            if (!line.isEmpty()) {
                lines.add(JSON.readTree(line)); // throws when a line is not JSON
            }
        }
        return lines;
    }

    @Test
    void install_json_everyLineParsesWithTimeLevelLoggerMessage() throws Exception {
        DaemonLogging.install(DaemonLogging.Format.JSON, Level.INFO, 5, Duration.ofSeconds(60), buffer);
        Logger log = LogManager.getLogger("dev.umbra.test.Json");
        Instant before = Instant.now().minusSeconds(1);
        log.info("capturing on {} with \"quotes\" and a\nnewline", "veth0");
        log.warn("spool {} full", "/var/lib/umbra/spool", new java.io.IOException("disk full"));
        log.debug("below the level");

        List<JsonNode> lines = jsonLines();
        assertThat(lines).as(output()).hasSize(2);
        JsonNode first = lines.get(0);
        assertThat(first.get("level").asText()).isEqualTo("INFO");
        assertThat(first.get("logger").asText()).isEqualTo("dev.umbra.test.Json");
        assertThat(first.get("message").asText()).isEqualTo("capturing on veth0 with \"quotes\" and a\nnewline");
        assertThat(first.get("thread").asText()).isEqualTo(Thread.currentThread().getName());
        Instant time = Instant.parse(first.get("time").asText());
        assertThat(time).isBetween(before, Instant.now().plusSeconds(1));
        JsonNode second = lines.get(1);
        assertThat(second.get("level").asText()).as(second.toString()).isEqualTo("WARN");
        assertThat(second.has("error.type")).as(second.toString()).isTrue();
        assertThat(second.get("error.type").asText()).isEqualTo("java.io.IOException");
        assertThat(second.get("error.message").asText()).isEqualTo("disk full");
    }

    @Test
    void install_floodOfOneWarning_cappedAndSuppressionCountReported() throws Exception {
        DaemonLogging.install(DaemonLogging.Format.JSON, Level.INFO, 5, Duration.ofMillis(300), buffer);
        Logger log = LogManager.getLogger("dev.umbra.test.Flood");
        for (int i = 0; i < 1000; i++) {
            log.warn("broker {} unreachable: attempt {}", "127.0.0.1:9092", i);
        }
        log.warn("another message");
        // the sweep may end a window within the flood: then another burst passes, and each window is reported
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        List<JsonNode> lines;
        long floodLines;
        List<JsonNode> reports;
        long suppressed;
        do {
            Thread.sleep(100);
            lines = jsonLines();
            floodLines = lines.stream().filter(l -> l.get("message").asText().startsWith("broker 127.0.0.1:9092 unreachable")).count();
            reports = lines.stream().filter(l -> l.get("message").asText().startsWith("suppressed")).toList();
            suppressed = reports.stream()
                    .mapToLong(r -> Long.parseLong(r.get("message").asText().replaceAll("suppressed (\\d+) repeats.*", "$1"))).sum();
        } while (floodLines + suppressed < 1000 && System.nanoTime() < deadline);
        assertThat(reports).isNotEmpty().allSatisfy(r -> {
            assertThat(r.get("logger").asText()).isEqualTo("dev.umbra.test.Flood");
            assertThat(r.get("level").asText()).isEqualTo("WARN");
            assertThat(r.get("message").asText()).endsWith("of: broker {} unreachable: attempt {}");
        });
        assertThat(floodLines).isBetween(5L, 5L * reports.size() + 5);
        assertThat(floodLines + suppressed).isEqualTo(1000);
        assertThat(lines).anySatisfy(l -> assertThat(l.get("message").asText()).isEqualTo("another message"));
    }

    @Test
    void install_text_linesInTheCommandLineLayout() {
        DaemonLogging.install(DaemonLogging.Format.TEXT, Level.INFO, 5, Duration.ofSeconds(60), buffer);
        LogManager.getLogger("dev.umbra.test.Text").info("capturing on {}", "veth0");
        assertThat(output()).isEqualTo("umbra: info: capturing on veth0 (Text)\n");
    }

    @Test
    void kafkaOutput_secretsInProducerSettings_neverInTheLog() throws Exception {
        DaemonLogging.install(DaemonLogging.Format.JSON, Level.INFO, 5, Duration.ofSeconds(60), buffer);
        // the test class path's log4j2-test.xml silences Kafka; the daemon's default (log.level info) does not
        org.apache.logging.log4j.core.config.Configurator.setLevel("org.apache.kafka", Level.INFO);
        String canary = "canary-s3cr3t-4711";
        Properties p = new Properties();
        p.setProperty("spool.dir", tmp.resolve("spool").toString());
        p.setProperty("kafka.producer.security.protocol", "SASL_PLAINTEXT");
        p.setProperty("kafka.producer.sasl.mechanism", "PLAIN");
        p.setProperty("kafka.producer.sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule "
                + "required username=\"umbra\" password=\"" + canary + "\";");
        p.setProperty("kafka.producer.ssl.key.password", canary);
        // nothing listens on port 9 of loopback: the producer starts, logs its settings, fails to connect
        Outputs outputs = Outputs.open(List.of(OutputSpec.parse("kafka://127.0.0.1:9/findings")), p,
                new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), new OcsfMapper("test", "host"));
        outputs.finish(false);
        String log = output();
        assertThat(log).as(log).contains("sasl.jaas.config").doesNotContain(canary);
        jsonLines();
    }
}
