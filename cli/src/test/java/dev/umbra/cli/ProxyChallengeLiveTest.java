package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.LiveCapture;
import dev.umbra.sensor.capture.live.LiveCaptureConfig;
import dev.umbra.sensor.decode.PacketDecoder;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain-HTTP request through an authenticating proxy, on the wire: real curl with {@code
 * --proxy-anyauth} first sends {@code GET http://…} (or a POST, body and all) without credentials,
 * real Squid answers 407, and curl sends it again with the user. The live capture (real libpcap on
 * loopback) reports the request once, with the user, and its body once; tcpdump beside it records
 * both tries and tshark reads the 407 between them.
 */
class ProxyChallengeLiveTest {
    private static final Path SQUID = Path.of("/usr/sbin/squid");

    @TempDir
    Path tmp;

    @Test
    void absoluteFormGetChallengedBySquid_reportedOnceWithTheUser() throws Exception {
        Wire w = throughSquid("/api/tags");
        assertThat(w.tshark).as("what crossed the wire: two tries, the first challenged").hasSize(4);
        assertThat(w.tshark.get(0)).isEqualTo("GET||");
        assertThat(w.tshark.get(1)).isEqualTo("|407|");
        assertThat(w.tshark.get(2)).startsWith("GET||Basic ");
        assertThat(w.tshark.get(3)).isEqualTo("|200|");
        assertThat(w.requests).as("the challenged try is not reported").singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("ollama.lab.example");
            assertThat(o.method()).isEqualTo("GET");
            assertThat(o.urlPath()).isEqualTo("/api/tags");
            assertThat(o.user()).isEqualTo("erin");
        });
    }

    /**
     * With a body, curl sends the whole POST, body and all, both times; the first try's body is not
     * handed over either, so it is classified once, as erin's.
     */
    @Test
    void absoluteFormPostChallengedBySquid_reportedOnceWithTheUserAndOneBody() throws Exception {
        String body = "{\"model\":\"llama3\",\"prompt\":\"" + "summarise the quarterly figures ".repeat(60) + "\"}";
        Wire w = throughSquid("/api/generate", "--data-binary", body, "-H", "Content-Type: application/json");
        assertThat(w.tshark).as("what crossed the wire: two tries, the first challenged").hasSize(4);
        assertThat(w.tshark.get(0)).isEqualTo("POST||");
        assertThat(w.tshark.get(1)).isEqualTo("|407|");
        assertThat(w.tshark.get(2)).startsWith("POST||Basic ");
        assertThat(w.tshark.get(3)).isEqualTo("|200|");
        assertThat(w.requests).as("the challenged try is not reported").singleElement().satisfies(o -> {
            assertThat(o.method()).isEqualTo("POST");
            assertThat(o.urlPath()).isEqualTo("/api/generate");
            assertThat(o.user()).isEqualTo("erin");
        });
        assertThat(w.bodies).as("one body, the authenticated request's").containsExactly("erin " + body);
    }

    /**
     * A chunked POST (curl sends the body in the chunked coding when told to): where its body ends is
     * found by reading the chunks, and the challenged try is dropped with its body as above.
     */
    @Test
    void chunkedPostChallengedBySquid_reportedOnceWithTheUserAndOneBody() throws Exception {
        String body = "{\"model\":\"llama3\",\"prompt\":\"" + "draft the board letter ".repeat(90) + "\"}";
        Wire w = throughSquid("/api/generate", "--data-binary", body, "-H", "Content-Type: application/json",
                "-H", "Transfer-Encoding: chunked");
        assertThat(w.tshark).as("what crossed the wire: two tries, the first challenged").hasSize(4);
        assertThat(w.tshark.get(0)).isEqualTo("POST||");
        assertThat(w.tshark.get(1)).isEqualTo("|407|");
        assertThat(w.tshark.get(2)).startsWith("POST||Basic ");
        assertThat(w.tshark.get(3)).isEqualTo("|200|");
        assertThat(w.chunked).as("tshark: both tries chunked").containsExactly("chunked", "chunked");
        assertThat(w.requests).as("the challenged try is not reported").singleElement().satisfies(o -> {
            assertThat(o.method()).isEqualTo("POST");
            assertThat(o.urlPath()).isEqualTo("/api/generate");
            assertThat(o.user()).isEqualTo("erin");
        });
        assertThat(w.bodies).as("one body, the authenticated request's").containsExactly("erin " + body);
    }

    /** What one curl through Squid put on the wire, as tshark and as Umbra read it. */
    private record Wire(List<String> tshark, List<String> chunked, List<Observation> requests, List<String> bodies) {
    }

    /**
     * Runs curl with {@code --proxy-anyauth} through a Squid that wants Basic credentials to {@code
     * path} on a loopback origin, captured live by Umbra and by tcpdump beside it.
     */
    private Wire throughSquid(String path, String... curlArgs) throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        HostTools.require("tshark", "tshark");
        if (!Files.isExecutable(SQUID)) {
            throw new AssertionError("Squid is not installed at " + SQUID + ": apt-get install -y squid");
        }
        Path dir = Files.createDirectory(tmp.resolve("squid"));
        // Squid drops root privileges to its own user, which must reach this directory and write its logs here
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        origin.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            byte[] answer = "{\"models\":[]}".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        });
        origin.start();
        Process squid = null;
        Process tcpdump = null;
        try {
            int proxyPort = Loopback.freePort();
            Files.writeString(dir.resolve("hosts"), "127.0.0.1 ollama.lab.example\n");
            List<String> conf = new ArrayList<>(List.of("http_port 127.0.0.1:" + proxyPort, "access_log none"));
            conf.addAll(LoopbackSquid.base(dir, "squid"));
            Files.writeString(dir.resolve("squid.conf"), String.join("\n", conf) + "\n");
            squid = new ProcessBuilder(SQUID.toString(), "-N", "-f", dir.resolve("squid.conf").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("squid.out").toFile()).start();
            awaitListening(proxyPort, squid, dir.resolve("squid-cache.log"));

            Path pcap = tmp.resolve("proxy.pcap");
            tcpdump = HostTools.tcpdump("lo", pcap, tmp.resolve("tcpdump.log"), "tcp port " + proxyPort);

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            List<String> bodies = new java.util.concurrent.CopyOnWriteArrayList<>();
            PacketDecoder decoder = new PacketDecoder("lo", seen::add, new AnomalyCounters());
            decoder.onHttpBodies(1 << 16, (request, body, complete, type, encoding) -> bodies.add(
                    request.user() + " " + new String(body, StandardCharsets.UTF_8) + (complete ? "" : " (cut)")));
            AtomicReference<Throwable> failed = new AtomicReference<>();
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withBufferBytes(8 << 20)
                    .withPromiscuous(false).withFilter("tcp port " + proxyPort))) {
                Thread loop = new Thread(() -> {
                    try {
                        capture.run(decoder, 0, Duration.ofSeconds(60));
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                }, "proxy-capture");
                loop.start();
                Thread.sleep(200);
                List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", "/dev/null", "-w",
                        "%{http_code}", "--proxy-anyauth", "-x", "http://127.0.0.1:" + proxyPort, "-U",
                        "erin:SYNTHETIC-erin-pw"));
                curl.addAll(List.of(curlArgs));
                curl.add("http://ollama.lab.example:" + origin.getAddress().getPort() + path);
                HostTools.Result r = HostTools.run(30, curl);
                assertThat(r.out().strip()).as("curl through Squid: %s", r.err()).isEqualTo("200");
                capture.stop(); // the stop reads what the kernel still holds
                loop.join(10_000);
                assertThat(failed.get()).isNull();
            }
            decoder.finish();
            Thread.sleep(300);
            tcpdump.destroy();
            assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.toString() + bodies).doesNotContain("SYNTHETIC-erin-pw");

            HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y",
                    "http.request or http.response", "-T", "fields", "-E", "separator=|", "-e", "http.request.method",
                    "-e", "http.response.code", "-e", "http.proxy_authorization");
            HostTools.Result te = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y",
                    "http.request and http.transfer_encoding", "-T", "fields", "-e", "http.transfer_encoding");
            return new Wire(t.out().lines().filter(l -> !l.isBlank()).toList(),
                    te.out().lines().filter(l -> !l.isBlank()).toList(),
                    seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList(), bodies);
        } finally {
            if (tcpdump != null) {
                tcpdump.destroyForcibly();
            }
            if (squid != null) {
                squid.destroy();
                if (!squid.waitFor(10, TimeUnit.SECONDS)) {
                    squid.destroyForcibly();
                }
            }
            origin.stop(0);
        }
    }

    private static void awaitListening(int port, Process owner, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (java.io.IOException e) {
                if (!owner.isAlive()) {
                    break;
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("Squid is not listening on " + port + "; its log: "
                + (Files.exists(log) ? Files.readString(log) : "(none)"));
    }
}
