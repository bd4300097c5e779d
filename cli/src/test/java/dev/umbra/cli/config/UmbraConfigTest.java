package dev.umbra.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UmbraConfigTest {
    @Test
    void defaults_everyKeyHasAValidDefault() {
        UmbraConfig c = UmbraConfig.defaults();
        assertThat(c.number(UmbraConfig.CAPTURE_BUFFER_BYTES)).isEqualTo(16L << 20);
        assertThat(c.list(UmbraConfig.OUTPUT)).containsExactly("stdout");
        assertThat(c.duration(UmbraConfig.AGGREGATION_WINDOW)).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.string(UmbraConfig.METRICS_LISTEN)).isEqualTo("127.0.0.1:9464");
        assertThat(c.list(UmbraConfig.SYSLOG_ALLOW)).containsExactly("127.0.0.0/8", "::1/128");
    }

    @Test
    void defaultsYaml_parsesBackToTheDefaults() throws Exception {
        UmbraConfig c = UmbraConfig.parse("defaults.yaml", UmbraConfig.defaultsYaml());
        UmbraConfig d = UmbraConfig.defaults();
        for (ConfigKey k : UmbraConfig.KEYS) {
            assertThat(c.value(k)).as(k.name()).isEqualTo(d.value(k));
        }
        assertThat(c.number(UmbraConfig.SPOOL_MAX_BYTES)).isEqualTo(1L << 30);
    }

    @Test
    void shippedPackagingConfig_isTheGeneratedDefaults() throws Exception {
        Path shipped = Path.of(System.getProperty("umbra.repo.root", "..")).resolve("packaging/umbra.yaml");
        assertThat(Files.readString(shipped))
                .as("packaging/umbra.yaml is generated: bin/umbra config defaults > packaging/umbra.yaml")
                .isEqualTo(UmbraConfig.defaultsYaml());
    }

    @Test
    void parse_nestedValuesListsAndProducerSettings() throws Exception {
        UmbraConfig c = UmbraConfig.parse("t.yaml", """
                sensor:
                  host_id: laptop-42
                capture:
                  interfaces: [eth0, "eth1.100"]
                  buffer_bytes: 64m
                  promiscuous: true
                output:
                  - stdout
                  - kafka://127.0.0.1:9092/umbra.findings
                kafka:
                  producer:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                aggregation:
                  window: 5m
                """);
        assertThat(c.string(UmbraConfig.SENSOR_HOST_ID)).isEqualTo("laptop-42");
        assertThat(c.list(UmbraConfig.CAPTURE_INTERFACES)).containsExactly("eth0", "eth1.100");
        assertThat(c.number(UmbraConfig.CAPTURE_BUFFER_BYTES)).isEqualTo(64L << 20);
        assertThat(c.bool(UmbraConfig.CAPTURE_PROMISCUOUS)).isTrue();
        assertThat(c.list(UmbraConfig.OUTPUT)).hasSize(2);
        assertThat(c.producerSettings()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.duration(UmbraConfig.AGGREGATION_WINDOW)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void parse_everyErrorAtOnce_namesLineKeyValueAndFix() {
        assertThatThrownBy(() -> UmbraConfig.parse("bad.yaml", """
                capture:
                  snaplen: 10
                  intrefaces: [eth0]
                  promiscuous: maybe
                output: [stdout, "kafka://x"]
                spool:
                  max_bytes: lots
                metrics:
                  listen: "0.0.0.0"
                """))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly(
                        "bad.yaml:2: Invalid value 10 for configuration capture.snaplen: must be between 64 and 262144. Pick a value in that range.",
                        "bad.yaml:3: Unknown configuration key capture.intrefaces. Did you mean capture.interfaces?",
                        "bad.yaml:4: Invalid value maybe for configuration capture.promiscuous: expected true or false.",
                        "bad.yaml:5: Invalid value [stdout, kafka://x] for configuration output: item kafka://x is not stdout, file:PATH or kafka://HOST:PORT/TOPIC. Fix or remove that item.",
                        "bad.yaml:7: Invalid value lots for configuration spool.max_bytes: expected a size such as 4096, 512k, 128m or 1g.",
                        "bad.yaml:9: Invalid value 0.0.0.0 for configuration metrics.listen: expected ADDRESS:PORT such as 127.0.0.1:9464 or [::1]:9464. Use a literal address and a port 1-65535."));
    }

    @Test
    void parse_notAMappingOrBrokenYaml_isOneClearError() {
        assertThatThrownBy(() -> UmbraConfig.parse("l.yaml", "- a\n- b\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("mapping");
        assertThatThrownBy(() -> UmbraConfig.parse("y.yaml", "capture:\n  snaplen: [1\n")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("y.yaml").hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> UmbraConfig.parse("d.yaml", "log:\n  level: info\n  level: debug\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("level");
    }

    @Test
    void parse_emptyFile_isAllDefaults() throws Exception {
        assertThat(UmbraConfig.parse("e.yaml", "").list(UmbraConfig.OUTPUT)).containsExactly("stdout");
    }

    @Test
    void parse_randomText_neverThrowsAnythingButConfigException() {
        Random random = new Random(1);
        String alphabet = "abc:- \n[]{}\"'#0123456789.,/&*!|>";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(80); j > 0; j--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            try {
                UmbraConfig.parse("r.yaml", sb.toString());
            } catch (ConfigException expected) {
                assertThat(expected.errors()).isNotEmpty();
            }
        }
    }
}
