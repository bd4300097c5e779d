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
 * A second test sends datagrams through Dante's UDP relay, with the default capture filter.
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
            Path tlsLog = tmp.resolve("tls.log");
            Process tls = ns.start(tlsLog, "openssl", "s_server", "-quiet", "-www", "-accept", "8443",
                    "-cert", tmp.resolve("cert.pem").toString(), "-key", tmp.resolve("key.pem").toString());
            Path proxyLog = startDante(ns, "danted", "none", "connect");
            ns.awaitTcpListener(8443, tls, tlsLog);

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

    /**
     * A SOCKS5 client that asks Dante for a UDP relay (UDP ASSOCIATE) and sends through it a QUIC
     * Initial for api.openai.com (the destination named in the SOCKS UDP header, as a socks5h client
     * does) and a DNS query for claude.ai: both destinations are reported with the relay's user, the
     * hello's SNI and the query too.
     */
    @Test
    void run_udpThroughADanteRelay_reportsDestinationsAndWhatTheDatagramsCarry() throws Exception {
        HostTools.require("danted", "dante-server");
        HostTools.require("ss", "iproute2");
        try (Netns ns = Netns.create()) {
            ns.hosts(ns.nsIp + " api.openai.com");
            // Dante's username method checks the system's passwords: a user made for the test
            if (HostTools.run(10, "id", "-u", "umbra-socks-test").exitCode() != 0) {
                HostTools.check(30, "useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", "umbra-socks-test");
            }
            HostTools.check(30, "sh", "-c", "echo 'umbra-socks-test:SYNTHETIC-socks-pw' | chpasswd");
            Path proxyLog = startDante(ns, "danted-udp", "username", "udpassociate udpreply");

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(ns.hostIf, seen::add, anomalies);
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                CaptureLoop loop = CaptureLoop.start(capture, decoder, Duration.ofSeconds(60), "test-capture");
                try (java.net.Socket control = new java.net.Socket(ns.nsIp, 1080);
                        java.net.DatagramSocket udp = new java.net.DatagramSocket()) {
                    control.setSoTimeout(5000);
                    java.io.OutputStream out = control.getOutputStream();
                    java.io.DataInputStream in = new java.io.DataInputStream(control.getInputStream());
                    out.write(new byte[] {5, 1, 2});
                    assertThat(new byte[] {in.readByte(), in.readByte()}).containsExactly(5, 2);
                    byte[] user = "umbra-socks-test".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    byte[] pw = "SYNTHETIC-socks-pw".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    java.io.ByteArrayOutputStream auth = new java.io.ByteArrayOutputStream();
                    auth.write(1);
                    auth.write(user.length);
                    auth.write(user);
                    auth.write(pw.length);
                    auth.write(pw);
                    out.write(auth.toByteArray());
                    assertThat(new byte[] {in.readByte(), in.readByte()}).as("danted log: %s",
                            Netns.readQuietly(proxyLog)).containsExactly(1, 0);
                    // UDP ASSOCIATE: the client will send from this socket's port
                    int from = udp.getLocalPort();
                    out.write(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, (byte) (from >> 8), (byte) from});
                    byte[] reply = new byte[10];
                    in.readFully(reply);
                    assertThat(reply[1]).as("the UDP ASSOCIATE reply; danted log: %s", Netns.readQuietly(proxyLog))
                            .isEqualTo((byte) 0);
                    int relayPort = (reply[8] & 0xff) << 8 | (reply[9] & 0xff);
                    java.net.InetAddress relay = java.net.InetAddress.getByName(ns.nsIp);
                    byte[] name = "api.openai.com".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                    byte[] quic = dev.umbra.sensor.TestFrames.concat(new byte[] {0, 0, 0, 3, (byte) name.length}, name,
                            new byte[] {1, (byte) 187}, quicInitial("api.openai.com"));
                    udp.send(new java.net.DatagramPacket(quic, quic.length, relay, relayPort));
                    byte[] dns = dev.umbra.sensor.TestFrames.concat(new byte[] {0, 0, 0, 1},
                            dev.umbra.sensor.TestFrames.ip(ns.nsIp), new byte[] {0, 53},
                            dev.umbra.sensor.TestFrames.dnsQuery(0x5150, "claude.ai", 1));
                    udp.send(new java.net.DatagramPacket(dns, dns.length, relay, relayPort));
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (System.nanoTime() < deadline && (seen.stream().noneMatch(o -> o.kind() == ObservationKind.QUIC_SNI)
                            || seen.stream().noneMatch(o -> o.kind() == ObservationKind.DNS_QUERY))) {
                        Netns.sleep(50);
                    }
                }
                loop.stop();
                assertThat(capture.stats().dropped()).isZero();
            }
            decoder.finish();
            List<Observation> requests = seen.stream().filter(o -> o.kind() == ObservationKind.SOCKS_REQUEST).toList();
            assertThat(requests).as("danted log: %s; seen %s", Netns.readQuietly(proxyLog), seen)
                    .extracting(o -> o.hostname() + ":" + o.targetPort() + " " + o.method() + " " + o.user())
                    .containsExactly("api.openai.com:443 UDP ASSOCIATE umbra-socks-test",
                            ns.nsIp + ":53 UDP ASSOCIATE umbra-socks-test");
            assertThat(requests).allSatisfy(o -> {
                assertThat(o.serverIp()).isEqualTo(ns.nsIp);
                assertThat(o.clientIp()).isEqualTo(ns.hostIp);
            });
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.QUIC_SNI).extracting(Observation::hostname)
                    .containsExactly("api.openai.com");
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.DNS_QUERY).extracting(Observation::hostname)
                    .containsExactly("claude.ai");
            assertThat(seen.toString()).doesNotContain("SYNTHETIC-socks-pw");
            assertThat(anomalies.total()).as("anomalies %s", anomalies.nonZero()).isZero();
        }
    }

    /**
     * Starts Dante in the namespace on port 1080 with this SOCKS method, passing these commands, and
     * waits until it listens; returns its log ({@code NAME.log}; its configuration is {@code NAME.conf}).
     */
    private Path startDante(Netns ns, String name, String socksMethod, String commands) throws Exception {
        Path conf = tmp.resolve(name + ".conf");
        Files.writeString(conf, String.join("\n",
                "logoutput: stderr",
                "internal: " + ns.nsIp + " port = 1080",
                "external: " + ns.nsIp,
                "clientmethod: none",
                "socksmethod: " + socksMethod,
                "user.privileged: root",
                "user.unprivileged: nobody",
                "client pass { from: 0.0.0.0/0 to: 0.0.0.0/0 }",
                "socks pass { from: 0.0.0.0/0 to: 0.0.0.0/0 command: " + commands + " }",
                ""));
        Path log = tmp.resolve(name + ".log");
        Process proxy = ns.start(log, "danted", "-f", conf.toString());
        ns.awaitTcpListener(1080, proxy, log);
        return log;
    }

    private static byte[] quicInitial(String sni) throws Exception {
        byte[] record = dev.umbra.sensor.TestFrames.clientHello(sni, List.of("h3"), 32);
        byte[] handshake = java.util.Arrays.copyOfRange(record, 5, record.length);
        byte[] dcid = {8, 7, 6, 5, 4, 3, 2, 1};
        return dev.umbra.sensor.quic.QuicTestPackets.initial(1, dcid, dcid, new byte[0], new byte[0], 0,
                dev.umbra.sensor.quic.QuicTestPackets.frames(1162,
                        dev.umbra.sensor.quic.QuicTestPackets.crypto(handshake, 0, handshake.length)));
    }

    private static void curl(String... arguments) {
        List<String> command = new java.util.ArrayList<>(List.of("curl", "-sk", "--max-time", "5", "-o", "/dev/null"));
        command.addAll(List.of(arguments));
        HostTools.Result r = HostTools.run(15, command);
        assertThat(r.exitCode()).as("%s: %s", command, r.err()).isZero();
    }
}
