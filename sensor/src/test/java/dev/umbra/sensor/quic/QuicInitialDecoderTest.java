package dev.umbra.sensor.quic;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.quic.QuicTestPackets.crypto;
import static dev.umbra.sensor.quic.QuicTestPackets.frames;
import static dev.umbra.sensor.quic.QuicTestPackets.initial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.tls.ClientHello;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuicInitialDecoderTest {
    private static final FlowKey CLIENT = new FlowKey(FlowKey.V4_MARK, 0x0a000001L, FlowKey.V4_MARK, 0x0a000002L,
            50000, 443, 17);
    private static final byte[] DCID = hex("8394c8f03e515708");
    private static final byte[] NO_ID = new byte[0];

    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final List<ClientHello> hellos = new ArrayList<>();
    private final QuicInitialDecoder decoder = new QuicInitialDecoder(anomalies,
            (client, time, hello, raw, rawLength) -> hellos.add(hello));

    /** The handshake message of a ClientHello: the TLS record without its 5-byte header. */
    private static byte[] handshake(String sni, int keyShare) {
        byte[] record = clientHello(sni, List.of("h3"), keyShare);
        return Arrays.copyOfRange(record, 5, record.length);
    }

    @Test
    void deriveKeys_rfc9001AppendixA1_matchesPublishedKeys() throws Exception {
        InitialKeys k = InitialKeys.derive(new Hkdf(), QuicVersion.V1, DCID);
        assertThat(k.key.getEncoded()).isEqualTo(hex("1f369613dd76d5467730efcbe3b1a22d"));
        assertThat(k.iv).isEqualTo(hex("fa044b2f42a3fd3b46fb255c"));
        assertThat(k.hp).isEqualTo(hex("9f50449e04a0e810283a1e9933adedd2"));
    }

    @Test
    void deriveKeys_rfc9369AppendixA1_matchesPublishedV2Keys() throws Exception {
        InitialKeys k = InitialKeys.derive(new Hkdf(), QuicVersion.V2, DCID);
        assertThat(k.key.getEncoded()).isEqualTo(hex("8b1a0bc121284290a29e0971b5cd045d"));
        assertThat(k.iv).isEqualTo(hex("91f73e2351d8fa91660e909f"));
        assertThat(k.hp).isEqualTo(hex("45b95e15235d6f45a6b19cbcb0294ba9"));
    }

    @Test
    void onDatagram_singleInitialV1_reportsSniAndAlpn() throws Exception {
        byte[] ch = handshake("api.openai.com", 32);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, ch.length)));
        decoder.onDatagram(CLIENT, 0, p, 0, p.length);
        assertThat(hellos).singleElement().satisfies(h -> {
            assertThat(h.serverName()).isEqualTo("api.openai.com");
            assertThat(h.alpn()).containsExactly("h3");
            assertThat(h.complete()).isTrue();
        });
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onDatagram_everyVersion_opensInitial() throws Exception {
        int[] versions = {1, 0x6b3343cf, 0xff00001d, 0xff000020, 0xff00001b, 0xff000017, 0xff000016, 0xff000021,
            0xff000022, 0xfaceb001, 0xfaceb002, 0xfaceb00e, 0x1a2a3a4a};
        for (int v : versions) {
            byte[] ch = handshake("v" + Integer.toHexString(v) + ".example", 32);
            byte[] p = initial(v, DCID, DCID, NO_ID, NO_ID, 1, frames(1162, crypto(ch, 0, ch.length)));
            FlowKey key = new FlowKey(FlowKey.V4_MARK, v & 0xffffffffL, FlowKey.V4_MARK, 1, 1, 443, 17);
            decoder.onDatagram(key, 0, p, 0, p.length);
        }
        assertThat(hellos).extracting(ClientHello::serverName).hasSize(versions.length)
                .contains("v6b3343cf.example", "vfaceb00e.example", "v1a2a3a4a.example");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onDatagram_helloSplitOverThreePacketsOutOfOrder_reassembles() throws Exception {
        // a post-quantum key share makes the hello ~2.3 KB; Chrome sends its pieces out of order
        byte[] ch = handshake("claude.ai", 2200);
        int a = 900;
        int b = 1800;
        byte[] p1 = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, b, ch.length - b)));
        byte[] p2 = initial(1, DCID, DCID, NO_ID, NO_ID, 1, frames(1162, crypto(ch, 0, a)));
        byte[] p3 = initial(1, DCID, DCID, NO_ID, NO_ID, 2, frames(1162, crypto(ch, a, b - a)));
        decoder.onDatagram(CLIENT, 0, p1, 0, p1.length);
        decoder.onDatagram(CLIENT, 1, p2, 0, p2.length);
        assertThat(hellos).isEmpty();
        decoder.onDatagram(CLIENT, 2, p3, 0, p3.length);
        assertThat(hellos).singleElement().satisfies(h -> {
            assertThat(h.serverName()).isEqualTo("claude.ai");
            assertThat(h.complete()).isTrue();
        });
    }

    @Test
    void onDatagram_framesOutOfOrderInOnePacket_reassembles() throws Exception {
        byte[] ch = handshake("gemini.google.com", 32);
        int half = ch.length / 2;
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0,
                frames(1162, hex("01"), crypto(ch, half, ch.length - half), hex("0000"), crypto(ch, 0, half)));
        decoder.onDatagram(CLIENT, 0, p, 0, p.length);
        assertThat(hellos).extracting(ClientHello::serverName).containsExactly("gemini.google.com");
    }

    @Test
    void onDatagram_laterPacketsUseServerChosenDcid_decryptWithOriginalKeys() throws Exception {
        byte[] ch = handshake("chat.mistral.ai", 1500);
        byte[] serverCid = hex("0164bccb0bceb2de8f64afc9a9cea6a36437ab44");
        byte[] p1 = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, 1000)));
        byte[] p2 = initial(1, DCID, serverCid, NO_ID, NO_ID, 1, frames(1162, crypto(ch, 1000, ch.length - 1000)));
        decoder.onDatagram(CLIENT, 0, p1, 0, p1.length);
        decoder.onDatagram(CLIENT, 1, p2, 0, p2.length);
        assertThat(hellos).extracting(ClientHello::serverName).containsExactly("chat.mistral.ai");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onDatagram_afterRetryNewDcidAndToken_startsOverWithNewKeys() throws Exception {
        byte[] ch = handshake("copilot.microsoft.com", 32);
        byte[] retried = hex("aabbccddeeff0011");
        byte[] p1 = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, 100)));
        byte[] token = new byte[120];
        byte[] p2 = initial(1, retried, retried, NO_ID, token, 0, frames(1162, crypto(ch, 0, ch.length)));
        decoder.onDatagram(CLIENT, 0, p1, 0, p1.length);
        decoder.onDatagram(CLIENT, 1, p2, 0, p2.length);
        assertThat(hellos).extracting(ClientHello::serverName).containsExactly("copilot.microsoft.com");
    }

    @Test
    void onDatagram_coalescedWithHandshakePacket_readsInitial() throws Exception {
        byte[] ch = handshake("perplexity.ai", 32);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(600, crypto(ch, 0, ch.length)));
        // a Handshake packet (type 2) coalesced after it: header, Length, opaque payload
        byte[] hs = new byte[40];
        hs[0] = (byte) 0xe0;
        hs[4] = 1;
        hs[5] = 0;
        hs[6] = 0;
        hs[7] = 32;
        byte[] d = new byte[p.length + hs.length];
        System.arraycopy(p, 0, d, 0, p.length);
        System.arraycopy(hs, 0, d, p.length, hs.length);
        decoder.onDatagram(CLIENT, 0, d, 0, d.length);
        assertThat(hellos).extracting(ClientHello::serverName).containsExactly("perplexity.ai");
    }

    @Test
    void onDatagram_retransmittedHello_reportsOnce() throws Exception {
        byte[] ch = handshake("api.cohere.com", 32);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, ch.length)));
        decoder.onDatagram(CLIENT, 0, p, 0, p.length);
        decoder.onDatagram(CLIENT, 1, p, 0, p.length);
        assertThat(hellos).hasSize(1);
    }

    @Test
    void onDatagram_corruptedCiphertext_countsDecryptFailure() throws Exception {
        byte[] ch = handshake("api.openai.com", 32);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, ch.length)));
        p[p.length - 40] ^= 1;
        decoder.onDatagram(CLIENT, 0, p, 0, p.length);
        assertThat(hellos).isEmpty();
        assertThat(anomalies.get(Anomaly.QUIC_INITIAL_DECRYPT_FAILED)).isEqualTo(1);
    }

    @Test
    void onDatagram_truncatedPacket_countsTruncation() throws Exception {
        byte[] ch = handshake("api.openai.com", 32);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, ch.length)));
        decoder.onDatagram(CLIENT, 0, p, 0, 600);
        assertThat(hellos).isEmpty();
        assertThat(anomalies.get(Anomaly.QUIC_HEADER_TRUNCATED)).isEqualTo(1);
    }

    @Test
    void flush_onlyFirstPieceArrived_reportsSniMarkedIncomplete() throws Exception {
        byte[] ch = handshake("huggingface.co", 2200);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, 1000)));
        decoder.onDatagram(CLIENT, 0, p, 0, p.length);
        assertThat(hellos).isEmpty();
        decoder.flush();
        assertThat(hellos).singleElement().satisfies(h -> {
            assertThat(h.serverName()).isEqualTo("huggingface.co");
            assertThat(h.complete()).isFalse();
        });
        assertThat(decoder.connections()).isZero();
    }

    @Test
    void onDatagram_moreConnectionsThanCap_evictsAndCounts() throws Exception {
        QuicInitialDecoder small = new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> hellos.add(h), 2, 4096,
                QuicInitialDecoder.DEFAULT_IDLE_NANOS);
        byte[] ch = handshake("x.example", 2200);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, 1000)));
        for (int i = 0; i < 5; i++) {
            FlowKey key = new FlowKey(FlowKey.V4_MARK, i, FlowKey.V4_MARK, 1, 1, 443, 17);
            small.onDatagram(key, i, p, 0, p.length);
        }
        assertThat(small.connections()).isEqualTo(2);
        assertThat(anomalies.get(Anomaly.QUIC_CONNECTION_EVICTED)).isEqualTo(3);
        // evicted connections still report the SNI they had
        assertThat(hellos).hasSize(3).allMatch(h -> !h.complete());
    }

    @Test
    void onDatagram_cryptoBeyondCap_countsOverflow() throws Exception {
        QuicInitialDecoder small = new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> hellos.add(h), 16, 512,
                QuicInitialDecoder.DEFAULT_IDLE_NANOS);
        byte[] ch = handshake("big.example", 1000);
        byte[] p = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, ch.length)));
        small.onDatagram(CLIENT, 0, p, 0, p.length);
        assertThat(anomalies.get(Anomaly.QUIC_CRYPTO_BUFFER_OVERFLOW)).isPositive();
        assertThat(hellos).extracting(ClientHello::serverName).containsExactly("big.example");
    }

    @Test
    void constructor_badLimits_throwNamingTheValue() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new QuicInitialDecoder(anomalies, (c, t, h, r, n) -> { }, 0, 4096, 1))
                .hasMessageContaining("maxConnections").hasMessageContaining("0");
    }

    @Test
    void onDatagram_seededMutations_neverThrow() throws Exception {
        byte[] ch = handshake("fuzz.example", 300);
        byte[] base = initial(1, DCID, DCID, NO_ID, NO_ID, 0, frames(1162, crypto(ch, 0, ch.length)));
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            byte[] p = base.clone();
            int flips = 1 + random.nextInt(4);
            for (int k = 0; k < flips; k++) {
                p[random.nextInt(Math.min(p.length, 64))] = (byte) random.nextInt(256);
            }
            int len = random.nextInt(p.length + 1);
            FlowKey key = new FlowKey(FlowKey.V4_MARK, i, FlowKey.V4_MARK, 1, 1, 443, 17);
            decoder.onDatagram(key, i, p, 0, len);
        }
        decoder.flush();
        assertThat(decoder.connections()).isZero();
    }
}
