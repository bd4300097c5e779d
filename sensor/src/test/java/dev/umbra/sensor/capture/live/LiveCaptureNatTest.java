package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.LinkType;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code any} pseudo-interface on a host that masquerades a namespace's traffic, as Docker does
 * for its containers: every packet shows twice, on the namespace's veth with its own address and on
 * the way out with the host's. Real nftables masquerade, real {@code dig}, {@code curl} and {@code
 * openssl s_client} in one namespace against a DNS responder and {@code openssl s_server} in another,
 * real libpcap; {@code tcpdump} records both veths beside the capture so that tshark can show the
 * translation happened and count the bytes. Nothing leaves the machine.
 */
class LiveCaptureNatTest {
    @TempDir
    Path tmp;

    @Test
    void run_anyOnAMasqueradingHost_eachNameOnceFromTheNamespaceWithTheFlowsBytes() throws Exception {
        HostTools.requireRoot();
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        HostTools.require("python3", "python3");
        HostTools.require("tcpdump", "tcpdump");
        HostTools.require("tshark", "tshark");
        List<Process> recorders = new ArrayList<>();
        try (Netns client = Netns.create(); Netns server = Netns.create();
                Masquerade nat = Masquerade.between(client, server)) {
            server.serveDnsAndTls(tmp, "0.0.0.0");
            Path inside = tmp.resolve("inside.pcap");
            Path outside = tmp.resolve("outside.pcap");
            recorders.add(HostTools.tcpdump(client.hostIf, inside, tmp.resolve("tcpdump-inside.log"), "tcp or udp"));
            recorders.add(HostTools.tcpdump(server.hostIf, outside, tmp.resolve("tcpdump-outside.log"), "tcp or udp"));

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder("any", seen::add, anomalies);
            LiveCaptureStats stats;
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("any").withBufferBytes(8 << 20)
                    .withPromiscuous(false).withFilter("host " + server.nsIp))) {
                assertThat(capture.linkType()).isIn(LinkType.LINUX_SLL, LinkType.LINUX_SLL2);
                CaptureLoop loop = CaptureLoop.start(capture, decoder, Duration.ofSeconds(60), "nat-capture");
                Thread.sleep(300);
                inClient(client, "dig", "+tries=1", "+time=3", "@" + server.nsIp, "chatgpt.com", "A");
                HostTools.Result curl = inClient(client, "curl", "-sk", "--max-time", "5", "--resolve",
                        "chatgpt.com:8443:" + server.nsIp, "https://chatgpt.com:8443/");
                assertThat(curl.exitCode()).as("curl: %s", curl.err()).isZero();
                inClient(client, "openssl", "s_client", "-connect", server.nsIp + ":8443", "-servername", "claude.ai");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (System.nanoTime() < deadline && seen.stream().noneMatch(o -> "claude.ai".equals(o.hostname()))) {
                    Thread.sleep(50);
                }
                Thread.sleep(500); // the last FINs and ACKs
                loop.stop();
                stats = capture.stats();
            }
            decoder.finish();
            awaitQuiet(inside);
            awaitQuiet(outside);
            for (Process p : recorders) {
                p.destroy();
                assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("tcpdump stops on SIGTERM").isTrue();
            }
            String logs = Files.readString(tmp.resolve("tcpdump-inside.log")) + " | "
                    + Files.readString(tmp.resolve("tcpdump-outside.log"));

            // the translation happened: tshark sees the host's address on the server's side
            assertThat(tcpSources(outside)).as("outside: %s", logs).contains(server.hostIp).doesNotContain(client.nsIp);
            assertThat(tcpSources(inside)).as("inside: %s", logs).contains(client.nsIp).doesNotContain(server.hostIp);

            assertThat(stats.dropped()).isZero();
            assertThat(anomalies.get(Anomaly.CAPTURE_NAT_DUPLICATE)).as("translated copies dropped").isPositive();
            assertThat(seen).as("nothing from the host's translated address")
                    .noneMatch(o -> server.hostIp.equals(o.clientIp()));
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.DNS_QUERY).singleElement()
                    .satisfies(o -> {
                        assertThat(o.hostname()).isEqualTo("chatgpt.com");
                        assertThat(o.clientIp()).isEqualTo(client.nsIp);
                    });
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI)
                    .extracting(Observation::hostname).containsExactlyInAnyOrder("chatgpt.com", "claude.ai");
            List<Observation> ends = seen.stream().filter(o -> o.kind() == ObservationKind.FLOW_END).toList();
            assertThat(ends).extracting(Observation::hostname).containsExactlyInAnyOrder("chatgpt.com", "claude.ai");
            // each flow's bytes are what tshark counts on the client's veth, once
            Map<String, long[]> counted = tcpPayloadBytes(inside, client.nsIp);
            for (Observation end : ends) {
                assertThat(end.clientIp()).isEqualTo(client.nsIp);
                long[] bytes = counted.get(String.valueOf(end.clientPort()));
                assertThat(bytes).as("tshark's conversation from port %d", end.clientPort()).isNotNull();
                assertThat(end.bytesOut()).as("bytes out, %s", end.hostname()).isEqualTo(bytes[0]).isPositive();
                assertThat(end.bytesIn()).as("bytes in, %s", end.hostname()).isEqualTo(bytes[1]).isPositive();
            }
        } finally {
            for (Process p : recorders) {
                p.destroyForcibly();
            }
        }
    }

    private static HostTools.Result inClient(Netns client, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", client.name));
        cmd.addAll(List.of(command));
        return HostTools.run(15, cmd);
    }

    /** Waits (bounded) until a recording holds packets and has not grown for 300 ms. */
    private static void awaitQuiet(Path pcap) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long size = -1;
        long since = System.nanoTime();
        while (System.nanoTime() < deadline) {
            long now = Files.exists(pcap) ? Files.size(pcap) : 0;
            if (now != size) {
                size = now;
                since = System.nanoTime();
            } else if (size > 24 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(300)) {
                return;
            }
            Thread.sleep(20);
        }
    }

    private static List<String> tcpSources(Path pcap) {
        HostTools.Result r = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y", "tcp", "-T", "fields",
                "-e", "ip.src");
        return r.out().lines().map(String::strip).distinct().toList();
    }

    /** tshark's TCP payload bytes per client port: [from the client, to the client]. */
    private static Map<String, long[]> tcpPayloadBytes(Path pcap, String clientIp) {
        HostTools.Result r = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y", "tcp", "-T", "fields",
                "-E", "separator=,", "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len");
        Map<String, long[]> bytes = new HashMap<>();
        for (String line : r.out().lines().toList()) {
            String[] f = line.split(",");
            boolean out = f[0].equals(clientIp);
            long[] b = bytes.computeIfAbsent(out ? f[1] : f[2], k -> new long[2]);
            b[out ? 0 : 1] += Long.parseLong(f[3]);
        }
        return bytes;
    }
}
