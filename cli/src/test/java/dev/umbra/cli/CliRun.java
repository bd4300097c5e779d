package dev.umbra.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

/** Runs the umbra command line in-process and keeps its exit code and output. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("umbra.repo.root", "..")).toAbsolutePath().normalize();
    }

    static Path sample() {
        return repoRoot().resolve("test-data/captures/ai-sample.pcap");
    }
}
