package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code curl} going through a real SOCKS proxy (Dante's {@code danted}) in a network namespace
 * to {@code openssl s_server} behind it, captured through pcap4j on the host end of the veth: the
 * destination the client asks the proxy for is reported, and the ClientHello inside the tunnel too.
 */
class LiveCaptureSocksTest {
    @TempDir
    Path tmp;

    @Test
    void run_curlThroughDanteSocks4And5_reportsDestinationsAndHellosInside() throws Exception {
        HostTools.require("danted", "dante-server");
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        HostTools.require("ss", "iproute2");

        try (Netns ns = Netns.create()) {
            // the proxy resolves socks5h names itself, from the namespace's own hosts file
            ns.hosts(ns.nsIp + " api.openai.com");
            HostTools.selfSignedCertificate(tmp);
            Path conf = tmp.resolve("danted.conf");
            Files.writeString(conf, String.join("\n",
                    "logoutput: stderr",
                    "internal: " + ns.nsIp + " port = 1080",
                    "external: " + ns.nsIp,
                    "clientmethod: none",
                    "socksmethod: none",
                    "user.privileged: root",
                    "user.unprivileged: nobody",
                    "client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }",
                    "socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 command: connect }",
                    ""));
            Path tlsLog = tmp.resolve("tls.log");
            Process tls = ns.start(tlsLog, "openssl", "s_server", "-quiet", "-www", "-accept", "8443",
                    "-cert", tmp.resolve("cert.pem").toString(), "-key", tmp.resolve("key.pem").toString());
            Path proxyLog = tmp.resolve("danted.log");
            Process proxy = ns.start(proxyLog, "danted", "-f", conf.toString());
            ns.awaitTcpListener(8443, tls, tlsLog);
            ns.awaitTcpListener(1080, proxy, proxyLog);

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(ns.hostIf, seen::add, anomalies);
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                CaptureLoop loop = CaptureLoop.start(capture, decoder, Duration.ofSeconds(60), "test-capture");

                String proxyAddress = ns.nsIp + ":1080";
                curl("--socks5-hostname", proxyAddress, "https://api.openai.com:8443/");
                curl("--socks5", proxyAddress, "--resolve", "claude.ai:8443:" + ns.nsIp, "https://claude.ai:8443/");
                curl("--socks4", proxyAddress, "--resolve", "api.mistral.ai:8443:" + ns.nsIp,
                        "https://api.mistral.ai:8443/");

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && seen.stream().noneMatch(
                        o -> o.kind() == ObservationKind.TLS_SNI && o.hostname().equals("api.mistral.ai"))) {
                    Netns.sleep(50);
                }
                loop.stop();
                assertThat(capture.stats().dropped()).isZero();
            }
            decoder.finish();

            List<Observation> requests = seen.stream().filter(o -> o.kind() == ObservationKind.SOCKS_REQUEST).toList();
            assertThat(requests).as("danted log: %s", Netns.readQuietly(proxyLog)).hasSize(3);
            assertThat(requests).allSatisfy(o -> {
                assertThat(o.method()).isEqualTo("CONNECT");
                assertThat(o.targetPort()).isEqualTo(8443);
                assertThat(o.serverIp()).isEqualTo(ns.nsIp);
                assertThat(o.serverPort()).isEqualTo(1080);
                assertThat(o.clientIp()).isEqualTo(ns.hostIp);
            });
            // socks5h sends the name; SOCKS5 and SOCKS4 send the address curl resolved (no DNS on the wire)
            assertThat(requests).extracting(Observation::hostname)
                    .containsExactlyInAnyOrder("api.openai.com", ns.nsIp, ns.nsIp);
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                    .containsExactlyInAnyOrder("api.openai.com", "claude.ai", "api.mistral.ai");
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).extracting(Observation::hostname)
                    .containsExactlyInAnyOrder("api.openai.com", "claude.ai", "api.mistral.ai");
            assertThat(anomalies.total()).as("anomalies %s", anomalies.nonZero()).isZero();
        }
    }

    private static void curl(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sk", "--max-time", "5", "-o", "/dev/null"));
        command.addAll(List.of(arguments));
        HostTools.Result r = HostTools.run(15, command);
        assertThat(r.exitCode()).as("%s: %s", command, r.err()).isZero();
    }
}
