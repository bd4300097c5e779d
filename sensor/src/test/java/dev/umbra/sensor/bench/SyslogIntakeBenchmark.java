package dev.umbra.sensor.bench;

import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.syslog.SyslogConfig;
import dev.umbra.sensor.syslog.SyslogLogIntake;
import dev.umbra.sensor.syslog.SyslogServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Syslog messages per second through the TCP listener on loopback: one sender writes batches of
 * 10,000 RFC 3164 messages carrying Squid lines (LF framing, or RFC 6587 octet counting), and each
 * invocation ends only when the listener has parsed every message of its batch into an
 * observation. At tear-down the counts are compared: a lost message fails the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SyslogIntakeBenchmark {
    static final int BATCH = 10_000;

    @Param({"lf", "octet"})
    public String framing;

    SyslogServer server;
    Socket socket;
    OutputStream out;
    byte[] batch;
    final AtomicLong observations = new AtomicLong();
    long sent;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        server = new SyslogServer(SyslogConfig.loopback(-1, 0),
                new SyslogLogIntake(LogOptions.of(LogFormat.SQUID), o -> observations.incrementAndGet(), new LogStats()))
                .start();
        socket = new Socket(InetAddress.getLoopbackAddress(), server.tcpPort());
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            String msg = "<14>Nov 21 02:00:00 proxy1 squid[42]: " + (1700000000 + i) + ".123    12 10.1.2." + (i % 250)
                    + " TCP_MISS/200 " + (1000 + i) + " GET http://" + (i % 3 == 0 ? "api.openai.com" : "www.example.com")
                    + "/v1/x/" + i + " alice HIER_DIRECT/93.184.216.34 text/html";
            if (framing.equals("octet")) {
                sb.append(msg.getBytes(StandardCharsets.US_ASCII).length).append(' ').append(msg);
            } else {
                sb.append(msg).append('\n');
            }
        }
        batch = sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long sendBatchAndAwait() throws IOException {
        out.write(batch);
        out.flush();
        sent += BATCH;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (observations.get() < sent) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("listener did not deliver " + (sent - observations.get()) + " messages");
            }
            LockSupport.parkNanos(20_000);
        }
        return observations.get();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        socket.close();
        long received = server.stats().total().messages();
        server.close();
        if (received != sent || observations.get() != sent) {
            throw new IllegalStateException("lost messages: sent " + sent + ", received " + received + ", parsed "
                    + observations.get());
        }
        System.out.println("syslog intake (" + framing + "): sent " + sent + ", received " + received + ", parsed "
                + observations.get() + ", none lost");
    }
}
