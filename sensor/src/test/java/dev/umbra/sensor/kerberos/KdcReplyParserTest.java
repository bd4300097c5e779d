package dev.umbra.sensor.kerberos;

import static dev.umbra.sensor.kerberos.Der.integer;
import static dev.umbra.sensor.kerberos.Der.kdcReply;
import static dev.umbra.sensor.kerberos.Der.principal;
import static dev.umbra.sensor.kerberos.Der.string;
import static dev.umbra.sensor.kerberos.Der.tlv;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KdcReplyParserTest {
    private static KdcReplyParser.Reply parse(byte[] b) {
        return KdcReplyParser.parse(b, 0, b.length);
    }

    @Test
    void asAndTgsReplies_nameTheirClient() {
        KdcReplyParser.Reply as = parse(kdcReply(11, true, "UMBRA.TEST", principal(1, "alice")));
        assertThat(as.msgType()).isEqualTo(11);
        assertThat(as.nameType()).isEqualTo(1);
        assertThat(as.realm()).isEqualTo("UMBRA.TEST");
        assertThat(as.name()).containsExactly("alice");
        assertThat(as.user()).isEqualTo("alice@UMBRA.TEST");
        KdcReplyParser.Reply tgs = parse(kdcReply(13, false, "CORP.EXAMPLE", principal(1, "bob")));
        assertThat(tgs.msgType()).isEqualTo(13);
        assertThat(tgs.user()).isEqualTo("bob@CORP.EXAMPLE");
    }

    @Test
    void realMitKdcReplies_nameTheirClient() throws Exception {
        // the KDC's replies in test-data/captures/kerberos-tap.pcap (make-kerberos-tap.sh), kept as fuzz seeds
        String dir = "/dev/umbra/sensor/fuzz/CoverageFuzzTestInputs/kdcReplyParser_reply/";
        String[][] cases = {{"seed-as-rep-udp", "11", "alice@UMBRA.TEST"}, {"seed-tgs-rep-udp", "13", "alice@UMBRA.TEST"},
            {"seed-as-rep-tcp-ipv6", "11", "bob@UMBRA.TEST"}};
        for (String[] c : cases) {
            byte[] b;
            try (var in = KdcReplyParserTest.class.getResourceAsStream(dir + c[0])) {
                b = in.readAllBytes();
            }
            KdcReplyParser.Reply r = parse(b);
            assertThat(r.msgType()).as(c[0]).isEqualTo(Integer.parseInt(c[1]));
            assertThat(r.user()).as(c[0]).isEqualTo(c[2]);
        }
    }

    @Test
    void enterpriseComputerAndServiceNames() {
        // RFC 6806: an enterprise name holds its own suffix; Active Directory computers end in $
        assertThat(parse(kdcReply(11, false, "CORP.EXAMPLE", principal(10, "carol@corp.example"))).user())
                .isEqualTo("carol@corp.example");
        KdcReplyParser.Reply computer = parse(kdcReply(11, true, "CORP.EXAMPLE", principal(1, "WS01$")));
        assertThat(computer.name()).containsExactly("WS01$");
        assertThat(computer.user()).isNull();
        KdcReplyParser.Reply service = parse(kdcReply(13, false, "CORP.EXAMPLE", principal(3, "host", "ws01.corp.example")));
        assertThat(service.name()).containsExactly("host", "ws01.corp.example");
        assertThat(service.user()).isNull();
    }

    @Test
    void requestsAndErrors_areNotReplies() {
        // AS-REQ [APPLICATION 10], TGS-REQ [12], KRB-ERROR [30]: a request's name is only a claim
        byte[] asReq = tlv(0x6a, tlv(0x30, tlv(0xa1, integer(5)), tlv(0xa2, integer(10))));
        byte[] error = tlv(0x7e, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(30))));
        assertThat(parse(asReq)).isSameAs(KdcReplyParser.NOT_A_REPLY);
        assertThat(parse(error)).isSameAs(KdcReplyParser.NOT_A_REPLY);
        assertThat(parse(new byte[0])).isSameAs(KdcReplyParser.NOT_A_REPLY);
        assertThat(parse(new byte[] {0x6b})).isSameAs(KdcReplyParser.NOT_A_REPLY);
    }

    @Test
    void cutAfterTheName_isStillRead_cutBeforeIsTruncatedOrMalformed() {
        byte[] reply = kdcReply(11, true, "UMBRA.TEST", principal(1, "alice"));
        int nameEnd = lastIndexOf(reply, "alice".getBytes()) + 5; // the salt in the padata holds it too
        for (int n = 0; n <= reply.length; n++) {
            KdcReplyParser.Reply r = KdcReplyParser.parse(reply, 0, n);
            if (n >= nameEnd) {
                assertThat(r.name()).as("cut at %d", n).containsExactly("alice");
            } else {
                assertThat(r).as("cut at %d", n).isIn(KdcReplyParser.NOT_A_REPLY, KdcReplyParser.MALFORMED,
                        KdcReplyParser.TRUNCATED);
            }
        }
        // inside the pre-authentication data: the name is not there yet
        assertThat(KdcReplyParser.parse(reply, 0, 30)).isSameAs(KdcReplyParser.TRUNCATED);
    }

    @Test
    void brokenGrammar_isMalformed() {
        byte[] alice = principal(1, "alice");
        byte[][] bad = {
            // pvno 4
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(4)), tlv(0xa1, integer(11)), tlv(0xa3, string("R")), tlv(0xa4, alice))),
            // [APPLICATION 11] with msg-type 13
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(13)), tlv(0xa3, string("R")), tlv(0xa4, alice))),
            // fields out of order
            tlv(0x6b, tlv(0x30, tlv(0xa1, integer(11)), tlv(0xa0, integer(5)), tlv(0xa3, string("R")), tlv(0xa4, alice))),
            // no realm before the name
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa4, alice))),
            // the ticket where the name should be
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa3, string("R")), tlv(0xa5, alice))),
            // a control character in the realm
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa3, string("R\n")), tlv(0xa4, alice))),
            // nine components, an empty name, an empty component
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa3, string("R")),
                    tlv(0xa4, principal(1, "a", "b", "c", "d", "e", "f", "g", "h", "i")))),
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa3, string("R")), tlv(0xa4, principal(1)))),
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa3, string("R")), tlv(0xa4, principal(1, "")))),
            // an indefinite length (BER, not DER), a five-byte length
            {0x6b, (byte) 0x80, 0x30, 0x00},
            {0x6b, (byte) 0x85, 1, 0, 0, 0, 0, 0x30, 0x00},
            // a realm longer than 255 bytes
            tlv(0x6b, tlv(0x30, tlv(0xa0, integer(5)), tlv(0xa1, integer(11)), tlv(0xa3, string("R".repeat(256))),
                    tlv(0xa4, alice))),
        };
        for (int i = 0; i < bad.length; i++) {
            assertThat(parse(bad[i])).as("case %d", i).isSameAs(KdcReplyParser.MALFORMED);
        }
    }

    @Test
    void mutatedAndRandomBytes_neverThrowAndStayWithinTheCaps() {
        byte[][] seeds = {kdcReply(11, true, "UMBRA.TEST", principal(1, "alice")),
            kdcReply(13, false, "CORP.EXAMPLE", principal(3, "host", "ws01.corp.example")),
            kdcReply(11, false, "CORP.EXAMPLE", principal(10, "carol@corp.example"))};
        Mutator m = Mutator.forTest(88, 2048);
        int read = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            KdcReplyParser.Reply r = KdcReplyParser.parse(m.buffer(), 0, len);
            if (r.msgType() > 0) {
                read++;
                if (r.name().length == 0 || r.name().length > KdcReplyParser.MAX_COMPONENTS
                        || r.realm().length() > KdcReplyParser.MAX_STRING
                        || Arrays.stream(r.name()).anyMatch(c -> c.isEmpty() || c.length() > KdcReplyParser.MAX_STRING)) {
                    throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + r);
                }
            }
        }
        assertThat(read).as("mutations still read as replies").isPositive();
        Random random = new Random(8888);
        byte[] b = new byte[512];
        for (int i = 0; i < 200_000; i++) {
            random.nextBytes(b);
            b[0] = (byte) (i % 2 == 0 ? 0x6b : 0x6d);
            KdcReplyParser.parse(b, 0, random.nextInt(b.length + 1));
        }
    }

    private static int lastIndexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = haystack.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
