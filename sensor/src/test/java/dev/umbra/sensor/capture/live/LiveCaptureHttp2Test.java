package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

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
 * Cleartext HTTP/2 with prior knowledge from real clients to real servers in a network namespace,
 * captured through pcap4j on the host end of the veth: {@code curl --http2-prior-knowledge} to
 * nghttp2's {@code nghttpd --no-tls} as an Ollama would be reached, and a python3-grpcio client to a
 * python3-grpcio server ({@code test-data/captures/grpc_peer.py}) as a Triton would be. The first
 * request of each connection arrives as an http_request with the name the client asked for, the
 * path without its query and the server's port; the credentials the clients sent do not.
 */
class LiveCaptureHttp2Test {
    private static final String TRITON_METHOD = "/inference.GRPCInferenceService/ModelInfer";
    // what the clients send and the sensor must never report: synthetic
    private static final String AUTHORIZATION = "Bearer sk-SYNTHETIC-live-h2c-0000";
    private static final String COOKIE = "session=SYNTHETIC-live-h2c-cookie";
    private static final String QUERY_TOKEN = "SYNTHETIC-live-h2c-query";
    private static final String GRPC_TOKEN = "SYNTHETIC-grpc-token-0000"; // grpc_peer.py's metadata

    @TempDir
    Path tmp;

    @Test
    void run_curlPriorKnowledgeToNghttpdAndGrpcPython_reportsAuthorityPathAndPort() throws Exception {
        HostTools.require("nghttpd", "nghttp2-server");
        HostTools.require("curl", "curl");
        HostTools.require("ss", "iproute2");
        String python = HostTools.requirePythonModule("grpc", "python3-grpcio");
        Path peer = Path.of(System.getProperty("umbra.repo.root", "..")).resolve(
                "test-data/captures/grpc_peer.py").toAbsolutePath().normalize();
        assertThat(peer).exists();
        assertThat(Files.readString(peer)).contains(GRPC_TOKEN);
        Path htdocs = tmp.resolve("htdocs");
        Files.createDirectories(htdocs.resolve("api"));
        Files.writeString(htdocs.resolve("api/chat"), "{\"done\":true}\n");

        try (Netns ns = Netns.create()) {
            Path webLog = tmp.resolve("nghttpd.log");
            Process web = ns.start(webLog, "nghttpd", "--no-tls", "-a", ns.nsIp, "-d", htdocs.toString(), "11434");
            Path grpcLog = tmp.resolve("grpc.log");
            Process grpc = ns.start(grpcLog, python, peer.toString(), "serve", ns.nsIp, "8001");
            ns.awaitTcpListener(11434, web, webLog);
            ns.awaitTcpListener(8001, grpc, grpcLog);

            ConcurrentLinkedQueue<Observation> seen = new ConcurrentLinkedQueue<>();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(ns.hostIf, seen::add, anomalies);
            try (LiveCapture capture = LiveCapture.open(LiveCaptureConfig.of(ns.hostIf))) {
                CaptureLoop loop = CaptureLoop.start(capture, decoder, Duration.ofSeconds(60), "test-capture");

                List<String> curl = List.of("curl", "-sS", "--max-time", "5", "--http2-prior-knowledge",
                        "--noproxy", "*", "-o", "/dev/null", "-w", "%{http_version} %{http_code}",
                        "--resolve", "ollama.lab.example:11434:" + ns.nsIp, "-H", "Authorization: " + AUTHORIZATION,
                        "-H", "Cookie: " + COOKIE, "-H", "Content-Type: application/json",
                        "-d", "{\"model\":\"llama3\",\"messages\":[]}",
                        "http://ollama.lab.example:11434/api/chat?token=" + QUERY_TOKEN);
                HostTools.Result c = HostTools.run(15, curl);
                assertThat(c.exitCode()).as("curl: %s; nghttpd log: %s", c.err(), Netns.readQuietly(webLog)).isZero();
                assertThat(c.out()).as("HTTP version and status curl got").isEqualTo("2 200");

                HostTools.Result g = HostTools.run(30, python, peer.toString(), "call", ns.nsIp + ":8001",
                        "triton.lab.example:8001", TRITON_METHOD);
                assertThat(g.exitCode()).as("gRPC client: %s; server log: %s", g.err(), Netns.readQuietly(grpcLog))
                        .isZero();
                assertThat(Netns.readQuietly(grpcLog)).contains("call " + TRITON_METHOD);

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && seen.stream().filter(
                        o -> o.kind() == ObservationKind.HTTP_REQUEST).count() < 2) {
                    Netns.sleep(50);
                }
                loop.stop();
                assertThat(capture.stats().dropped()).isZero();
            }
            decoder.finish();

            // counted, not listed: checked first, so that a failure does not print the value
            for (String secret : List.of(AUTHORIZATION, COOKIE, QUERY_TOKEN, GRPC_TOKEN, "SYNTHETIC")) {
                assertThat(seen.stream().filter(o -> o.toString().contains(secret)).count())
                        .as("observations that carry a credential the clients sent").isZero();
            }
            List<Observation> requests = seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList();
            // one connection each, and only the first request of a connection is read
            assertThat(requests).hasSize(2).allSatisfy(o -> {
                assertThat(o.method()).isEqualTo("POST");
                assertThat(o.serverIp()).isEqualTo(ns.nsIp);
                assertThat(o.clientIp()).isEqualTo(ns.hostIp);
            });
            assertThat(requests).extracting(Observation::hostname, Observation::urlPath, Observation::serverPort)
                    .containsExactlyInAnyOrder(
                            tuple("ollama.lab.example", "/api/chat", 11434),
                            tuple("triton.lab.example", TRITON_METHOD, 8001));
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).extracting(Observation::hostname)
                    .containsExactlyInAnyOrder("ollama.lab.example", "triton.lab.example");
            assertThat(anomalies.total()).as("anomalies %s", anomalies.nonZero()).isZero();
        }
    }
}
