package dev.umbra.classifier.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.ScanResult;
import dev.umbra.classifier.engine.Adversarial;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Classifier throughput, single thread (so per core), all detectors on.
 *
 * <ul>
 * <li>{@code mix}: a realistic mix of prompts, code and documents, scanned as 4 KiB requests:
 * every sample of the labelled corpus (prompts, API bodies, emails, logs with planted values and
 * hard negatives; about one sensitive item per 200 characters), this project's own Java main sources
 * (except the classifier's, which are a catalogue of token formats)
 * and Python standard-library modules (json, logging, argparse, csv from /usr/lib/python3.11:
 * real code) and the licence texts of /usr/share/common-licenses (real prose documents).
 * Report: MB/s = mix characters / time per op.</li>
 * <li>{@code corpus}: the labelled corpus alone (dense: every sample carries a value).</li>
 * <li>{@code worstCase}: adversarial inputs (long digit runs, grouped digits, long base64, repeated
 * anchors, deep JSON brackets) at two sizes; linear scaling means time doubles with size.</li>
 * </ul>
 *
 * <pre>bin/bench classifier ClassifierBenchmark -f 1 -wi 3 -i 5</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ClassifierBenchmark {
    /** The realistic mix and the labelled corpus, as 4 KiB requests. */
    @State(Scope.Benchmark)
    public static class Mix {
        Classifier classifier;
        List<String> requests;
        List<String> corpusRequests;
        long mixChars;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            classifier = Classifier.create(ClassifierConfig.defaults());
            Path root = repoRoot();
            String corpus = corpus(root);
            String code = code(root);
            String documents = documents();
            requests = split(corpus + code + documents);
            System.out.println("\nprompts " + corpus.length() + " chars, code " + code.length() + " chars, documents "
                    + documents.length() + " chars");
            corpusRequests = split(corpus);
            mixChars = requests.stream().mapToLong(String::length).sum();
            System.out.println("mix: " + requests.size() + " requests, " + mixChars + " chars; corpus: "
                    + corpusRequests.stream().mapToLong(String::length).sum() + " chars");
        }
    }

    /** One adversarial input of a given kind and size. */
    @State(Scope.Benchmark)
    public static class Worst {
        @Param({"digits", "groupedDigits", "base64", "anchors", "deepJson"})
        public String kind;

        @Param({"1048576", "4194304"})
        public int size;

        Classifier classifier;
        String adversarial;

        @Setup(Level.Trial)
        public void setUp() {
            classifier = Classifier.create(ClassifierConfig.defaults());
            adversarial = switch (kind) {
                case "digits" -> Adversarial.digits(size);
                case "groupedDigits" -> Adversarial.groupedDigits(size);
                case "base64" -> Adversarial.base64(size);
                case "deepJson" -> Adversarial.deepJsonText(size);
                default -> "eyJ a@b.co -----BEGIN ://x password= AKIA DOB 1:2 ".repeat(size / 50 + 1).substring(0, size);
            };
        }
    }

    /** The repository root: {@code umbra.repo.root}, or its parent when run from a module folder. */
    static Path repoRoot() {
        Path root = Path.of(System.getProperty("umbra.repo.root", ".")).toAbsolutePath();
        return Files.isDirectory(root.resolve("test-data")) ? root : root.getParent();
    }

    /** The mix and its three parts, each split into requests, by name (the CPU-time harnesses' inputs). */
    static java.util.Map<String, List<String>> inputSets() throws IOException {
        Path root = repoRoot();
        String prompts = corpus(root);
        String code = code(root);
        String docs = documents();
        java.util.Map<String, List<String>> sets = new java.util.LinkedHashMap<>();
        sets.put("mix", split(prompts + code + docs));
        sets.put("prompts (labelled corpus)", split(prompts));
        sets.put("code", split(code));
        sets.put("documents", split(docs));
        return sets;
    }

    static String corpus(Path root) throws IOException {
        StringBuilder all = new StringBuilder();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(root.resolve("test-data/payloads/corpus.jsonl"), StandardCharsets.UTF_8)) {
            all.append(json.readTree(line).path("text").asText()).append("\n\n");
        }
        return all.toString();
    }

    /**
     * Ordinary application code: the main sources of the project's modules other than the
     * classifier, whose own sources are a catalogue of token formats and planted test values.
     */
    static String code(Path root) throws IOException {
        String java = concat(root, p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                && !p.toString().contains("/classifier/") && !p.toString().contains("/target/"));
        Path py = Path.of("/usr/lib/python3.11");
        String python = concat(py.resolve("json"), p -> p.toString().endsWith(".py"))
                + concat(py.resolve("logging"), p -> p.toString().endsWith("__init__.py"))
                + concat(py, p -> p.getFileName().toString().equals("argparse.py") || p.getFileName().toString().equals("csv.py"));
        return java + python;
    }

    static String documents() throws IOException {
        return concat(Path.of("/usr/share/common-licenses"), p -> true);
    }

    private static String concat(Path dir, java.util.function.Predicate<Path> keep) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir, 8, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            s.filter(Files::isRegularFile).filter(keep).sorted().forEach(files::add);
        }
        StringBuilder all = new StringBuilder();
        for (Path p : files) {
            try {
                all.append(new String(Files.readAllBytes(p), StandardCharsets.UTF_8)).append("\n\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toString();
    }

    static List<String> split(String all) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.length(); i += 4096) {
            out.add(all.substring(i, Math.min(all.length(), i + 4096)));
        }
        return out;
    }

    /** Scans the whole mix once; MB/s = mix chars / this time. */
    @Benchmark
    public int mix(Mix m) {
        int n = 0;
        for (String r : m.requests) {
            n += m.classifier.scan(r).detections().size();
        }
        return n;
    }

    /** Scans the labelled corpus alone. */
    @Benchmark
    public int corpus(Mix m) {
        int n = 0;
        for (String r : m.corpusRequests) {
            n += m.classifier.scan(r).detections().size();
        }
        return n;
    }

    /** Scans one adversarial input. */
    @Benchmark
    public ScanResult worstCase(Worst w) {
        return w.classifier.scan(w.adversarial);
    }
}
