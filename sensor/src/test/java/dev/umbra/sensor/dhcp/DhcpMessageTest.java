package dev.umbra.sensor.dhcp;

import static dev.umbra.sensor.dhcp.DhcpFrames.mac;
import static dev.umbra.sensor.dhcp.DhcpFrames.v4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import org.junit.jupiter.api.Test;

class DhcpMessageTest {
    private static DhcpMessage parse(byte[] b) {
        return DhcpMessage.parse(b, 0, b.length);
    }

    @Test
    void request_givesTypeXidHardwareAddressAndTheHostName() {
        DhcpMessage m = parse(DhcpFrames.client(3, 0x1234abcd, mac(7)).hostName("ALICE-LAPTOP").bytes());
        assertThat(m.reply()).isFalse();
        assertThat(m.type()).isEqualTo(DhcpMessage.REQUEST);
        assertThat(m.xid()).isEqualTo(0x1234abcd);
        assertThat(m.chaddr()).isEqualTo(0x02005e1000070000L);
        assertThat(m.name()).isEqualTo("ALICE-LAPTOP");
        assertThat(m.leaseSeconds()).isEqualTo(-1);
    }

    @Test
    void ack_givesTheAddressLeaseAndName_theFqdnBeforeTheHostName() {
        DhcpMessage m = parse(DhcpFrames.server(5, 9, mac(7)).yiaddr(v4(10, 0, 0, 20)).lease(3600).hostName("alice")
                .fqdn("alice-laptop.corp.example", false).bytes());
        assertThat(m.reply()).isTrue();
        assertThat(m.type()).isEqualTo(DhcpMessage.ACK);
        assertThat(m.yiaddr()).isEqualTo(v4(10, 0, 0, 20));
        assertThat(m.leaseSeconds()).isEqualTo(3600);
        assertThat(m.name()).isEqualTo("alice-laptop.corp.example");
        assertThat(parse(DhcpFrames.client(3, 9, mac(7)).fqdn("bob-desktop.corp.example", true).bytes()).name())
                .as("wire format").isEqualTo("bob-desktop.corp.example");
        assertThat(parse(DhcpFrames.client(3, 9, mac(7)).hostName("carol").fqdn("", false).bytes()).name())
                .as("an FQDN option that names nothing").isEqualTo("carol");
        assertThat(parse(DhcpFrames.server(5, 9, mac(7)).lease(0xffffffffL).bytes()).leaseSeconds())
                .as("infinite").isEqualTo(0xffffffffL);
    }

    @Test
    void names_areTrimmedAndCheckedAndPartsJoined() {
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).hostName("dave\0").bytes()).name()).as("a NUL at the end")
                .isEqualTo("dave");
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).fqdn("erin.corp.example.", false).bytes()).name())
                .as("a root dot").isEqualTo("erin.corp.example");
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).hostName("Frank's iPad").bytes()).name()).isEqualTo("Frank's iPad");
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).hostName("a\nb").bytes()).name()).as("a control").isNull();
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).hostName("caf\u00e9").bytes()).name()).as("not ASCII").isNull();
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).hostName("x".repeat(255)).hostName("y").bytes()).name())
                .as("RFC 3396: parts joined, past the cap").isNull();
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).hostName("gr").hostName("ace").bytes()).name()).isEqualTo("grace");
    }

    @Test
    void overloadedFileField_holdsOptionsToo() {
        byte[] inFile = {12, 4, 'h', 'e', 'i', 'n', (byte) 255};
        DhcpMessage m = parse(DhcpFrames.client(3, 1, mac(1)).inFile(inFile).bytes());
        assertThat(m.name()).isEqualTo("hein");
    }

    @Test
    void bootpAndShortMessages_areNotDhcp_brokenOptionsAreMalformed() {
        byte[] bootp = DhcpFrames.client(3, 1, mac(1)).bytes();
        bootp[DhcpFrames.FIXED + 4] = 0; // option 53 becomes padding...
        bootp[DhcpFrames.FIXED + 5] = 0;
        bootp[DhcpFrames.FIXED + 6] = 0;
        assertThat(parse(bootp)).isSameAs(DhcpMessage.NOT_DHCP);
        assertThat(parse(new byte[300])).as("no cookie").isSameAs(DhcpMessage.NOT_DHCP);
        assertThat(parse(new byte[10])).isSameAs(DhcpMessage.NOT_DHCP);
        byte[] past = DhcpFrames.client(3, 1, mac(1)).hostName("ivan").noEnd().bytes();
        past[past.length - 5] = 40; // the host name's length runs past the message
        assertThat(parse(past)).isSameAs(DhcpMessage.MALFORMED);
        byte[] op = DhcpFrames.client(3, 1, mac(1)).bytes();
        op[0] = 3;
        assertThat(parse(op)).isSameAs(DhcpMessage.MALFORMED);
        byte[] wire = DhcpFrames.client(3, 1, mac(1)).fqdn("judy.corp", true).bytes();
        wire[DhcpFrames.FIXED + 4 + 3 + 2 + 3] = 60; // a label past the option
        assertThat(parse(wire).name()).isNull();
        assertThat(parse(DhcpFrames.client(3, 1, mac(1)).noEnd().bytes()).type()).as("no end option")
                .isEqualTo(DhcpMessage.REQUEST);
    }

    @Test
    void cutAtEveryLength_isReadOrNotDhcpOrMalformed_neverThrows() {
        byte[] ack = DhcpFrames.server(5, 9, mac(7)).yiaddr(v4(10, 0, 0, 20)).lease(3600).hostName("alice")
                .fqdn("alice-laptop.corp.example", true).bytes();
        for (int n = 0; n <= ack.length; n++) {
            DhcpMessage m = DhcpMessage.parse(ack, 0, n);
            if (n < DhcpFrames.FIXED + 4) {
                assertThat(m).as("cut at %d", n).isSameAs(DhcpMessage.NOT_DHCP);
            } else {
                assertThat(m).as("cut at %d", n).isNotNull();
            }
        }
    }

    @Test
    void mutatedAndRandomBytes_neverThrow_namesStayNames() {
        byte[][] seeds = {
            DhcpFrames.client(3, 0x1234abcd, mac(7)).hostName("ALICE-LAPTOP").fqdn("alice.corp.example", true).bytes(),
            DhcpFrames.server(5, 9, mac(7)).yiaddr(v4(10, 0, 0, 20)).lease(3600).hostName("alice").bytes(),
            DhcpFrames.client(3, 1, mac(1)).inFile(new byte[] {12, 4, 'h', 'e', 'i', 'n', (byte) 255}).bytes(),
        };
        Mutator m = Mutator.forTest(67, 700);
        int named = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            DhcpMessage d = DhcpMessage.parse(m.buffer(), 0, len);
            named += d.name() != null ? 1 : 0;
            if (DhcpFrames.notAName(d.name())) {
                throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + d);
            }
        }
        assertThat(named).as("mutations that still name a device").isPositive();
        // random bytes behind a cookie: most break the option grammar, none throws
        byte[] random = new byte[600];
        java.util.Random r = new java.util.Random(68);
        int malformed = 0;
        for (int i = 0; i < 200_000; i++) {
            r.nextBytes(random);
            random[0] = (byte) (1 + (i & 1));
            System.arraycopy(new byte[] {0x63, (byte) 0x82, 0x53, 0x63}, 0, random, DhcpFrames.FIXED, 4);
            malformed += DhcpMessage.parse(random, 0, 240 + r.nextInt(360)) == DhcpMessage.MALFORMED ? 1 : 0;
        }
        assertThat(malformed).isPositive();
    }
}
