package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.Observation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads the third-party proxy logs of {@code ../shared/corpus/proxylogs} in place, with format
 * auto-detection, and checks that every destination host of {@code expected-proxylogs} is found
 * and no line is bad; then reads a broken copy of each and checks that its garbage is counted.
 */
class ProxyLogCorpusTest {
    private static final Map<String, LogFormat> FORMATS = Map.of(
            "squid__log__test-access.log", LogFormat.SQUID,
            "sampleBluecoat.log", LogFormat.W3C,
            "zscaler_zia__web__test-web.log", LogFormat.ZSCALER_JSON,
            "panw__panos__test-panw-panos-threat-url-no-xff-sample.log", LogFormat.PANOS);

    @TempDir
    Path tmp;

    static Path corpus() {
        String configured = System.getProperty("umbra.corpus");
        Path root = Path.of(System.getProperty("umbra.repo.root", ".."));
        Path dir = configured != null ? Path.of(configured) : root.resolve("../shared/corpus").normalize();
        if (!Files.isDirectory(dir.resolve("proxylogs"))) {
            fail("third-party corpus not found at " + dir.toAbsolutePath()
                    + ": check out the project with ../shared beside it, or pass -Dumbra.corpus=DIR");
        }
        return dir;
    }

    static List<Path> logs() throws IOException {
        try (Stream<Path> s = Files.walk(corpus().resolve("proxylogs"))) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    static Set<String> expectedHosts(Path log) throws IOException {
        Path f = corpus().resolve("expected-proxylogs").resolve(log.getFileName() + ".hosts.txt");
        if (!Files.exists(f)) {
            fail("no expected hosts for " + log + " at " + f);
        }
        try (Stream<String> lines = Files.lines(f)) {
            return lines.map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @TestFactory
    List<DynamicTest> read_corpusLog_findsEveryExpectedHost() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> logs = logs();
        assertThat(logs).hasSize(FORMATS.size());
        for (Path log : logs) {
            tests.add(DynamicTest.dynamicTest(log.getFileName().toString(), () -> {
                List<Observation> seen = new ArrayList<>();
                LogStats stats = new LogStats();
                LogStream s = LogFiles.read(log, LogOptions.defaults(), new LogContext(log.toString(), seen::add, stats));
                assertThat(s.format()).isEqualTo(FORMATS.get(log.getFileName().toString()));
                Set<String> hosts = seen.stream().map(Observation::hostname).collect(Collectors.toCollection(TreeSet::new));
                assertThat(hosts).containsAll(expectedHosts(log));
                assertThat(stats.badLines()).as("bad lines %s", stats.nonZero()).isZero();
            }));
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> read_brokenCopy_countsGarbageAndKeepsGoodLines() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        for (Path log : logs()) {
            tests.add(DynamicTest.dynamicTest(log.getFileName().toString(), () -> {
                List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
                int header = 0;
                while (header < lines.size() && lines.get(header).startsWith("#")) {
                    header++;
                }
                List<String> broken = new ArrayList<>(lines.subList(0, header));
                int garbage = 0;
                int good = 0;
                for (int i = header; i < lines.size(); i++) {
                    String l = lines.get(i);
                    broken.add(l);
                    good++;
                    broken.add(l.substring(0, l.length() / 3));
                    broken.add("\u0000\u00ff garbage \"unterminated");
                    garbage += 2;
                }
                Path copy = tmp.resolve(log.getFileName());
                Files.write(copy, broken, StandardCharsets.ISO_8859_1);
                List<Observation> seen = new ArrayList<>();
                LogStats stats = new LogStats();
                LogStream s = LogFiles.read(copy, LogOptions.defaults(), new LogContext(copy.toString(), seen::add, stats));
                assertThat(s.format()).isEqualTo(FORMATS.get(log.getFileName().toString()));
                assertThat(stats.badLines()).isEqualTo(garbage);
                assertThat(stats.firstBadLines()).isNotEmpty();
                assertThat(stats.firstBadLines().get(0).lineNumber()).isEqualTo(header + 2);
                Set<String> hosts = seen.stream().map(Observation::hostname).collect(Collectors.toSet());
                assertThat(hosts).containsAll(expectedHosts(log));
                assertThat(seen).hasSizeGreaterThanOrEqualTo(good);
            }));
        }
        return tests;
    }
}
