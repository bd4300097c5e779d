package dev.umbra.sensor.dns;

import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.TestFrames;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DnsParserTest {
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final DnsParser parser = new DnsParser(anomalies);

    @Test
    void parse_query_returnsLowercaseQuestion() {
        byte[] q = dnsQuery(0x1234, "API.OpenAI.com", 1);
        DnsMessage m = parser.parse(q, 0, q.length);
        assertThat(m.response()).isFalse();
        assertThat(m.id()).isEqualTo(0x1234);
        assertThat(m.questions()).containsExactly(new DnsQuestion("api.openai.com", 1, 1));
        assertThat(m.complete()).isTrue();
    }

    @Test
    void parse_responseWithCompressedCnameChain_returnsAnswers() {
        byte[] r = dnsResponseWithCname(7, "www.chatgpt.com", "chatgpt.com", "104.18.32.47", "2606:4700::6812:202f");
        DnsMessage m = parser.parse(r, 0, r.length);
        assertThat(m.response()).isTrue();
        assertThat(m.answers()).extracting(DnsRecord::type, DnsRecord::data).containsExactly(
                org.assertj.core.groups.Tuple.tuple(DnsParser.TYPE_CNAME, "chatgpt.com"),
                org.assertj.core.groups.Tuple.tuple(DnsParser.TYPE_A, "104.18.32.47"),
                org.assertj.core.groups.Tuple.tuple(DnsParser.TYPE_AAAA, "2606:4700::6812:202f"));
        assertThat(m.answers().get(1).name()).isEqualTo("chatgpt.com");
        // the addresses' numbers in the FlowKey layout, for the name cache
        assertThat(m.answers()).extracting(DnsRecord::isAddress, DnsRecord::addressHi, DnsRecord::addressLo)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(false, 0L, 0L),
                        org.assertj.core.groups.Tuple.tuple(true, dev.umbra.sensor.flow.FlowKey.V4_MARK, 0x6812202fL),
                        org.assertj.core.groups.Tuple.tuple(true, 0x2606470000000000L, 0x6812202fL));
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void parse_atOffsetInLargerBuffer_readsOnlyTheMessage() {
        byte[] q = dnsQuery(1, "claude.ai", 1);
        byte[] buf = new byte[q.length + 20];
        Arrays.fill(buf, (byte) 0xC0);
        System.arraycopy(q, 0, buf, 10, q.length);
        assertThat(parser.parse(buf, 10, q.length).questions().get(0).name()).isEqualTo("claude.ai");
    }

    @Test
    void parse_rootQuestion_returnsDot() {
        byte[] q = dnsQuery(1, ".", 2);
        assertThat(parser.parse(q, 0, q.length).questions().get(0).name()).isEqualTo(".");
    }

    @Test
    void parse_pointerLoop_returnsNullAndCounts() {
        // header with one question whose name is a pointer to itself (offset 12)
        byte[] m = hex("0001 0100 0001 0000 0000 0000 c00c 0001 0001");
        assertThat(parser.parse(m, 0, m.length)).isNull();
        assertThat(anomalies.get(Anomaly.DNS_NAME_POINTER_LOOP)).isEqualTo(1);
    }

    @Test
    void parse_ownerPointingAtANameThatUsedEveryHop_isStillCappedAfterTheNameWasRead() {
        // the question name reaches "abc" in exactly MAX_POINTER_HOPS hops (allowed); the answer's
        // owner points at the question, one hop more: over the cap, as if the name were read afresh
        int nodes = 34;
        int hops = DnsParser.MAX_POINTER_HOPS - 1;
        byte[] m = new byte[nodes + 2 * hops + 5];
        System.arraycopy(hex("0001 8180 0001 0001 0000 0000"), 0, m, 0, 12);
        m[12] = (byte) 0xc0;
        m[13] = (byte) nodes;
        System.arraycopy(hex("0001 0001 c00c 0001 0001 0000003c 0004 0a000001"), 0, m, 14, 20);
        for (int i = 0; i < hops; i++) {
            m[nodes + 2 * i] = (byte) 0xc0;
            m[nodes + 2 * i + 1] = (byte) (nodes + 2 * (i + 1));
        }
        System.arraycopy(hex("0361626300"), 0, m, nodes + 2 * hops, 5);
        DnsMessage r = parser.parse(m, 0, m.length);
        assertThat(r.questions()).extracting(DnsQuestion::name).containsExactly("abc");
        assertThat(r.answers()).isEmpty();
        assertThat(r.complete()).isFalse();
        assertThat(anomalies.get(Anomaly.DNS_NAME_POINTER_LOOP)).isEqualTo(1);
    }

    @Test
    void parse_ownersPointingAtNamesReadBefore_areThoseNames() {
        byte[] r = dnsResponseWithCname(7, "Chat.example", "edge.example", "10.0.0.1", "10.0.0.2");
        DnsMessage m = parser.parse(r, 0, r.length);
        assertThat(m.answers()).extracting(DnsRecord::name)
                .containsExactly("chat.example", "edge.example", "edge.example");
        assertThat(m.answers()).extracting(DnsRecord::data).containsExactly("edge.example", "10.0.0.1", "10.0.0.2");
        // the next message does not see this one's names
        byte[] q = dnsQuery(8, "other.example", 1);
        assertThat(parser.parse(q, 0, q.length).questions().get(0).name()).isEqualTo("other.example");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void parse_pointerPastEnd_returnsNullAndCounts() {
        byte[] m = hex("0001 0100 0001 0000 0000 0000 c0ff 0001 0001");
        assertThat(parser.parse(m, 0, m.length)).isNull();
        assertThat(anomalies.get(Anomaly.DNS_TRUNCATED)).isEqualTo(1);
    }

    @Test
    void parse_nameLongerThan255_returnsNullAndCounts() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            sb.append("a".repeat(63)).append('.');
        }
        byte[] q = dnsQuery(1, sb + "com", 1);
        assertThat(parser.parse(q, 0, q.length)).isNull();
        assertThat(anomalies.get(Anomaly.DNS_NAME_TOO_LONG)).isEqualTo(1);
    }

    @Test
    void parse_headerOnly_returnsNullAndCounts() {
        byte[] q = dnsQuery(1, "a.example", 1);
        assertThat(parser.parse(q, 0, 11)).isNull();
        assertThat(anomalies.get(Anomaly.DNS_TRUNCATED)).isEqualTo(1);
    }

    @Test
    void parse_questionCutAfterName_keepsTheName() {
        byte[] q = dnsQuery(1, "chatgpt.com", 1);
        DnsMessage m = parser.parse(q, 0, q.length - 2);
        assertThat(m.questions()).extracting(DnsQuestion::name).containsExactly("chatgpt.com");
        assertThat(m.complete()).isFalse();
    }

    @Test
    void parse_answerCutOff_keepsQuestionAndMarksIncomplete() {
        byte[] r = dnsResponseWithCname(7, "www.chatgpt.com", "chatgpt.com", "104.18.32.47");
        DnsMessage m = parser.parse(r, 0, r.length - 3);
        assertThat(m.questions()).hasSize(1);
        assertThat(m.answers()).extracting(DnsRecord::data).containsExactly("chatgpt.com");
        assertThat(m.complete()).isFalse();
    }

    @Test
    void parse_nonPrintableLabelBytes_areEscaped() {
        byte[] m = hex("0001 0100 0001 0000 0000 0000 03 61 00 2e 03 636f6d 00 0001 0001");
        assertThat(parser.parse(m, 0, m.length).questions().get(0).name()).isEqualTo("a\\000\\046.com");
    }

    @Test
    void plausible_queryOnOtherPort_trueOnlyForDnsShapedPayloads() {
        byte[] q = dnsQuery(1, "api.openai.com", 1);
        assertThat(DnsParser.plausible(q, 0, q.length)).isTrue();
        assertThat(DnsParser.plausible(new byte[40], 0, 40)).isFalse();
        byte[] quicLike = hex("c3000000010841a4b3c2d1e0f9a8000044e6" + "00".repeat(30));
        assertThat(DnsParser.plausible(quicLike, 0, quicLike.length)).isFalse();
    }

    @Test
    void parse_randomAndMutatedBytes_neverThrow() {
        Random random = new Random(7);
        byte[] valid = dnsResponseWithCname(7, "www.chatgpt.com", "chatgpt.com", "104.18.32.47", "::1");
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 2 == 0) {
                b = new byte[random.nextInt(600)];
                random.nextBytes(b);
            } else {
                b = valid.clone();
                for (int k = 0; k <= random.nextInt(4); k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            int len = b.length == 0 ? 0 : random.nextInt(b.length + 1);
            DnsMessage m = parser.parse(b, 0, len);
            if (m != null) {
                assertThat(m.questions().size()).isLessThanOrEqualTo(DnsParser.MAX_QUESTIONS);
                assertThat(m.answers().size()).isLessThanOrEqualTo(DnsParser.MAX_RECORDS);
            }
        }
        assertThat(anomalies.total()).isPositive();
    }

    @Test
    void echPublicName_readsTheFirstConfigOfAKnownVersion() {
        byte[] list = TestFrames.echConfigList("Cloudflare-ECH.com");
        assertThat(DnsParser.echPublicName(list, 0, list.length)).isEqualTo("cloudflare-ech.com");
        // an unknown version first is skipped by its length
        byte[] unknown = TestFrames.hex("fe0a0003aabbcc");
        byte[] config = java.util.Arrays.copyOfRange(list, 2, list.length);
        byte[] both = TestFrames.concat(new byte[] {0, (byte) (unknown.length + config.length)}, unknown, config);
        assertThat(DnsParser.echPublicName(both, 0, both.length)).isEqualTo("cloudflare-ech.com");
        byte[] onlyUnknown = TestFrames.concat(new byte[] {0, (byte) unknown.length}, unknown);
        assertThat(DnsParser.echPublicName(onlyUnknown, 0, onlyUnknown.length)).isNull();
    }

    @Test
    void echPublicName_brokenOrNotAName_isNull() {
        byte[] list = TestFrames.echConfigList("ech.example");
        for (int cut = 0; cut < list.length; cut++) {
            assertThat(DnsParser.echPublicName(list, 0, cut)).as("cut at %d", cut).isNull();
        }
        byte[] bad = TestFrames.echConfigList("ech_example\u0001");
        assertThat(DnsParser.echPublicName(bad, 0, bad.length)).isNull();
        byte[] empty = TestFrames.echConfigList("");
        assertThat(DnsParser.echPublicName(empty, 0, empty.length)).isNull();
        java.util.Random r = new java.util.Random(0xec4L);
        for (int i = 0; i < 200_000; i++) {
            byte[] b = list.clone();
            for (int k = r.nextInt(4); k >= 0; k--) {
                b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            }
            String n = DnsParser.echPublicName(b, 0, b.length);
            if (n != null) {
                assertThat(n).matches("[a-z0-9.-]{1,255}");
            }
        }
    }
}
