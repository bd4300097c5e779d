package dev.umbra.sensor.dhcp;

import static dev.umbra.sensor.dhcp.Dhcp6Frames.duid;
import static dev.umbra.sensor.dhcp.Dhcp6Frames.iaaddr;
import static dev.umbra.sensor.dhcp.Dhcp6Frames.statusOption;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Dhcp6MessageTest {
    private static Dhcp6Message parse(byte[] b) {
        return Dhcp6Message.parse(b, 0, b.length);
    }

    private static Dhcp6Message.Address address(String text, long valid) {
        ByteBuffer b = ByteBuffer.wrap(Dhcp6Frames.v6(text));
        return new Dhcp6Message.Address(b.getLong(), b.getLong(), valid);
    }

    @Test
    void request_givesTypeXidClientAndTheName() {
        Dhcp6Message m = parse(Dhcp6Frames.of(3, 0xfc3f8b).client(duid(7)).fqdn("alice-laptop.corp.example", true)
                .iaNa(1, iaaddr("fd77::10", 7500)).bytes());
        assertThat(m.type()).isEqualTo(Dhcp6Message.REQUEST);
        assertThat(m.xid()).isEqualTo(0xfc3f8b);
        assertThat(m.client()).isNotZero().isEqualTo(parse(Dhcp6Frames.of(7, 1).client(duid(7)).bytes()).client())
                .isNotEqualTo(parse(Dhcp6Frames.of(7, 1).client(duid(8)).bytes()).client());
        assertThat(m.name()).isEqualTo("alice-laptop.corp.example");
        assertThat(m.status()).isZero();
        assertThat(m.addresses()).containsExactly(address("fd77::10", 7500));
        assertThat(parse(Dhcp6Frames.of(1, 2).fqdn("bob-desktop", false).bytes()).name()).as("a partial name")
                .isEqualTo("bob-desktop");
        assertThat(parse(Dhcp6Frames.of(1, 2).fqdn("", true).bytes()).name()).as("only the root").isNull();
        assertThat(parse(Dhcp6Frames.of(1, 2).option(39, new byte[] {1}).bytes()).name()).as("only flags").isNull();
    }

    @Test
    void reply_givesTheAddressesOfEveryIa_withTheirValidLifetimes() {
        Dhcp6Message m = parse(Dhcp6Frames.of(7, 9).client(duid(7)).iaNa(1, iaaddr("fd77::10", 3600), statusOption(0))
                .iaTa(2, iaaddr("fd77::a:1", 600), iaaddr("fd77::a:2", 0)).status(0).fqdn("alice-laptop", false)
                .bytes());
        assertThat(m.type()).isEqualTo(Dhcp6Message.REPLY);
        assertThat(m.name()).isEqualTo("alice-laptop");
        assertThat(m.addresses()).containsExactly(address("fd77::10", 3600), address("fd77::a:1", 600),
                address("fd77::a:2", 0));
        assertThat(parse(Dhcp6Frames.of(7, 9).iaNa(1, iaaddr("fd77::10", 0xffffffffL)).bytes()).addresses())
                .as("infinite").containsExactly(address("fd77::10", 0xffffffffL));
    }

    @Test
    void failedStatuses_bindNothing() {
        assertThat(parse(Dhcp6Frames.of(7, 9).iaNa(1, iaaddr("fd77::10", 3600)).status(1).bytes()).status())
                .as("the message's own: UnspecFail").isEqualTo(1);
        assertThat(parse(Dhcp6Frames.of(7, 9).iaNa(1, iaaddr("fd77::10", 3600), statusOption(2))
                .iaNa(2, iaaddr("fd77::11", 3600)).bytes()).addresses()).as("an IA's: NoAddrsAvail after its address")
                .containsExactly(address("fd77::11", 3600));
        assertThat(parse(Dhcp6Frames.of(7, 9).iaNa(1, statusOption(2), iaaddr("fd77::10", 3600)).bytes()).addresses())
                .as("before it").isEmpty();
        assertThat(parse(Dhcp6Frames.of(7, 9).iaNa(1, iaaddr("fd77::10", 3600, statusOption(4))).bytes()).addresses())
                .as("an address's own: NotOnLink").isEmpty();
    }

    @Test
    void relayMessages_areReadForTheMessageTheyCarry() {
        byte[] reply = Dhcp6Frames.of(7, 0x123456).client(duid(7)).iaNa(1, iaaddr("2001:db8:1::20", 3600)).bytes();
        Dhcp6Message m = parse(Dhcp6Frames.relay(13, Dhcp6Frames.relay(13, reply)));
        assertThat(m.type()).isEqualTo(Dhcp6Message.REPLY);
        assertThat(m.xid()).isEqualTo(0x123456);
        assertThat(m.addresses()).containsExactly(address("2001:db8:1::20", 3600));
        byte[] deep = reply;
        for (int i = 0; i <= Dhcp6Message.MAX_RELAY_DEPTH; i++) {
            deep = Dhcp6Frames.relay(12, deep);
        }
        assertThat(parse(deep)).as("past the hop limit").isSameAs(Dhcp6Message.MALFORMED);
        byte[] noMessage = java.util.Arrays.copyOf(Dhcp6Frames.relay(12, new byte[0]), 34);
        assertThat(parse(noMessage)).as("a relay message that relays nothing").isSameAs(Dhcp6Message.NOT_DHCP);
    }

    @Test
    void brokenGrammar_isMalformed_otherTypesAreNotDhcp() {
        byte[] past = Dhcp6Frames.of(3, 1).client(duid(1)).bytes();
        past[7] = 40; // the client id's length runs past the message
        assertThat(parse(past)).isSameAs(Dhcp6Message.MALFORMED);
        byte[] insideIa = Dhcp6Frames.of(7, 1).iaNa(1, iaaddr("fd77::10", 3600)).bytes();
        insideIa[4 + 4 + 12 + 3] = 30; // the IAADDR's length runs past its IA
        assertThat(parse(insideIa)).isSameAs(Dhcp6Message.MALFORMED);
        assertThat(parse(Dhcp6Frames.of(7, 1).option(13, new byte[1]).bytes())).as("a one-byte status")
                .isSameAs(Dhcp6Message.MALFORMED);
        assertThat(parse(Dhcp6Frames.of(7, 1).option(3, new byte[5]).bytes())).as("a short IA_NA")
                .isSameAs(Dhcp6Message.MALFORMED);
        assertThat(parse(new byte[] {7, 0, 0})).isSameAs(Dhcp6Message.MALFORMED);
        assertThat(parse(new byte[0])).isSameAs(Dhcp6Message.NOT_DHCP);
        assertThat(parse(new byte[] {0, 1, 2, 3})).as("type 0").isSameAs(Dhcp6Message.NOT_DHCP);
        assertThat(parse(new byte[] {(byte) 200, 1, 2, 3})).isSameAs(Dhcp6Message.NOT_DHCP);
        byte[] label = Dhcp6Frames.of(3, 1).fqdn("carol.corp", true).bytes();
        label[4 + 4 + 1] = 60; // a label past the option
        assertThat(parse(label).name()).isNull();
    }

    @Test
    void cutAtEveryLength_neverThrows_andTheWholeIsRead() {
        byte[] reply = Dhcp6Frames.relay(13, Dhcp6Frames.of(7, 9).client(duid(7)).iaNa(1, iaaddr("fd77::10", 3600))
                .fqdn("alice-laptop.corp.example", true).bytes());
        int malformed = 0;
        for (int n = 0; n < reply.length; n++) {
            Dhcp6Message m = Dhcp6Message.parse(reply, 0, n);
            assertThat(m).as("cut at %d", n).isNotNull();
            assertThat(m.addresses()).as("cut at %d", n).isEmpty();
            malformed += m == Dhcp6Message.MALFORMED ? 1 : 0;
        }
        assertThat(malformed).isPositive();
        assertThat(parse(reply).name()).isEqualTo("alice-laptop.corp.example");
    }

    @Test
    void mutatedAndRandomBytes_neverThrow_namesStayNames() {
        byte[][] seeds = {
            Dhcp6Frames.of(3, 0xfc3f8b).client(duid(7)).fqdn("alice-laptop.corp.example", true)
                    .iaNa(1, iaaddr("fd77::10", 7500)).bytes(),
            Dhcp6Frames.relay(13, Dhcp6Frames.of(7, 9).client(duid(7)).iaNa(1, iaaddr("fd77::10", 3600), statusOption(0))
                    .iaTa(2, iaaddr("fd77::a:1", 600)).fqdn("alice", false).bytes()),
        };
        Mutator m = Mutator.forTest(547, 400);
        int named = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            Dhcp6Message d = Dhcp6Message.parse(m.buffer(), 0, len);
            if (d.addresses().size() > Dhcp6Message.MAX_ADDRESSES) {
                throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + d);
            }
            named += d.name() != null ? 1 : 0;
            if (DhcpFrames.notAName(d.name())) {
                throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + d);
            }
        }
        assertThat(named).as("mutations that still name a device").isPositive();
        byte[] random = new byte[600];
        java.util.Random r = new java.util.Random(546);
        int malformed = 0;
        for (int i = 0; i < 200_000; i++) {
            r.nextBytes(random);
            random[0] = (byte) (1 + r.nextInt(13));
            malformed += Dhcp6Message.parse(random, 0, r.nextInt(600)) == Dhcp6Message.MALFORMED ? 1 : 0;
        }
        assertThat(malformed).isPositive();
    }
}
