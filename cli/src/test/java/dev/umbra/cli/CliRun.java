package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the umbra command line in-process and keeps its exit code and output. */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** {@code umbra observe --format json CAPTURE}, which must succeed: one node per observation. */
    static List<JsonNode> observeJson(Path capture) throws IOException {
        CliRun r = run("observe", "--format", "json", capture.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            out.add(json.readTree(line));
        }
        return out;
    }

    static Path repoRoot() {
        return Path.of(System.getProperty("umbra.repo.root", "..")).toAbsolutePath().normalize();
    }

    static Path sample() {
        return repoRoot().resolve("test-data/captures/ai-sample.pcap");
    }
}
