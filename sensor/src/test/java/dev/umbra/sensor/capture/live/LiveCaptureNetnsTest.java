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
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real traffic through the pcap4j path: a network namespace with a DNS responder
 * (test-data/captures/dns_responder.py) and {@code openssl s_server}, real {@code dig}, {@code
 * curl} and {@code openssl s_client} from the host, captured on the host end of the veth pair with
 * the default filter and decoded by {@link PacketDecoder}.
 */
class LiveCaptureNetnsTest {
    @TempDir
    Path tmp;

    @Test
    void run_realDigCurlOpensslInNamespace_namesArriveThroughPcap4j() throws Exception {
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        HostTools.require("python3", "python3");
        HostTools.require("ss", "iproute2");
        try (Netns ns = Netns.create()) {
            ns.serveDnsAndTls(tmp, "::");

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            java.time.Instant start = java.time.Instant.now().minusSeconds(1);
            LiveCaptureStats stats;
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                PacketDecoder decoder = new PacketDecoder(ns.hostIf, seen::add, anomalies);
                CaptureLoop loop = CaptureLoop.start(capture, decoder, Duration.ofSeconds(60), "test-capture");

                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "chatgpt.com", "A");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "www.claude.ai", "A");
                HostTools.check(15, "dig", "+tcp", "+tries=1", "+time=3", "@" + ns.nsIp, "api.mistral.ai", "A");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp6, "huggingface.co", "AAAA");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "-p", "53", "@" + ns.nsIp, "api.deepseek.com", "A");
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443",
                        "-servername", "api.anthropic.com");
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443",
                        "-servername", "copilot-proxy.githubusercontent.com");
                HostTools.Result curl = HostTools.run(15, "curl", "-sk", "--max-time", "5", "--resolve",
                        "gemini.google.com:8443:" + ns.nsIp, "https://gemini.google.com:8443/");
                assertThat(curl.exitCode()).as("curl: %s", curl.err()).isZero();
                HostTools.run(15, "curl", "-sk", "--max-time", "5", "--resolve",
                        "generativelanguage.googleapis.com:8443:[" + ns.nsIp6 + "]",
                        "https://generativelanguage.googleapis.com:8443/");

                // frames are delivered when a ring block fills or the 100 ms read timeout passes
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && !names(seen, ObservationKind.TLS_SNI)
                        .contains("generativelanguage.googleapis.com")) {
                    Netns.sleep(50);
                }
                loop.stop();
                stats = capture.stats();
            }

            assertThat(names(seen, ObservationKind.DNS_QUERY)).contains(
                    "chatgpt.com", "www.claude.ai", "api.mistral.ai", "huggingface.co", "api.deepseek.com");
            assertThat(names(seen, ObservationKind.DNS_ANSWER)).contains(
                    "chatgpt.com", "www.claude.ai", "api.mistral.ai", "huggingface.co", "api.deepseek.com");
            assertThat(seen).filteredOn(o -> o.hostname().equals("www.claude.ai")
                    && o.kind() == ObservationKind.DNS_ANSWER)
                    .allSatisfy(o -> assertThat(o.answers()).contains("claude.ai"));
            assertThat(names(seen, ObservationKind.TLS_SNI)).contains("api.anthropic.com",
                    "copilot-proxy.githubusercontent.com", "gemini.google.com", "generativelanguage.googleapis.com");
            assertThat(seen).anySatisfy(o -> {
                assertThat(o.hostname()).isEqualTo("huggingface.co");
                assertThat(o.kind()).isEqualTo(ObservationKind.DNS_QUERY);
                assertThat(o.serverIp()).isEqualTo(ns.nsIp6);
                assertThat(o.clientIp()).isEqualTo(ns.hostIp6);
            });
            assertThat(seen).allSatisfy(o -> {
                assertThat(o.source()).isEqualTo(ns.hostIf);
                // capture timestamps (nanosecond precision from libpcap), not zero or decode time
                assertThat(o.time()).isBetween(start, java.time.Instant.now());
            });
            assertThat(stats.delivered()).isPositive();
            assertThat(stats.received()).isGreaterThanOrEqualTo(stats.delivered());
            assertThat(stats.dropped()).isZero();
            assertThat(anomalies.total()).as("anomalies %s", anomalies.nonZero()).isZero();
        }
    }

    private static Set<String> names(java.util.Collection<Observation> seen, ObservationKind kind) {
        return seen.stream().filter(o -> o.kind() == kind).map(Observation::hostname).collect(Collectors.toSet());
    }

    @SuppressWarnings("unused")
    private static List<String> read(Path p) throws java.io.IOException {
        return Files.readAllLines(p);
    }
}
