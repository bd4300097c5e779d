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
 * captured through pcap4j on the host end of the veth: {@code curl --http2-prior-knowledge} and
 * {@code nghttp} (two POSTs on one connection) to nghttp2's {@code nghttpd --no-tls} as an Ollama
 * would be reached, and python3-grpcio clients (one call; three calls on one channel, the last
 * gzip-compressed) to a python3-grpcio server ({@code test-data/captures/grpc_peer.py}) as a Triton
 * would be. Every request arrives as an http_request with the name the client asked for, the path
 * without its query and the server's port, and every body reaches the body listener whole; the
 * credentials the clients sent do not reach any observation.
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
        HostTools.require("nghttp", "nghttp2-client");
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
        Files.writeString(htdocs.resolve("api/generate"), "{\"done\":true}\n");
        // what nghttp posts twice: 30 KB, two DATA frames and more, ending in a synthetic address
        Path post = tmp.resolve("post.json");
        Files.writeString(post, "{\"model\":\"llama3\",\"prompt\":\"" + "Notes of the day. ".repeat(1700)
                + "Write to pat.doe@example.com\"}");

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
            // the bodies: path, size, complete, encoding, and whether the synthetic value is in it (not the bytes)
            ConcurrentLinkedQueue<String> bodies = new ConcurrentLinkedQueue<>();
            decoder.onHttpBodies(PacketDecoder.DEFAULT_MAX_BODY_BYTES, (request, body, complete, type, encoding) -> {
                String text = new String(body, java.nio.charset.StandardCharsets.ISO_8859_1);
                // a compressed message's size depends on the zlib the client has: not compared
                bodies.add(request.urlPath() + " " + ("gzip".equals(encoding) ? "-" : body.length) + " " + complete
                        + " " + encoding + " "
                        + (text.contains("pat.doe@example.com") || text.contains("412-58-3306")));
            });
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

                // several requests on one connection
                HostTools.Result n = HostTools.run(15, "nghttp", "-n", "-d", post.toString(),
                        "-H", ":authority: ollama.lab.example:11434", "-H", "content-type: application/json",
                        "-H", "authorization: " + AUTHORIZATION, "http://" + ns.nsIp + ":11434/api/generate",
                        "http://" + ns.nsIp + ":11434/api/chat");
                assertThat(n.exitCode()).as("nghttp: %s; nghttpd log: %s", n.err(), Netns.readQuietly(webLog)).isZero();
                HostTools.Result g3 = HostTools.run(30, python, peer.toString(), "calls", ns.nsIp + ":8001",
                        "triton.lab.example:8001");
                assertThat(g3.exitCode()).as("gRPC channel: %s; server log: %s", g3.err(), Netns.readQuietly(grpcLog))
                        .isZero();

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (System.nanoTime() < deadline && seen.stream().filter(
                        o -> o.kind() == ObservationKind.HTTP_REQUEST).count() < 7) {
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
            // four connections: curl, one gRPC call, nghttp's two requests, the gRPC channel's three calls
            assertThat(requests).hasSize(7).allSatisfy(o -> {
                assertThat(o.method()).isEqualTo("POST");
                assertThat(o.serverIp()).isEqualTo(ns.nsIp);
                assertThat(o.clientIp()).isEqualTo(ns.hostIp);
            });
            assertThat(requests).extracting(Observation::hostname, Observation::urlPath, Observation::serverPort)
                    .containsExactlyInAnyOrder(
                            tuple("ollama.lab.example", "/api/chat", 11434),
                            tuple("triton.lab.example", TRITON_METHOD, 8001),
                            tuple("ollama.lab.example", "/api/generate", 11434),
                            tuple("ollama.lab.example", "/api/chat", 11434),
                            tuple("triton.lab.example", TRITON_METHOD, 8001),
                            tuple("triton.lab.example", "/inference.GRPCInferenceService/ModelMetadata", 8001),
                            tuple("triton.lab.example", TRITON_METHOD, 8001));
            int postSize = (int) Files.size(post);
            assertThat(bodies).containsExactlyInAnyOrder(
                    "/api/chat 32 true null false",
                    "/inference.GRPCInferenceService/ModelInfer 15 true null false",
                    "/api/generate " + postSize + " true null true",
                    "/api/chat " + postSize + " true null true",
                    "/inference.GRPCInferenceService/ModelInfer 88 true null true",
                    "/inference.GRPCInferenceService/ModelMetadata 18 true null false",
                    "/inference.GRPCInferenceService/ModelInfer - true gzip false");
            assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).extracting(Observation::hostname)
                    .containsExactlyInAnyOrder("ollama.lab.example", "triton.lab.example", "ollama.lab.example",
                            "triton.lab.example");
            assertThat(anomalies.total()).as("anomalies %s", anomalies.nonZero()).isZero();
        }
    }
}
