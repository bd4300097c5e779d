package dev.umbra.sensor.bench;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.dns.DnsParser;
import dev.umbra.sensor.tls.ClientHelloParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The decode pipeline per packet on real frames: the frames of the FoxIO ja4 captures of the
 * third-party corpus (browsers talking TLS over TCP, QUIC and DNS), held in memory and fed to a
 * fresh {@link PacketDecoder} per invocation so that every QUIC Initial is decrypted and every flow
 * is new. Two mixes: all of them (handshake-heavy: nearly every packet is a hello, an Initial or a
 * DNS message, the worst case) and the three captures that are mostly data (the common case on a
 * link). {@code pipeline} reports the time for all of
 * them: divide by the frame count printed at setup for the time per packet. The other benchmarks
 * time one parser call each.
 *
 * <p>Corpus location: {@code -Dumbra.corpus=DIR}, else {@code ../shared/corpus} from the working
 * directory (bin/bench runs from the worktree root).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DecodeBenchmark {
    /** Captures whose traffic is mostly data (HTTP/2, SSH, TLS 1.3 transfers) once connections are up. */
    static final List<String> BULK = List.of("pcap__http2-with-cookies.pcapng", "pcap__ssh2.pcapng",
            "pcap__tls3.pcapng");

    /** {@code handshakes}: every ja4 capture (mostly hellos, QUIC Initials, DNS); {@code bulk}: {@link #BULK}. */
    @Param({"handshakes", "bulk"})
    public String mix;

    private int[] linkTypes;
    private long[] times;
    private byte[][] frames;
    private byte[] hello;
    private byte[] dnsAnswer;
    private final ClientHelloParser tls = new ClientHelloParser();
    private DnsParser dns;

    @Setup
    public void load() throws Exception {
        String configured = System.getProperty("umbra.corpus");
        Path corpus = configured != null ? Path.of(configured) : Path.of("../shared/corpus");
        Path dir = corpus.resolve("pcaps/ja4");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("corpus not found at " + dir.toAbsolutePath() + ": pass -Dumbra.corpus=DIR");
        }
        List<int[]> links = new ArrayList<>();
        List<long[]> stamps = new ArrayList<>();
        List<byte[]> bytes = new ArrayList<>();
        AnomalyCounters anomalies = new AnomalyCounters();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (mix.equals("bulk") && !BULK.contains(f.getFileName().toString())) {
                    continue;
                }
                CaptureFileReader.read(f, (link, time, b, off, len, orig) -> {
                    links.add(new int[] {link});
                    stamps.add(new long[] {time});
                    byte[] copy = new byte[len];
                    System.arraycopy(b, off, copy, 0, len);
                    bytes.add(copy);
                }, anomalies);
            }
        }
        frames = bytes.toArray(new byte[0][]);
        linkTypes = new int[frames.length];
        times = new long[frames.length];
        for (int i = 0; i < frames.length; i++) {
            linkTypes[i] = links.get(i)[0];
            times[i] = stamps.get(i)[0];
        }
        System.out.println("DecodeBenchmark: " + mix + ": " + frames.length + " frames from " + dir);
        hello = clientHello("api.anthropic.com", List.of("h2", "http/1.1"), 1216);
        dnsAnswer = dnsResponseWithCname(7, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", "104.18.32.47",
                "104.18.33.47", "2606:4700:4400::6812:202f");
        dns = new DnsParser(new AnomalyCounters());
    }

    /** Every frame of the ja4 captures through a fresh decoder (names, flows, reassembly, QUIC). */
    @Benchmark
    public long pipeline(Blackhole bh) {
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("bench", bh::consume, anomalies);
        for (int i = 0; i < frames.length; i++) {
            byte[] f = frames[i];
            decoder.onPacket(linkTypes[i], times[i], f, 0, f.length, f.length);
        }
        decoder.finish();
        return decoder.packets();
    }

    /** A post-quantum sized ClientHello (about 1.4 KB) parsed, JA4 included. */
    @Benchmark
    public Object clientHelloWithJa4() {
        tls.parseRecord(hello, 0, hello.length);
        return tls.result();
    }

    /** A DNS response with a CNAME and three addresses. */
    @Benchmark
    public Object dnsResponse() {
        return dns.parse(dnsAnswer, 0, dnsAnswer.length);
    }
}
