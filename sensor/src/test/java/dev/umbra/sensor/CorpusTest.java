package dev.umbra.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.decode.PacketDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads the third-party captures of {@code ../shared/corpus} in place and compares the names found
 * with tshark's (corpus/README.md). tshark is a floor: Umbra must find every DNS query name and
 * TLS SNI it lists. QUIC SNIs are checked by the QUIC decoder's own tests once it exists.
 */
class CorpusTest {
    static Path corpus() {
        String configured = System.getProperty("umbra.corpus");
        Path root = Path.of(System.getProperty("umbra.repo.root", ".."));
        Path dir = configured != null ? Path.of(configured) : root.resolve("../shared/corpus").normalize();
        if (!Files.isDirectory(dir.resolve("pcaps"))) {
            fail("third-party corpus not found at " + dir.toAbsolutePath()
                    + ": check out the project with ../shared beside it, or pass -Dumbra.corpus=DIR");
        }
        return dir;
    }

    private static Map<ObservationKind, Set<String>> observe(Path file, AnomalyCounters anomalies)
            throws IOException, CaptureFormatException {
        Map<ObservationKind, Set<String>> names = new java.util.EnumMap<>(ObservationKind.class);
        PacketDecoder decoder = new PacketDecoder(file.toString(),
                o -> names.computeIfAbsent(o.kind(), k -> new HashSet<>()).add(o.hostname()), anomalies);
        CaptureFileReader.read(file, decoder, anomalies);
        return names;
    }

    private static Set<String> expected(Path corpus, Path capture, String kind) throws IOException {
        String key = capture.getParent().getFileName() + "__" + capture.getFileName();
        Path file = corpus.resolve("expected").resolve(key + "." + kind + ".txt");
        if (!Files.exists(file)) {
            return Set.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> s.equals("<Root>") || s.equals("<root>") ? "." : s.toLowerCase(Locale.ROOT))
                    .collect(Collectors.toSet());
        }
    }

    private static List<Path> captures(Path corpus, String source) throws IOException {
        try (Stream<Path> files = Files.list(corpus.resolve("pcaps").resolve(source))) {
            return files.sorted().toList();
        }
    }

    @TestFactory
    Stream<DynamicTest> observe_tcpdumpAndJa4Captures_findEveryDnsQueryAndSniTsharkFinds() throws IOException {
        Path corpus = corpus();
        List<Path> files = new ArrayList<>(captures(corpus, "tcpdump"));
        files.addAll(captures(corpus, "ja4"));
        return files.stream().map(file -> DynamicTest.dynamicTest(file.getFileName().toString(), () -> {
            Map<ObservationKind, Set<String>> found = observe(file, new AnomalyCounters());
            assertThat(found.getOrDefault(ObservationKind.DNS_QUERY, Set.of()))
                    .as("DNS query names").containsAll(expected(corpus, file, "dns"));
            assertThat(found.getOrDefault(ObservationKind.TLS_SNI, Set.of()))
                    .as("TLS SNIs").containsAll(expected(corpus, file, "sni"));
        }));
    }

    @Test
    void read_everyCorpusCapture_neverThrowsAndNeverHitsTheDecoderGuard() throws IOException {
        Path corpus = corpus();
        AnomalyCounters anomalies = new AnomalyCounters();
        int files = 0;
        for (String source : List.of("tcpdump", "ja4", "ndpi", "retina")) {
            for (Path file : captures(corpus, source)) {
                try {
                    observe(file, anomalies);
                } catch (CaptureFormatException e) {
                    // a file that is not a capture at all: the CLI reports it and exits 2
                    assertThat(e.getMessage()).isNotBlank();
                }
                files++;
            }
        }
        assertThat(files).isGreaterThan(250);
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
    }
}
