package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Netns;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A self-hosted runtime on a LAN address, seen by the daemon: {@code umbra run} in its own JVM captures
 * on the host end of a veth pair into a network namespace the test creates, where an HTTP server
 * listens on Ollama's port; real {@code curl} posts a chat request to it by address, with Basic
 * credentials as a gateway in front of Ollama asks. No host name says Ollama: the finding must come from
 * the port and the API path, with the flow's bytes, and its actor is the user the credentials name
 * (never their password).
 */
class RunCommandRuntimeTest {
    @TempDir
    Path tmp;

    @Test
    void run_chatRequestToALanOllamaByAddress_findingForOllamaByPortWithItsBytesAndUser() throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        HostTools.require("python3", "python3");
        Path sink = CliRun.repoRoot().resolve("test-data/captures/http_sink.py");
        try (Netns ns = Netns.create()) {
            Process server = ns.start(tmp.resolve("sink.log"), "python3", sink.toString(), "0.0.0.0", "11434");
            ns.awaitTcpListener(11434, server, tmp.resolve("sink.log"));
            int metricsPort = Loopback.freePort();
            Path findings = tmp.resolve("findings.jsonl");
            Process daemon = DaemonProcess.start(tmp, DaemonProcess.tapConfig(ns.hostIf, findings, metricsPort));
            String err = DaemonProcess.drive(daemon, tmp, metricsPort, () -> HostTools.check(15, "curl", "-s", "-o",
                    "/dev/null", "--max-time", "5", "-u", "alice:SYNTHETIC-alice-pw", "-H", "Content-Type: application/json",
                    "--data-binary", "{\"model\":\"llama3\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}",
                    "http://" + ns.nsIp + ":11434/api/chat"));
            List<JsonNode> events = DaemonProcess.findings(findings);
            List<JsonNode> ollama = DaemonProcess.ofService(events, "ollama");
            assertThat(ollama).as("findings for Ollama among %s; daemon log: %s", events, err).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.at("/enrichments/0/data/pattern").asText()).isEqualTo("port 11434"));
            assertThat(events.toString()).contains("/api/chat");
            // the flow's end carried its request's path: the upload is Ollama's
            assertThat(ollama).anySatisfy(e -> assertThat(e.at("/traffic/bytes_out").asLong()).isPositive());
            assertThat(ollama).allSatisfy(e -> assertThat(DaemonProcess.actor(e).at("/user/name").asText())
                    .as(e.toString()).isEqualTo("alice"));
            assertThat(events.toString() + err).doesNotContain("SYNTHETIC", "YWxpY2U6");
        }
    }
}
