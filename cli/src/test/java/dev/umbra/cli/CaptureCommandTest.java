package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra capture} on the loopback interface with real libpcap. Needs root (CAP_NET_RAW); a
 * non-root run fails with the step to take.
 */
class CaptureCommandTest {

    @Test
    void capture_dnsQueriesOnLoopback_printsThemAsJsonAndTheCounters() throws Exception {
        requireRoot();
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            // nobody answers on this port: only the capture sees the queries (DNS is recognised by content)
            int port = freeUdpPort();
            AtomicReference<CliRun> result = new AtomicReference<>();
            Thread cli = new Thread(() -> result.set(CliRun.run("capture", "-v", "--interface", "lo", "--count", "3",
                    "--duration", "30", "--filter", "udp dst port " + port, "--format", "json")));
            cli.start();
            byte[] query = dnsQuery("api.openai.com");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (cli.isAlive() && System.nanoTime() < deadline) {
                socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), port));
                cli.join(100);
            }
            cli.join(10_000);
            CliRun r = result.get();
            assertThat(r).as("capture ended").isNotNull();
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = r.out().lines().toList();
            assertThat(lines).hasSize(3).allSatisfy(l -> assertThat(l)
                    .contains("\"kind\":\"dns_query\"", "\"hostname\":\"api.openai.com\"", "\"server_port\":" + port,
                            "\"source\":\"lo\""));
            assertThat(r.err()).containsPattern("umbra: capture on lo: 3 frames decoded; libpcap received \\d+, "
                    + "dropped 0 \\(buffer full\\), 0 by the interface");
            // the default warm-up ran (once per JVM: an earlier capture in this JVM may have run it)
            assertThat(r.err()).containsPattern("umbra: decoder warm-up: \\d+ frames in \\d+ passes, \\d+ ms, JIT \\d+ ms, ");
        }
    }

    @Test
    void capture_flowStillOpenWhenTheCaptureEnds_reportedWithItsBytesAsAFileReadIs() throws Exception {
        requireRoot();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            AtomicReference<CliRun> result = new AtomicReference<>();
            Thread cli = new Thread(() -> result.set(CliRun.run("capture", "--interface", "lo", "--duration", "3",
                    "--warmup", "0", "--filter", "tcp port " + port, "--format", "json")));
            cli.start();
            Thread.sleep(1000); // the capture is open
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket accepted = server.accept()) {
                client.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: api.openai.com\r\n"
                        + "Content-Length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII));
                client.getOutputStream().flush();
                accepted.getInputStream().readNBytes(10);
                cli.join(20_000); // the connection stays open past the end of the capture
            }
            CliRun r = result.get();
            assertThat(r).as("capture ended").isNotNull();
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("\"kind\":\"http_request\"");
            assertThat(r.out().lines().filter(l -> l.contains("\"kind\":\"flow_end\""))).as(r.out())
                    .singleElement().asString().contains("\"hostname\":\"api.openai.com\"", "\"server_port\":" + port);
        }
    }

    @Test
    void capture_badWarmup_exits2() {
        CliRun r = CliRun.run("capture", "--interface", "lo", "--warmup", "-1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("umbra: Invalid value -1.0 for option --warmup: must be 0..600 seconds\n");
    }

    @Test
    void capture_noSuchInterface_exits2WithOneLine() {
        CliRun r = CliRun.run("capture", "--interface", "umbra-nope0", "--count", "1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("umbra: no such interface: umbra-nope0 (list them with 'ip link')\n");
    }

    @Test
    void capture_badFilter_exits2NamingIt() {
        requireRoot();
        CliRun r = CliRun.run("capture", "--interface", "lo", "--filter", "port port", "--count", "1");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("umbra: invalid BPF filter 'port port': ");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void capture_badBufferSize_exits2() {
        CliRun r = CliRun.run("capture", "--interface", "lo", "--buffer-size", "0");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).isEqualTo("umbra: Invalid value 0 for option --buffer-size: must be 1..2047 MiB\n");
    }

    @Test
    void capture_libpcapMissing_exits3WithTheAptGetStep() throws Exception {
        // a separate JVM that cannot load libpcap, as on a host without libpcap0.8
        Result r = java(List.of("-Dorg.pcap4j.core.pcapLibName=/nonexistent/libpcap.so.0.8"),
                "capture", "--interface", "lo", "--count", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(r.err()).isEqualTo("umbra: libpcap is not installed or cannot be loaded; install it with: "
                + "apt-get install libpcap0.8\n");
    }

    @Test
    void capture_withoutCapNetRaw_exits3NamingTheCapability() throws Exception {
        requireRoot();
        if (!Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
            fail("this test needs setpriv: apt-get install -y util-linux");
        }
        Result r = java(List.of(), List.of("setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw", "--"),
                "capture", "--interface", "lo", "--count", "1");
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.RUNTIME);
        assertThat(r.err()).startsWith("umbra: no permission to capture on lo: capture needs CAP_NET_RAW");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void capture_terminatedDuringTheWarmup_stopsAndStillPrintsTheCounters() throws Exception {
        requireRoot();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "capture", "-v", "--interface", "lo", "--filter", "udp port 9 and udp port 10"));
        Path err = Files.createTempFile("umbra-capture", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            // the capture is open and the decoder's warm-up, a second or more in a fresh JVM, begins
            while (!Files.readString(err).contains("umbra: lo open; warming up the decoder (at most 5.0 s)\n")) {
                assertThat(p.isAlive()).as(Files.readString(err)).isTrue();
                assertThat(System.nanoTime()).as("warm-up line within 30 s: %s", Files.readString(err)).isLessThan(deadline);
                Thread.sleep(20);
            }
            // SIGTERM, as systemd or Ctrl-C (SIGINT) would: the shutdown hook ends the warm-up after its pass,
            // and the loop returns at once
            p.destroy();
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("umbra ended after SIGTERM").isTrue();
            String text = Files.readString(err);
            assertThat(text).containsPattern("umbra: decoder warm-up: \\d+ frames in \\d+ passes, .*, stopped\n");
            assertThat(text).contains(
                    "umbra: capture on lo: 0 frames decoded; libpcap received 0, dropped 0 (buffer full), 0 by the interface");
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private record Result(int code, String out, String err) {
    }

    private static Result java(List<String> jvmOptions, String... args) throws Exception {
        return java(jvmOptions, List.of(), args);
    }

    private static Result java(List<String> jvmOptions, List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Thread drain = new Thread(() -> {
            try {
                p.getErrorStream().transferTo(err);
            } catch (java.io.IOException e) {
                // process gone
            }
        });
        drain.start();
        p.getInputStream().transferTo(out);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("umbra did not end within 60 s: " + cmd);
        }
        drain.join(5_000);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void requireRoot() {
        if (!"root".equals(System.getProperty("user.name"))) {
            fail("live capture tests need CAP_NET_RAW: run them as root (CI runs as root; locally: sudo mvn ...)");
        }
    }

    private static int freeUdpPort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A DNS query for one A record (RFC 1035 section 4.1). */
    private static byte[] dnsQuery(String name) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            b.write(label.length());
            b.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        b.writeBytes(new byte[] {0, 0, 1, 0, 1});
        return b.toByteArray();
    }
}
