package dev.umbra.sensor.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyAuthTest {
    private static String user(String value) {
        byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
        return ProxyAuth.user(b, 0, b.length);
    }

    private static boolean negotiate(String value) {
        byte[] b = value.getBytes(StandardCharsets.ISO_8859_1);
        return ProxyAuth.ntlmNegotiate(b, 0, b.length);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** What real curl sent to a real Squid (make-proxy-auth.sh): Basic, NTLM NEGOTIATE, NTLM AUTHENTICATE, Digest. */
    private static List<String> recorded() throws IOException {
        return Files.readAllLines(HpackTest.testData().resolve("captures/proxy-auth.headers.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }

    @Test
    void user_realCurlHeaders_namesTheUserNeverThePassword() throws IOException {
        List<String> values = recorded();
        assertThat(values).hasSize(4);
        assertThat(user(values.get(0))).isEqualTo("alice");
        assertThat(negotiate(values.get(0))).isFalse();
        assertThat(user(values.get(1))).as("NTLM NEGOTIATE names no one").isNull();
        assertThat(negotiate(values.get(1))).isTrue();
        assertThat(user(values.get(2))).isEqualTo("CORP\\bob");
        assertThat(negotiate(values.get(2))).isFalse();
        assertThat(values.get(3)).startsWith("Digest ").contains("response=");
        assertThat(user(values.get(3))).isEqualTo("erin");
        assertThat(negotiate(values.get(3))).isFalse();
    }

    @Test
    void user_basic_rfc7617Examples() {
        // RFC 7617 2: "Aladdin" with password "open sesame"
        assertThat(user("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")).isEqualTo("Aladdin");
        // RFC 7617 2.1: "test" with password "123£" in UTF-8
        assertThat(user("Basic dGVzdDoxMjPCow==")).isEqualTo("test");
        assertThat(user("  basic   QWxhZGRpbjpvcGVuIHNlc2FtZQ==  ")).as("scheme in any case, spaces").isEqualTo("Aladdin");
        assertThat(user("Basic " + b64("J\u00fcrgen:x".getBytes(StandardCharsets.UTF_8)))).isEqualTo("J\u00fcrgen");
        assertThat(user("Basic " + b64("user:pass:with:colons".getBytes(StandardCharsets.UTF_8)))).isEqualTo("user");
    }

    @Test
    void user_notAUser_isNull() {
        assertThat(user("Basic " + b64("no-colon".getBytes(StandardCharsets.UTF_8)))).as("no colon").isNull();
        assertThat(user("Basic " + b64(":password-only".getBytes(StandardCharsets.UTF_8)))).as("empty user").isNull();
        assertThat(user("Basic " + b64("bell\u0007:x".getBytes(StandardCharsets.UTF_8)))).as("control").isNull();
        assertThat(user("Basic " + b64(new byte[] {(byte) 0xc3, 0x28, ':', 'x'}))).as("not UTF-8").isNull();
        assertThat(user("Basic " + b64(("a".repeat(257) + ":x").getBytes(StandardCharsets.UTF_8)))).as("too long")
                .isNull();
        assertThat(user("Basic not*base64")).isNull();
        assertThat(user("Basic")).isNull();
        assertThat(user("")).isNull();
        assertThat(user("Bearer " + b64("alice:x".getBytes(StandardCharsets.UTF_8)))).as("other scheme").isNull();
        assertThat(user("Basic " + "QUFB".repeat(ProxyAuth.MAX_TOKEN_LENGTH / 4 + 1))).as("token over the cap").isNull();
    }

    @Test
    void user_digest_rfc7616Examples() {
        // RFC 7616 3.9.1, the Authorization header of the SHA-256 example, folded onto one line
        assertThat(user("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\","
                + " algorithm=SHA-256, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001,"
                + " cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth,"
                + " response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\","
                + " opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"")).isEqualTo("Mufasa");
        // RFC 7616 3.9.2: a name outside ASCII, sent as an RFC 8187 ext-value
        assertThat(user("Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"api@example.org\", uri=\"/doe.json\""))
                .isEqualTo("J\u00e4s\u00f8n Doe");
        // RFC 7616 3.4.4: with userhash=true the name is a hash of name and realm, and names no one
        assertThat(user("Digest username=\"488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec\","
                + " realm=\"api@example.org\", userhash=true")).isNull();
        assertThat(user("Digest userhash=\"true\", username=\"488869477bf2\"")).isNull();
        assertThat(user("  DIGEST\tusername = \"CORP\\\\erin\" ,uri=\"x\"")).as("quoted-pair, any case, BWS")
                .isEqualTo("CORP\\erin");
        assertThat(user("Digest username=erin, realm=r")).as("a token, not quoted").isEqualTo("erin");
    }

    @Test
    void user_brokenDigest_isNull() {
        assertThat(user("Digest realm=\"r\", nonce=\"n\"")).as("no username").isNull();
        assertThat(user("Digest username=\"erin")).as("unterminated").isNull();
        assertThat(user("Digest username=\"\"")).as("empty").isNull();
        assertThat(user("Digest username=\"a\u0007b\"")).as("control").isNull();
        assertThat(user("Digest username, realm=\"r\"")).as("no value").isNull();
        assertThat(user("Digest username*=ISO-8859-1''J%E4son")).as("not UTF-8").isNull();
        assertThat(user("Digest username*=UTF-8''J%C")).as("cut escape").isNull();
        assertThat(user("Digest username*=UTF-8''%C3%28")).as("bad UTF-8").isNull();
        assertThat(user("Digest username=\"" + "a".repeat(ProxyAuth.MAX_TOKEN_LENGTH) + "\"")).as("over the cap")
                .isNull();
        assertThat(user("Digestusername=\"erin\"")).as("no space after the scheme").isNull();
        assertThat(negotiate("Digest username=\"erin\"")).isFalse();
    }

    /** An NTLM AUTHENTICATE_MESSAGE (MS-NLMP 2.2.1.3) with the given domain and user fields. */
    private static byte[] authenticate(byte[] domain, byte[] user, int flags) {
        byte[] m = new byte[64 + domain.length + user.length];
        System.arraycopy("NTLMSSP\0".getBytes(StandardCharsets.US_ASCII), 0, m, 0, 8);
        m[8] = 3;
        field(m, 28, domain.length, 64);
        field(m, 36, user.length, 64 + domain.length);
        m[60] = (byte) flags;
        System.arraycopy(domain, 0, m, 64, domain.length);
        System.arraycopy(user, 0, m, 64 + domain.length, user.length);
        return m;
    }

    private static void field(byte[] m, int at, int length, int offset) {
        m[at] = (byte) length;
        m[at + 1] = (byte) (length >>> 8);
        m[at + 4] = (byte) offset;
        m[at + 5] = (byte) (offset >>> 8);
    }

    @Test
    void user_ntlmAuthenticate_unicodeOemAndInSpnego() {
        byte[] unicode = authenticate("EXAMPLE".getBytes(StandardCharsets.UTF_16LE), "Erin".getBytes(StandardCharsets.UTF_16LE), 1);
        assertThat(user("NTLM " + b64(unicode))).isEqualTo("EXAMPLE\\Erin");
        byte[] oem = authenticate(new byte[0], "erin".getBytes(StandardCharsets.US_ASCII), 0);
        assertThat(user("NTLM " + b64(oem))).as("OEM, no domain").isEqualTo("erin");
        // SPNEGO NegTokenResp (RFC 4178) around the NTLM message: a few ASN.1 bytes before the signature
        byte[] spnego = new byte[12 + unicode.length];
        System.arraycopy(new byte[] {(byte) 0xa1, (byte) 0x82, 0x01, 0x00, 0x30, (byte) 0x81, (byte) 0xfc, (byte) 0xa2,
            (byte) 0x81, (byte) 0xf9, 0x04, (byte) 0x81}, 0, spnego, 0, 12);
        System.arraycopy(unicode, 0, spnego, 12, unicode.length);
        assertThat(user("Negotiate " + b64(spnego))).isEqualTo("EXAMPLE\\Erin");
    }

    @Test
    void user_brokenNtlm_isNull() {
        byte[] ok = authenticate("D".getBytes(StandardCharsets.UTF_16LE), "u".getBytes(StandardCharsets.UTF_16LE), 1);
        byte[] outside = ok.clone();
        outside[40] = (byte) 200; // user offset past the end
        assertThat(user("NTLM " + b64(outside))).isNull();
        byte[] odd = authenticate(new byte[0], new byte[] {'u', 0, 'v'}, 1);
        assertThat(user("NTLM " + b64(odd))).as("UTF-16 of odd length").isNull();
        byte[] anonymous = authenticate("D".getBytes(StandardCharsets.UTF_16LE), new byte[0], 1);
        assertThat(user("NTLM " + b64(anonymous))).isNull();
        assertThat(user("NTLM " + b64(java.util.Arrays.copyOf(ok, 40)))).as("cut").isNull();
        byte[] challenge = ok.clone();
        challenge[8] = 2;
        assertThat(user("NTLM " + b64(challenge))).isNull();
        assertThat(user("Negotiate " + b64(new byte[] {0x60, 0x10, 0x06, 0x06}))).as("Kerberos").isNull();
    }

    @Test
    void socksUser_textOnly() {
        byte[] b = "carol".getBytes(StandardCharsets.US_ASCII);
        assertThat(ProxyAuth.socksUser(b, 0, b.length)).isEqualTo("carol");
        assertThat(ProxyAuth.socksUser(b, 0, 0)).isNull();
        byte[] nul = {'a', 0, 'b'};
        assertThat(ProxyAuth.socksUser(nul, 0, 3)).isNull();
    }

    @Test
    void user_seededRandomAndMutatedValues_neverThrowAndGiveNamesOnly() throws IOException {
        List<String> seeds = recorded();
        Mutator mutator = Mutator.forTest(0x1929L, 4096);
        byte[] input = mutator.buffer();
        int named = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = mutator.mutate(seeds.get(i % seeds.size()).getBytes(StandardCharsets.ISO_8859_1));
            String u = ProxyAuth.user(input, 0, len);
            ProxyAuth.ntlmNegotiate(input, 0, len);
            if (u != null) {
                named++;
                assertThat(u.length()).isBetween(1, ProxyAuth.MAX_NAME_LENGTH);
                assertThat(u.chars().noneMatch(c -> c < 0x20 || c == 0x7f)).as("input %d", i).isTrue();
            }
        }
        assertThat(named).as("mutations that still name a user").isPositive();
    }
}
