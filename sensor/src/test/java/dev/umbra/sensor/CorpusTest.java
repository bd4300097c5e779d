package dev.umbra.sensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.decode.PacketDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Reads the third-party captures of {@code ../shared/corpus} in place and compares the names found
 * with tshark's (corpus/README.md). tshark is a floor: for every capture of every source Umbra must
 * find every DNS query name ({@code .dns.txt}), TLS SNI ({@code .sni.txt}) and QUIC SNI
 * ({@code .quicsni.txt}) it lists, except the names listed with a reason in
 * {@code test-data/corpus-exceptions.tsv} (explained in {@code test-data/corpus-notes.md}). An
 * exception that Umbra finds after all fails the test too, so the list cannot go stale. Names Umbra
 * finds beyond tshark's are pinned there as well (kind with a {@code +}), so a change in what the
 * decoders find shows up as a failure to look at.
 */
class CorpusTest {
    static final List<String> SOURCES = List.of("tcpdump", "ja4", "ndpi", "retina");

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

    static Path testData() {
        return Path.of(System.getProperty("umbra.repo.root", "..")).resolve("test-data");
    }

    static Map<ObservationKind, Set<String>> observe(Path file, AnomalyCounters anomalies)
            throws IOException, CaptureFormatException {
        Map<ObservationKind, Set<String>> names = new EnumMap<>(ObservationKind.class);
        PacketDecoder decoder = new PacketDecoder(file.toString(),
                o -> names.computeIfAbsent(o.kind(), k -> new HashSet<>()).add(tsharkForm(o.hostname())), anomalies);
        CaptureFileReader.read(file, decoder, anomalies);
        decoder.finish();
        return names;
    }

    /**
     * Umbra writes a byte of a name that is not printable ASCII as {@code \\ddd} (decimal, as in
     * zone files), so that names stay lossless and safe to log. tshark decodes the bytes as UTF-8,
     * shows each invalid byte as U+FFFD and escapes control characters C-style ({@code \\r},
     * {@code \\022} octal). This maps Umbra's form to tshark's so the two can be compared; names
     * without escapes are unchanged.
     */
    static String tsharkForm(String name) {
        if (name.indexOf('\\') < 0) {
            return name;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\' && i + 3 < name.length() && Character.isDigit(name.charAt(i + 1))) {
                bytes.write(Integer.parseInt(name.substring(i + 1, i + 4)));
                i += 3;
            } else {
                bytes.write(c);
            }
        }
        String decoded = new String(bytes.toByteArray(), StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(decoded.length());
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            switch (c) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append('\\').append(String.format("%03o", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return collapseReplacements(out.toString().toLowerCase(Locale.ROOT));
    }

    /**
     * GLib (tshark) and Java replace an invalid UTF-8 sequence with a different number of U+FFFD
     * (per byte versus per maximal subpart); a run of them compares as one.
     */
    static String collapseReplacements(String s) {
        return s.indexOf('\ufffd') < 0 ? s : s.replaceAll("\ufffd+", "\ufffd");
    }

    static String key(Path capture) {
        return capture.getParent().getFileName() + "__" + capture.getFileName();
    }

    static Set<String> expected(Path corpus, Path capture, String kind) throws IOException {
        Path file = corpus.resolve("expected").resolve(key(capture) + "." + kind + ".txt");
        if (!Files.exists(file)) {
            return Set.of();
        }
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(String::trim).filter(s -> !s.isEmpty())
                    .map(s -> s.equals("<Root>") || s.equals("<root>") ? "." : s.toLowerCase(Locale.ROOT))
                    .map(CorpusTest::collapseReplacements)
                    .collect(Collectors.toSet());
        }
    }

    /** capture key -> kind -> names tshark lists that Umbra is known not to report. */
    static Map<String, Map<String, Set<String>>> exceptions() throws IOException {
        Map<String, Map<String, Set<String>>> out = new HashMap<>();
        for (String line : Files.readAllLines(testData().resolve("corpus-exceptions.tsv"), StandardCharsets.UTF_8)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            assertThat(f).as("capture, kind, name, reason: " + line).hasSize(4);
            out.computeIfAbsent(f[0], k -> new HashMap<>()).computeIfAbsent(f[1], k -> new HashSet<>())
                    .add(f[2]);
        }
        return out;
    }

    static List<Path> captures(Path corpus, String source) throws IOException {
        try (Stream<Path> files = Files.list(corpus.resolve("pcaps").resolve(source))) {
            return files.sorted().toList();
        }
    }

    private static final Map<String, ObservationKind> KINDS = Map.of(
            "dns", ObservationKind.DNS_QUERY, "sni", ObservationKind.TLS_SNI, "quicsni", ObservationKind.QUIC_SNI);

    @TestFactory
    Stream<DynamicTest> observe_everyCorpusCapture_findsEveryNameTsharkFinds() throws IOException {
        Path corpus = corpus();
        Map<String, Map<String, Set<String>>> exceptions = exceptions();
        List<Path> files = new ArrayList<>();
        for (String source : SOURCES) {
            files.addAll(captures(corpus, source));
        }
        return files.stream().map(file -> DynamicTest.dynamicTest(key(file), () -> {
            Map<ObservationKind, Set<String>> found;
            try {
                found = observe(file, new AnomalyCounters());
            } catch (CaptureFormatException e) {
                found = Map.of();
            }
            Map<String, Set<String>> known = exceptions.getOrDefault(key(file), Map.of());
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, ObservationKind> kind : KINDS.entrySet()) {
                Set<String> have = found.getOrDefault(kind.getValue(), Set.of());
                Set<String> excused = known.getOrDefault(kind.getKey(), Set.of());
                Set<String> missing = new TreeSet<>(expected(corpus, file, kind.getKey()));
                missing.removeAll(have);
                Set<String> unexcused = new TreeSet<>(missing);
                unexcused.removeAll(excused);
                if (!unexcused.isEmpty()) {
                    problems.add(kind.getKey() + " missing " + unexcused);
                    report(key(file), kind.getKey(), unexcused);
                }
                Set<String> extra = new TreeSet<>(have);
                extra.removeAll(expected(corpus, file, kind.getKey()));
                Set<String> pinnedExtra = new TreeSet<>(known.getOrDefault(kind.getKey() + "+", Set.of()));
                if (!extra.equals(pinnedExtra)) {
                    report(key(file), kind.getKey() + "+", extra);
                    problems.add(kind.getKey() + " beyond tshark " + extra + " but corpus-exceptions.tsv pins "
                            + pinnedExtra);
                }
                Set<String> stale = new TreeSet<>(excused);
                stale.retainAll(have);
                if (!stale.isEmpty()) {
                    problems.add(kind.getKey() + " found though listed in corpus-exceptions.tsv " + stale);
                }
            }
            assertThat(problems).as(key(file)).isEmpty();
        }));
    }

    /** With -Dcorpus.report=FILE, appends each unexcused miss as a TSV line (to triage). */
    private static synchronized void report(String capture, String kind, Set<String> names) throws IOException {
        String to = System.getProperty("corpus.report");
        if (to == null) {
            return;
        }
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            sb.append(capture).append('\t').append(kind).append('\t').append(n).append('\n');
        }
        Files.writeString(Path.of(to), sb, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /**
     * DNS answers against tshark's {@code .dnsans.txt} (question name, then A, AAAA and CNAME data).
     * tshark's fields also take the addresses of the authority and additional sections (name-server
     * glue), which are not answers to the question and which Umbra leaves out on purpose (they
     * would attribute a name server's address to the name asked). So the check is: every question
     * tshark lists with data has a dns_answer from Umbra, and every value Umbra reports for it is
     * one tshark lists too. Placeholders such as {@code <Name too long>} are not data.
     */
    @TestFactory
    Stream<DynamicTest> observe_everyCorpusCaptureWithAnswers_reportsTsharksResponsesAndNoOtherData()
            throws IOException {
        Path corpus = corpus();
        List<Path> files = new ArrayList<>();
        for (String source : SOURCES) {
            for (Path f : captures(corpus, source)) {
                if (Files.exists(corpus.resolve("expected").resolve(key(f) + ".dnsans.txt"))) {
                    files.add(f);
                }
            }
        }
        assertThat(files).hasSizeGreaterThan(50);
        return files.stream().map(file -> DynamicTest.dynamicTest(key(file), () -> {
            Map<String, Set<String>> found = new HashMap<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(file.toString(), o -> {
                if (o.kind() == ObservationKind.DNS_ANSWER) {
                    Set<String> set = found.computeIfAbsent(tsharkForm(o.hostname()), k -> new HashSet<>());
                    o.answers().forEach(a -> set.add(tsharkForm(a)));
                }
            }, anomalies);
            CaptureFileReader.read(file, decoder, anomalies);
            decoder.finish();
            Map<String, Set<String>> tshark = new HashMap<>();
            for (String line : Files.readAllLines(corpus.resolve("expected").resolve(key(file) + ".dnsans.txt"),
                    StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", -1);
                if (f.length < 2 || f[1].isBlank() || f[0].startsWith("<")) {
                    continue;
                }
                Set<String> values = tshark.computeIfAbsent(collapseReplacements(f[0].toLowerCase(Locale.ROOT)),
                        k -> new HashSet<>());
                for (String answer : f[1].split(",")) {
                    String v = collapseReplacements(answer.trim().toLowerCase(Locale.ROOT));
                    if (!v.isEmpty() && !v.startsWith("<")) {
                        values.add(v);
                    }
                }
            }
            List<String> problems = new ArrayList<>();
            Set<String> known = exceptions().getOrDefault(key(file), Map.of()).getOrDefault("dnsans", Set.of());
            for (Map.Entry<String, Set<String>> e : tshark.entrySet()) {
                if (e.getValue().isEmpty() || known.contains(e.getKey())) {
                    continue;
                }
                Set<String> have = found.get(e.getKey());
                if (have == null) {
                    problems.add("no dns_answer for " + e.getKey());
                    continue;
                }
                Set<String> extra = new TreeSet<>(have);
                extra.removeAll(e.getValue());
                if (!extra.isEmpty()) {
                    problems.add(e.getKey() + " data tshark does not list: " + extra);
                }
            }
            assertThat(problems).as(key(file) + " answers").isEmpty();
        }));
    }

    @Test
    void read_everyCorpusCapture_neverThrowsAndNeverHitsTheDecoderGuard() throws IOException {
        Path corpus = corpus();
        AnomalyCounters anomalies = new AnomalyCounters();
        int files = 0;
        for (String source : SOURCES) {
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
