package dev.umbra.sensor.capture.live;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * A real HTTP server behind a login on loopback, for tests of a request challenged with 401: the JDK's
 * HttpServer with its Basic authenticator (RFC 7617), answering 401 with a challenge to a request without
 * the right credentials and a small JSON body to one with them. It may think before each answer, so that a
 * client is surely still running when its request is read.
 */
public final class BasicAuthServer implements AutoCloseable {
    private final HttpServer server;

    private BasicAuthServer(HttpServer server) {
        this.server = server;
    }

    /**
     * Starts a server on a free loopback port that takes {@code user} with {@code password}.
     *
     * @param thinkMillis how long it waits before each answer, the 401 included
     */
    public static BasicAuthServer start(String user, String password, long thinkMillis) throws IOException {
        BasicAuthenticator basic = new BasicAuthenticator("gateway") {
            @Override
            public boolean checkCredentials(String u, String p) {
                return u.equals(user) && p.equals(password);
            }
        };
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            think(thinkMillis);
            byte[] answer = "{\"data\":[]}".getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, answer.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(answer);
            }
        }).setAuthenticator(new Authenticator() {
            @Override
            public Result authenticate(HttpExchange exchange) {
                think(thinkMillis);
                return basic.authenticate(exchange);
            }
        });
        server.start();
        return new BasicAuthServer(server);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * The HTTP requests and answers tshark reads in a capture, in order: {@code method||}, {@code |code|}, and
     * {@code method||Basic} for a request with Basic credentials (the credentials themselves cut off).
     */
    public static List<String> exchanges(Path pcap) {
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y",
                "http.request or http.response", "-T", "fields", "-E", "separator=|", "-e", "http.request.method",
                "-e", "http.response.code", "-e", "http.authorization");
        return t.out().lines().filter(l -> !l.isBlank()).map(l -> l.replaceAll("\\|Basic .*", "|Basic")).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static void think(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
