package dev.umbra.shipper.ocsf;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.shipper.SchemaCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SchemaDocTest {
    private static Path doc() {
        Path root = Path.of(System.getProperty("umbra.repo.root", "..")).toAbsolutePath().normalize();
        return root.resolve("docs/schema.md");
    }

    @Test
    void schemaDoc_everyExample_validatesAndEveryClassHasOne() throws IOException {
        String md = Files.readString(doc());
        Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(md);
        List<Integer> classes = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        while (m.find()) {
            JsonNode e = json.readTree(m.group(1));
            SchemaCheck.assertValid(e);
            classes.add(e.get("class_uid").asInt());
        }
        assertThat(classes).containsExactlyInAnyOrder(4003, 4001, 4002, 2004, 2006);
    }

    @Test
    void schemaDoc_examples_matchWhatTheMapperProducesToday() throws IOException {
        String md = Files.readString(doc());
        OcsfMapper mapper = new OcsfMapper("0.1.0", "sensor-lon-07");
        ObjectMapper json = new ObjectMapper();
        Matcher m = Pattern.compile("```json\\n(.*?)\\n```", Pattern.DOTALL).matcher(md);
        for (var f : SchemaExamples.all().values()) {
            assertThat(m.find()).isTrue();
            assertThat(json.readTree(m.group(1))).as("docs/schema.md is stale: run SchemaExamples.main")
                    .isEqualTo(json.readTree(mapper.toJsonLine(f)));
        }
    }
}
