package dev.umbra.sensor.dhcp;

import static dev.umbra.sensor.dhcp.DhcpFrames.v4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import org.junit.jupiter.api.Test;

class NbnsMessageTest {
    private static NbnsMessage parse(byte[] b) {
        return NbnsMessage.parse(b, 0, b.length);
    }

    @Test
    void registration_givesTheNameSuffixTtlAndAddress() {
        NbnsMessage m = parse(NbnsFrames.registration(5, "ALICE-PC", 0x00, false, 300_000, v4(10, 0, 0, 5)));
        assertThat(m).isEqualTo(new NbnsMessage(false, "ALICE-PC", 0, false, 300_000, v4(10, 0, 0, 5)));
        assertThat(parse(NbnsFrames.registration(8, "ALICE-PC", 0x20, false, 300_000, v4(10, 0, 0, 5))).suffix())
                .as("a refresh, the server name").isEqualTo(0x20);
        assertThat(parse(NbnsFrames.registration(5, "UMBRATEST", 0x00, true, 300_000, v4(10, 0, 0, 5))).group())
                .as("the workgroup").isTrue();
        assertThat(parse(NbnsFrames.registration(6, "ALICE-PC", 0x00, false, 0, v4(10, 0, 0, 5))).release()).isTrue();
    }

    @Test
    void positiveResponse_givesTheFirstAddress() {
        NbnsMessage m = parse(NbnsFrames.response("BOB-DESKTOP", 0x00, false, 259_200, v4(10, 0, 0, 6), v4(10, 0, 1, 6)));
        assertThat(m).isEqualTo(new NbnsMessage(false, "BOB-DESKTOP", 0, false, 259_200, v4(10, 0, 0, 6)));
    }

    @Test
    void queriesAndOtherNames_nameNothing_brokenOnesAreMalformed() {
        byte[] query = NbnsFrames.registration(5, "ALICE-PC", 0, false, 1, 1);
        query[2] = 0x01; // opcode 0, not a response: a query
        assertThat(parse(query)).isSameAs(NbnsMessage.NONE);
        byte[] browse = NbnsFrames.registration(5, "\u0001\u0002__MSBROWSE__\u0002", 0x01, true, 1, 1);
        assertThat(parse(browse)).as("the master browser's group name, its ends trimmed")
                .isEqualTo(new NbnsMessage(false, "__MSBROWSE__", 1, true, 1, 1));
        byte[] inside = NbnsFrames.registration(5, "BAD\u0007NAME", 0, false, 1, 1);
        assertThat(parse(inside)).as("a control character inside").isSameAs(NbnsMessage.NONE);
        byte[] letters = NbnsFrames.registration(5, "ALICE-PC", 0, false, 1, 1);
        letters[13] = 'Z'; // not 'A' + a nibble
        assertThat(parse(letters)).isSameAs(NbnsMessage.MALFORMED);
        byte[] rdlength = NbnsFrames.registration(5, "ALICE-PC", 0, false, 1, 1);
        rdlength[rdlength.length - 7] = 5;
        assertThat(parse(rdlength)).isSameAs(NbnsMessage.MALFORMED);
        byte[] type = NbnsFrames.registration(5, "ALICE-PC", 0, false, 1, 1);
        type[47] = 0x21; // the question's type NBSTAT
        assertThat(parse(type)).isSameAs(NbnsMessage.MALFORMED);
        assertThat(parse(new byte[5])).isSameAs(NbnsMessage.MALFORMED);
        assertThat(parse(new byte[0])).isSameAs(NbnsMessage.NONE);
    }

    @Test
    void cutAtEveryLength_isMalformedNeverThrows() {
        byte[] r = NbnsFrames.registration(5, "ALICE-PC", 0, false, 300_000, v4(10, 0, 0, 5));
        for (int n = 1; n < r.length; n++) {
            assertThat(NbnsMessage.parse(r, 0, n)).as("cut at %d", n).isSameAs(NbnsMessage.MALFORMED);
        }
    }

    @Test
    void mutatedAndRandomBytes_neverThrow_namesStayNames() {
        byte[][] seeds = {
            NbnsFrames.registration(5, "ALICE-PC", 0, false, 300_000, v4(10, 0, 0, 5)),
            NbnsFrames.response("BOB-DESKTOP", 0, false, 259_200, v4(10, 0, 0, 6), v4(10, 0, 1, 6)),
        };
        Mutator m = Mutator.forTest(137, 200);
        int named = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            NbnsMessage d = NbnsMessage.parse(m.buffer(), 0, len);
            if (d != NbnsMessage.NONE && d != NbnsMessage.MALFORMED) {
                named++;
                if (DhcpFrames.notAName(d.name()) || d.name().length() > 15) {
                    throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + d);
                }
            }
        }
        assertThat(named).as("mutations that still name a device").isPositive();
        byte[] random = new byte[120];
        java.util.Random r = new java.util.Random(138);
        int malformed = 0;
        for (int i = 0; i < 200_000; i++) {
            r.nextBytes(random);
            random[2] = (byte) (r.nextBoolean() ? 0x29 : 0x85);
            malformed += NbnsMessage.parse(random, 0, r.nextInt(120)) == NbnsMessage.MALFORMED ? 1 : 0;
        }
        assertThat(malformed).isPositive();
    }
}
