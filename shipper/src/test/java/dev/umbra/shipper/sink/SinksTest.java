package dev.umbra.shipper.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.shipper.SchemaCheck;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.TestFindings;
import dev.umbra.shipper.ocsf.OcsfMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SinksTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final OcsfMapper mapper = new OcsfMapper("test", "sensor-1");

    @TempDir
    Path dir;

    @Test
    void jsonLinesSink_findings_oneValidEventPerLine() throws IOException {
        StringWriter w = new StringWriter();
        try (JsonLinesSink s = new JsonLinesSink(new PrintWriter(w), mapper)) {
            for (int i = 0; i < 3; i++) {
                assertThat(s.offer(TestFindings.numbered(i))).isTrue();
            }
        }
        String[] lines = w.toString().split("\n");
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode e = JSON.readTree(lines[i]);
            SchemaCheck.assertValid(e);
            assertThat(e.at("/metadata/log_name").asText()).isEqualTo("test-" + i);
        }
    }

    @Test
    void rotatingFileSink_pastMaxBytes_rotatesKeepsWholeLinesAndDeletesOldest() throws IOException {
        Path file = dir.resolve("out/findings.jsonl");
        int n = 200;
        try (RotatingFileSink s = new RotatingFileSink(file, 16 * 1024, 2, mapper, new ShipperCounters())) {
            for (int i = 0; i < n; i++) {
                assertThat(s.offer(TestFindings.numbered(i))).isTrue();
            }
        }
        assertThat(file).exists();
        assertThat(dir.resolve("out/findings.jsonl.1")).exists();
        assertThat(dir.resolve("out/findings.jsonl.2")).exists();
        assertThat(dir.resolve("out/findings.jsonl.3")).doesNotExist();
        List<Long> numbers = new ArrayList<>();
        for (String name : List.of("findings.jsonl.2", "findings.jsonl.1", "findings.jsonl")) {
            Path p = dir.resolve("out").resolve(name);
            assertThat(Files.size(p)).isLessThanOrEqualTo(16 * 1024);
            for (String line : Files.readAllLines(p)) {
                JsonNode e = JSON.readTree(line);
                SchemaCheck.assertValid(e);
                numbers.add(TestFindings.numberOf(e.at("/metadata/log_name").asText()));
            }
        }
        // the newest records survive, in order, ending with the last one
        assertThat(numbers).isSorted().doesNotHaveDuplicates();
        assertThat(numbers.get(numbers.size() - 1)).isEqualTo(n - 1);
        assertThat(numbers.size()).isLessThan(n);
    }

    @Test
    void rotatingFileSink_existingFile_appends() throws IOException {
        Path file = dir.resolve("f.jsonl");
        Files.writeString(file, "{\"earlier\":1}\n");
        try (RotatingFileSink s = new RotatingFileSink(file, 1 << 20, 1, mapper, new ShipperCounters())) {
            s.offer(TestFindings.numbered(1));
        }
        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("{\"earlier\":1}");
    }

    @Test
    void outputSpec_validValues_parsed() {
        assertThat(OutputSpec.parse("stdout").kind()).isEqualTo(OutputSpec.Kind.STDOUT);
        assertThat(OutputSpec.parse("file:/tmp/x.jsonl").path()).isEqualTo(Path.of("/tmp/x.jsonl"));
        OutputSpec k = OutputSpec.parse("kafka://broker1:9092,broker2:9093/umbra.findings");
        assertThat(k.kind()).isEqualTo(OutputSpec.Kind.KAFKA);
        assertThat(k.bootstrapServers()).isEqualTo("broker1:9092,broker2:9093");
        assertThat(k.topic()).isEqualTo("umbra.findings");
    }

    @Test
    void outputSpec_invalidValues_clearErrors() {
        Set<String> messages = new HashSet<>();
        for (String bad : List.of("kafka://host/topic", "kafka://host:99999/t", "kafka://host:9092/", "kafka://h:1/bad topic",
                "file:", "syslog://x", "")) {
            assertThatThrownBy(() -> OutputSpec.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("Invalid value " + bad + " for option --output: ")
                    .satisfies(e -> messages.add(e.getMessage()));
        }
        assertThat(messages).hasSize(7);
    }
}
