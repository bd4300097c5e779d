package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The training run of the class data sharing archive (bin/umbra cds-archive runs it under
 * -XX:ArchiveClassesAtExit; packaging/check-deb.sh checks the archive the package makes).
 */
class CdsTrainingCommandTest {

    private static List<Path> trainingDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("umbra-cds-")).toList();
        }
    }

    @Test
    void cdsTraining_sampleWithoutLiveCapture_auditsRunsTheDaemonAndLeavesNothingBehind() throws Exception {
        List<Path> before = trainingDirs();
        CliRun r = CliRun.run("cds-training", "--no-capture", CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("umbra: cds-training done (without live capture)");
        assertThat(r.out()).as("reports go nowhere").isEmpty();
        assertThat(trainingDirs()).as("temporary directory removed").containsExactlyInAnyOrderElementsOf(before);
    }

    @Test
    void cdsTraining_missingCapture_failsWithoutStartingTheDaemon() {
        CliRun r = CliRun.run("cds-training", "--no-capture", "/nonexistent/sample.pcap");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("cds-training: audit of /nonexistent/sample.pcap failed");
    }
}
