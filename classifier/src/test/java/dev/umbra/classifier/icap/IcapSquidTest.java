package dev.umbra.classifier.icap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Fixtures;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end with real parts on loopback: curl posts a prompt with planted synthetic secrets
 * through Debian's Squid to a local HTTP server; Squid sends each request to Umbra's ICAP
 * service (REQMOD, preview, Allow: 204). Needs {@code apt-get install -y squid curl}.
 */
class IcapSquidTest {
    // synthetic values
    static final String GH = "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";
    static final String CARD = "4111 1111 1111 1111";
    static final String AWS = "AKIAZ7QWERTY2345ABCD";

    @TempDir
    Path dir;

    private HttpServer origin;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private IcapServer monitor;
    private IcapServer blocker;
    private final BlockingQueue<IcapFinding> findings = new LinkedBlockingQueue<>();
    private Process squid;
    private int squidPort;
    private int originPort;

    static Path tool(String name, String pkg) {
        for (String d : List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        fail(name + " is not installed: run 'apt-get install -y " + pkg + "'");
        return null;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @BeforeEach
    void start() throws Exception {
        Path squidBin = tool("squid", "squid");
        tool("curl", "curl");
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.createContext("/", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] ok = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, ok.length);
            ex.getResponseBody().write(ok);
            ex.close();
        });
        origin.start();
        originPort = origin.getAddress().getPort();
        monitor = new IcapServer(IcapConfig.monitor(), Fixtures.classifier(), findings::add);
        blocker = new IcapServer(IcapConfig.blocking(Set.of(DetectionCategory.SECRET)), Fixtures.classifier(), findings::add);
        int monitorPort = monitor.start();
        int blockPort = blocker.start();
        squidPort = freePort();
        // squid drops to its own user: the directory and the auth helper must be open to it
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path helper = dir.resolve("auth.sh");
        Files.writeString(helper, "#!/bin/sh\nwhile read line; do echo OK; done\n");
        Files.setPosixFilePermissions(helper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = dir.resolve("squid.conf");
        Files.writeString(conf, String.join("\n",
                "http_port 127.0.0.1:" + squidPort,
                "pid_filename " + dir.resolve("squid.pid"),
                "cache_log " + dir.resolve("cache.log"),
                "access_log " + dir.resolve("access.log"),
                "coredump_dir " + dir,
                "cache deny all",
                "cache_mem 8 MB",
                "shutdown_lifetime 0 seconds",
                "auth_param basic program " + helper,
                "auth_param basic realm umbra-test",
                "acl authed proxy_auth REQUIRED",
                "http_access allow authed",
                "http_access deny all",
                "icap_enable on",
                "icap_send_client_ip on",
                "icap_send_client_username on",
                "icap_client_username_header X-Authenticated-User",
                "icap_preview_enable on",
                "icap_service umbra_block reqmod_precache icap://127.0.0.1:" + blockPort + "/reqmod bypass=0",
                "icap_service umbra_monitor reqmod_precache icap://127.0.0.1:" + monitorPort + "/reqmod bypass=0",
                "acl blockpath urlpath_regex ^/block",
                "adaptation_access umbra_block allow blockpath",
                "adaptation_access umbra_block deny all",
                "adaptation_access umbra_monitor allow all",
                ""));
        squid = new ProcessBuilder(squidBin.toString(), "-N", "-f", conf.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(dir.resolve("squid.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (Socket s = new Socket("127.0.0.1", squidPort)) {
                break;
            } catch (IOException notYet) {
                if (!squid.isAlive() || System.nanoTime() > deadline) {
                    fail("squid did not start: " + Files.readString(dir.resolve("squid.out"))
                            + (Files.exists(dir.resolve("cache.log")) ? Files.readString(dir.resolve("cache.log")) : ""));
                }
                Thread.sleep(100);
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (squid != null) {
            squid.destroy();
            if (!squid.waitFor(10, TimeUnit.SECONDS)) {
                squid.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
        if (monitor != null) {
            monitor.close();
        }
        if (blocker != null) {
            blocker.close();
        }
        if (origin != null) {
            origin.stop(0);
        }
    }

    private String curl(String path, Path body) throws Exception {
        Process p = new ProcessBuilder("curl", "-s", "-S", "--max-time", "20", "-o", "/dev/null", "-w", "%{http_code}",
                "-x", "http://127.0.0.1:" + squidPort, "--proxy-user", "alice:pw", "-H", "Content-Type: application/json",
                "--data-binary", "@" + body, "http://127.0.0.1:" + originPort + path)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out.trim();
    }

    private Path prompt(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\""
                + content.replace("\n", "\\n") + "\"}]}");
        return p;
    }

    @Test
    void reqmod_monitorMode_findsPlantedSecretsAndLetsRequestThrough() throws Exception {
        String text = "Deploy failed. GITHUB_TOKEN=" + GH + " and aws key " + AWS + ", billing card " + CARD + ".";
        assertThat(curl("/v1/chat/completions", prompt("p1.json", text))).isEqualTo("200");
        IcapFinding f = findings.poll(20, TimeUnit.SECONDS);
        assertThat(f).as("finding from the ICAP service").isNotNull();
        assertThat(f.clientIp()).isEqualTo("127.0.0.1");
        assertThat(f.user()).isEqualTo("alice");
        assertThat(f.method()).isEqualTo("POST");
        assertThat(f.url()).endsWith(":" + originPort + "/v1/chat/completions");
        assertThat(f.api()).isEqualTo("openai");
        assertThat(f.blocked()).isFalse();
        assertThat(f.detections()).extracting(Detection::type)
                .containsExactly("github_token", "aws_access_key_id", "credit_card");
        assertThat(f.toString()).doesNotContain(GH, AWS, CARD);
        assertThat(received).hasSize(1);
        assertThat(received.get(0)).contains("GITHUB_TOKEN");
        assertThat(monitor.counters()).containsKey("icap_no_content_204");
    }

    @Test
    void reqmod_bodyLargerThanPreview_isReadAfterContinue() throws Exception {
        String text = "lorem ipsum dolor sit amet ".repeat(800) + " and finally SSN 536-22-1234.";
        assertThat(curl("/v1/chat/completions", prompt("p2.json", text))).isEqualTo("200");
        IcapFinding f = findings.poll(20, TimeUnit.SECONDS);
        assertThat(f).isNotNull();
        assertThat(f.detections()).extracting(Detection::type).containsExactly("us_ssn");
        assertThat(monitor.counters()).containsKey("icap_preview_continue");
    }

    @Test
    void reqmod_blockMode_secretIsStoppedCleanPromptPasses() throws Exception {
        assertThat(curl("/block/v1/chat/completions", prompt("p3.json", "please use " + GH))).isEqualTo("403");
        IcapFinding f = findings.poll(20, TimeUnit.SECONDS);
        assertThat(f).isNotNull();
        assertThat(f.blocked()).isTrue();
        assertThat(received).isEmpty();
        assertThat(curl("/block/v1/chat/completions", prompt("p4.json", "write a haiku about autumn"))).isEqualTo("200");
        IcapFinding clean = findings.poll(20, TimeUnit.SECONDS);
        assertThat(clean).isNotNull();
        assertThat(clean.blocked()).isFalse();
        assertThat(received).hasSize(1);
    }
}
