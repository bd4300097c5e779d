package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umbra run} refusing to start: a bad configuration, a missing interface, a port in use and a
 * spool directory that cannot be made each end with one clear line naming what is wrong, exit code 2
 * (the configuration is wrong) or 3 (the machine refused), and nothing left running: the components
 * that had started are stopped again, so the metrics port they held can be bound at once.
 */
class RunCommandErrorsTest {
    @TempDir
    Path tmp;

    private Path config(String yaml) throws IOException {
        Path log = Files.writeString(tmp.resolve("access.log"), "");
        Path c = tmp.resolve("umbra.yaml");
        Files.writeString(c, yaml.replace("LOG", log.toString()).replace("STATE", tmp.resolve("offsets").toString()));
        return c;
    }

    /** The port is free again: whatever the failed start had opened on it was closed. */
    private static void assertBindable(int port) throws IOException {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertThat(s.isBound()).isTrue();
        }
    }

    @Test
    void run_unknownKey_exits2NamingKeyLineAndFix() throws IOException {
        Path c = config("capture:\n  interfaces: [eth0]\n  bogus_key: 1\n");
        CliRun r = CliRun.run("run", "--config", c.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(":3:").contains("capture.bogus_key").contains("umbra config defaults");
    }

    @Test
    void run_missingInterface_exits2NamingItAndStopsWhatHadStarted() throws IOException {
        int port = Loopback.freePort();
        Path c = config("capture:\n  interfaces: [nosuch9]\nattribution:\n  enabled: false\nmetrics:\n  listen: \"127.0.0.1:"
                + port + "\"\n");
        CliRun r = CliRun.run("run", "--config", c.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("no such interface: nosuch9");
        assertBindable(port);
    }

    @Test
    void run_metricsPortInUse_exits3NamingTheAddress() throws IOException {
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path c = config("logs:\n  files: [\"LOG\"]\n  state_dir: \"STATE\"\nmetrics:\n  listen: \"127.0.0.1:"
                    + held.getLocalPort() + "\"\n");
            CliRun r = CliRun.run("run", "--config", c.toString());
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.err()).contains("127.0.0.1:" + held.getLocalPort()).contains("Address already in use");
        }
    }

    @Test
    void run_spoolDirCannotBeMade_exits3NamingTheDirectoryAndStopsWhatHadStarted() throws IOException {
        int port = Loopback.freePort();
        // a regular file where the spool's parent directory should be: refused even for root
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "");
        Path c = config("logs:\n  files: [\"LOG\"]\n  state_dir: \"STATE\"\noutput: [\"kafka://127.0.0.1:1/findings\"]\n"
                + "spool:\n  dir: \"" + file.resolve("spool") + "\"\nmetrics:\n  listen: \"127.0.0.1:" + port + "\"\n");
        CliRun r = CliRun.run("run", "--config", c.toString());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.err()).contains("kafka://127.0.0.1:1/findings").contains(file.resolve("spool").toString())
                .contains("Not a directory");
        assertBindable(port);
    }
}
