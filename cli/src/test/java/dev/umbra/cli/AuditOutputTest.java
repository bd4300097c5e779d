package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void audit_outputStdoutAndFile_sameOcsfEventsInBothAndNoTable() throws IOException {
        Path file = tmp.resolve("out/findings.jsonl");
        CliRun r = CliRun.run("audit", "--output", "stdout", "--output", "file:" + file, CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> stdout = r.out().lines().toList();
        List<String> lines = Files.readAllLines(file);
        assertThat(stdout).isNotEmpty().doesNotContain("CLIENT");
        assertThat(lines).hasSameSizeAs(stdout);
        for (String line : lines) {
            JsonNode e = JSON.readTree(line);
            assertThat(e.at("/metadata/version").asText()).isEqualTo("1.8.0");
            assertThat(e.has("app_name")).isTrue();
        }
    }

    @Test
    void audit_badOutput_exitsTwoNamingTheValue() {
        CliRun r = CliRun.run("audit", "--output", "kafka://nohost/topic", CliRun.sample().toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value kafka://nohost/topic for option --output");
    }

    @Test
    void audit_kafkaUnreachable_exitsThreeAndKeepsFindingsInTheSpool() throws IOException {
        int port;
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = ss.getLocalPort();
        }
        Path spool = tmp.resolve("spool");
        Path cfg = tmp.resolve("output.properties");
        Files.writeString(cfg, String.join("\n", "spool.dir=" + spool, "shipper.drain.timeout.ms=1500",
                "kafka.producer.max.block.ms=500", "sensor.host.id=audit-host", ""));
        CliRun r = CliRun.run("audit", "--output", "kafka://127.0.0.1:" + port + "/umbra", "--output-config",
                cfg.toString(), CliRun.sample().toString());
        assertThat(r.exitCode()).as(r.err()).isEqualTo(3);
        assertThat(r.err()).contains("not acknowledged").contains("spool")
                .contains("no broker reachable at 127.0.0.1:" + port);
        try (var s = Files.list(spool)) {
            assertThat(s.filter(p -> p.toString().endsWith(".seg"))).isNotEmpty();
        }
    }
}
