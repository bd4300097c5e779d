package dev.umbra.cli;

import dev.umbra.cli.config.UmbraConfig;
import dev.umbra.cli.daemon.Daemon;
import dev.umbra.cli.daemon.DaemonAssembly;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code umbra cds-training CAPTURE}: the training run of the class data sharing archive ({@code bin/umbra
 * cds-archive} runs it under {@code -XX:ArchiveClassesAtExit}). Does in one JVM what later runs load classes
 * for: audits the capture (table and JSON), then starts the daemon (live capture on {@code lo} when
 * allowed, a log tail, metrics, a file output), asks {@code /healthz} and {@code /metrics}, and stops it.
 * Everything it writes goes to a temporary directory that is removed again; nothing leaves loopback.
 */
@Command(name = "cds-training", hidden = true,
        description = "Training run for the class data sharing archive (bin/umbra cds-archive).")
final class CdsTrainingCommand implements Callable<Integer> {
    @ParentCommand
    UmbraCommand root;

    @Parameters(paramLabel = "CAPTURE", description = "A small pcap or pcapng capture to audit.")
    Path capture;

    @Option(names = "--no-capture", description = "Do not try live capture on lo (needs CAP_NET_RAW).")
    boolean noCapture;

    @Override
    public Integer call() throws Exception {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        StringWriter auditErr = new StringWriter();
        int code = Main.run(new String[] {"audit", capture.toString()}, sink, new PrintWriter(auditErr));
        if (code != ExitCodes.OK) {
            root.err.println("umbra: cds-training: audit of " + capture + " failed (exit " + code + "): " + auditErr.toString().trim());
            return code;
        }
        Main.run(new String[] {"audit", "--format", "json", capture.toString()}, sink, sink);
        Path tmp = Files.createTempDirectory("umbra-cds-");
        try {
            boolean live = !noCapture && runDaemon(tmp, true);
            if (!live) {
                runDaemon(tmp, false);
            }
            root.err.println("umbra: cds-training done" + (live ? "" : " (without live capture)"));
        } finally {
            try (Stream<Path> files = Files.walk(tmp)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        return ExitCodes.OK;
    }

    private boolean runDaemon(Path tmp, boolean capture) throws Exception {
        Path log = tmp.resolve("access.log");
        Files.writeString(log, "");
        Files.writeString(tmp.resolve("hmac.key"), "00".repeat(32)); // a throw-away key: nothing is kept
        int metrics = freePort();
        // no ICAP service and no Kafka output: their classes (the classifier, kafka-clients) would double the
        // archive, and the archive is resident in every daemon whether it uses them or not (docs/daemon.md)
        List<String> yaml = new ArrayList<>(List.of(
                "logs:", "  files: [\"" + log + "\"]", "  state_dir: \"" + tmp.resolve("offsets") + "\"",
                "classifier:", "  hmac_key_file: \"" + tmp.resolve("hmac.key") + "\"",
                "output: [\"file:" + tmp.resolve("findings.jsonl") + "\"]",
                "spool:", "  dir: \"" + tmp.resolve("spool") + "\"",
                "metrics:", "  listen: \"127.0.0.1:" + metrics + "\""));
        if (capture) {
            yaml.addAll(List.of("capture:", "  interfaces: [lo]", "  buffer_bytes: 1m"));
        }
        DaemonAssembly assembly = DaemonAssembly.build(UmbraConfig.parse("(cds-training)", String.join("\n", yaml)),
                new PrintWriter(Writer.nullWriter()));
        Daemon daemon = assembly.daemon();
        try {
            daemon.start();
        } catch (Daemon.StartException e) {
            if (capture) {
                return false;
            }
            throw e;
        }
        try {
            get(metrics, "/healthz");
            get(metrics, "/metrics");
        } finally {
            daemon.stop();
        }
        return true;
    }

    private static void get(int port, String path) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            in.readAllBytes();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
