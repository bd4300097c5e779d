package dev.umbra.sensor.bench;

import dev.umbra.sensor.proxylog.LineSplitter;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Squid access-log lines per second, split, parsed into observations and matched against the
 * built-in catalog, on one thread: native format, and a combined-format log for comparison.
 * 10,000 lines per invocation, a mix of hosts (mostly not AI), methods and users.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ProxyLogBenchmark {
    static final int LINES = 10_000;
    static final String[] HOSTS = {
        "www.google.com", "fonts.gstatic.com", "outlook.office365.com", "teams.microsoft.com", "d1a2b3c4.cloudfront.net",
        "s3.amazonaws.com", "api.github.com", "registry.npmjs.org", "slack.com", "zoom.us", "www.wikipedia.org",
        "ocsp.digicert.com", "chatgpt.com", "api.openai.com", "claude.ai", "api.anthropic.com", "gemini.google.com",
        "copilot.microsoft.com", "huggingface.co", "www.perplexity.ai", "notopenai.com", "news.bbc.co.uk",
    };
    static final String[] USERS = {"alice", "bob", "carol", "-", "dave@example.com"};

    byte[] nativeLog;
    byte[] combinedLog;
    HostMatcher matcher;

    @Setup
    public void setup() {
        matcher = Catalog.builtIn().matcher();
        Random r = new Random(1);
        StringBuilder n = new StringBuilder();
        StringBuilder c = new StringBuilder();
        for (int i = 0; i < LINES; i++) {
            String host = HOSTS[r.nextInt(HOSTS.length)];
            String user = USERS[r.nextInt(USERS.length)];
            String ip = "10.1." + r.nextInt(4) + "." + r.nextInt(250);
            boolean connect = r.nextInt(3) == 0;
            String method = connect ? "CONNECT" : r.nextBoolean() ? "GET" : "POST";
            String url = connect ? host + ":443" : "http://" + host + "/api/v" + r.nextInt(3) + "/items/" + r.nextInt(100000)
                    + "?q=" + r.nextInt();
            n.append(1700000000 + i).append('.').append(String.format("%03d", r.nextInt(1000))).append(' ')
                    .append(String.format("%6d", r.nextInt(20000))).append(' ').append(ip).append(" TCP_MISS/200 ")
                    .append(r.nextInt(100000)).append(' ').append(method).append(' ').append(url).append(' ')
                    .append(user).append(" HIER_DIRECT/93.184.216.").append(r.nextInt(250)).append(" text/html\n");
            c.append(ip).append(" - ").append(user).append(" [14/Nov/2023:22:13:").append(String.format("%02d", i % 60))
                    .append(" +0000] \"").append(method).append(' ').append(url).append(" HTTP/1.1\" 200 ")
                    .append(r.nextInt(100000)).append(" \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" TCP_MISS:HIER_DIRECT\n");
        }
        nativeLog = n.toString().getBytes(StandardCharsets.US_ASCII);
        combinedLog = c.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // CPU time of the benchmark thread: lines per CPU-second is the per-core rate even when other
    // processes share the cores (wall-clock throughput then understates it)
    private final java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    private long cpuStart;
    private long linesDone;

    @Setup(org.openjdk.jmh.annotations.Level.Iteration)
    public void startCpu() {
        cpuStart = cpu.getCurrentThreadCpuTime();
        linesDone = 0;
    }

    @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Iteration)
    public void stopCpu() {
        double seconds = (cpu.getCurrentThreadCpuTime() - cpuStart) / 1e9;
        System.out.printf(" [%,.0f lines per CPU-second]", linesDone / seconds);
    }

    private void run(byte[] log, LogFormat format, Blackhole bh) {
        linesDone += LINES;
        LogStream stream = new LogStream(LogOptions.of(format),
                new LogContext("bench", o -> bh.consume(matcher.match(o.hostname())), new LogStats()));
        LineSplitter splitter = new LineSplitter(stream, LogOptions.DEFAULT_MAX_LINE_LENGTH);
        splitter.feed(log, 0, log.length);
        splitter.finish();
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void squidNativeParseAndMatch(Blackhole bh) {
        run(nativeLog, LogFormat.SQUID, bh);
    }

    @Benchmark
    @OperationsPerInvocation(LINES)
    public void squidCombinedParseAndMatch(Blackhole bh) {
        run(combinedLog, LogFormat.SQUID_COMBINED, bh);
    }
}
