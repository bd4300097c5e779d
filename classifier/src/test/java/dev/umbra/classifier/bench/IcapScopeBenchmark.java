package dev.umbra.classifier.bench;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.icap.IcapConfig;
import dev.umbra.classifier.icap.IcapScope;
import dev.umbra.classifier.icap.IcapServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the ICAP service's scope saves on the requests a proxy sends that are not for an AI
 * service: the same REQMOD (a POST of a JSON document that holds no sensitive data, made of the
 * GPL-3 text in /usr/share/common-licenses, as Squid sends it: {@code Preview: 4096},
 * {@code Allow: 204}) over one kept-alive loopback connection to a running {@link IcapServer},
 * once in scope (preview, 100 Continue, the rest of the body, classification, 204) and once out
 * of scope (preview, 204). Reports requests per second, client and server together.
 *
 * <pre>bin/bench classifier IcapScopeBenchmark -f 1 -wi 3 -i 5</pre>
 *
 * The {@link #main} method is the load-robust cross-check: process CPU time (client and server)
 * per request, best round of several, for the same requests.
 *
 * <pre>java -cp "$(cat cp.txt)" dev.umbra.classifier.bench.IcapScopeBenchmark [ms of CPU per round, default 300]</pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class IcapScopeBenchmark {
    /** A server with the scope under test and a client connection to it. */
    @State(Scope.Thread)
    public static class Service {
        @Param({"in", "out"})
        String scope;
        @Param({"16384", "262144"})
        int bodyBytes;
        Client client;
        IcapServer server;

        @Setup(Level.Trial)
        public void start() throws Exception {
            server = server(scope.equals("in"));
            client = new Client(server.start(), bodyBytes);
        }

        @TearDown(Level.Trial)
        public void stop() throws IOException {
            client.close();
            server.close();
        }
    }

    @Benchmark
    public int reqmod(Service s) throws IOException {
        return s.client.reqmod();
    }

    static IcapServer server(boolean inScope) {
        Classifier classifier = Classifier.create(ClassifierConfig.defaults());
        IcapScope scope = inScope ? IcapScope.ALL : (host, clientIp, user) -> false;
        return new IcapServer(IcapConfig.monitor(), classifier, scope, f -> { });
    }

    /** An ICAP client that sends one request at a time, as a Squid connection does. */
    static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final byte[] head;
        private final byte[] preview;
        private final byte[] rest;
        private final byte[] buf = new byte[8192];

        Client(int port, int bodyBytes) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
            byte[] body = body(bodyBytes);
            String http = "POST http://docs.example.org/api/documents HTTP/1.1\r\nHost: docs.example.org\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
            head = ("REQMOD icap://127.0.0.1:1344/reqmod ICAP/1.0\r\nHost: 127.0.0.1\r\nX-Client-IP: 10.0.0.7\r\n"
                    + "Allow: 204\r\nPreview: 4096\r\nEncapsulated: req-hdr=0, req-body=" + http.length() + "\r\n\r\n" + http)
                    .getBytes(StandardCharsets.ISO_8859_1);
            int p = Math.min(4096, body.length);
            preview = chunked(body, 0, p, p == body.length ? "0; ieof\r\n\r\n" : "0\r\n\r\n");
            rest = chunked(body, p, body.length, "0\r\n\r\n");
        }

        private static byte[] body(int size) throws IOException {
            String text = Files.readString(Path.of("/usr/share/common-licenses/GPL-3"), StandardCharsets.UTF_8)
                    .replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
            StringBuilder sb = new StringBuilder("{\"title\":\"licence\",\"text\":\"");
            while (sb.length() < size - 2) {
                sb.append(text, 0, Math.min(text.length(), size - 2 - sb.length()));
            }
            return sb.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
        }

        private static byte[] chunked(byte[] b, int from, int to, String end) {
            StringBuilder sb = new StringBuilder();
            if (to > from) {
                sb.append(Integer.toHexString(to - from)).append("\r\n")
                        .append(new String(b, from, to - from, StandardCharsets.ISO_8859_1)).append("\r\n");
            }
            return sb.append(end).toString().getBytes(StandardCharsets.ISO_8859_1);
        }

        /** One request; returns the final ICAP status. */
        int reqmod() throws IOException {
            out.write(head);
            out.write(preview);
            out.flush();
            int status = readResponse();
            if (status == 100) {
                out.write(rest);
                out.flush();
                status = readResponse();
            }
            if (status != 204) {
                throw new IOException("unexpected ICAP status " + status);
            }
            return status;
        }

        /** Reads one header-only response (100 or 204) up to its blank line; returns its status. */
        private int readResponse() throws IOException {
            int n = 0;
            while (n < 4 || buf[n - 4] != '\r' || buf[n - 3] != '\n' || buf[n - 2] != '\r' || buf[n - 1] != '\n') {
                int b = in.read();
                if (b < 0 || n == buf.length) {
                    throw new IOException("ICAP response ended early");
                }
                buf[n++] = (byte) b;
            }
            return Integer.parseInt(new String(buf, 9, 3, StandardCharsets.US_ASCII));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /**
     * Process CPU time per request (client and server), in scope and out of scope: rounds of at
     * least {@code args[0]} ms of CPU (default 300), best of 10 after 5 of warm-up.
     */
    public static void main(String[] args) throws Exception {
        long roundNanos = TimeUnit.MILLISECONDS.toNanos(args.length > 0 ? Long.parseLong(args[0]) : 300);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int size : new int[] {16384, 262144}) {
            for (boolean inScope : new boolean[] {true, false}) {
                try (IcapServer server = server(inScope); Client client = new Client(server.start(), size)) {
                    double best = Double.MAX_VALUE;
                    for (int round = 0; round < 15; round++) {
                        long t0 = os.getProcessCpuTime();
                        long cpu;
                        int n = 0;
                        do {
                            for (int i = 0; i < 10; i++) {
                                client.reqmod();
                            }
                            n += 10;
                            cpu = os.getProcessCpuTime() - t0;
                        } while (cpu < roundNanos);
                        if (round >= 5) {
                            best = Math.min(best, cpu / 1e3 / n);
                        }
                    }
                    System.out.printf(Locale.ROOT, "body %7d bytes  %-12s %9.1f us CPU per request (%.0f requests per CPU-second)%n",
                            size, inScope ? "in scope" : "out of scope", best, 1e6 / best);
                }
            }
        }
    }
}
