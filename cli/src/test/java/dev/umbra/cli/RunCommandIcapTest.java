package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umbra run}'s ICAP REQMOD service end to end, with real parts on loopback only: two daemons
 * in their own JVMs (one in monitor mode, one in block mode, started together), a Debian Squid
 * whose two proxy ports send every request (adaptation_access ... allow all) to one of them
 * (REQMOD with preview, {@code bypass=0}), a second Squid without preview in front of the block
 * daemon (so a request out of scope gets its 204 before its body, or, too large for Squid to
 * offer {@code Allow: 204}, is echoed), and {@code http_sink.py} standing in for every upstream:
 * Squid resolves the AI host names and a non-AI one to 127.0.0.1 from its own hosts file. curl
 * posts through Squid with Squid's fake basic authentication, so the requests carry a user.
 * Needs {@code apt-get install -y squid curl python3}.
 */
class RunCommandIcapTest {
    /** A synthetic secret (random characters in the shape of an AWS secret key); it must reach no output. */
    private static final String PLANTED_SECRET = "q8Vt3kZr0Lw9YbN2xHc5JmPe7UfA1sDg4RiKoT6n";
    private static final String AI_HOST = "api.openai.com";
    private static final String OTHER_HOST = "uploads.example.org";
    private static final Path SQUID = Path.of("/usr/sbin/squid");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static Process sink;
    private static Process squid;
    private static Process squidNoPreview;
    private static Daemon monitor;
    private static Daemon block;
    private static int sinkPort;
    private static int monitorProxy;
    private static int blockProxy;
    private static int noPreviewProxy;

    /** One {@code umbra run} child JVM and where it writes. */
    private record Daemon(String name, Process process, int metricsPort, int icapPort, Path findings) {
        Path out() {
            return tmp.resolve(name + ".out");
        }

        Path err() {
            return tmp.resolve(name + ".err");
        }
    }

    @BeforeAll
    static void start() throws Exception {
        if (!Files.isExecutable(SQUID)) {
            throw new AssertionError("Squid is not installed at " + SQUID + ": apt-get install -y squid");
        }
        HostTools.require("curl", "curl");
        HostTools.require("python3", "python3");
        // Squid drops root privileges to its own user, which must write its logs here and read the helper
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path policy = tmp.resolve("policy.json");
        // the AI service is sanctioned: a secret sent to it is still reported, and blocked in block mode
        Files.writeString(policy, "{\"default\": \"unknown\", \"services\": {\"openai-api\": \"sanctioned\"}}");
        Path key = tmp.resolve("hmac.key");
        Files.writeString(key, "5a".repeat(32) + "\n");
        monitor = daemon("monitor", policy, key);
        block = daemon("block", policy, key);
        awaitReady(monitor);
        awaitReady(block);

        sinkPort = Loopback.freePort();
        sink = new ProcessBuilder("python3", CliRun.repoRoot().resolve("test-data/captures/http_sink.py").toString(),
                "127.0.0.1", Integer.toString(sinkPort)).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("sink.out").toFile()).start();
        await(() -> accepts(sinkPort) || !sink.isAlive(), "the HTTP sink to listen");
        assertThat(sink.isAlive()).as("http_sink.py runs: %s", read(tmp.resolve("sink.out"))).isTrue();

        monitorProxy = Loopback.freePort();
        blockProxy = Loopback.freePort();
        noPreviewProxy = Loopback.freePort();
        Files.writeString(tmp.resolve("hosts"), "127.0.0.1 " + AI_HOST + " api.anthropic.com " + OTHER_HOST + "\n");
        squid = squid("squid", true, List.of(
                "http_port 127.0.0.1:" + monitorProxy + " name=monitor",
                "http_port 127.0.0.1:" + blockProxy + " name=block",
                "icap_service umbra_monitor reqmod_precache icap://127.0.0.1:" + monitor.icapPort() + "/reqmod bypass=0",
                "icap_service umbra_block reqmod_precache icap://127.0.0.1:" + block.icapPort() + "/reqmod bypass=0",
                "acl via_block myportname block",
                // every request goes to the service, as organisations configure it: the scope is Umbra's
                "adaptation_access umbra_block allow via_block",
                "adaptation_access umbra_block deny all",
                "adaptation_access umbra_monitor allow all"));
        squidNoPreview = squid("squid-nopreview", false, List.of(
                "http_port 127.0.0.1:" + noPreviewProxy,
                "icap_service umbra_block reqmod_precache icap://127.0.0.1:" + block.icapPort() + "/reqmod bypass=0",
                "adaptation_access umbra_block allow all"));
        await(() -> (accepts(monitorProxy) && accepts(blockProxy) && accepts(noPreviewProxy)) || !squid.isAlive()
                || !squidNoPreview.isAlive(), "Squid to listen");
        assertThat(squid.isAlive()).as("Squid runs; its log: %s", read(tmp.resolve("squid-cache.log"))).isTrue();
        assertThat(squidNoPreview.isAlive()).as("Squid runs; its log: %s", read(tmp.resolve("squid-nopreview-cache.log")))
                .isTrue();
    }

    /** A Squid with its own files under {@code name}, the ICAP client settings, and {@code specific} lines. */
    private static Process squid(String name, boolean preview, List<String> specific) throws IOException {
        List<String> conf = new ArrayList<>(specific);
        conf.addAll(LoopbackSquid.base(tmp, name));
        conf.addAll(List.of(
                "access_log " + tmp.resolve(name + "-access.log"),
                "icap_enable on",
                "icap_send_client_ip on",
                "icap_send_client_username on",
                "icap_client_username_header X-Authenticated-User",
                "icap_client_username_encode on",
                "icap_preview_enable " + (preview ? "on" : "off"),
                ""));
        Path file = tmp.resolve(name + ".conf");
        Files.writeString(file, String.join("\n", conf));
        return new ProcessBuilder(SQUID.toString(), "-N", "-f", file.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve(name + ".out").toFile()).start();
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : new Process[] {squid, squidNoPreview, sink, monitor == null ? null : monitor.process(),
                block == null ? null : block.process()}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    @Test
    void run_icapMonitor_reportsSecretToAiServiceOnlyMaskedAndCounts() throws Exception {
        Path secret = prompt("secret.json", "why does this fail? aws_secret_access_key = " + PLANTED_SECRET);
        // larger than the 4096-byte preview: in scope the rest is asked for (100 Continue), out of scope it is not
        Path large = prompt("large.json", "lorem ipsum dolor sit amet ".repeat(400) + " aws_secret_access_key = "
                + PLANTED_SECRET);
        assertThat(curl(monitorProxy, AI_HOST, secret)).isEqualTo("200 ok");
        assertThat(curl(monitorProxy, OTHER_HOST, secret)).isEqualTo("200 ok");
        assertThat(curl(monitorProxy, OTHER_HOST, large)).isEqualTo("200 ok");
        assertThat(curl(monitorProxy, OTHER_HOST, null)).isEqualTo("200 ok"); // a GET: no body at all

        // the usage event and the Data Security Finding of the AI request, after an aggregation window
        await(() -> metric(monitor, "umbra_findings_total") >= 2, "2 findings from the monitor daemon");
        String metrics = metrics(monitor);
        assertThat(metric(metrics, "umbra_icap_requests_total")).as(metrics).isEqualTo(1);
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_reqmod_requests\"}")).as(metrics).isEqualTo(4);
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_out_of_scope\"}")).as(metrics).isEqualTo(3);
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_no_content_204\"}")).as(metrics).isEqualTo(4);
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_preview_continue\"}")).as(metrics).isZero();
        List<JsonNode> events = stopAndRead(monitor);

        JsonNode usage = events.stream().filter(e -> e.get("class_uid").asInt() == 4002).findFirst()
                .orElseThrow(() -> new AssertionError("no HTTP activity in " + events));
        assertThat(usage.at("/dst_endpoint/hostname").asText()).isEqualTo(AI_HOST);
        assertThat(usage.at("/actor/user/name").asText()).isEqualTo("alice");
        assertThat(usage.at("/enrichments/0/data/service_id").asText()).isEqualTo("openai-api");
        assertThat(usage.at("/enrichments/0/data/verdict").asText()).isEqualTo("sanctioned");
        JsonNode sensitive = events.stream().filter(e -> e.get("class_uid").asInt() == 2006).findFirst()
                .orElseThrow(() -> new AssertionError("no Data Security Finding in " + events));
        assertThat(sensitive.at("/evidences/0/dst_endpoint/hostname").asText()).isEqualTo(AI_HOST);
        assertThat(sensitive.at("/data_security/detection_pattern").asText()).isEqualTo("aws_secret_access_key");
        assertThat(sensitive.at("/data_security/pattern_match").asText()).isEqualTo("q8****...6n");
        assertThat(sensitive.toString()).contains("alice");
        // a monitoring service only watched: the request went on
        assertThat(sensitive.get("action").asText() + " " + sensitive.get("disposition").asText())
                .isEqualTo("Observed Detected");
        // the non-AI host carried the same secret: not classified, not reported
        assertThat(events.toString()).doesNotContain(OTHER_HOST);
        assertThat(events).allSatisfy(e -> assertThat(e.toString()).contains(AI_HOST));
        assertNoRawSecret(monitor);
    }

    @Test
    void run_icapBlock_blocksSecretToAiServiceOnlyWithAndWithoutPreview() throws Exception {
        Path secret = prompt("block-secret.json", "deploy with aws_secret_access_key = " + PLANTED_SECRET);
        Path large = prompt("block-large.json", "lorem ipsum dolor sit amet ".repeat(400) + " aws_secret_access_key = "
                + PLANTED_SECRET);
        // 1 MiB: more than Squid buffers to offer Allow: 204, so without preview it must be echoed
        Path huge = prompt("block-huge.json", "lorem ipsum dolor sit amet ".repeat(40_000) + " aws_secret_access_key = "
                + PLANTED_SECRET);
        Path clean = prompt("block-clean.json", "write a haiku about autumn");
        // personal data, but only secrets block (icap.block_on): reported, let through
        Path pii = prompt("block-pii.json", "send the quarterly report to jane.doe@example.org please");
        for (int proxy : new int[] {blockProxy, noPreviewProxy}) {
            String via = proxy == blockProxy ? "with preview" : "without preview";
            assertThat(curl(proxy, AI_HOST, secret)).as(via).startsWith("403 ").contains("Blocked by policy");
            assertThat(curl(proxy, AI_HOST, large)).as(via).startsWith("403 ");
            assertThat(curl(proxy, AI_HOST, clean)).as(via).isEqualTo("200 ok");
            assertThat(curl(proxy, AI_HOST, pii)).as(via).isEqualTo("200 ok");
            // the same secret to a host that is no AI service: not Umbra's decision, it passes
            assertThat(curl(proxy, OTHER_HOST, secret)).as(via).isEqualTo("200 ok");
            assertThat(curl(proxy, OTHER_HOST, huge)).as(via).isEqualTo("200 ok");
        }

        String metrics = metrics(block);
        assertThat(metric(metrics, "umbra_icap_requests_total")).as(metrics).isEqualTo(8);
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_blocked\"}")).as(metrics).isEqualTo(4);
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_out_of_scope\"}")).as(metrics).isEqualTo(4);
        // the huge body without preview; every other out-of-scope request got a 204
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_echo_200\"}")).as(metrics).isEqualTo(1);
        // the large body to the AI service with preview (its rest is needed to classify it)
        assertThat(metric(metrics, "umbra_icap_total{counter=\"icap_preview_continue\"}")).as(metrics).isEqualTo(1);
        await(() -> metric(block, "umbra_findings_total") >= 6, "findings from the block daemon");
        List<JsonNode> events = stopAndRead(block);
        // what became of each request with sensitive data: the SOC tells a stopped upload from one that went
        List<String> outcomes = events.stream().filter(e -> e.get("class_uid").asInt() == 2006)
                .map(e -> e.at("/data_security/detection_pattern").asText() + " " + e.get("action_id") + " "
                        + e.get("action").asText() + " " + e.get("disposition_id") + " " + e.get("disposition").asText())
                .toList();
        assertThat(outcomes).containsExactlyInAnyOrder("aws_secret_access_key 2 Denied 2 Blocked",
                "aws_secret_access_key 2 Denied 2 Blocked", "aws_secret_access_key 2 Denied 2 Blocked",
                "aws_secret_access_key 2 Denied 2 Blocked", "email 1 Allowed 1 Allowed", "email 1 Allowed 1 Allowed");
        assertThat(events.toString()).doesNotContain(OTHER_HOST);
        assertNoRawSecret(block);
    }

    private static Daemon daemon(String name, Path policy, Path key) throws IOException {
        int metricsPort = Loopback.freePort();
        int icapPort = Loopback.freePort();
        Path findings = tmp.resolve(name + "-findings.jsonl");
        Path config = tmp.resolve(name + ".yaml");
        Files.writeString(config, String.join("\n",
                "sensor:", "  host_id: icap-" + name,
                "icap:", "  listen: \"127.0.0.1:" + icapPort + "\"", "  mode: " + name, "  block_on: [secret]",
                "classifier:", "  hmac_key_file: " + key,
                "policy:", "  path: " + policy,
                "output: [\"file:" + findings + "\"]",
                "aggregation:", "  window: 1s",
                "metrics:", "  listen: \"127.0.0.1:" + metricsPort + "\"", ""));
        List<String> command = new ArrayList<>(HostTools.javaCommand("-Xmx256m"));
        command.addAll(List.of(Main.class.getName(), "run", "--config", config.toString()));
        Process p = new ProcessBuilder(command).redirectOutput(tmp.resolve(name + ".out").toFile())
                .redirectError(tmp.resolve(name + ".err").toFile()).start();
        return new Daemon(name, p, metricsPort, icapPort, findings);
    }

    /** SIGTERM (the aggregator flushes, the file output closes), then the findings it wrote. */
    private static List<JsonNode> stopAndRead(Daemon d) throws Exception {
        d.process().destroy();
        assertThat(d.process().waitFor(30, TimeUnit.SECONDS)).as("%s daemon stopped after SIGTERM", d.name()).isTrue();
        String err = read(d.err());
        assertThat(d.process().exitValue()).as(err).isEqualTo(143);
        assertThat(err).contains("umbra: stopped:");
        List<JsonNode> events = new ArrayList<>();
        for (String line : Files.readAllLines(d.findings())) {
            events.add(JSON.readTree(line));
        }
        assertThat(events).allSatisfy(e -> assertThat(e.at("/device/hostname").asText()).isEqualTo("icap-" + d.name()));
        return events;
    }

    private static void assertNoRawSecret(Daemon d) throws IOException {
        for (Path p : List.of(d.findings(), d.out(), d.err())) {
            assertThat(read(p)).as("%s holds no raw secret", p.getFileName()).doesNotContain(PLANTED_SECRET);
        }
    }

    /** POSTs {@code body} (a GET when null) through Squid to the sink under {@code host}; "STATUS BODY". */
    private static String curl(int proxy, String host, Path body) throws Exception {
        Path out = tmp.resolve("curl-" + System.nanoTime() + ".out");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "--max-time", "20", "-o", out.toString(),
                "-w", "%{http_code}", "-x", "http://alice:pw@127.0.0.1:" + proxy));
        if (body != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@" + body));
        }
        cmd.add("http://" + host + ":" + sinkPort + (body == null ? "/v1/models" : "/v1/chat/completions"));
        HostTools.Result r = HostTools.run(30, cmd);
        assertThat(r.exitCode()).as("curl: %s; Squid: %s%s", r.err(), read(tmp.resolve("squid-cache.log")),
                read(tmp.resolve("squid-nopreview-cache.log"))).isZero();
        return r.out().trim() + " " + read(out).trim();
    }

    private static Path prompt(String name, String content) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}");
        return p;
    }

    private static void awaitReady(Daemon d) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!d.process().isAlive()) {
                throw new AssertionError("umbra run (" + d.name() + ") exited early with " + d.process().exitValue()
                        + ": " + read(d.err()));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + d.metricsPort()
                        + "/healthz")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && accepts(d.icapPort())) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("umbra run (" + d.name() + ") not ready after 60 s: " + read(d.err()));
    }

    private static String metrics(Daemon d) throws Exception {
        HttpResponse<String> r = Loopback.get(d.metricsPort(), "/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    private static long metric(Daemon d, String sample) {
        try {
            return metric(metrics(d), sample);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The value of one sample of the exposition; 0 when absent. */
    private static long metric(String exposition, String sample) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\d+)$").matcher(exposition);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path p) {
        try {
            return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
