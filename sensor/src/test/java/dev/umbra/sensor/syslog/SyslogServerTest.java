package dev.umbra.sensor.syslog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real listener on loopback, real sockets, and the real {@code logger} and {@code openssl} tools. */
class SyslogServerTest {
    private static final String SQUID = "1700000000.000 1 10.0.0.1 TCP_MISS/200 100 GET http://%s/ alice DIRECT/1.2.3.4 text/html";

    @TempDir
    Path tmp;

    private final List<Observation> seen = new CopyOnWriteArrayList<>();
    private final LogStats stats = new LogStats();
    private SyslogServer server;
    private SyslogLogIntake intake;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private SyslogServer start(SyslogConfig config) throws IOException {
        intake = new SyslogLogIntake(LogOptions.of(LogFormat.SQUID), seen::add, stats);
        server = new SyslogServer(config, intake).start();
        return server;
    }

    private static String squid(String host) {
        return String.format(SQUID, host);
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private List<String> hosts() {
        return seen.stream().map(Observation::hostname).toList();
    }

    private void sendTcp(byte[] bytes) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            s.getOutputStream().write(bytes);
        }
    }

    private static byte[] octet(String msg) {
        byte[] m = msg.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes((m.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(m);
        return out.toByteArray();
    }

    @Test
    void tcp_mixedFramingAndHeaders_deliversEveryMessageInOrder() throws Exception {
        start(SyslogConfig.loopback(-1, 0));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("<14>Nov 21 02:00:00 proxy squid[1]: " + squid("a.example") + "\n").getBytes(StandardCharsets.UTF_8));
        out.writeBytes(octet("<14>1 2026-11-21T02:00:00Z proxy squid 1 - - " + squid("b.example")));
        out.writeBytes(octet("<14>1 2026-11-21T02:00:00Z proxy squid 1 - [x@1 a=\"]\"] " + squid("c.example")));
        out.writeBytes((squid("d.example") + "\r\n").getBytes(StandardCharsets.UTF_8)); // no header at all
        byte[] all = out.toByteArray();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            OutputStream o = s.getOutputStream();
            for (byte b : all) { // one byte at a time: every frame arrives split
                o.write(b);
            }
            o.flush();
            await(() -> seen.size() == 4, "4 observations");
        }
        assertThat(hosts()).containsExactly("a.example", "b.example", "c.example", "d.example");
        SyslogStats.Peer p = server.stats().peers().get("127.0.0.1");
        assertThat(p.messages()).isEqualTo(4);
        assertThat(p.connections()).isEqualTo(1);
        assertThat(intake.headerless()).isEqualTo(1);
        assertThat(stats.badLines()).isZero();
    }

    @Test
    void udp_datagramWithSeveralLines_deliversEach() throws Exception {
        start(SyslogConfig.loopback(0, -1));
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] d = ("<13>Nov 21 02:00:00 p squid: " + squid("u1.example") + "\n" + squid("u2.example") + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            s.send(new DatagramPacket(d, d.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort())));
        }
        await(() -> seen.size() == 2, "2 observations");
        assertThat(hosts()).containsExactlyInAnyOrder("u1.example", "u2.example");
    }

    @Test
    void tcp_oversizeMessages_areCountedAndSkipped() throws Exception {
        start(new SyslogConfig(null, -1, 0, null, null, 512, List.of()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("x".repeat(5000) + "\n").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(octet("<14>" + "y".repeat(3000)));
        out.writeBytes((squid("after.example") + "\n").getBytes(StandardCharsets.US_ASCII));
        sendTcp(out.toByteArray());
        await(() -> seen.size() == 1, "the message after the oversize ones");
        assertThat(hosts()).containsExactly("after.example");
        assertThat(server.stats().total().oversize()).isEqualTo(2);
    }

    @Test
    void tcp_digitsWithoutCountSyntax_areReadAsLfFramedLine() throws Exception {
        start(SyslogConfig.loopback(-1, 0));
        sendTcp(("12x <14>not a count\n" + squid("next.example") + "\n").getBytes(StandardCharsets.US_ASCII));
        await(() -> seen.size() == 1, "the line after");
        assertThat(server.stats().total().messages()).isEqualTo(2);
        assertThat(stats.firstBadLines()).extracting(LogStats.BadLine::lineNumber).containsExactly(1L);
    }

    @Test
    void allowList_otherSender_isRefusedAndCounted() throws Exception {
        start(new SyslogConfig(null, 0, 0, null, null, SyslogConfig.DEFAULT_MAX_MESSAGE_LENGTH, List.of("10.0.0.0/8", "::2")));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            s.getOutputStream().write((squid("refused.example") + "\n").getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(5000);
            try {
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // closed with a reset: refused as well
            }
        }
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] d = squid("refused.example").getBytes(StandardCharsets.US_ASCII);
            s.send(new DatagramPacket(d, d.length, new InetSocketAddress(InetAddress.getLoopbackAddress(), server.udpPort())));
        }
        await(() -> server.stats().total().rejected() == 2, "2 refusals");
        assertThat(seen).isEmpty();
        assertThat(server.stats().peers().get("127.0.0.1").rejected()).isEqualTo(2);
    }

    @Test
    void tcp_seededRandomBytes_neverStopTheListener() throws Exception {
        start(SyslogConfig.loopback(-1, 0));
        Random r = new Random(42);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[r.nextInt(4000)];
            r.nextBytes(junk);
            sendTcp(junk);
        }
        sendTcp((squid("alive.example") + "\n").getBytes(StandardCharsets.US_ASCII));
        await(() -> hosts().contains("alive.example"), "a message after the noise");
    }

    @Test
    void logger_rfc5424OctetCountingOverTcpAndRfc3164OverUdp_areRead() throws Exception {
        start(SyslogConfig.loopback(0, 0));
        run("logger", "-n", "127.0.0.1", "-P", Integer.toString(server.tcpPort()), "-T", "--octet-count", "--rfc5424",
                "-t", "squid", squid("logger-tcp.example"));
        run("logger", "-n", "127.0.0.1", "-P", Integer.toString(server.udpPort()), "-d", "--rfc3164",
                "-t", "squid", squid("logger-udp.example"));
        await(() -> seen.size() == 2, "2 observations from logger");
        assertThat(hosts()).containsExactlyInAnyOrder("logger-tcp.example", "logger-udp.example");
        assertThat(intake.streams()).containsKey("127.0.0.1/squid");
        assertThat(intake.headerless()).isZero();
    }

    @Test
    void tls_clientTrustingTheCertificate_deliversMessages() throws Exception {
        Path cert = tmp.resolve("cert.pem");
        Path key = tmp.resolve("key.pem");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1");
        start(new SyslogConfig(null, -1, 0, cert, key, SyslogConfig.DEFAULT_MAX_MESSAGE_LENGTH, List.of()));
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(cert)) {
            trust.setCertificateEntry("umbra", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.tcpPort())) {
            s.startHandshake();
            s.getOutputStream().write(octet("<14>1 2026-11-21T02:00:00Z proxy squid 1 - - " + squid("tls.example")));
            s.getOutputStream().flush();
            await(() -> seen.size() == 1, "a message over TLS");
        }
        assertThat(hosts()).containsExactly("tls.example");
        // plaintext on the TLS port is not read as syslog
        sendTcp((squid("plain.example") + "\n").getBytes(StandardCharsets.US_ASCII));
        Thread.sleep(200);
        assertThat(hosts()).doesNotContain("plain.example");
    }

    @Test
    void config_badValues_throwNamingKeyAndValue() {
        assertThatThrownBy(() -> SyslogConfig.loopback(-1, -1)).hasMessageContaining("at least one listener");
        assertThatThrownBy(() -> SyslogConfig.loopback(70000, -1))
                .hasMessageContaining("Invalid value 70000 for configuration syslog.udp.port");
        assertThatThrownBy(() -> new SyslogConfig(null, 0, -1, null, null, 10, List.of()))
                .hasMessageContaining("syslog.max.message.length");
        assertThatThrownBy(() -> new SyslogConfig(null, 0, -1, null, null, 1024, List.of("10.0.0.0/33")))
                .hasMessageContaining("Invalid value 10.0.0.0/33 for configuration syslog.allowed.senders");
        assertThatThrownBy(() -> new SyslogConfig(null, 0, -1, null, null, 1024, List.of("proxy.example")))
                .hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> new SyslogConfig(null, -1, 0, tmp.resolve("c.pem"), null, 1024, List.of()))
                .hasMessageContaining("syslog.tls.key");
    }

    @Test
    void config_default_bindsLoopback() throws Exception {
        start(SyslogConfig.loopback(0, 0));
        assertThat(server.udpPort()).isPositive();
        assertThat(server.tcpPort()).isPositive();
        assertThat(SyslogConfig.loopback(0, 0).bind().isLoopbackAddress()).isTrue();
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " not found: apt-get install -y "
                    + (cmd[0].equals("logger") ? "bsdutils" : cmd[0]), e);
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " failed: " + output);
        }
    }
}
