package dev.umbra.cli;

import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.ocsf.OcsfMapper;
import dev.umbra.signatures.Category;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.PathRule;
import dev.umbra.signatures.Verdict;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Parameters;

/** {@code umbra audit}: which AI services the clients in captures used. */
@Command(name = "audit", mixinStandardHelpOptions = true,
        description = "Report the AI services each client used, from capture files and proxy or sensor logs in any "
                + "mix: a table per (user or client IP, service) with requests, bytes up and down, first and last "
                + "seen and URL paths (NOTES says ech-outer-sni-only when a service was seen only as the outer SNI "
                + "of an Encrypted Client Hello, and device=NAME for the device names of the client's DHCP leases), OCSF "
                + "JSON events, or a self-contained HTML report.")
final class AuditCommand implements Callable<Integer> {
    /** What {@code --format} accepts. */
    enum Format {
        table, json, html
    }

    @ParentCommand
    UmbraCommand root;

    @Option(names = "--format", defaultValue = "table",
            description = "table; json (one OCSF event per client, service and class per line); or html (one "
                    + "self-contained page: summary, services by verdict and risk, usage per client; redirect it to "
                    + "a file). Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--fail-on", paramLabel = "RULE",
            description = "Exit with 1 when a finding matches: 'any', a verdict (sanctioned, tolerated, "
                    + "unsanctioned, unknown), a service category id, or a kind of sensitive data sent to an AI "
                    + "service (pii, phi, secret, source_code, custom). Repeatable.")
    List<String> failOn = List.of();

    @Mixin
    LogInputOptions logInput;

    @Mixin
    CatalogOptions catalog;

    @Option(names = "--output", paramLabel = "DEST",
            description = "Send the findings as OCSF JSON to DEST: stdout, file:PATH (rotating JSON lines) or "
                    + "kafka://HOST:PORT/TOPIC (spooled, acks=all). Repeatable. With stdout, no table is printed.")
    List<String> outputs = List.of();

    @Option(names = "--output-config", paramLabel = "FILE",
            description = "Properties file for the outputs: kafka.producer.* (TLS, SASL), kafka.topic.*, spool.*, "
                    + "file.max.bytes, file.keep. See docs/shipper.md.")
    Path outputConfig;

    @Option(names = "--http-body-bytes", paramLabel = "N", defaultValue = "65536",
            description = "Classify the first N bytes of each plaintext HTTP request body sent to an AI service in "
                    + "the captures (PII, PHI, secrets, source code; masked, never the value); 0 turns it off. "
                    + "Default: ${DEFAULT-VALUE}.")
    int httpBodyBytes;

    @Option(names = "--classifier-config", paramLabel = "FILE",
            description = "Classifier settings for those bodies (Java properties, as umbra scan --config: "
                    + "classifier.hmac.key, classifier.min.likelihood, custom keywords...). See docs/classifier.md.")
    Path classifierConfig;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "pcap or pcapng captures (recognised by their magic number, also gzip-compressed) and log "
                    + "files (also gzip-compressed), in any mix; - reads standard input.")
    List<Path> files;

    @Override
    public Integer call() {
        Set<Object> failRules = parseFailOn(failOn);
        List<dev.umbra.shipper.sink.OutputSpec> outputSpecs = Outputs.parse(outputs);
        CaptureRun.checkInputs(files);
        var logOptions = logInput.toLogOptions();
        UsageReport report = new UsageReport();
        // the built-in catalog loads while the inputs are read; a catalog or policy the user names is
        // checked first, so that its errors come before any reading
        MatchingSink sink = catalog.catalogDir == null && catalog.policyFile == null
                ? MatchingSink.loading(() -> catalog.load(root.err).matcher(), report)
                : MatchingSink.ready(catalog.load(root.err).matcher(), report);
        CaptureRun run = new CaptureRun(root.err, logOptions);
        // observations of names no service has would be dropped by the sink: the decoders skip them
        run.onlyNames(sink::mayMatch);
        run.alsoRequestsTo(sink::mayMatchPort); // self-hosted runtimes, known by port and path
        BodyScanner bodies = null;
        if (httpBodyBytes < 0) {
            throw UmbraException.badInput("Invalid value " + httpBodyBytes + " for option --http-body-bytes: expected 0 "
                    + "(off) or a positive number of bytes");
        }
        if (httpBodyBytes > 0) {
            bodies = new BodyScanner(ScanCommand.loadConfig(classifierConfig));
            run.onHttpBodies(httpBodyBytes, bodies);
        }
        run.readAll(files, sink);
        sink.finish();
        if (bodies != null) {
            for (BodyScanner.Found f : bodies.found) {
                Match m = sink.matchOf(f.request());
                if (m != null) {
                    report.sent(f.request(), m, f.detections());
                }
            }
        }
        boolean delivered = true;
        if (!outputSpecs.isEmpty()) {
            try (Outputs o = Outputs.open(outputSpecs, outputConfig, root.out, root.err,
                    new OcsfMapper(UmbraCommand.version(), null))) {
                report.findings().forEach(o::send);
                delivered = o.finish(root.verbosity() > 0);
            }
        }
        if (Outputs.includesStdout(outputSpecs)) {
            // the findings went to stdout as JSON lines
        } else if (format == Format.html) {
            HtmlReport.write(new ChunkedLines(root.out), report.rows(), report.sent(), new HtmlReport.Inputs(files, run.packets(),
                    run.logLines(), run.logFiles(), catalog.catalogDir, catalog.policyFile), UmbraCommand.version(),
                    java.time.Instant.now());
        } else if (format == Format.json) {
            OcsfMapper mapper = new OcsfMapper(UmbraCommand.version(), null);
            ChunkedLines lines = new ChunkedLines(root.out);
            for (Finding f : report.findings()) {
                lines.line(mapper.toJsonLine(f));
            }
            lines.flush();
        } else {
            printTable(report, run, bodies == null ? 0 : bodies.notClassified());
        }
        if (root.verbosity() > 0) {
            run.printStatistics();
            if (bodies != null) {
                root.err.println("umbra: " + bodies.bodies() + " plaintext HTTP request bodies classified; "
                        + report.sent().size() + " request(s) to AI services carried sensitive data");
            }
        }
        if (run.filesFailed() > 0) {
            return ExitCodes.USAGE;
        }
        if (!delivered) {
            return ExitCodes.RUNTIME;
        }
        for (UsageReport.Sent x : failRules.isEmpty() ? List.<UsageReport.Sent>of() : report.sent()) {
            for (Detection d : x.detections()) {
                if (failRules.contains(d.category())) {
                    return ExitCodes.FINDINGS;
                }
            }
        }
        // rows() sorts the report again: only when a rule may fail the run
        for (UsageReport.Row r : failRules.isEmpty() ? List.<UsageReport.Row>of() : report.rows()) {
            if (failRules.contains("any") || failRules.contains(r.match.verdict())
                    || failRules.contains(r.match.service().category())) {
                return ExitCodes.FINDINGS;
            }
        }
        return ExitCodes.OK;
    }

    private void printTable(UsageReport report, CaptureRun run, long bodiesNotClassified) {
        if (report.isEmpty()) {
            root.out.println("No AI services found in " + inputs(run) + " from " + files.size() + " file(s).");
            return;
        }
        TextTable table = new TextTable("CLIENT", "SERVICE", "NAME", "CATEGORY", "VERDICT", "RISK", "COUNT",
                "FIRST SEEN", "LAST SEEN", "HOSTNAMES", "NOTES", "UPLOADED", "DOWNLOADED", "PATHS");
        Set<String> services = new HashSet<>();
        Set<String> clients = new HashSet<>();
        for (UsageReport.Row r : report.rows()) {
            services.add(r.match.service().id());
            clients.add(r.client);
            table.add(r.client, r.match.service().id(), r.match.service().name(), r.match.service().category().id(),
                    r.match.verdict().id(), r.match.service().riskScore(), r.count, IsoTime.millis(r.first), IsoTime.millis(r.last),
                    String.join(",", r.hostnames), UsageReport.notes(r),
                    r.bytesUp < 0 ? null : r.bytesUp, r.bytesDown < 0 ? null : r.bytesDown, paths(r));
        }
        table.print(root.out);
        root.out.println();
        root.out.println(services.size() + " AI service(s) used by " + clients.size() + " client(s) in "
                + inputs(run) + " from " + files.size() + " file(s).");
        List<UsageReport.Sent> sent = report.sent();
        if (!sent.isEmpty()) {
            root.out.println();
            root.out.println("Sensitive data sent to AI services (masked):");
            TextTable detections = new TextTable("CLIENT", "SERVICE", "TIME", "METHOD", "PATH", "TYPE", "CATEGORY",
                    "LIKELIHOOD", "EVIDENCE");
            for (UsageReport.Sent x : sent) {
                for (Detection d : x.detections()) {
                    detections.add(x.client(), x.match().service().id(), IsoTime.millis(x.request().time()),
                            x.request().method(), x.request().urlPath(), d.type(), d.category().id(), d.likelihood().id(),
                            d.masked());
                }
            }
            detections.print(root.out);
            root.out.println();
            root.out.println(sent.size() + " request(s) to AI services carried sensitive data" + (bodiesNotClassified > 0
                    ? "; " + bodiesNotClassified + " later request bodies were not classified (limit "
                    + BodyScanner.MAX_FOUND + ")." : "."));
        }
    }

    private static String inputs(CaptureRun run) {
        return run.logFiles() == 0 ? run.packets() + " packets"
                : run.packets() + " packets and " + run.logLines() + " log lines";
    }

    /** The row's paths, each followed by the catalog's name for its endpoint ({@code [file_upload]}) when it has one. */
    private static String paths(UsageReport.Row r) {
        if (r.paths.isEmpty()) {
            return null;
        }
        List<String> out = new java.util.ArrayList<>();
        for (String p : r.paths) {
            PathRule best = null;
            for (PathRule rule : r.match.service().paths()) {
                if (p.startsWith(rule.prefix()) && (best == null || rule.prefix().length() > best.prefix().length())) {
                    best = rule;
                }
            }
            out.add(best == null ? p : p + "[" + best.function() + "]");
        }
        return String.join(",", out) + (r.morePaths > 0 ? ",+" + r.morePaths + " more" : "");
    }

    private static Set<Object> parseFailOn(List<String> rules) {
        Set<Object> out = new HashSet<>();
        for (String rule : rules) {
            if (rule.equalsIgnoreCase("any")) {
                out.add("any");
                continue;
            }
            try {
                out.add(Verdict.fromId(rule));
                continue;
            } catch (IllegalArgumentException notAVerdict) {
                // try a category next
            }
            try {
                out.add(Category.fromId(rule));
                continue;
            } catch (IllegalArgumentException notAServiceCategory) {
                // try a kind of sensitive data next
            }
            try {
                out.add(DetectionCategory.fromId(rule));
            } catch (IllegalArgumentException e) {
                throw UmbraException.badInput("Invalid value " + rule + " for option --fail-on: expected 'any', "
                        + "a verdict (sanctioned, tolerated, unsanctioned, unknown), a service category id or a "
                        + "kind of sensitive data (pii, phi, secret, source_code, custom)");
            }
        }
        return out;
    }
}
