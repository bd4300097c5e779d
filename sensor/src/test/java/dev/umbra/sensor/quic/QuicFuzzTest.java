package dev.umbra.sensor.quic;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.quic.QuicTestPackets.crypto;
import static dev.umbra.sensor.quic.QuicTestPackets.frames;
import static dev.umbra.sensor.quic.QuicTestPackets.initial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.fuzz.Mutator;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded random and mutated QUIC input: 1,000,000 decrypted Initial payloads into the frame parser
 * and CRYPTO reassembly, and 100,000 whole protected datagrams (each costs a key derivation and an
 * AES-GCM attempt). Nothing may throw; the timeout only guards against a loop without a cap.
 */
class QuicFuzzTest {
    private static final byte[] DCID = hex("8394c8f03e515708");

    @Test
    @Timeout(120)
    void decryptedPayload_millionMutatedFrameSequences_neverThrow() {
        AnomalyCounters anomalies = new AnomalyCounters();
        int[] hellos = new int[1];
        QuicInitialDecoder d = new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> hellos[0]++, 256, 4096,
                QuicInitialDecoder.DEFAULT_IDLE_NANOS);
        byte[] ch = Arrays.copyOfRange(clientHello("fuzz.example", List.of("h3"), 600), 5, 700);
        byte[] seed = frames(1200, hex("0200000000"), crypto(ch, 300, ch.length - 300), hex("01"), crypto(ch, 0, 300));
        Mutator m = new Mutator(9, seed.length + 64);
        for (int i = 0; i < 1_000_000; i++) {
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
    void onDatagram_mutatedProtectedInitials_neverThrow() throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        QuicInitialDecoder d = new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> { }, 64, 4096,
                QuicInitialDecoder.DEFAULT_IDLE_NANOS);
        byte[] ch = Arrays.copyOfRange(clientHello("fuzz.example", List.of("h3"), 1200), 5, 1000);
        byte[] seed = initial(1, DCID, DCID, new byte[0], new byte[0], 0, frames(1162, crypto(ch, 0, 900)));
        Mutator m = new Mutator(11, seed.length + 64);
        for (int i = 0; i < 100_000; i++) {
            int len = m.mutate(seed);
            FlowKey key = new FlowKey(FlowKey.V4_MARK, i & 63, FlowKey.V4_MARK, 1, 1, 443, 17);
            d.onDatagram(key, i, m.buffer(), 0, len);
        }
        d.flush();
        assertThat(d.connections()).isZero();
    }
}
