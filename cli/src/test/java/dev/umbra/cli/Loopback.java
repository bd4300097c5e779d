package dev.umbra.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Free ports on loopback, and what the tests of {@code umbra run} ask its metrics listener there (/healthz, /metrics). */
final class Loopback {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Loopback() {
    }

    /** A TCP port free on loopback at the time of the call. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** GET {@code path} from the listener on {@code port}. */
    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /**
     * Polls /healthz until it answers 200 (bounded by {@code seconds}).
     *
     * @return the distinct reasons it gave before, in order
     * @throws AssertionError when the daemon exits or is not ready in time
     */
    static Set<String> awaitReady(int port, Process daemon, int seconds) throws InterruptedException {
        Set<String> notReady = new LinkedHashSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new AssertionError("umbra run exited early with " + daemon.exitValue());
            }
            try {
                HttpResponse<String> r = get(port, "/healthz");
                if (r.statusCode() == 200) {
                    return notReady;
                }
                notReady.add(r.body().strip());
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("umbra run not ready after " + seconds + " s: " + notReady);
    }
}
