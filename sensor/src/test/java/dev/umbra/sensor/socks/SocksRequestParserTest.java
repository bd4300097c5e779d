package dev.umbra.sensor.socks;

import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.hex;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.fuzz.Mutator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SocksRequestParserTest {
    private final SocksRequestParser parser = new SocksRequestParser();

    private static final byte[] GREETING_NONE = hex("050100");
    private static final byte[] GREETING_NONE_AND_PASSWORD = hex("05020002");
    // RFC 1928 4: VER 5, CMD 1, RSV 0, ATYP 3, "api.openai.com", port 443
    private static final byte[] REQUEST_NAME = concat(hex("05010003 0e"), ascii("api.openai.com"), hex("01bb"));

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The user name / password subnegotiation of RFC 1929 2. */
    private static byte[] password(String user, String password) {
        return concat(new byte[] {1, (byte) user.length()}, ascii(user), new byte[] {(byte) password.length()},
                ascii(password));
    }

    private int parse(byte[] b) {
        return parser.parse(b, 0, b.length);
    }

    @Test
    void parse_socks5NameRequest_returnsNamePortAndLength() {
        byte[] opening = concat(GREETING_NONE, REQUEST_NAME);
        assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
        SocksRequest r = parser.result();
        assertThat(r.version()).isEqualTo(5);
        assertThat(r.command()).isEqualTo(SocksRequestParser.CONNECT);
        assertThat(r.commandName()).isEqualTo("CONNECT");
        assertThat(r.host()).isEqualTo("api.openai.com");
        assertThat(r.address()).isNull();
        assertThat(r.port()).isEqualTo(443);
        assertThat(r.length()).isEqualTo(opening.length);
        assertThat(r.passwordSent()).isFalse();
        assertThat(r.user()).isNull();
    }

    @Test
    void parse_socks5WithTunnelBytesBehind_lengthStopsAtTheRequest() {
        byte[] opening = concat(GREETING_NONE, REQUEST_NAME);
        byte[] withHello = concat(opening, hex("160301020001"));
        assertThat(parse(withHello)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().length()).isEqualTo(opening.length);
    }

    @Test
    void parse_socks5Ipv4AndIpv6_returnAddressInFlowKeyLayout() {
        assertThat(parse(concat(GREETING_NONE, hex("05010001 c6336407 2b67")))).isEqualTo(SocksRequestParser.OK);
        SocksRequest v4 = parser.result();
        assertThat(v4.host()).isNull();
        assertThat(v4.address()).isEqualTo("198.51.100.7");
        assertThat(v4.addressHi()).isEqualTo(FlowKey.V4_MARK);
        assertThat(v4.addressLo()).isEqualTo(0xc6336407L);
        assertThat(v4.port()).isEqualTo(11111);

        assertThat(parse(concat(GREETING_NONE, hex("05010004 20010db8000000000000000000000001 01bb"))))
                .isEqualTo(SocksRequestParser.OK);
        SocksRequest v6 = parser.result();
        assertThat(v6.address()).isEqualTo("2001:db8::1");
        assertThat(v6.addressHi()).isEqualTo(0x20010db800000000L);
        assertThat(v6.addressLo()).isEqualTo(1L);
    }

    @Test
    void parse_socks5NameThatIsAnAddress_isReadAsTheAddress() {
        byte[] request = concat(hex("05010003 0b"), ascii("192.0.2.10."), hex("0050"));
        assertThat(parse(concat(GREETING_NONE, request))).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().host()).isNull();
        assertThat(parser.result().address()).isEqualTo("192.0.2.10");
        assertThat(parser.result().addressLo()).isEqualTo(0xc000020aL);
    }

    @Test
    void parse_socks5NameMixedCaseWithTrailingDot_isLowercasedWithoutTheDot() {
        byte[] request = concat(hex("05010003 0f"), ascii("API.Mistral.AI."), hex("01bb"));
        assertThat(parse(concat(GREETING_NONE, request))).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("api.mistral.ai");
    }

    @Test
    void parse_socks5PasswordSubnegotiation_keepsTheUserNeverThePassword() {
        String secret = "s3cr3t-Passw0rd";
        byte[] opening = concat(GREETING_NONE_AND_PASSWORD, password("alice", secret), REQUEST_NAME);
        assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
        SocksRequest r = parser.result();
        assertThat(r.host()).isEqualTo("api.openai.com");
        assertThat(r.passwordSent()).isTrue();
        assertThat(r.user()).isEqualTo("alice");
        assertThat(r.length()).isEqualTo(opening.length);
        assertThat(r.toString()).doesNotContain(secret);
    }

    @Test
    void parse_socks5UserNameThatIsNotText_isNotKept() {
        byte[] opening = concat(GREETING_NONE_AND_PASSWORD, password("bell\u0007", "x"), REQUEST_NAME);
        assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().user()).isNull();
        assertThat(parser.result().passwordSent()).isTrue();
    }

    @Test
    void parse_socks5EmptyPassword_isAccepted() {
        byte[] opening = concat(GREETING_NONE_AND_PASSWORD, password("bob", ""), REQUEST_NAME);
        assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().passwordSent()).isTrue();
    }

    @Test
    void parse_everyPrefix_needsMoreThenOk() {
        List<byte[]> openings = List.of(
                concat(GREETING_NONE, REQUEST_NAME),
                concat(GREETING_NONE_AND_PASSWORD, password("alice", "pw"), REQUEST_NAME),
                concat(GREETING_NONE, hex("05010004 20010db8000000000000000000000001 01bb")),
                concat(hex("04010050 00000001"), ascii("user"), hex("00"), ascii("claude.ai"), hex("00")),
                concat(hex("04010050 c0000201"), ascii("user"), hex("00")));
        for (byte[] opening : openings) {
            for (int n = 0; n < opening.length; n++) {
                assertThat(parser.parse(opening, 0, n)).as("prefix %d of %s", n, Arrays.toString(opening))
                        .isEqualTo(SocksRequestParser.NEED_MORE);
            }
            assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
            assertThat(parser.result().length()).isEqualTo(opening.length);
        }
    }

    @Test
    void parse_socks4_returnsAddressAndPort() {
        byte[] opening = concat(hex("04010050 c0000201"), ascii("curl"), hex("00"));
        assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
        SocksRequest r = parser.result();
        assertThat(r.version()).isEqualTo(4);
        assertThat(r.host()).isNull();
        assertThat(r.address()).isEqualTo("192.0.2.1");
        assertThat(r.addressLo()).isEqualTo(0xc0000201L);
        assertThat(r.port()).isEqualTo(80);
        assertThat(r.length()).isEqualTo(opening.length);
        assertThat(r.user()).as("the USERID").isEqualTo("curl");
    }

    @Test
    void parse_socks4a_returnsTheNameAfterTheUserId() {
        byte[] opening = concat(hex("040101bb 000000ff"), hex("00"), ascii("Gemini.Google.com"), hex("00"));
        assertThat(parse(opening)).isEqualTo(SocksRequestParser.OK);
        SocksRequest r = parser.result();
        assertThat(r.version()).isEqualTo(4);
        assertThat(r.host()).isEqualTo("gemini.google.com");
        assertThat(r.address()).isNull();
        assertThat(r.port()).isEqualTo(443);
        assertThat(r.length()).isEqualTo(opening.length);
        assertThat(r.user()).as("an empty USERID").isNull();
    }

    @Test
    void parse_bindAndUdpAssociate_areReadWithTheirCommand() {
        assertThat(parse(concat(GREETING_NONE, hex("05030001 00000000 0000")))).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().command()).isEqualTo(SocksRequestParser.UDP_ASSOCIATE);
        assertThat(parser.result().commandName()).isEqualTo("UDP ASSOCIATE");
        assertThat(parse(concat(hex("04020015 c0000201"), hex("00")))).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().commandName()).isEqualTo("BIND");
    }

    @Test
    void parse_notAGreeting_isNotSocks() {
        assertThat(parse(hex("0500"))).as("no methods").isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parse(hex("0501ff"))).as("'no acceptable method' is a proxy's answer")
                .isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parse(hex("1603010200"))).as("TLS").isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parse(ascii("GET / HTTP/1.1"))).isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parse(hex("0403"))).as("SOCKS4 has commands 1 and 2 only").isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parse(concat(hex("04010050 00000000"), hex("00"))))
                .as("0.0.0.0 names no destination").isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parse(concat(hex("04010050 c0000201"), hex("01020300"))))
                .as("a user id is printable").isEqualTo(SocksRequestParser.NOT_SOCKS);
        byte[] longUser = new byte[SocksRequestParser.MAX_USERID_LENGTH + 1];
        Arrays.fill(longUser, (byte) 'u');
        assertThat(parse(concat(hex("04010050 c0000201"), longUser, hex("00"))))
                .as("user id over the cap").isEqualTo(SocksRequestParser.NOT_SOCKS);
    }

    @Test
    void parse_userIdAtTheCap_isRead() {
        byte[] user = new byte[SocksRequestParser.MAX_USERID_LENGTH];
        Arrays.fill(user, (byte) 'u');
        assertThat(parse(concat(hex("04010050 c0000201"), user, hex("00")))).isEqualTo(SocksRequestParser.OK);
    }

    @Test
    void parse_brokenRequestAfterGreeting_isMalformed() {
        assertThat(parse(concat(GREETING_NONE, hex("04010003")))).as("version").isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05040001")))).as("command").isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05000001")))).as("command 0").isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05010101")))).as("reserved").isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05010002 00000000")))).as("type 2")
                .isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05010003 00 01bb")))).as("empty name")
                .isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05010003 03"), ascii("a b"), hex("01bb")))).as("space in name")
                .isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, hex("05010003 05"), ascii("a\u0000")))).as("NUL in a name cut short")
                .isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(GREETING_NONE, password("alice", "pw"), REQUEST_NAME)))
                .as("password sent though not offered").isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(hex("040101bb 00000001"), hex("00 00")))).as("SOCKS4a without a name")
                .isEqualTo(SocksRequestParser.MALFORMED);
        assertThat(parse(concat(hex("040101bb 00000001"), hex("00"), ascii("x/y"), hex("00"))))
                .as("SOCKS4a name with a slash").isEqualTo(SocksRequestParser.MALFORMED);
    }

    @Test
    void parse_gssapi_isUnreadable() {
        assertThat(parse(concat(hex("050101"), hex("0101000460000000")))).isEqualTo(SocksRequestParser.UNREADABLE);
    }

    @Test
    void mayStart_onlyVersions4And5() {
        assertThat(SocksRequestParser.mayStart(hex("05"), 0, 1)).isTrue();
        assertThat(SocksRequestParser.mayStart(hex("04"), 0, 1)).isTrue();
        assertThat(SocksRequestParser.mayStart(hex("16"), 0, 1)).isFalse();
        assertThat(SocksRequestParser.mayStart(hex("05"), 0, 0)).isFalse();
    }

    @Test
    void parse_offsetInsideALargerArray_readsOnlyTheRange() {
        byte[] opening = concat(GREETING_NONE, REQUEST_NAME);
        byte[] padded = concat(hex("ffffff"), opening, hex("ffff"));
        assertThat(parser.parse(padded, 3, opening.length)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("api.openai.com");
        assertThat(parser.parse(padded, 3, opening.length - 1)).isEqualTo(SocksRequestParser.NEED_MORE);
    }

    @Test
    void parse_seededRandomAndMutatedBytes_neverThrowAndStayInRange() {
        List<byte[]> seeds = List.of(concat(GREETING_NONE, REQUEST_NAME),
                concat(GREETING_NONE_AND_PASSWORD, password("alice", "pw"), REQUEST_NAME),
                concat(GREETING_NONE, hex("05010004 20010db8000000000000000000000001 01bb")),
                concat(hex("040101bb 000000ff"), hex("00"), ascii("claude.ai"), hex("00")));
        Mutator mutator = Mutator.forTest(0x50C5L, 600);
        Random random = new Random(0x50C5L);
        byte[] input = mutator.buffer();
        int ok = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = mutator.mutate(seeds.get(i % seeds.size()));
            int off = len == 0 ? 0 : random.nextInt(Math.min(len, 4));
            int status = parser.parse(input, off, len - off);
            assertThat(status).as("input %d, campaign %d", i, Mutator.campaign())
                    .isBetween(SocksRequestParser.UNREADABLE, SocksRequestParser.OK);
            if (status == SocksRequestParser.OK) {
                ok++;
                SocksRequest r = parser.result();
                assertThat(r.length()).isBetween(1, len - off);
                assertThat(r.port()).isBetween(0, 65535);
                assertThat(r.host() == null).isNotEqualTo(r.address() == null);
            }
        }
        assertThat(ok).as("mutations of valid openings that still parse").isPositive();
    }

    // --- the header of a datagram through a SOCKS5 UDP relay (RFC 1928 7)

    @Test
    void udpHeader_eachAddressType_destinationPortAndWhereTheDataStarts() {
        byte[] name = concat(hex("00000003"), new byte[] {14}, "API.OpenAI.com".getBytes(StandardCharsets.US_ASCII),
                hex("01bb"), hex("c0ffee"));
        assertThat(parser.udpHeader(name, 0, name.length)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().host()).isEqualTo("api.openai.com");
        assertThat(parser.result().port()).isEqualTo(443);
        assertThat(parser.result().length()).isEqualTo(name.length - 3);
        byte[] v4 = hex("000000010a090935" + "0035" + "aabb");
        assertThat(parser.udpHeader(v4, 0, v4.length)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().address()).isEqualTo("10.9.9.53");
        assertThat(parser.result().addressHi()).isEqualTo(FlowKey.V4_MARK);
        assertThat(parser.result().length()).isEqualTo(10);
        byte[] v6 = hex("0000000420010db8000000000000000000000009" + "20fb");
        assertThat(parser.udpHeader(v6, 0, v6.length)).isEqualTo(SocksRequestParser.OK);
        assertThat(parser.result().address()).isEqualTo("2001:db8::9");
        assertThat(parser.result().port()).isEqualTo(8443);
        assertThat(parser.result().length()).isEqualTo(v6.length);
    }

    @Test
    void udpHeader_reservedBytesSetOrTooShort_notSocks_brokenAddress_malformed() {
        assertThat(parser.udpHeader(hex("0100000100000000" + "0035"), 0, 10)).isEqualTo(SocksRequestParser.NOT_SOCKS);
        assertThat(parser.udpHeader(hex("000000"), 0, 3)).isEqualTo(SocksRequestParser.NOT_SOCKS);
        // an unknown address type; an address, a name or a port cut short; a name with a byte no name has
        for (String h : List.of("00000009" + "0a0000010035", "000000010a00", "00000003" + "0a616263", "0000000300",
                "00000003" + "03612f62" + "0035", "000000040000")) {
            byte[] b = hex(h);
            assertThat(parser.udpHeader(b, 0, b.length)).as(h).isEqualTo(SocksRequestParser.MALFORMED);
        }
    }

    @Test
    void udpHeader_randomAndCutBytes_neverThrowNeverReadPastTheEnd() {
        Random random = new Random(1928);
        for (int i = 0; i < 1_000_000; i++) {
            byte[] b = new byte[4 + random.nextInt(40)];
            random.nextBytes(b);
            b[0] = 0;
            b[1] = 0;
            if (random.nextBoolean()) {
                b[3] = (byte) (1 + random.nextInt(4));
            }
            int len = random.nextInt(b.length + 1);
            int status = parser.udpHeader(b, 0, len);
            if (status == SocksRequestParser.OK) {
                assertThat(parser.result().length()).isBetween(8, len); // a one-letter name is the shortest
            }
        }
    }
}
