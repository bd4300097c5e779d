package dev.umbra.sensor.smb;

import static dev.umbra.sensor.smb.SmbFrames.frame;
import static dev.umbra.sensor.smb.SmbFrames.negotiate;
import static dev.umbra.sensor.smb.SmbFrames.ntlmAuthenticate;
import static dev.umbra.sensor.smb.SmbFrames.sessionSetupRequest;
import static dev.umbra.sensor.smb.SmbFrames.sessionSetupResponse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import dev.umbra.sensor.http.ProxyAuth;
import org.junit.jupiter.api.Test;

class SmbMessageTest {
    private static SmbMessage parse(byte[] frame) {
        return SmbMessage.parse(frame, SmbMessage.FRAME_HEADER, frame.length);
    }

    @Test
    void sessionSetupRequest_namesTheNtlmUser_unicodeOemRawAndInSpnego() {
        SmbMessage m = parse(frame(sessionSetupRequest(2, ntlmAuthenticate("UMBRATEST", "alice", "WS01", true, false))));
        assertThat(m.kind()).isEqualTo(SmbMessage.Kind.SESSION_SETUP_REQUEST);
        assertThat(m.messageId()).isEqualTo(2);
        assertThat(m.user()).isEqualTo("UMBRATEST\\alice");
        assertThat(parse(frame(sessionSetupRequest(7, ntlmAuthenticate("", "bob", "WS02", false, true)))).user())
                .as("OEM, raw NTLMSSP, no domain").isEqualTo("bob");
        assertThat(parse(frame(sessionSetupRequest(0x1_0000_0003L, ntlmAuthenticate("D", "u", "W", true, false))))
                .messageId()).isEqualTo(0x1_0000_0003L);
    }

    @Test
    void sessionSetupRequest_withoutAUser_namesNoOne() {
        // Kerberos (an AP-REQ names no one in the clear), an anonymous NTLM logon, no security buffer
        assertThat(parse(frame(sessionSetupRequest(1, SmbFrames.spnegoKerberos()))).user()).isNull();
        SmbMessage anonymous = parse(frame(sessionSetupRequest(2, ntlmAuthenticate("", "", "", true, false))));
        assertThat(anonymous.kind()).isEqualTo(SmbMessage.Kind.SESSION_SETUP_REQUEST);
        assertThat(anonymous.user()).isNull();
        assertThat(parse(frame(sessionSetupRequest(3, new byte[0]))).user()).isNull();
    }

    @Test
    void sessionSetupResponse_givesStatusAndFlags() {
        SmbMessage ok = parse(frame(sessionSetupResponse(2, 0, 0)));
        assertThat(ok.kind()).isEqualTo(SmbMessage.Kind.SESSION_SETUP_RESPONSE);
        assertThat(ok.messageId()).isEqualTo(2);
        assertThat(ok.status()).isZero();
        assertThat(parse(frame(sessionSetupResponse(2, 0, SmbMessage.IS_GUEST))).sessionFlags())
                .isEqualTo(SmbMessage.IS_GUEST);
        assertThat(parse(frame(sessionSetupResponse(1, SmbFrames.MORE_PROCESSING, 0))).status())
                .isEqualTo(SmbFrames.MORE_PROCESSING);
    }

    @Test
    void negotiateAndSmb1_comeBefore_otherCommandsAndEncryptedComeAfter() {
        assertThat(parse(frame(negotiate(0, false))).kind()).isEqualTo(SmbMessage.Kind.BEFORE_SETUP);
        assertThat(parse(frame(negotiate(0, true))).kind()).isEqualTo(SmbMessage.Kind.BEFORE_SETUP);
        assertThat(parse(frame(SmbFrames.smb1Negotiate())).kind()).isEqualTo(SmbMessage.Kind.BEFORE_SETUP);
        assertThat(parse(frame(SmbFrames.treeConnect(4, false))).kind()).isEqualTo(SmbMessage.Kind.AFTER_SETUP);
        byte[] transform = frame(new byte[52]);
        transform[4] = (byte) 0xfd;
        transform[5] = 'S';
        transform[6] = 'M';
        transform[7] = 'B';
        assertThat(parse(transform).kind()).isEqualTo(SmbMessage.Kind.AFTER_SETUP);
    }

    @Test
    void smb1SessionSetupAndx_namesTheNtlmUser_andItsResponseGivesStatusAndGuest() {
        SmbMessage request = parse(frame(SmbFrames.smb1SessionSetupRequest(0x1234, 5,
                ntlmAuthenticate("UMBRATEST", "carol", "WS03", true, false))));
        assertThat(request.kind()).isEqualTo(SmbMessage.Kind.SESSION_SETUP_REQUEST);
        assertThat(request.user()).isEqualTo("UMBRATEST\\carol");
        assertThat(request.messageId()).isEqualTo(0x1234_0005L);
        SmbMessage ok = parse(frame(SmbFrames.smb1SessionSetupResponse(0x1234, 5, 0, 0)));
        assertThat(ok.kind()).isEqualTo(SmbMessage.Kind.SESSION_SETUP_RESPONSE);
        assertThat(ok.messageId()).isEqualTo(request.messageId());
        assertThat(ok.status()).isZero();
        assertThat(ok.sessionFlags()).isZero();
        assertThat(parse(frame(SmbFrames.smb1SessionSetupResponse(0xfffe, 5, 0, 1))).sessionFlags())
                .as("Action bit 0: a guest").isEqualTo(SmbMessage.IS_GUEST);
        assertThat(parse(frame(SmbFrames.smb1SessionSetupResponse(0xfffe, 5, 0, 1))).messageId())
                .as("a PID past 0x7fff stays positive").isEqualTo(0xfffe_0005L);
        assertThat(parse(frame(SmbFrames.smb1SessionSetupResponse(1, 5, SmbFrames.LOGON_FAILURE, 0))).status())
                .isEqualTo(SmbFrames.LOGON_FAILURE);
        // 13 words: LM and NT responses without NTLMSSP, not read
        byte[] plain = SmbFrames.smb1SessionSetupRequest(1, 6, new byte[0]);
        plain[32] = 13;
        assertThat(plainLogonUser(plain)).isNull();
        // a blob longer than ByteCount, or than the frame
        byte[] f = frame(SmbFrames.smb1SessionSetupRequest(1, 7, ntlmAuthenticate("D", "u", "W", true, false)));
        SmbFrames.le16(f, 4 + 57, 3);
        assertThat(parse(f).kind()).isEqualTo(SmbMessage.Kind.MALFORMED);
        assertThat(SmbMessage.mayBeSetup(frame(SmbFrames.smb1SessionSetupRequest(1, 8, new byte[0])), 0, 40)).isTrue();
    }

    private static String plainLogonUser(byte[] message) {
        byte[] padded = java.util.Arrays.copyOf(message, message.length + 2); // room for the 13th word
        SmbMessage m = parse(frame(padded));
        assertThat(m.kind()).isEqualTo(SmbMessage.Kind.SESSION_SETUP_REQUEST);
        return m.user();
    }

    @Test
    void compound_chainsToTheNextMessage() {
        byte[] f = frame(negotiate(0, false), sessionSetupRequest(1, ntlmAuthenticate("D", "carol", "W", true, false)));
        SmbMessage first = parse(f);
        assertThat(first.kind()).isEqualTo(SmbMessage.Kind.BEFORE_SETUP);
        assertThat(first.next()).isPositive();
        SmbMessage second = SmbMessage.parse(f, first.next(), f.length);
        assertThat(second.user()).isEqualTo("D\\carol");
        assertThat(second.next()).isZero();
    }

    @Test
    void brokenFields_areMalformed() {
        byte[] ok = frame(sessionSetupRequest(2, ntlmAuthenticate("D", "alice", "W", true, false)));
        byte[][] bad = {
            set(ok, 4 + 4, 63), // header StructureSize
            set(ok, 4 + 64, 24), // request StructureSize
            set(ok, 4 + 64 + 12, 20), // security buffer inside the header
            set(ok, 4 + 64 + 14, 0x7fff), // security buffer past the frame
            set(ok, 4 + 20, 12), // NextCommand not 8-aligned
            set(ok, 4 + 20, 0x4000), // NextCommand past the frame
            set(frame(sessionSetupResponse(2, 0, 0)), 4 + 64, 8), // response StructureSize
            {0, 0, 0, 8, 'n', 'o', 't', ' ', 's', 'm', 'b', '!'},
        };
        for (int i = 0; i < bad.length; i++) {
            assertThat(parse(bad[i]).kind()).as("case %d", i).isEqualTo(SmbMessage.Kind.MALFORMED);
        }
        // an NTLM field outside the security buffer (but inside the frame) names no one
        byte[] token = ntlmAuthenticate("D", "alice", "W", true, true);
        byte[] f = frame(sessionSetupRequest(2, token), SmbFrames.treeConnect(3, false));
        int user = 4 + 64 + 24 + 36;
        SmbFrames.le32(f, user + 4, token.length + 8);
        assertThat(parse(f).user()).isNull();
    }

    @Test
    void frameLengthAndMayBeSetup() {
        byte[] setup = frame(sessionSetupRequest(2, ntlmAuthenticate("D", "alice", "W", true, false)));
        assertThat(SmbMessage.frameLength(setup, 0, setup.length)).isEqualTo(setup.length);
        assertThat(SmbMessage.frameLength(setup, 0, 3)).isEqualTo(SmbMessage.NEED_MORE);
        for (int n = SmbMessage.FRAME_HEADER; n <= setup.length; n++) {
            assertThat(SmbMessage.mayBeSetup(setup, 0, n)).as("first %d bytes", n).isTrue();
        }
        byte[] tree = frame(SmbFrames.treeConnect(3, false));
        assertThat(SmbMessage.mayBeSetup(tree, 0, 60)).as("command unknown yet").isTrue();
        assertThat(SmbMessage.mayBeSetup(tree, 0, tree.length)).isFalse();
        byte[] large = {0, 1, 0, 0, (byte) 0xfe, 'S', 'M', 'B'};
        assertThat(SmbMessage.mayBeSetup(large, 0, large.length)).as("64 KiB and more: file data").isFalse();
        assertThat(SmbMessage.mayBeSetup(new byte[] {0x17, 3, 3, 0, 1}, 0, 5)).as("TLS").isFalse();
        assertThat(SmbMessage.mayBeSetup(new byte[] {(byte) 0x85, 0, 0, 0}, 0, 4)).as("keep-alive").isTrue();
    }

    @Test
    void cutAtEveryLength_isReadOrMalformed_neverThrows() {
        byte[] f = frame(negotiate(0, false), sessionSetupRequest(1, ntlmAuthenticate("UMBRATEST", "alice", "W", true, false)));
        for (int n = 0; n <= f.length; n++) {
            SmbMessage m = SmbMessage.parse(f, SmbMessage.FRAME_HEADER, Math.max(SmbMessage.FRAME_HEADER, n));
            assertThat(m).as("cut at %d", n).isNotNull();
            if (m.next() > 0) {
                SmbMessage second = SmbMessage.parse(f, m.next(), n);
                if (second.kind() == SmbMessage.Kind.SESSION_SETUP_REQUEST && second.user() != null) {
                    assertThat(second.user()).as("cut at %d", n).isEqualTo("UMBRATEST\\alice");
                }
            }
        }
        assertThat(SmbMessage.parse(f, SmbMessage.FRAME_HEADER, f.length - 1).kind()).isNotNull();
    }

    @Test
    void mutatedAndRandomBytes_neverThrow_namesStayNames() {
        byte[][] seeds = {
            frame(sessionSetupRequest(2, ntlmAuthenticate("UMBRATEST", "alice", "WS01", true, false))),
            frame(negotiate(0, false), sessionSetupRequest(1, ntlmAuthenticate("", "bob", "W", false, true))),
            frame(sessionSetupResponse(2, 0, 0)),
            frame(SmbFrames.smb1Negotiate()),
            frame(SmbFrames.smb1SessionSetupRequest(0x1234, 5, ntlmAuthenticate("UMBRATEST", "carol", "WS03", true, false))),
        };
        Mutator m = Mutator.forTest(445, 2048);
        int named = 0;
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = m.mutate(seeds[i % seeds.length]);
            byte[] b = m.buffer();
            SmbMessage.frameLength(b, 0, len);
            SmbMessage.mayBeSetup(b, 0, Math.max(len, SmbMessage.FRAME_HEADER));
            int h = SmbMessage.FRAME_HEADER;
            for (int k = 0; k < SmbMessage.maxCompound() && h > 0 && h <= len; k++) {
                SmbMessage msg = SmbMessage.parse(b, h, Math.max(h, len));
                if (msg.user() != null) {
                    named++;
                    if (msg.user().isEmpty() || msg.user().length() > 2 * ProxyAuth.MAX_NAME_LENGTH + 1) {
                        throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + msg);
                    }
                }
                if (msg.next() != 0 && msg.next() <= h) {
                    throw new AssertionError("compound goes backwards at input " + i + " of campaign " + Mutator.campaign());
                }
                h = msg.next();
            }
        }
        assertThat(named).as("mutations that still name a user").isPositive();
    }

    private static byte[] set(byte[] frame, int at, int le16) {
        byte[] b = frame.clone();
        SmbFrames.le16(b, at, le16);
        return b;
    }
}
