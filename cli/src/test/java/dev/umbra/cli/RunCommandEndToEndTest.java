package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Netns;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.kafka.TestBroker;
import dev.umbra.shipper.spool.DiskSpool;
import dev.umbra.shipper.spool.SpoolConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code umbra run} end to end, with real parts only: the daemon in its own JVM captures live on the
 * host end of a veth pair into a network namespace the test creates (DNS responder and
 * {@code openssl s_server} inside), tails a Squid access log, and ships to a real KRaft broker.
 * Real {@code dig} and {@code curl} on the host make the traffic, so their processes are attributed.
 * SIGTERM must leave nothing unsent: every finding the daemon made is on the topic.
 */
class RunCommandEndToEndTest {
    /** A synthetic secret (random characters in the shape of an AWS secret key); it must reach no output. */
    private static final String PLANTED_SECRET = "q8Vt3kZr0Lw9YbN2xHc5JmPe7UfA1sDg4RiKoT6n";

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void run_captureTailAndKafka_findingsCarryHostProcessUserServiceVerdictAndBytes() throws Exception {
        HostTools.requireRoot();
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        HostTools.require("python3", "python3");
        Path responder = CliRun.repoRoot().resolve("test-data/captures/dns_responder.py");

        try (TestBroker broker = TestBroker.start(Map.of()); Netns ns = Netns.create()) {
            broker.createTopics("umbra-findings");
            HostTools.selfSignedCertificate(tmp);
            Process dns = ns.start(tmp.resolve("dns.log"), "python3", responder.toString(), "0.0.0.0", "53");
            // no -www, and stdin held open: the server completes the handshake and keeps the client waiting,
            // as a model API streaming its answer does
            Process tls = ns.start(tmp.resolve("tls.log"), "sh", "-c", "sleep 120 | openssl s_server -quiet -accept 443"
                    + " -cert " + tmp.resolve("cert.pem") + " -key " + tmp.resolve("key.pem"));
            ns.awaitTcpListener(53, dns, tmp.resolve("dns.log"));
            ns.awaitTcpListener(443, tls, tmp.resolve("tls.log"));
            Process web = ns.start(tmp.resolve("web.log"), "python3",
                    CliRun.repoRoot().resolve("test-data/captures/http_sink.py").toString(), "0.0.0.0", "8080", "1");
            ns.awaitTcpListener(8080, web, tmp.resolve("web.log"));
            // a prompt with a synthetic cloud key, posted in plaintext to a model API
            Path prompt = tmp.resolve("prompt.json");
            Files.writeString(prompt, "{\"model\":\"claude-3\",\"messages\":[{\"role\":\"user\",\"content\":\"why does"
                    + " this fail? aws_secret_access_key = " + PLANTED_SECRET + "\"}]}");

            Path accessLog = tmp.resolve("access.log");
            Files.writeString(accessLog, "");
            Path policy = tmp.resolve("policy.json");
            Files.writeString(policy, "{\"default\": \"unknown\", \"services\": {\"anthropic-claude\": \"unsanctioned\","
                    + " \"openai-api\": \"sanctioned\"}}");
            int metricsPort = Loopback.freePort();
            Process daemon = DaemonProcess.start(tmp, "-Xmx256m", List.of(
                    "sensor:", "  host_id: e2e-sensor",
                    "capture:", "  interfaces: [" + ns.hostIf + "]", "  buffer_bytes: 8m", "  warmup: 5s",
                    "logs:", "  files: [" + accessLog + "]", "  format: squid", "  state_dir: " + tmp.resolve("offsets"),
                    "  poll_interval: 100ms",
                    "policy:", "  path: " + policy,
                    "output: [\"kafka://" + broker.bootstrap() + "/umbra-findings\"]",
                    "spool:", "  dir: " + tmp.resolve("spool"),
                    "aggregation:", "  window: 1s",
                    "metrics:", "  listen: \"127.0.0.1:" + metricsPort + "\""));
            try {
                // not ready while the decoder warms up (capture.warmup), then ready: what follows is decoded as it arrives
                Set<String> notReady = Loopback.awaitReady(metricsPort, daemon, 30);
                assertThat(notReady).as("reasons /healthz gave before ready").contains(
                        "not ready: capture " + ns.hostIf + ": warming up the decoder");

                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "chatgpt.com", "A");
                HostTools.run(15, "curl", "-sk", "--max-time", "2", "--resolve", "api.openai.com:443:" + ns.nsIp,
                        "https://api.openai.com/v1/models");
                HostTools.check(15, "curl", "-s", "-o", "/dev/null", "--max-time", "5", "--resolve",
                        "api.anthropic.com:8080:" + ns.nsIp, "-H", "Content-Type: application/json", "--data-binary",
                        "@" + prompt, "http://api.anthropic.com:8080/v1/messages");
                Files.writeString(accessLog, (System.currentTimeMillis() / 1000) + ".123    250 10.9.8.7 TCP_MISS/200 48213 "
                        + "POST http://claude.ai/api/append_message alice HIER_DIRECT/1.2.3.4 application/json\n",
                        StandardOpenOption.APPEND);
                Thread.sleep(2500); // one aggregation window and a tick
                // the DNS-only attribution capture beside the main one saw the query (attribution.dns_capture)
                String metrics = Loopback.get(metricsPort, "/metrics").body();
                assertThat(metrics).containsPattern("(?m)^umbra_attribution_dns_capture_frames_total [1-9]")
                        .contains("umbra_attribution_dns_capture_dropped_total 0\n");
            } finally {
                daemon.destroy(); // SIGTERM
                assertThat(daemon.waitFor(60, TimeUnit.SECONDS)).as("daemon stopped after SIGTERM").isTrue();
            }
            String err = Files.readString(tmp.resolve("daemon.err"));
            // a JVM ended by SIGTERM exits 128 + 15 once its shutdown hooks ran (the unit declares it success)
        assertThat(daemon.exitValue()).as(err).isEqualTo(143);
        assertThat(err).contains("umbra: stopped:");
        assertThat(err).containsPattern("decoder warm-up before capturing on " + ns.hostIf + ": \\d+ frames in \\d+ passes");

            List<JsonNode> events = consumeAll(broker);
            long made = Long.parseLong(err.replaceAll("(?s).*stopped: .*?(\\d+) findings.*", "$1"));
            assertThat(events).as("every finding the daemon made reached the topic").hasSize((int) made);
            assertThat(events).allSatisfy(e -> assertThat(e.at("/device/hostname").asText()).isEqualTo("e2e-sensor"));

            JsonNode dnsEvent = find(events, 4003, "chatgpt.com");
            assertThat(dnsEvent.at("/enrichments/0/data/service_id").asText()).isEqualTo("openai-chatgpt");
            assertThat(dnsEvent.at("/enrichments/0/data/verdict").asText()).isEqualTo("unknown");

            JsonNode tlsEvent = find(events, 4001, "api.openai.com");
            assertThat(tlsEvent.at("/enrichments/0/data/service_id").asText()).isEqualTo("openai-api");
            assertThat(tlsEvent.at("/enrichments/0/data/verdict").asText()).isEqualTo("sanctioned");
            assertThat(tlsEvent.at("/actor/process/name").asText()).as(tlsEvent.toString()).isEqualTo("curl");
            assertThat(tlsEvent.at("/actor/user/name").asText()).isEqualTo(System.getProperty("user.name"));

            JsonNode httpEvent = find(events, 4002, "claude.ai");
            assertThat(httpEvent.at("/actor/user/name").asText()).isEqualTo("alice");
            assertThat(httpEvent.at("/enrichments/0/data/verdict").asText()).isEqualTo("unsanctioned");
            assertThat(httpEvent.at("/traffic/bytes_in").asLong() + httpEvent.at("/traffic/bytes_out").asLong())
                    .isPositive();
            assertThat(events).anySatisfy(e -> {
                assertThat(e.get("class_uid").asInt()).isEqualTo(2004);
                assertThat(e.toString()).contains("claude.ai");
            });

            // the plaintext body: a Data Security Finding, masked, attributed to curl; the value nowhere
            JsonNode sensitive = events.stream().filter(e -> e.get("class_uid").asInt() == 2006).findFirst()
                    .orElseThrow(() -> new AssertionError("no Data Security Finding in " + events));
            assertThat(sensitive.at("/evidences/0/dst_endpoint/hostname").asText()).isEqualTo("api.anthropic.com");
            assertThat(sensitive.at("/data_security/detection_pattern").asText()).isEqualTo("aws_secret_access_key");
            assertThat(sensitive.at("/data_security/pattern_match").asText()).isEqualTo("q8****...6n");
            assertThat(sensitive.toString()).contains("curl");
            // seen on the wire: Umbra only watched it go
            assertThat(sensitive.get("action_id").asInt()).isEqualTo(3);
            assertThat(sensitive.get("disposition").asText()).isEqualTo("Detected");
            assertThat(events.toString() + err).doesNotContain(PLANTED_SECRET);

            assertThat(err).doesNotContain("not acknowledged");
            // what the daemon left in its spool: nothing waiting to be sent at the next start
            try (DiskSpool spool = DiskSpool.open(SpoolConfig.defaults(tmp.resolve("spool")), new ShipperCounters())) {
                assertThat(spool.pendingCount()).isZero();
            }
        }
    }

    private static JsonNode find(List<JsonNode> events, int classUid, String host) {
        return events.stream()
                .filter(e -> e.get("class_uid").asInt() == classUid && host.equals(e.at("/dst_endpoint/hostname").asText()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no event of class " + classUid + " for " + host + " in "
                        + events.stream().map(e -> e.get("class_uid") + " " + e.at("/dst_endpoint/hostname")).toList()));
    }

    private static List<JsonNode> consumeAll(TestBroker broker) throws IOException {
        Properties p = broker.clientProps();
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<JsonNode> out = new ArrayList<>();
        try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
            c.subscribe(List.of("umbra-findings"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int emptyPolls = 0;
            while (System.nanoTime() < deadline && (out.isEmpty() || emptyPolls < 3)) {
                var records = c.poll(Duration.ofMillis(500));
                emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
                for (ConsumerRecord<String, String> r : records) {
                    assertThat(r.key()).isEqualTo("e2e-sensor");
                    out.add(JSON.readTree(r.value()));
                }
            }
        }
        return out;
    }
}
