package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain-HTTP request to a server behind a login, on the wire: real curl with {@code --anyauth} first sends
 * it without credentials, a real HTTP server (the JDK's, with its Basic authenticator) answers 401 with a
 * challenge, and curl sends it again with the user. The live capture (real libpcap on loopback) read by a
 * decoder that holds requests until answered, as a tap's and an audit's do, reports the request once, with
 * the user, and its body once; tcpdump beside it records both tries and tshark reads the 401 between them. A
 * client without credentials is refused and still reported, once, without a user. A decoder not asked to
 * hold them (the library's default) reports both tries; a host's daemon holds them and attributes each to its
 * process as it is held (HostDaemonChallengeLiveTest in the cli module).
 */
class LiveCaptureOriginChallengeTest {
    private static final String PASSWORD = "SYNTHETIC-frank-pw";

    @TempDir
    Path tmp;

    @Test
    void getChallenged401ThenSentAgain_reportedOnceWithTheUser() throws Exception {
        Wire w = curl("/v1/models", "-u", "frank:" + PASSWORD);
        assertThat(w.tshark).as("what crossed the wire: two tries, the first challenged")
                .containsExactly("GET||", "|401|", "GET||Basic", "|200|");
        assertThat(w.requests).as("the challenged try is not reported").singleElement().satisfies(o -> {
            assertThat(o.hostname()).isEqualTo("api.openai.com");
            assertThat(o.urlPath()).isEqualTo("/v1/models");
            assertThat(o.user()).isEqualTo("frank");
        });
        assertThat(w.hostRequests).as("a decoder not asked to hold them: both tries").extracting(Observation::user)
                .containsExactly(null, "frank");
    }

    @Test
    void postChallenged401ThenSentAgain_reportedOnceWithTheUserAndOneBody() throws Exception {
        String body = "{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"summarise the plan\"}]}";
        Wire w = curl("/v1/chat/completions", "-u", "frank:" + PASSWORD, "--data-binary", body, "-H",
                "Content-Type: application/json");
        assertThat(w.tshark).containsExactly("POST||", "|401|", "POST||Basic", "|200|");
        assertThat(w.requests).singleElement().satisfies(o -> {
            assertThat(o.method()).isEqualTo("POST");
            assertThat(o.user()).isEqualTo("frank");
        });
        assertThat(w.bodies).as("one body, the authenticated request's").containsExactly("frank " + body);
    }

    @Test
    void refusedWithoutCredentials_reportedOnceWithoutAUser() throws Exception {
        Wire w = curl("/v1/models");
        assertThat(w.tshark).containsExactly("GET||", "|401|");
        assertThat(w.requests).singleElement().satisfies(o -> assertThat(o.user()).isNull());
    }

    /** What one curl put on the wire, as tshark and as Umbra read it. */
    private record Wire(List<String> tshark, List<Observation> requests, List<String> bodies,
            List<Observation> hostRequests) {
    }

    /**
     * Runs curl with {@code --anyauth} against a loopback server that wants Basic credentials for
     * api.openai.com's {@code path}, captured live by Umbra and by tcpdump beside it.
     */
    private Wire curl(String path, String... curlArgs) throws Exception {
        HostTools.requireRoot();
        HostTools.require("curl", "curl");
        HostTools.require("tshark", "tshark");
        try (BasicAuthServer server = BasicAuthServer.start("frank", PASSWORD, 0)) {
            return curl(server.port(), path, curlArgs);
        }
    }

    private Wire curl(int port, String path, String... curlArgs) throws Exception {
        Process tcpdump = null;
        try {
            Path pcap = tmp.resolve("origin.pcap");
            tcpdump = HostTools.tcpdump("lo", pcap, tmp.resolve("tcpdump.log"), "tcp port " + port);
            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            List<String> bodies = new CopyOnWriteArrayList<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder("lo", seen::add, anomalies);
            decoder.holdRequestsUntilAnswered();
            ConcurrentLinkedQueue<Observation> host = new ConcurrentLinkedQueue<>();
            PacketDecoder hostDecoder = new PacketDecoder("lo", host::add, new AnomalyCounters());
            decoder.onHttpBodies(1 << 16, (request, b, complete, type, encoding) -> bodies.add(
                    request.user() + " " + new String(b, StandardCharsets.UTF_8) + (complete ? "" : " (cut)")));
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of("lo").withBufferBytes(8 << 20)
                    .withPromiscuous(false).withFilter("tcp port " + port))) {
                CaptureLoop loop = CaptureLoop.start(capture, (linkType, time, buf, off, captured, original) -> {
                    decoder.onPacket(linkType, time, buf, off, captured, original);
                    hostDecoder.onPacket(linkType, time, buf, off, captured, original);
                }, Duration.ofSeconds(60), "origin-capture");
                Thread.sleep(200);
                List<String> curl = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10", "-o", "/dev/null",
                        "--anyauth", "--resolve", "api.openai.com:" + port + ":127.0.0.1"));
                curl.addAll(List.of(curlArgs));
                curl.add("http://api.openai.com:" + port + path);
                HostTools.Result r = HostTools.run(30, curl);
                assertThat(r.exitCode()).as("curl: %s", r.err()).isZero();
                Thread.sleep(200);
                loop.stop();
            }
            decoder.finish();
            hostDecoder.finish();
            tcpdump.destroy();
            assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(seen.toString() + bodies).doesNotContain(PASSWORD);
            assertThat(anomalies.nonZero()).isEmpty();
            return new Wire(BasicAuthServer.exchanges(pcap), seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList(), bodies,
                    host.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList());
        } finally {
            if (tcpdump != null) {
                tcpdump.destroyForcibly();
            }
        }
    }
}
