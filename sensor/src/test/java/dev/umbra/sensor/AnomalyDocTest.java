package dev.umbra.sensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The anomaly table of docs/sensor.md names every code the sensor counts, and no other. */
class AnomalyDocTest {
    private static Path doc() {
        Path root = Path.of(System.getProperty("umbra.repo.root", "..")).toAbsolutePath().normalize();
        return root.resolve("docs/sensor.md");
    }

    @Test
    void sensorDoc_anomalyTable_listsExactlyTheEnumsCodes() throws IOException {
        String md = Files.readString(doc());
        int start = md.indexOf("| code | meaning |");
        assertThat(start).as("docs/sensor.md has the anomaly table").isPositive();
        int end = md.indexOf("\n\n", start);
        Set<String> documented = new TreeSet<>();
        for (String row : md.substring(start, end).split("\n")) {
            String[] cells = row.split("\\|");
            if (cells.length < 2) {
                continue;
            }
            Matcher m = Pattern.compile("`([a-z0-9_]+)`").matcher(cells[1]);
            while (m.find()) {
                documented.add(m.group(1));
            }
        }
        Set<String> codes = Arrays.stream(Anomaly.values()).map(Anomaly::code).collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).as("codes in docs/sensor.md's anomaly table").isEqualTo(codes);
    }
}
