package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -} as an input: {@code umbra audit} and {@code observe} in their own JVM, standard input
 * redirected from a file as a shell pipe would feed it ({@code zcat day.pcap.gz | umbra audit -}).
 * The output must be what the same input gives as a file.
 */
class StandardInputTest {
    private static final Path SQUID_LOG = LogInputTest.corpus().resolve(
            "proxylogs/elastic-integrations/squid__log__test-access.log");

    @TempDir
    Path tmp;

    @Test
    void audit_captureOnStandardInput_sameReportAsTheFile() throws Exception {
        Run piped = umbra(CliRun.sample(), "audit", "-");
        assertThat(piped.exitCode()).as(piped.err()).isZero();
        assertThat(piped.out()).isEqualTo(CliRun.run("audit", CliRun.sample().toString()).out())
                .contains("12 AI service(s) used by 3 client(s) in 172 packets from 1 file(s).");
    }

    @Test
    void observe_gzipCaptureOnStandardInput_sameObservationsAsTheFile() throws Exception {
        Run piped = umbra(gzip(CliRun.sample()), "observe", "--format", "json", "-");
        assertThat(piped.exitCode()).as(piped.err()).isZero();
        String fromFile = CliRun.run("observe", "--format", "json", CliRun.sample().toString()).out();
        // the source of each observation names the input: '-' here, the path there
        assertThat(piped.out().replace("\"-\"", "\"SOURCE\"")).isEqualTo(fromFile.replace(
                "\"" + CliRun.sample() + "\"", "\"SOURCE\"")).isNotBlank();
    }

    @Test
    void observe_proxyLogOnStandardInput_sameRequestsAsTheFile() throws Exception {
        Run piped = umbra(SQUID_LOG, "observe", "-");
        assertThat(piped.exitCode()).as(piped.err()).isZero();
        assertThat(piped.out()).isEqualTo(CliRun.run("observe", SQUID_LOG.toString()).out()).contains("proxy_request");
    }

    @Test
    void observe_cutGzipLogOnStandardInput_readsTheLinesBeforeAndWarns() throws Exception {
        byte[] whole = Files.readAllBytes(gzip(SQUID_LOG));
        Path cut = Files.write(tmp.resolve("cut.gz"), Arrays.copyOf(whole, whole.length / 2));
        Run piped = umbra(cut, "observe", "-");
        assertThat(piped.err()).contains("umbra: warning: -: compressed data cut off; the lines before it were read");
        assertThat(piped.out()).contains("proxy_request");
    }

    @Test
    void observe_standardInputTwice_exitsTwoNamingIt() {
        CliRun r = CliRun.run("observe", "-", "-");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("-: standard input can be read only once");
    }

    private record Run(int exitCode, String out, String err) {
    }

    /** Runs umbra in its own JVM with standard input from {@code input}. */
    private Run umbra(Path input, String... args) throws Exception {
        List<String> command = new ArrayList<>(HostTools.javaCommand("-Xmx256m"));
        command.add(Main.class.getName());
        command.addAll(List.of(args));
        Path out = tmp.resolve("out.txt");
        Path err = tmp.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectInput(input.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("umbra finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err,
                StandardCharsets.UTF_8));
    }

    private Path gzip(Path file) throws IOException {
        Path gz = tmp.resolve(file.getFileName() + ".gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(file, out);
        }
        return gz;
    }
}
