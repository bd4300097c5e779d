package dev.umbra.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.ScanResult;
import dev.umbra.classifier.payload.Extracted;
import dev.umbra.classifier.payload.PayloadAnomaly;
import dev.umbra.classifier.payload.PayloadExtractor;
import dev.umbra.classifier.payload.Segment;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code umbra scan}: sensitive data (PII, PHI, secrets, source code) in files, directories or stdin. */
@Command(name = "scan", mixinStandardHelpOptions = true,
        description = "Scan files, directories (file by file) or stdin ('-') for sensitive data: PII, PHI, "
                + "secrets, source code and configured keywords. JSON, HAR, form, multipart and gzip bodies are "
                + "decoded first. Values are never printed: only masked evidence and a keyed hash.")
final class ScanCommand implements Callable<Integer> {
    /** Cap on files read from directories. */
    static final int MAX_FILES = 100_000;

    @ParentCommand
    UmbraCommand root;

    @Option(names = "--format", defaultValue = "table",
            description = "table, or json (one detection per line). Default: ${DEFAULT-VALUE}.")
    OutputFormat format;

    @Option(names = "--fail-on", paramLabel = "CATEGORY",
            description = "Exit with 1 when a detection matches: 'any', a category (pii, phi, secret, source_code, "
                    + "custom) or a type (credit_card, github_token ...). Repeatable.")
    List<String> failOn = List.of();

    @Option(names = "--config", paramLabel = "FILE",
            description = "Classifier settings (Java properties: classifier.hmac.key, classifier.min.likelihood, "
                    + "classifier.custom.keywords.NAME, classifier.custom.pattern.NAME, classifier.max.input.chars).")
    Path config;

    @Option(names = "--max-bytes", paramLabel = "N", defaultValue = "16777216",
            description = "Bytes read per file; the rest is counted as oversize. Default: ${DEFAULT-VALUE}.")
    int maxBytes;

    @Parameters(arity = "1..*", paramLabel = "FILE|DIR|-", description = "Files, directories, or '-' for stdin.")
    List<String> inputs;

    /** Made on first use (picocli creates every subcommand for every command line). */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    @Override
    public Integer call() {
        Set<String> rules = parseFailOn(failOn);
        Classifier classifier = Classifier.create(loadConfig(config));
        PayloadExtractor extractor;
        try {
            extractor = new PayloadExtractor(maxBytes);
        } catch (IllegalArgumentException e) {
            throw UmbraException.badInput(e.getMessage().replace("configuration payload.max.bytes", "option --max-bytes"));
        }
        List<Path> files = new ArrayList<>();
        boolean stdin = false;
        for (String in : inputs) {
            if (in.equals("-")) {
                stdin = true;
                continue;
            }
            Path p = Path.of(in);
            if (Files.isDirectory(p)) {
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).sorted().limit(MAX_FILES).forEach(files::add);
                } catch (IOException e) {
                    throw new UmbraException(ExitCodes.RUNTIME, "cannot read directory " + p + ": " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw UmbraException.badInput("no such file or directory: " + in);
            }
        }
        TextTable table = new TextTable("SOURCE", "TYPE", "CATEGORY", "LIKELIHOOD", "START", "END", "MASKED", "LOCATION");
        Map<PayloadAnomaly, Integer> anomalies = new EnumMap<>(PayloadAnomaly.class);
        int detections = 0;
        int sources = 0;
        int failed = 0;
        boolean matched = false;
        List<Source> all = new ArrayList<>();
        if (stdin) {
            all.add(new Source("-", null));
        }
        files.forEach(f -> all.add(new Source(f.toString(), f)));
        for (Source src : all) {
            byte[] body;
            boolean truncated;
            try (InputStream in = src.path == null ? System.in : Files.newInputStream(src.path)) {
                body = in.readNBytes(maxBytes);
                truncated = in.read() >= 0;
            } catch (IOException e) {
                root.err.println("umbra: cannot read " + src.name + ": " + e.getMessage());
                failed++;
                continue;
            }
            sources++;
            Extracted x = extractor.extractFile(body, src.name);
            if (truncated) {
                anomalies.merge(PayloadAnomaly.PAYLOAD_OVERSIZE, 1, Integer::sum);
            }
            x.anomalies().forEach((k, v) -> anomalies.merge(k, v, Integer::sum));
            ScanResult r = classifier.scan(x.text());
            for (Detection d : r.detections()) {
                detections++;
                matched |= rules.contains("any") || rules.contains(d.category().id()) || rules.contains(d.type());
                Segment seg = x.segmentAt(d.start());
                if (format == OutputFormat.json) {
                    root.out.println(jsonLine(src.name, d, seg));
                } else {
                    table.add(src.name, d.type(), d.category().id(), d.likelihood().id(), d.start(), d.end(),
                            d.masked(), seg == null ? "-" : seg.location() + (seg.prompt() ? " (prompt)" : ""));
                }
            }
        }
        if (format == OutputFormat.table) {
            if (detections > 0) {
                table.print(root.out);
                root.out.println();
            }
            root.out.println(detections + " detection(s) in " + sources + " source(s).");
        }
        if (!anomalies.isEmpty()) {
            StringBuilder sb = new StringBuilder("umbra: payload anomalies:");
            anomalies.forEach((k, v) -> sb.append(' ').append(k.id()).append('=').append(v));
            root.err.println(sb);
        }
        if (failed > 0) {
            return ExitCodes.RUNTIME;
        }
        return matched ? ExitCodes.FINDINGS : ExitCodes.OK;
    }

    private String jsonLine(String source, Detection d, Segment seg) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("source", source);
        n.put("type", d.type());
        n.put("category", d.category().id());
        n.put("start", d.start());
        n.put("end", d.end());
        n.put("likelihood", d.likelihood().id());
        n.put("masked", d.masked());
        n.put("hmac", d.hmac());
        if (seg != null) {
            n.put("location", seg.location());
            n.put("prompt", seg.prompt());
        }
        return n.toString();
    }

    /** Reads classifier settings from a properties file; null means defaults. */
    static ClassifierConfig loadConfig(Path file) {
        if (file == null) {
            return ClassifierConfig.defaults();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw UmbraException.badInput("cannot read configuration " + file + ": " + e.getMessage());
        }
        try {
            return ClassifierConfig.fromProperties(p);
        } catch (IllegalArgumentException e) {
            throw UmbraException.badInput(e.getMessage());
        }
    }

    private static Set<String> parseFailOn(List<String> rules) {
        Set<String> out = new HashSet<>();
        for (String rule : rules) {
            String r = rule.toLowerCase(java.util.Locale.ROOT);
            if (r.equals("any") || r.matches("[a-z][a-z0-9_]{1,47}")) {
                try {
                    out.add(DetectionCategory.fromId(r).id());
                } catch (IllegalArgumentException notACategory) {
                    out.add(r);
                }
            } else {
                throw UmbraException.badInput("Invalid value " + rule + " for option --fail-on: expected 'any', a "
                        + "category (pii, phi, secret, source_code, custom) or a detection type");
            }
        }
        return out;
    }

    private record Source(String name, Path path) {
    }
}
