package dev.umbra.sensor.quic;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.quic.QuicTestPackets.crypto;
import static dev.umbra.sensor.quic.QuicTestPackets.frames;
import static dev.umbra.sensor.quic.QuicTestPackets.initial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.fuzz.Mutator;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random and mutated QUIC input: 1,000,000 decrypted Initial payloads into the frame parser
 * and CRYPTO reassembly, and 1,000,000 whole protected datagrams (v1 and v2, split and whole hellos,
 * tokens, coalesced packets; 5 % wholly random bytes). Most mutated datagrams fail a header check
 * before any cryptography; the others cost an AES-GCM attempt with keys derived once per DCID.
 * Nothing may throw, the connection table never exceeds its cap, no hello is reported twice; the
 * timeout only guards against a loop without a cap.
 */
class QuicFuzzTest {
    private static final byte[] DCID = hex("8394c8f03e515708");
    private static final int RUNS = Mutator.RUNS;

    @Test
    @Timeout(120)
    void decryptedPayload_millionMutatedFrameSequences_neverThrow() {
        AnomalyCounters anomalies = new AnomalyCounters();
        int[] hellos = new int[1];
        QuicInitialDecoder d = new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> hellos[0]++, 256, 4096,
                QuicInitialDecoder.DEFAULT_IDLE_NANOS);
        byte[] ch = Arrays.copyOfRange(clientHello("fuzz.example", List.of("h3"), 600), 5, 700);
        byte[] seed = frames(1200, hex("0200000000"), crypto(ch, 300, ch.length - 300), hex("01"), crypto(ch, 0, 300));
        Mutator m = Mutator.forTest(9, seed.length + 64);
        for (int i = 0; i < RUNS; i++) {
            int len = m.mutate(seed);
            FlowKey key = new FlowKey(FlowKey.V4_MARK, i & 1023, FlowKey.V4_MARK, 1, 1, 443, 17);
            d.decryptedPayload(key, i, (i & 1) == 0 ? QuicVersion.V1 : QuicVersion.T051, m.buffer(), len);
        }
        d.flush();
        assertThat(d.connections()).isZero();
        assertThat(hellos[0]).isPositive();
    }

    @Test
    @Timeout(120)
    void onDatagram_millionMutatedProtectedDatagrams_neverThrowNorExceedCaps() throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        int maxConnections = 64;
        // each client sends seeds.length datagrams in a row (a "visit"); a connection reports its
        // hello once, so a second report within one visit means a hello was read twice
        Map<FlowKey, Long> reportedInVisit = new HashMap<>();
        long[] visit = new long[1];
        int[] hellos = new int[2];
        QuicInitialDecoder d = new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> {
            hellos[0]++;
            Long previous = reportedInVisit.put(c, visit[0]);
            if (previous != null && previous == visit[0]) {
                hellos[1]++;
            }
        }, maxConnections, 4096, QuicInitialDecoder.DEFAULT_IDLE_NANOS);
        byte[] ch = Arrays.copyOfRange(clientHello("fuzz.example", List.of("h3"), 1200), 5, 1000);
        byte[] whole = Arrays.copyOfRange(clientHello("whole.example", List.of("h3"), 300), 5, 400);
        byte[] dcid2 = hex("0011223344556677");
        byte[][] seeds = {
            // the first 900 bytes of a hello: the connection stays open for the rest
            initial(1, DCID, DCID, new byte[0], new byte[0], 0, frames(1162, crypto(ch, 0, 900))),
            // the rest, out of order, then a whole hello: reassembly and report
            initial(1, DCID, DCID, new byte[0], new byte[0], 1, frames(1162, crypto(ch, 900, ch.length - 900))),
            initial(1, dcid2, dcid2, hex("01"), new byte[0], 0, frames(1162, hex("0200000000"), crypto(whole, 0,
                    whole.length))),
            // QUIC v2 (RFC 9369), with a token, and an Initial coalesced with a trailing Handshake packet
            initial(0x6b3343cf, DCID, DCID, new byte[0], hex("aabbccdd"), 2,
                    frames(1100, crypto(whole, 0, whole.length))),
            concat(initial(1, DCID, DCID, new byte[0], new byte[0], 3, frames(1000, crypto(ch, 0, 400))),
                    hex("e0" + "00000001" + "08" + "0011223344556677" + "00" + "4010" + "00".repeat(16)))};
        Mutator m = Mutator.forTest(11, 1400);
        for (int i = 0; i < RUNS; i++) {
            visit[0] = i / seeds.length;
            int len = m.mutate(seeds[i % seeds.length]);
            // a few clients so that the state of one (keys, CRYPTO buffer) meets the mutations of the next
            FlowKey key = new FlowKey(FlowKey.V4_MARK, (i / seeds.length) & 127, FlowKey.V4_MARK, 1, 1, 443, 17);
            d.onDatagram(key, i * 1_000L, m.buffer(), 0, len);
            if (d.connections() > maxConnections) {
                throw new AssertionError("connection cap exceeded at input " + i + " of campaign " + Mutator.campaign() + ": " + d.connections());
            }
        }
        d.flush();
        assertThat(d.connections()).isZero();
        // every mutation path was taken: header checks, failed decryptions, frames and whole hellos
        assertThat(anomalies.get(Anomaly.QUIC_HEADER_TRUNCATED)).isPositive();
        assertThat(anomalies.get(Anomaly.QUIC_INITIAL_DECRYPT_FAILED)).isPositive();
        assertThat(anomalies.get(Anomaly.QUIC_CONNECTION_EVICTED)).isPositive();
        assertThat(hellos[0]).isPositive();
        assertThat(hellos[1]).as("hellos reported twice within one visit").isZero();
    }
}
