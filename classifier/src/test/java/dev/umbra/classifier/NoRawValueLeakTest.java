package dev.umbra.classifier;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.classifier.payload.Extracted;
import dev.umbra.classifier.payload.PayloadExtractor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Runs the classifier over every planted value of the labelled corpus (as plain text and inside an
 * OpenAI request body), prints everything a caller could print (each Detection, each ScanResult,
 * each Extracted's segments and anomalies) while System.out and System.err are captured, and
 * checks that no planted raw value appears in the captured output.
 */
class NoRawValueLeakTest {
    private static final Set<String> SENSITIVE = Set.of("pii", "phi", "secret");

    static Path corpus() {
        return Path.of(System.getProperty("umbra.repo.root", "..")).resolve("test-data/payloads/corpus.jsonl");
    }

    @Test
    void scan_everyPlantedValue_neverAppearsInOutput() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        Set<String> planted = new LinkedHashSet<>();
        for (String line : Files.readAllLines(corpus(), StandardCharsets.UTF_8)) {
            JsonNode s = json.readTree(line);
            String text = s.path("text").asText();
            texts.add(text);
            for (JsonNode l : s.path("labels")) {
                String v = text.substring(l.path("start").asInt(), l.path("end").asInt());
                if (v.length() >= 6 && !l.path("type").asText().equals("source_code")
                        && !l.path("type").asText().startsWith("project") && !l.path("type").asText().startsWith("confidential")) {
                    planted.add(v);
                }
            }
        }
        assertThat(planted).hasSizeGreaterThan(1500);
        PayloadExtractor extractor = new PayloadExtractor();
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int detections = 0;
        try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            System.setErr(capture);
            for (String text : texts) {
                ScanResult r = Fixtures.classifier().scan(text);
                System.out.println(r);
                for (Detection d : r.detections()) {
                    System.out.println(d);
                    System.err.println(d.masked() + " " + d.hmac());
                    if (SENSITIVE.contains(d.category().id())) {
                        detections++;
                    }
                }
                byte[] body = json.writeValueAsBytes(json.createObjectNode().put("model", "gpt-4o")
                        .set("messages", json.createArrayNode().add(json.createObjectNode().put("role", "user").put("content", text))));
                Extracted x = extractor.extract(body, "application/json", null);
                System.out.println(x.segments() + " " + x.anomalies() + " " + x.api());
                System.out.println(Fixtures.classifier().scan(x.text()));
            }
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String all = captured.toString(StandardCharsets.UTF_8);
        assertThat(detections).isGreaterThan(1500);
        List<String> leaked = new ArrayList<>();
        for (String v : planted) {
            if (all.contains(v)) {
                leaked.add(v.length() + " chars");
            }
        }
        // the message names only the lengths of leaked values, never the values
        assertThat(leaked).as("planted raw values found in classifier output").isEmpty();
    }
}
