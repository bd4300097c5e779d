package dev.umbra.sensor.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.gen.MixedCapture;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DecoderWarmupTest {
    /** How the bundled capture was made: MixedCapture, this many frames, this seed. */
    static final int FRAMES = 2000;
    static final long SEED = 7;

    @TempDir
    Path dir;

    @Test
    void bundled_isTheGeneratorsOutput_byteForByte() throws Exception {
        Path generated = dir.resolve("warmup.pcap");
        MixedCapture.write(generated, FRAMES, SEED);
        byte[] bundled;
        try (InputStream in = DecoderWarmup.class.getResourceAsStream(DecoderWarmup.RESOURCE)) {
            assertThat(in).as("resource %s beside DecoderWarmup", DecoderWarmup.RESOURCE).isNotNull();
            bundled = in.readAllBytes();
        }
        assertThat(bundled).isEqualTo(Files.readAllBytes(generated));
        assertThat(DecoderWarmup.bundled().framesPerPass()).isEqualTo(FRAMES);
    }

    @Test
    void bundled_onePass_runsEveryDecoderWithoutAnomalies() throws Exception {
        Map<ObservationKind, Integer> kinds = new EnumMap<>(ObservationKind.class);
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("t", o -> kinds.merge(o.kind(), 1, Integer::sum), anomalies);
        try (InputStream in = DecoderWarmup.class.getResourceAsStream(DecoderWarmup.RESOURCE)) {
            CaptureFileReader.read(java.nio.channels.Channels.newChannel(in), decoder, anomalies);
        }
        decoder.finish();
        // what the JIT gets to compile: DNS (UDP and TCP), TLS hellos (whole, split, reordered), QUIC Initials, flows
        assertThat(kinds).containsKeys(ObservationKind.DNS_QUERY, ObservationKind.DNS_ANSWER, ObservationKind.TLS_SNI,
                ObservationKind.QUIC_SNI, ObservationKind.FLOW_END);
        assertThat(anomalies.nonZero()).doesNotContainKeys(Anomaly.DECODER_ERROR, Anomaly.QUIC_INITIAL_DECRYPT_FAILED,
                Anomaly.TLS_CLIENT_HELLO_TRUNCATED);
    }

    @Test
    void run_everyPassDoesTheSameWork() {
        DecoderWarmup warmup = DecoderWarmup.bundled();
        DecoderWarmup.Result one = warmup.run(1, Duration.ofNanos(1), () -> false);
        assertThat(one.passes()).isEqualTo(1);
        assertThat(one.frames()).isEqualTo(FRAMES);
        assertThat(one.observations()).isPositive();
        assertThat(one.ending()).isEqualTo(DecoderWarmup.Ending.BUDGET_SPENT);
        assertThat(one.toString()).matches("2000 frames in 1 passes, \\d+ ms, JIT \\d+ ms, time budget spent");

        DecoderWarmup.Result three = warmup.run(3L * FRAMES, Duration.ofMinutes(5), () -> false);
        assertThat(three.passes()).isGreaterThanOrEqualTo(3);
        assertThat(three.frames()).isEqualTo(three.passes() * FRAMES);
        // every pass ends its decoder with finish(): no flow table filling up or buffer kept from the pass before
        assertThat(three.observations()).isEqualTo(three.passes() * one.observations());
        assertThat(three.ending()).as("the JIT goes quiet within 5 minutes: %s", three).isEqualTo(DecoderWarmup.Ending.SETTLED);
        assertThat(three.compileMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void run_leavesNothingBehind_aCaptureDecodesTheSameAfterIt() throws Exception {
        Path capture = dir.resolve("mixed.pcap");
        MixedCapture.write(capture, 5000, 42);
        List<Observation> before = decode(capture);
        DecoderWarmup.bundled().run(3L * FRAMES, Duration.ofSeconds(30), () -> false);
        List<Observation> after = decode(capture);
        assertThat(before).hasSizeGreaterThan(100);
        assertThat(after).isEqualTo(before);
    }

    private static List<Observation> decode(Path capture) throws Exception {
        List<Observation> out = new ArrayList<>();
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("t", out::add, anomalies);
        CaptureFileReader.read(capture, decoder, anomalies);
        decoder.finish();
        return out;
    }

    @Test
    void run_cancelled_stopsAfterThePassItIsIn() {
        AtomicInteger asked = new AtomicInteger();
        DecoderWarmup.Result r = DecoderWarmup.bundled().run(Long.MAX_VALUE, Duration.ofMinutes(5),
                () -> asked.incrementAndGet() >= 2);
        assertThat(r.passes()).isEqualTo(2);
        assertThat(r.ending()).isEqualTo(DecoderWarmup.Ending.STOPPED);
    }

    @Test
    void run_zeroBudget_runsNothing() {
        DecoderWarmup.Result r = DecoderWarmup.bundled().run(1000, Duration.ZERO, () -> false);
        assertThat(r.frames()).isZero();
        assertThat(r.passes()).isZero();
        assertThat(r.ending()).isEqualTo(DecoderWarmup.Ending.OFF);
        assertThat(r).hasToString("off");
    }

    @Test
    void run_hugeBudget_doesNotOverflow() {
        DecoderWarmup.Result r = DecoderWarmup.bundled().run(1, Duration.ofSeconds(Long.MAX_VALUE), () -> true);
        assertThat(r.passes()).isEqualTo(1);
    }

    @Test
    void run_negativeArguments_rejectedNamingTheValue() {
        DecoderWarmup warmup = DecoderWarmup.bundled();
        assertThatThrownBy(() -> warmup.run(-1, Duration.ofSeconds(1), () -> false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minFrames cannot be negative: -1");
        assertThatThrownBy(() -> warmup.run(1, Duration.ofSeconds(-2), () -> false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budget cannot be negative: PT-2S");
        assertThatThrownBy(() -> DecoderWarmup.once(Duration.ofMillis(-1), () -> false))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("budget cannot be negative: PT-0.001S");
    }

    @Test
    void once_secondCall_returnsTheFirstResultWithoutRunningAgain() {
        DecoderWarmup.forget();
        try {
            onceTwice();
        } finally {
            // later tests in this JVM (a live capture) get a whole warm-up of their own
            DecoderWarmup.forget();
        }
    }

    private static void onceTwice() {
        DecoderWarmup.Result off = DecoderWarmup.once(Duration.ZERO, () -> false);
        assertThat(off.passes()).isZero();
        AtomicInteger asked = new AtomicInteger();
        DecoderWarmup.Result first = DecoderWarmup.once(Duration.ofMinutes(1), () -> asked.incrementAndGet() >= 1);
        assertThat(first.passes()).isEqualTo(1);
        DecoderWarmup.Result second = DecoderWarmup.once(Duration.ofMinutes(1), () -> {
            throw new AssertionError("a second warm-up ran");
        });
        assertThat(second).isSameAs(first);
    }

    @Test
    void once_framesUnreadable_logsAndCapturesCold() {
        DecoderWarmup.forget();
        try {
            DecoderWarmup.Result r = DecoderWarmup.once(Duration.ofSeconds(5), () -> false, () -> {
                throw new IllegalStateException("the warm-up capture warmup.pcap is missing from the jar");
            });
            assertThat(r.ending()).isEqualTo(DecoderWarmup.Ending.OFF);
            assertThat(DecoderWarmup.once(Duration.ofSeconds(5), () -> false, () -> {
                throw new AssertionError("tried again");
            })).isSameAs(r);
        } finally {
            DecoderWarmup.forget();
        }
    }

    @Test
    void load_notACapture_isAnIoErrorSayingSo() {
        assertThatThrownBy(() -> DecoderWarmup.load(new ByteArrayInputStream("hello, world".getBytes())))
                .isInstanceOf(IOException.class).hasMessageStartingWith("not a capture: ");
        assertThatThrownBy(() -> DecoderWarmup.load(new ByteArrayInputStream(new byte[24])))
                .isInstanceOf(IOException.class).hasMessageStartingWith("not a capture: ");
        byte[] header = new byte[24];
        java.nio.ByteBuffer.wrap(header).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0xA1B2C3D4).putShort((short) 2)
                .putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        assertThatThrownBy(() -> DecoderWarmup.load(new ByteArrayInputStream(header)))
                .isInstanceOf(IOException.class).hasMessage("the capture has no frames");
    }
}
