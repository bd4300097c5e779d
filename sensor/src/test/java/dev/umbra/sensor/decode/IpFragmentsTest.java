package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.fragments;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.fuzz.Mutator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class IpFragmentsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final String[] ADDRESSES = {"104.18.32.47", "104.18.32.48", "104.18.32.49", "104.18.32.50",
        "104.18.32.51", "104.18.32.52", "104.18.32.53", "104.18.32.54", "2606:4700::1", "2606:4700::2",
        "2606:4700::3", "2606:4700::4", "2606:4700::5", "2606:4700::6"};

    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("frag.pcap", seen::add, anomalies);
    private long now = 1_700_000_000L * SECOND;

    private void feed(byte[] packet) {
        decoder.onPacket(LinkType.RAW, now, packet, 0, packet.length, packet.length);
    }

    /** The packet as a capture with a snap length of {@code captured} bytes records it. */
    private void feed(byte[] packet, int captured) {
        decoder.onPacket(LinkType.RAW, now, packet, 0, captured, packet.length);
    }

    private static byte[] answer(String client, String resolver) {
        return ip(resolver, client, 17, udp(53, 51000,
                dnsResponseWithCname(7, "chatgpt.com", "chatgpt.com.cdn.cloudflare.net", ADDRESSES)));
    }

    private void assertWholeAnswer() {
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.DNS_ANSWER);
            assertThat(o.hostname()).isEqualTo("chatgpt.com");
            assertThat(o.answers()).hasSize(1 + ADDRESSES.length).endsWith("2606:4700::6");
        });
    }

    @Test
    void onPacket_dnsAnswerInThreeIpv4FragmentsOutOfOrder_isReadWhole() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 0x1234, 64, 200);
        feed(f.get(2));
        feed(f.get(0));
        assertThat(seen).isEmpty();
        feed(f.get(1));
        assertWholeAnswer();
        assertThat(seen.get(0).clientIp()).isEqualTo("10.0.0.5");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onPacket_dnsAnswerInIpv6Fragments_isReadWhole() {
        List<byte[]> f = fragments(answer("2001:db8::5", "2001:db8::53"), 0xabcdef01, 96, 160, 304);
        feed(f.get(3));
        feed(f.get(1));
        feed(f.get(0));
        feed(f.get(2));
        assertWholeAnswer();
        assertThat(seen.get(0).serverIp()).isEqualTo("2001:db8::53");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onPacket_sameIdFromAnotherSource_isAnotherDatagram() {
        List<byte[]> a = fragments(answer("10.0.0.5", "10.0.0.53"), 9, 64);
        List<byte[]> b = fragments(answer("10.0.0.6", "10.0.0.54"), 9, 64);
        feed(a.get(0));
        feed(b.get(1));
        feed(a.get(1));
        feed(b.get(0));
        assertThat(seen).extracting(Observation::clientIp).containsExactly("10.0.0.5", "10.0.0.6");
    }

    @Test
    void onPacket_exactDuplicateFragment_isIgnored() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 3, 64, 200);
        feed(f.get(0));
        feed(f.get(1));
        feed(f.get(1));
        feed(f.get(2));
        assertWholeAnswer();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_OVERLAP)).isZero();
    }

    @Test
    void onPacket_overlappingFragmentWithOtherBytes_dropsTheDatagramAndCounts() {
        byte[] packet = answer("10.0.0.5", "10.0.0.53");
        List<byte[]> f = fragments(packet, 4, 64, 200);
        List<byte[]> shifted = fragments(packet, 4, 56, 200); // its second piece starts inside the first
        shifted.get(1)[20] ^= 0x55;
        feed(f.get(0));
        feed(shifted.get(1));
        feed(f.get(1));
        feed(f.get(2));
        decoder.finish();
        assertThat(seen).isEmpty();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_OVERLAP)).isEqualTo(1);
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isZero();
    }

    @Test
    void onPacket_fragmentChangingBytesItOverlapsExactly_isAnOverlap() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 5, 64, 200);
        byte[] forged = f.get(1).clone();
        forged[forged.length - 1] ^= 1;
        feed(f.get(1));
        feed(forged);
        feed(f.get(0));
        feed(f.get(2));
        assertThat(seen).isEmpty();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_OVERLAP)).isEqualTo(1);
    }

    @Test
    void finish_middleFragmentNeverArrived_readsTheQuestionFromTheFirstAndCounts() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 6, 64, 200);
        feed(f.get(0));
        feed(f.get(2));
        assertThat(seen).isEmpty();
        decoder.finish();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isEqualTo(1);
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.DNS_ANSWER);
            assertThat(o.hostname()).isEqualTo("chatgpt.com");
        });
    }

    @Test
    void onPacket_loneNonFirstFragment_isHeldThenCountedIncompleteAndNotDecoded() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 7, 64);
        feed(f.get(1));
        decoder.finish();
        assertThat(seen).isEmpty();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isEqualTo(1);
    }

    @Test
    void onPacket_fragmentsFartherApartThanTheTimeout_areNotJoined() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 8, 64);
        feed(f.get(1));
        now += IpFragments.DEFAULT_TIMEOUT_NANOS + SECOND;
        feed(f.get(0)); // expires the first, then starts a datagram of its own
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isEqualTo(1);
        assertThat(seen).isEmpty();
        decoder.tick(now + IpFragments.DEFAULT_TIMEOUT_NANOS + SECOND);
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isEqualTo(2);
        assertThat(seen).hasSize(1); // the first fragment's question, cut off
    }

    @Test
    void onPacket_firstFragmentCutByTheSnapLength_isDecodedAtOnceAndTheRestIgnored() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 14, 200);
        byte[] first = f.get(0);
        feed(first, 20 + 8 + 40); // captured: IP and UDP headers and the start of the DNS message
        assertThat(seen).singleElement().satisfies(o -> assertThat(o.hostname()).isEqualTo("chatgpt.com"));
        feed(f.get(1));
        decoder.finish();
        assertThat(seen).hasSize(1);
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isEqualTo(1);
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_MALFORMED)).isZero();
    }

    @Test
    void onPacket_ipv6FirstFragmentCutByTheSnapLength_isDecodedAtOnce() {
        List<byte[]> f = fragments(answer("2001:db8::5", "2001:db8::53"), 15, 200);
        feed(f.get(0), 40 + 8 + 8 + 40);
        assertThat(seen).singleElement().satisfies(o -> assertThat(o.hostname()).isEqualTo("chatgpt.com"));
    }

    @Test
    void onPacket_firstFragmentNotMultipleOfEight_isMalformedAndReadAlone() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 10, 64);
        feed(shortenedBy3(f.get(0)));
        feed(f.get(1));
        decoder.finish();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_MALFORMED)).isEqualTo(1);
        // what the malformed first piece holds is still read, as a cut-off packet; the rest is not joined
        assertThat(seen).singleElement().satisfies(o -> assertThat(o.answers()).hasSizeLessThan(ADDRESSES.length));
    }

    @Test
    void onPacket_middleFragmentNotMultipleOfEight_dropsTheDatagram() {
        List<byte[]> f = fragments(answer("10.0.0.5", "10.0.0.53"), 16, 64, 200);
        feed(f.get(0));
        feed(shortenedBy3(f.get(1)));
        feed(f.get(2));
        decoder.finish();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_MALFORMED)).isEqualTo(1);
        assertThat(seen).isEmpty();
    }

    private static byte[] shortenedBy3(byte[] fragment) {
        byte[] odd = Arrays.copyOf(fragment, fragment.length - 3);
        odd[3] = (byte) odd.length;
        odd[2] = (byte) (odd.length >> 8);
        return odd;
    }

    @Test
    void onPacket_twoDifferentLastFragments_isMalformed() {
        byte[] packet = answer("10.0.0.5", "10.0.0.53");
        List<byte[]> f = fragments(packet, 11, 64);
        List<byte[]> shorter = fragments(Arrays.copyOf(packet, packet.length - 8), 11, 64);
        feed(f.get(1));
        feed(shorter.get(1));
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_MALFORMED)).isEqualTo(1);
    }

    @Test
    void onPacket_fragmentEndingPast65535_isOversize() {
        byte[] f = fragments(answer("10.0.0.5", "10.0.0.53"), 12, 64).get(1);
        f[6] = (byte) 0x1f; // offset 8191 * 8 = 65528, plus the payload: past the IPv4 maximum
        f[7] = (byte) 0xff;
        feed(f);
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_OVERSIZE)).isEqualTo(1);
    }

    @Test
    void onPacket_moreThanMaxFragments_isOversize() {
        byte[] packet = answer("10.0.0.5", "10.0.0.53");
        int[] cuts = new int[2 * IpFragments.MAX_FRAGMENTS + 2];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = 8 * (i + 1);
        }
        List<byte[]> f = fragments(Arrays.copyOf(packet, 20 + 8 * (cuts.length + 1)), 13, cuts);
        // every other piece first, so that none merge and the piece list fills up
        for (int i = 0; i < f.size(); i += 2) {
            feed(f.get(i));
        }
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_OVERSIZE)).isEqualTo(1);
    }

    @Test
    void ipFragments_moreDatagramsOrBytesThanTheCaps_evictsTheEldestAndStaysWithin() {
        List<byte[]> delivered = new ArrayList<>();
        IpFragments fragments = new IpFragments(anomalies, (v6, b, len, depth) -> delivered.add(b), 4,
                IpFragments.MAX_DATAGRAM_BYTES, IpFragments.DEFAULT_TIMEOUT_NANOS);
        for (int id = 0; id < 40; id++) {
            byte[] f = fragments(answer("10.0.0.5", "10.0.0.53"), id, 64).get(1);
            // each claims to end near 64 KiB, so the byte cap is reached as well as the count cap
            int offset = 8000 - id;
            f[6] = (byte) (offset >> 8);
            f[7] = (byte) offset;
            fragments.ipv4(f, 0, 20, f.length, offset, false, 0, now);
            assertThat(fragments.size()).isLessThanOrEqualTo(4);
            assertThat(fragments.heldBytes()).isLessThanOrEqualTo(IpFragments.MAX_DATAGRAM_BYTES);
        }
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isGreaterThanOrEqualTo(36);
        assertThat(delivered).isEmpty(); // no first fragment: nothing to decode
    }

    @Test
    void onPacket_truncatedAndMutatedFragments_neverThrowAndStayWithinCaps() {
        byte[] v4 = answer("10.0.0.5", "10.0.0.53");
        byte[] v6 = answer("2001:db8::5", "2001:db8::53");
        List<byte[]> seeds = new ArrayList<>(fragments(v4, 1, 64, 200));
        seeds.addAll(fragments(v6, 2, 96, 160, 304));
        for (byte[] s : seeds) {
            for (int cut = 0; cut <= s.length; cut++) {
                feed(Arrays.copyOf(s, cut));
            }
        }
        Mutator m = new Mutator(17, 600);
        for (int i = 0; i < 200_000; i++) {
            int len = m.mutate(seeds.get(i % seeds.size()));
            now += 1_000_000L;
            decoder.onPacket(LinkType.RAW, now, m.buffer(), 0, len, len);
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_OVERLAP)).isPositive();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_MALFORMED)).isPositive();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isPositive();
    }
}
