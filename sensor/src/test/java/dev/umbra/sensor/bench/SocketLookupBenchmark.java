package dev.umbra.sensor.bench;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.umbra.sensor.attribution.ProcessAttributor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * What one attribution lookup of a socket costs on a host with many sockets: this JVM holds CONNECTIONS TCP
 * connections on loopback (twice as many sockets, dual-stack, in /proc/net/tcp6), and looks up a socket that is
 * not there, so every lookup goes to the kernel (never to the cache). {@code kernel}: ProcessAttributor.system(),
 * which asks the kernel for the one socket over netlink (sock_diag); {@code tables}: the same over the real
 * /proc, reading the socket tables, whose every line the kernel writes at each read. Linux, enough descriptors
 * (ulimit -n above 2 x CONNECTIONS).
 *
 * <pre>bin/bench sensor SocketLookupBenchmark</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class SocketLookupBenchmark {
    @Param({"100", "4000"})
    int connections;

    @Param({"kernel", "tables"})
    String by;

    private final List<Socket> held = new ArrayList<>();
    private ServerSocket server;
    private ProcessAttributor attributor;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        server = new ServerSocket(0, connections + 16, InetAddress.getLoopbackAddress());
        for (int i = 0; i < connections; i++) {
            held.add(new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            held.add(server.accept());
        }
        attributor = by.equals("kernel") ? ProcessAttributor.system()
                : new ProcessAttributor(Path.of("/proc"), Path.of("/etc/passwd"), Ticker.systemTicker(),
                        Duration.ofHours(1), Duration.ofSeconds(30));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        for (Socket s : held) {
            s.close();
        }
        server.close();
    }

    @Benchmark
    public Object missingSocket() {
        next = next % 1000 + 1;
        return attributor.lookup(ProcessAttributor.Transport.TCP, "127.0.0.1", next, "127.0.0.1", 2);
    }
}
