package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Masquerade;
import dev.umbra.sensor.capture.live.Netns;
import dev.umbra.sensor.capture.live.Podman;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umbra run} on a host with a container behind NAT, as Docker sets one up: the container is a
 * network namespace of its own whose traffic the host masquerades (real nftables) and a cgroup named
 * as Docker's systemd driver names one; real {@code curl} runs in both. The daemon captures {@code
 * any}, which sees every packet before and after the translation. Its findings name the container's
 * address, the curl process, and the container; none comes from the host's translated address.
 */
class RunCommandContainerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void run_anyOnAHostMasqueradingAContainer_findingsCarryTheContainersAddressProcessAndId() throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        StringBuilder hex = new StringBuilder();
        while (hex.length() < 64) {
            hex.append(Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE));
        }
        String id = hex.substring(0, 64);
        Path cgroup = HostTools.dockerCgroup(id);
        try (Netns container = Netns.create(); Netns server = Netns.create();
                Masquerade nat = Masquerade.between(container, server)) {
            Process daemon = serveTlsAndStartDaemon(server);
            try {
                // in the container: a shell that waits until the host has put it in the container's cgroup
                // (ip netns exec mounts a sysfs of its own, without the cgroup file systems), then becomes curl
                Path ready = tmp.resolve("in-cgroup");
                Process inside = container.start(tmp.resolve("curl.log"), "sh", "-c", "while [ ! -e " + ready
                        + " ]; do sleep 0.05; done; exec curl -sk --max-time 3 --resolve api.openai.com:443:"
                        + server.nsIp + " https://api.openai.com/v1/models");
                Files.writeString(cgroup.resolve("cgroup.procs"), Long.toString(inside.pid()));
                Files.writeString(ready, "");
                assertThat(inside.waitFor(20, TimeUnit.SECONDS)).as("curl in the container ended").isTrue();
                // and the host's own curl to another service, untranslated
                HostTools.run(20, "curl", "-sk", "--max-time", "2", "--resolve", "api.anthropic.com:443:"
                        + server.nsIp, "https://api.anthropic.com/v1/messages");
                Thread.sleep(2500); // one aggregation window and a tick
            } finally {
                daemon.destroy();
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("daemon stopped after SIGTERM").isTrue();
            }
            String err = Files.readString(tmp.resolve("daemon.err"));
            List<JsonNode> events = events();
            List<JsonNode> openai = hellos(events, "api.openai.com");
            assertThat(openai).as("the ClientHello's network activity for api.openai.com; daemon said: %s", err).singleElement()
                    .satisfies(e -> {
                        assertThat(e.at("/src_endpoint/ip").asText()).isEqualTo(container.nsIp);
                        assertThat(e.at("/actor/process/name").asText()).isEqualTo("curl");
                        assertThat(e.at("/actor/process/container/uid").asText()).isEqualTo(id);
                        assertThat(e.at("/actor/process/container/runtime").asText()).isEqualTo("docker");
                    });
            List<JsonNode> anthropic = hellos(events, "api.anthropic.com");
            assertThat(anthropic).singleElement().satisfies(e -> {
                assertThat(e.at("/src_endpoint/ip").asText()).isEqualTo(server.hostIp);
                assertThat(e.at("/actor/process/name").asText()).isEqualTo("curl");
                assertThat(e.at("/actor/process").has("container")).isFalse();
            });
            assertThat(events).as("nothing from the host's translated address for the container's connection")
                    .noneMatch(e -> e.at("/dst_endpoint/hostname").asText().equals("api.openai.com")
                            && e.at("/src_endpoint/ip").asText().equals(server.hostIp));
        } finally {
            HostTools.removeCgroup(cgroup);
        }
    }

    /**
     * The same host with a real Podman container in the masqueraded namespace: the container's cgroup,
     * id and name are Podman's own, and the finding names the container and its image from
     * containers/storage's index, as {@code podman ps} shows them.
     */
    @Test
    void run_anyOnAHostWithAPodmanContainer_findingsNameTheContainerAndItsImage() throws Exception {
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        Podman.require(tmp);
        String name = Podman.name();
        try (Netns container = Netns.create(); Netns server = Netns.create();
                Masquerade nat = Masquerade.between(container, server)) {
            Process daemon = serveTlsAndStartDaemon(server);
            try {
                HostTools.Result curl = HostTools.run(60, Podman.run(name, container, "curl", "-sk", "--max-time", "3",
                        "--resolve", "api.openai.com:443:" + server.nsIp, "https://api.openai.com/v1/models"));
                assertThat(curl.err()).as("podman run").doesNotContain("Error:");
                Thread.sleep(2500); // one aggregation window and a tick
            } finally {
                daemon.destroy();
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("daemon stopped after SIGTERM").isTrue();
            }
            String err = Files.readString(tmp.resolve("daemon.err"));
            assertThat(hellos(events(), "api.openai.com")).as("the ClientHello's network activity; daemon said: %s", err)
                    .singleElement().satisfies(e -> {
                        assertThat(e.at("/src_endpoint/ip").asText()).isEqualTo(container.nsIp);
                        assertThat(e.at("/actor/process/name").asText()).isEqualTo("curl");
                        JsonNode c = e.at("/actor/process/container");
                        assertThat(c.at("/uid").asText()).matches("[0-9a-f]{64}");
                        assertThat(c.at("/runtime").asText()).isEqualTo("podman");
                        assertThat(c.at("/name").asText()).isEqualTo(name);
                        assertThat(c.at("/image/name").asText()).isEqualTo(Podman.IMAGE);
                    });
        } finally {
            Podman.remove(name);
        }
    }

    /**
     * {@code openssl s_server} on port 443 in {@code server}, its stdin held open (the handshake
     * completes and the client waits, as for a model's answer); then {@code umbra run} on {@code any},
     * only the server's traffic, findings as JSON lines on stdout.
     */
    private Process serveTlsAndStartDaemon(Netns server) throws Exception {
        HostTools.selfSignedCertificate(tmp);
        Process tls = server.start(tmp.resolve("tls.log"), "sh", "-c", "sleep 120 | openssl s_server -quiet"
                + " -accept 443 -cert " + tmp.resolve("cert.pem") + " -key " + tmp.resolve("key.pem"));
        server.awaitTcpListener(443, tls, tmp.resolve("tls.log"));
        int metricsPort = Loopback.freePort();
        Process daemon = DaemonProcess.start(tmp, List.of(
                "sensor:", "  host_id: container-host",
                "capture:", "  interfaces: [any]", "  bpf: \"host " + server.nsIp + "\"", "  buffer_bytes: 8m",
                "aggregation:", "  window: 1s",
                "metrics:", "  listen: \"127.0.0.1:" + metricsPort + "\""));
        Loopback.awaitReady(metricsPort, daemon, 30);
        return daemon;
    }

    private List<JsonNode> events() throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(tmp.resolve("daemon.out"))) {
            if (line.startsWith("{")) {
                events.add(JSON.readTree(line));
            }
        }
        return events;
    }

    /** The network activity events of ClientHellos to {@code hostname}. */
    private static List<JsonNode> hellos(List<JsonNode> events, String hostname) {
        return events.stream().filter(e -> e.get("class_uid").asInt() == 4001
                && e.at("/dst_endpoint/hostname").asText().equals(hostname)
                && e.at("/unmapped/umbra/observation_kind").asText().equals("tls_sni")).toList();
    }
}
