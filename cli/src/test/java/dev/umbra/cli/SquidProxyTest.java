package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.proxylog.LogAnomaly;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.syslog.SyslogConfig;
import dev.umbra.sensor.syslog.SyslogLogIntake;
import dev.umbra.sensor.syslog.SyslogServer;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Debian's Squid on loopback, started by the test with its own configuration: basic proxy
 * authentication (basic_fake_auth takes any password), the access log written to a file in a
 * custom logformat and sent in native format to Umbra's syslog listeners by Squid's tcp:// and
 * udp:// loggers (Squid's syslog: module writes to /dev/log through syslog(3), which a test cannot
 * point at a listener without a local syslog daemon).
 * curl goes through it to local HTTP and HTTPS (CONNECT) servers under AI host names, which
 * Squid resolves to 127.0.0.1 from its own hosts file; nothing leaves loopback.
 */
class SquidProxyTest {
    private static final Path SQUID = Path.of("/usr/sbin/squid");
    private static final String LOGFORMAT = "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %>st %rm %ru %[un %Sh/%<a %mt";
    private static final int RESPONSE_BYTES = 20_000;
    private static final int UPLOAD_BYTES = 5_000;

    private final List<Observation> syslogObservations = new CopyOnWriteArrayList<>();
    private final List<Observation> udpObservations = new CopyOnWriteArrayList<>();
    private final LogStats tcpStats = new LogStats();
    private final List<Runnable> cleanup = new ArrayList<>();
    private Path dir;

    @AfterEach
    void tearDown() throws IOException {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).run();
        }
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void squid_fileAndSyslogStream_reportUserHostServiceAndBytes() throws Exception {
        if (!Files.isExecutable(SQUID)) {
            throw new AssertionError("Squid is not installed at " + SQUID + ": apt-get install -y squid");
        }
        dir = Files.createTempDirectory("umbra-squid");
        // Squid drops root privileges to its own user, which must write its logs here
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));

        SyslogServer syslog = new SyslogServer(SyslogConfig.loopback(-1, 0),
                new SyslogLogIntake(LogOptions.defaults(), syslogObservations::add, tcpStats)).start();
        cleanup.add(syslog::close);
        SyslogServer udp = new SyslogServer(SyslogConfig.loopback(0, -1),
                new SyslogLogIntake(LogOptions.defaults(), udpObservations::add, new LogStats())).start();
        cleanup.add(udp::close);

        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        http.createContext("/", SquidProxyTest::respond);
        http.start();
        cleanup.add(() -> http.stop(0));

        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls()));
        https.createContext("/", SquidProxyTest::respond);
        https.start();
        cleanup.add(() -> https.stop(0));

        int proxyPort = Loopback.freePort();
        Path accessLog = dir.resolve("access.log");
        Files.writeString(dir.resolve("hosts"), "127.0.0.1 api.openai.com chatgpt.com\n");
        List<String> conf = new ArrayList<>(List.of("http_port 127.0.0.1:" + proxyPort));
        conf.addAll(LoopbackSquid.base(dir, "squid"));
        conf.addAll(List.of(
                "logformat umbra " + LOGFORMAT,
                "access_log stdio:" + accessLog + " umbra",
                "access_log tcp://127.0.0.1:" + syslog.tcpPort() + " squid",
                "access_log udp://127.0.0.1:" + udp.udpPort() + " squid",
                ""));
        Files.writeString(dir.resolve("squid.conf"), String.join("\n", conf));
        Process squid = new ProcessBuilder(SQUID.toString(), "-N", "-f", dir.resolve("squid.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("squid.out").toFile()).start();
        cleanup.add(() -> stop(squid));
        await(() -> accepts(proxyPort) || !squid.isAlive(), "Squid to listen on port " + proxyPort);
        assertThat(squid.isAlive()).as("Squid is running; its log: %s", log(dir.resolve("squid-cache.log"))).isTrue();

        Path upload = dir.resolve("upload.bin");
        Files.write(upload, new byte[UPLOAD_BYTES]);
        curl("-x", "http://alice:secret@127.0.0.1:" + proxyPort, "--data-binary", "@" + upload,
                "http://api.openai.com:" + http.getAddress().getPort() + "/v1/files?token=SECRET-TOKEN");
        curl("-k", "-x", "http://bob:secret@127.0.0.1:" + proxyPort, "--data-binary", "@" + upload,
                "https://chatgpt.com:" + https.getAddress().getPort() + "/backend-api/conversation");

        await(() -> syslogObservations.size() >= 2, "2 requests on the TCP syslog stream");
        await(() -> lines(accessLog) >= 2, "2 lines in the access log");
        // Squid's udp:// logger fills 1400-byte datagrams before it sends; stopping Squid flushes it
        stop(squid);
        await(() -> udpObservations.size() >= 2, "2 requests in UDP syslog datagrams");

        HostMatcher matcher = Catalog.builtIn().matcher();
        // the syslog stream: Squid's native format, detected
        Observation alice = find(syslogObservations, "api.openai.com");
        assertThat(alice.user()).isEqualTo("alice");
        assertThat(alice.method()).isEqualTo("POST");
        assertThat(alice.urlPath()).isEqualTo("/v1/files");
        assertThat(alice.status()).isEqualTo(200);
        assertThat(alice.bytesIn()).isBetween((long) RESPONSE_BYTES, RESPONSE_BYTES + 2_000L);
        Match m = matcher.match(alice.hostname());
        assertThat(m).isNotNull();
        assertThat(m.service().id()).isEqualTo("openai-api");
        Observation bob = find(syslogObservations, "chatgpt.com");
        assertThat(bob.user()).isEqualTo("bob");
        assertThat(bob.method()).isEqualTo("CONNECT");
        assertThat(bob.serverPort()).isEqualTo(https.getAddress().getPort());
        assertThat(bob.bytesIn()).isGreaterThan(RESPONSE_BYTES); // TLS records around the body
        assertThat(matcher.match(bob.hostname()).service().id()).isEqualTo("openai-chatgpt");
        // the same two requests over UDP
        assertThat(find(udpObservations, "api.openai.com").user()).isEqualTo("alice");
        assertThat(find(udpObservations, "api.openai.com").bytesIn()).isEqualTo(alice.bytesIn());
        assertThat(find(udpObservations, "chatgpt.com").user()).isEqualTo("bob");
        // the readiness probe (a connection closed before any request) is logged by Squid as
        // "error:transaction-end-before-headers": counted as a line without host, not fatal
        assertThat(tcpStats.badLines()).isEqualTo(tcpStats.get(LogAnomaly.NO_HOST));
        assertThat(syslog.stats().peers().get("127.0.0.1").messages()).isEqualTo(2 + tcpStats.badLines());

        // the file, in the custom logformat, through umbra audit
        CliRun r = CliRun.run("audit", "--squid-logformat", LOGFORMAT, accessLog.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        String aliceRow = row(r, "alice");
        String[] a = aliceRow.split("\\s+");
        assertThat(a[1]).isEqualTo("openai-api");
        long up = Long.parseLong(a[a.length - 3]);
        long down = Long.parseLong(a[a.length - 2]);
        assertThat(up).isBetween((long) UPLOAD_BYTES, UPLOAD_BYTES + 2_000L);
        assertThat(down).isBetween((long) RESPONSE_BYTES, RESPONSE_BYTES + 2_000L);
        assertThat(a[a.length - 1]).isEqualTo("/v1/files[file_upload]");
        String[] b = row(r, "bob").split("\\s+");
        assertThat(b[1]).isEqualTo("openai-chatgpt");
        assertThat(Long.parseLong(b[b.length - 2])).isGreaterThan(UPLOAD_BYTES); // encrypted upload
        assertThat(r.out()).doesNotContain("SECRET-TOKEN", "secret");
    }

    private static String row(CliRun r, String user) {
        return r.out().lines().filter(l -> l.startsWith(user + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + user + " in\n" + r.out() + r.err()));
    }

    private static Observation find(List<Observation> list, String host) {
        return list.stream().filter(o -> o.hostname().equals(host)).findFirst()
                .orElseThrow(() -> new AssertionError("no observation of " + host + " in " + list));
    }

    private static void respond(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
        }
        byte[] body = new byte[RESPONSE_BYTES];
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private SSLContext serverTls() throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        Path p12 = dir.resolve("server.p12");
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=chatgpt.com", "-addext", "subjectAltName=DNS:chatgpt.com");
        run("openssl", "pkcs12", "-export", "-inkey", key.toString(), "-in", cert.toString(), "-out", p12.toString(),
                "-passout", "pass:umbra");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "umbra".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "umbra".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private void curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}"));
        cmd.addAll(List.of(args));
        String code = run(cmd.toArray(String[]::new));
        assertThat(code.trim()).as("HTTP status of %s", cmd).isEqualTo("200");
    }

    private static String run(String... cmd) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " not found: apt-get install -y " + cmd[0], e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static void stop(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroy);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static long lines(Path p) {
        try {
            return Files.exists(p) ? Files.readAllLines(p).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String log(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p) : "(none)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
