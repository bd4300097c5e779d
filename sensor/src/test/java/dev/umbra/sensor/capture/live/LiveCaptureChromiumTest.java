package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real browser through the pcap4j path: Debian's Chromium, headless, on the host, against servers in
 * a network namespace the test makes (nothing leaves the machine; Chromium's own host resolver rules
 * map the names, so no DNS is asked):
 * <ul>
 *   <li>QUIC forced for chatgpt.com to a UDP port that takes datagrams and answers none (so that
 *       Chromium sends its whole Initial flight and its retransmissions, not one packet then ICMP):
 *       Chromium's ClientHello, with its post-quantum key share, spans two Initial packets whose CRYPTO
 *       frames it cuts up and shuffles (its "chaos protection");</li>
 *   <li>TLS over TCP to claude.ai ({@code openssl s_server}); Chromium permutes its extensions on
 *       every connection, and JA4 sorts them, so every connection has the same JA4;</li>
 *   <li>gemini.google.com through a real Squid (no authentication): CONNECT, Squid's 200, then the
 *       hello in the tunnel;</li>
 *   <li>a real Encrypted Client Hello, over QUIC and over TCP: Chromium inside the namespace, asking a
 *       DNS responder on the host's end of the veth, which answers chatgpt.com's HTTPS query with an
 *       ECH config (public name {@value #ECH_PUBLIC_NAME}) and alpn h3,h2; the hellos' outer SNI is
 *       the public name, and their flows are named chatgpt.com, the name DNS published that config
 *       for. (The server knows no ECH, so
 *       Chromium then falls back to hellos without it, which name chatgpt.com themselves.)</li>
 * </ul>
 */
class LiveCaptureChromiumTest {
    @TempDir
    Path tmp;

    private static final String ECH_PUBLIC_NAME = "ech-public.umbra-test.example";

    /** A UDP port that takes every datagram and answers none (test-data/captures/udp_sink.py). */
    private static final String UDP_SINK = captures("udp_sink.py");
    private static final String DNS_RESPONDER = captures("dns_responder.py");

    private static String captures(String script) {
        return Path.of(System.getProperty("umbra.repo.root", "..")).resolve("test-data/captures").resolve(script)
                .toAbsolutePath().normalize().toString();
    }

    @Test
    void chromium_quicTlsAndThroughSquid_namesAndFingerprintsArriveThroughPcap4j() throws Exception {
        HostTools.require("chromium", "chromium");
        HostTools.require("openssl", "openssl");
        HostTools.require("python3", "python3");
        HostTools.require("squid", "squid");
        HostTools.require("ss", "iproute2");
        HostTools.require("tcpdump", "tcpdump");
        HostTools.require("tshark", "tshark");

        try (Netns ns = Netns.create()) {
            HostTools.selfSignedCertificate(tmp);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx")); // squid's user
            ns.hosts(ns.nsIp + " gemini.google.com");
            Path tlsLog = tmp.resolve("tls.log");
            Process tls = ns.start(tlsLog, "openssl", "s_server", "-quiet", "-www", "-accept", "443",
                    "-cert", tmp.resolve("cert.pem").toString(), "-key", tmp.resolve("key.pem").toString());
            Path sinkLog = tmp.resolve("udp.log");
            Process sink = ns.start(sinkLog, "python3", UDP_SINK, "0.0.0.0", "443");
            Path squidLog = tmp.resolve("squid.out");
            Files.write(tmp.resolve("squid.conf"), List.of("http_port 3128",
                    "pid_filename " + tmp.resolve("squid.pid"), "cache_log " + tmp.resolve("cache.log"),
                    "access_log " + tmp.resolve("access.log"), "coredump_dir " + tmp, "netdb_filename none",
                    "cache deny all", "cache_mem 8 MB", "shutdown_lifetime 0 seconds", "dns_nameservers 127.0.0.1",
                    "http_access allow all"));
            Process squid = ns.start(squidLog, "squid", "-N", "-f", tmp.resolve("squid.conf").toString());
            ns.awaitTcpListener(443, tls, tlsLog);
            ns.awaitTcpListener(3128, squid, squidLog);
            awaitLine(sinkLog, "listening", sink);

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            LiveCaptureStats stats;
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                PacketDecoder decoder = new PacketDecoder(ns.hostIf, seen::add, anomalies);
                CaptureLoop loop = CaptureLoop.start(capture, decoder, Duration.ofSeconds(120), "test-capture");
                // the QUIC datagrams also go to a file, for tshark to say how Chromium sent its hello
                Path quicPcap = tmp.resolve("quic.pcap");
                Process tcpdump = HostTools.tcpdump(ns.hostIf, quicPcap, tmp.resolve("tcpdump.log"), "udp port 443");

                chromium("quic", "https://chatgpt.com/", "--host-resolver-rules=MAP chatgpt.com " + ns.nsIp,
                        "--enable-quic", "--origin-to-force-quic-on=chatgpt.com:443");
                chromium("tcp", "https://claude.ai/", "--host-resolver-rules=MAP claude.ai " + ns.nsIp);
                chromium("proxy", "https://gemini.google.com/", "--proxy-server=http://" + ns.nsIp + ":3128");

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && !(has(seen, ObservationKind.QUIC_SNI, "chatgpt.com")
                        && has(seen, ObservationKind.TLS_SNI, "claude.ai")
                        && has(seen, ObservationKind.TLS_SNI, "gemini.google.com"))) {
                    Netns.sleep(50);
                }
                loop.stop();
                stats = capture.stats();
                tcpdump.destroy();
                assertThat(tcpdump.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
            List<Observation> all = new ArrayList<>(seen);

            // QUIC: the hello put together from Chromium's shuffled CRYPTO frames over two Initials
            List<Observation> quic = of(all, ObservationKind.QUIC_SNI, "chatgpt.com");
            assertThat(quic).as("one hello per connection, retransmissions not reported again").hasSize(1);
            assertThat(quic.get(0).alpn()).containsExactly("h3");
            assertThat(quic.get(0).tlsVersion()).isEqualTo("1.3");
            // Chrome's published JA4 (QUIC): three TLS 1.3 suites, h3, the cipher hash of those suites
            assertThat(quic.get(0).ja4()).matches("q13d03\\d\\dh3_55b375c5d22e_[0-9a-f]{12}");
            // what tshark reads of the same datagrams: the first two Initials both carry CRYPTO frames
            // (the hello does not fit one), and the name it reassembles is the one reported
            HostTools.Result t = HostTools.run(60, "tshark", "-n", "-r", tmp.resolve("quic.pcap").toString(),
                    "-Y", "quic.long.packet_type == 0", "-T", "fields", "-E", "separator=|", "-e", "quic.packet_number",
                    "-e", "quic.crypto.offset", "-e", "tls.handshake.extensions_server_name");
            assertThat(t.exitCode()).as(t.err()).isZero();
            List<String[]> initials = t.out().lines().filter(l -> !l.isBlank()).map(l -> l.split("\\|", -1)).toList();
            assertThat(initials).as("Initial packets: %s", t.out()).hasSizeGreaterThanOrEqualTo(2);
            assertThat(initials.subList(0, 2)).allSatisfy(f -> assertThat(f[1]).as("CRYPTO offsets").isNotEmpty());
            assertThat(initials.get(0)[1].split(",")).as("frames in the first Initial").hasSizeGreaterThan(1);
            assertThat(initials).extracting(f -> f[2]).filteredOn(n -> !n.isEmpty()).containsOnly("chatgpt.com");

            // TLS over TCP: the same JA4 on every connection, whatever order Chromium put its extensions in
            List<Observation> direct = of(all, ObservationKind.TLS_SNI, "claude.ai");
            List<Observation> tunnelled = of(all, ObservationKind.TLS_SNI, "gemini.google.com");
            assertThat(direct).isNotEmpty();
            assertThat(tunnelled).isNotEmpty();
            List<Observation> hellos = new ArrayList<>(direct);
            hellos.addAll(tunnelled);
            assertThat(hellos).extracting(Observation::ja4).containsOnly(direct.get(0).ja4());
            // Chrome's published JA4 (TCP): 15 suites besides GREASE, h2, their hash
            assertThat(direct.get(0).ja4()).matches("t13d15\\d\\dh2_8daaf6152771_[0-9a-f]{12}");
            assertThat(direct.get(0).alpn()).containsExactly("h2", "http/1.1");

            // through Squid: each tunnel's CONNECT (held until Squid's 200) goes before its hello
            List<Observation> connects = of(all, ObservationKind.HTTP_REQUEST, "gemini.google.com");
            assertThat(connects).extracting(Observation::method).containsOnly("CONNECT");
            assertThat(connects).extracting(Observation::clientPort)
                    .containsExactlyInAnyOrderElementsOf(tunnelled.stream().map(Observation::clientPort).toList());
            for (Observation hello : tunnelled) {
                Observation connect = connects.stream().filter(c -> c.clientPort() == hello.clientPort())
                        .findFirst().orElseThrow();
                assertThat(all.indexOf(connect)).isLessThan(all.indexOf(hello));
                assertThat(hello.serverPort()).isEqualTo(3128);
            }
            assertThat(Files.readString(tmp.resolve("access.log"))).contains("TCP_TUNNEL/200");

            assertThat(stats.dropped()).isZero();
            assertThat(anomalies.nonZero()).as("anomalies").isEmpty();
        }
    }

    @Test
    void chromium_encryptedClientHello_flowNamedByTheNameDnsPublishedTheConfigFor() throws Exception {
        HostTools.require("chromium", "chromium");
        HostTools.require("openssl", "openssl");
        HostTools.require("python3", "python3");
        List<Process> onHost = new ArrayList<>();
        try (Netns ns = Netns.create()) {
            ns.resolver(ns.hostIp);
            HostTools.selfSignedCertificate(tmp);
            // the servers on the host's end: what Chromium in the namespace reaches across the veth
            onHost.add(startOnHost(tmp.resolve("dns.log"), "python3", DNS_RESPONDER, ns.hostIp, "53",
                    "--a", ns.hostIp, "--ech", ECH_PUBLIC_NAME, "--alpn", "h3,h2", "--only", "chatgpt.com"));
            onHost.add(startOnHost(tmp.resolve("tls.log"), "openssl", "s_server", "-quiet", "-www", "-accept",
                    ns.hostIp + ":443", "-cert", tmp.resolve("cert.pem").toString(), "-key",
                    tmp.resolve("key.pem").toString()));
            onHost.add(startOnHost(tmp.resolve("udp.log"), "python3", UDP_SINK, ns.hostIp, "443"));
            awaitLine(tmp.resolve("udp.log"), "listening", onHost.get(2));
            awaitHostListener(ns.hostIp, 53, onHost.get(0), tmp.resolve("dns.log"));
            awaitHostListener(ns.hostIp, 443, onHost.get(1), tmp.resolve("tls.log"));

            // everything, and what an audit asks for (only the catalog's names; here chatgpt.com)
            List<Observation> all = new java.util.concurrent.CopyOnWriteArrayList<>();
            List<Observation> audit = new java.util.concurrent.CopyOnWriteArrayList<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder everything = new PacketDecoder(ns.hostIf, all::add, anomalies);
            PacketDecoder catalogOnly = new PacketDecoder(ns.hostIf, audit::add, new AnomalyCounters());
            catalogOnly.onlyNames(n -> n.equals("chatgpt.com"));
            LiveCaptureStats stats;
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                CaptureLoop loop = CaptureLoop.start(capture, (linkType, t, buf, off, caplen, len) -> {
                    everything.onPacket(linkType, t, buf, off, caplen, len);
                    catalogOnly.onPacket(linkType, t, buf, off, caplen, len);
                }, Duration.ofSeconds(120), "test-capture");
                List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns.name));
                cmd.addAll(chromiumCommand("ech", "https://chatgpt.com/"));
                HostTools.Result r = HostTools.run(60, cmd);
                assertThat(r.exitCode()).as("chromium: %s", r.err()).isZero();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && !(has(all, ObservationKind.TLS_SNI, ECH_PUBLIC_NAME)
                        && has(all, ObservationKind.QUIC_SNI, ECH_PUBLIC_NAME))) {
                    Netns.sleep(50);
                }
                loop.stop();
                stats = capture.stats();
            }
            everything.finish();
            catalogOnly.finish();

            // what DNS said: chatgpt.com's HTTPS answer carries an ECH config
            assertThat(of(all, ObservationKind.DNS_ANSWER, "chatgpt.com")).extracting(Observation::ech).contains(true);
            // what the hellos say: the public name, with the ECH extension. openssl s_server knows no
            // ECH and sends no retry configs, so Chromium then connects again without ECH (the rejection
            // handling of the ECH draft): those hellos name chatgpt.com, with the GREASE ECH extension
            List<Observation> hellos = all.stream().filter(o -> o.kind() == ObservationKind.TLS_SNI).toList();
            assertThat(hellos).filteredOn(o -> o.hostname().equals(ECH_PUBLIC_NAME)).isNotEmpty();
            assertThat(hellos).allSatisfy(o -> {
                assertThat(o.hostname()).isIn(ECH_PUBLIC_NAME, "chatgpt.com");
                assertThat(o.ech()).isTrue();
                assertThat(o.serverIp()).isEqualTo(ns.hostIp);
            });
            // QUIC first (h3 is first in the answer's alpn), to a port that answers nothing
            List<Observation> quic = all.stream().filter(o -> o.kind() == ObservationKind.QUIC_SNI).toList();
            assertThat(quic).isNotEmpty().allSatisfy(o -> {
                assertThat(o.hostname()).isEqualTo(ECH_PUBLIC_NAME);
                assertThat(o.ech()).isTrue();
                assertThat(o.alpn()).containsExactly("h3");
            });
            hellos = new ArrayList<>(hellos);
            hellos.addAll(quic);
            // each of those connections is chatgpt.com's, with its upload
            List<Observation> ends = all.stream().filter(o -> o.kind() == ObservationKind.FLOW_END
                    && o.serverPort() == 443 && o.bytesOut() > 0).toList();
            assertThat(ends).extracting(Observation::clientPort).containsExactlyInAnyOrderElementsOf(
                    hellos.stream().map(Observation::clientPort).toList());
            assertThat(ends).allSatisfy(o -> {
                assertThat(o.hostname()).isEqualTo("chatgpt.com");
                assertThat(o.bytesOut()).isPositive();
            });
            // an audit that asks only for chatgpt.com gets the DNS sightings and every connection's end
            assertThat(audit).extracting(Observation::hostname).containsOnly("chatgpt.com");
            assertThat(audit).filteredOn(o -> o.kind() == ObservationKind.FLOW_END && o.bytesOut() > 0)
                    .hasSameSizeAs(ends);
            assertThat(stats.dropped()).isZero();
            assertThat(anomalies.nonZero()).as("anomalies").isEmpty();
        } finally {
            for (Process p : onHost) {
                p.destroyForcibly();
                p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    private static Process startOnHost(Path log, String... command) throws java.io.IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    }

    private static void awaitHostListener(String address, int port, Process owner, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(owner.isAlive()).as("server exited: %s", Files.readString(log)).isTrue();
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(address, port), 200);
                return;
            } catch (java.io.IOException e) {
                Netns.sleep(50);
            }
        }
        throw new AssertionError("nothing listens on " + address + ":" + port + ": " + Files.readString(log));
    }

    /** Runs headless Chromium on the host until it has loaded (or given up on) the page. */
    private void chromium(String profile, String url, String... options) {
        List<String> cmd = chromiumCommand(profile, url, options);
        HostTools.Result r = HostTools.run(60, cmd);
        assertThat(r.exitCode()).as("chromium %s: %s", url, r.err()).isZero();
    }

    private List<String> chromiumCommand(String profile, String url, String... options) {
        List<String> cmd = new ArrayList<>(List.of("chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--ignore-certificate-errors",
                "--user-data-dir=" + tmp.resolve("chromium-" + profile)));
        cmd.addAll(List.of(options));
        cmd.add("--dump-dom");
        cmd.add(url);
        return cmd;
    }

    private static void awaitLine(Path log, String line, Process owner) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(line)) {
                return;
            }
            assertThat(owner.isAlive()).as("UDP sink: %s", Files.exists(log) ? Files.readString(log) : "").isTrue();
            Netns.sleep(50);
        }
        throw new AssertionError("UDP sink did not start: " + Files.readString(log));
    }

    private static boolean has(java.util.Collection<Observation> seen, ObservationKind kind, String name) {
        return seen.stream().anyMatch(o -> o.kind() == kind && o.hostname().equals(name));
    }

    private static List<Observation> of(List<Observation> all, ObservationKind kind, String name) {
        return all.stream().filter(o -> o.kind() == kind && o.hostname().equals(name)).toList();
    }
}
