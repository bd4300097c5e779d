package dev.umbra.sensor.smb;

import static dev.umbra.sensor.smb.SmbFrames.frame;
import static dev.umbra.sensor.smb.SmbFrames.negotiate;
import static dev.umbra.sensor.smb.SmbFrames.ntlmAuthenticate;
import static dev.umbra.sensor.smb.SmbFrames.sessionSetupRequest;
import static dev.umbra.sensor.smb.SmbFrames.sessionSetupResponse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmbLogonsTest {
    private static final long SERVER = 0x0a000002L;
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final List<String> logons = new ArrayList<>();
    private SmbLogons smb = new SmbLogons(anomalies, AddressBlocks.ANY,
            (hi, lo, user, t) -> logons.add(Long.toHexString(lo) + " " + user));

    private static FlowKey client(long address, int port) {
        return new FlowKey(FlowKey.V4_MARK, address, FlowKey.V4_MARK, SERVER, port, 445, 6);
    }

    private boolean send(FlowKey key, byte[] frame, long time) {
        return smb.frame(key, frame, 0, frame.length, time);
    }

    /** The NTLM exchange of one client: NEGOTIATE, two SESSION_SETUP legs; the second's response given. */
    private void logon(FlowKey c, String user, int status, int flags, long time) {
        assertThat(send(c, frame(negotiate(0, false)), time)).isTrue();
        assertThat(send(c.reverse(), frame(negotiate(0, true)), time)).isTrue();
        send(c, frame(sessionSetupRequest(1, ntlmAuthenticate("", "", "", true, false))), time);
        send(c.reverse(), frame(sessionSetupResponse(1, SmbFrames.MORE_PROCESSING, 0)), time);
        send(c, frame(sessionSetupRequest(2, ntlmAuthenticate("UMBRATEST", user, "WS01", true, false))), time);
        send(c.reverse(), frame(sessionSetupResponse(2, status, flags)), time + 1_000_000);
    }

    @Test
    void aSuccessfulSessionSetup_namesTheClientAddress() {
        logon(client(0x0a000010L, 50000), "alice", 0, 0, 0);
        assertThat(logons).containsExactly("a000010 UMBRATEST\\alice");
        assertThat(smb.pending()).isZero();
        // then the session is used: nothing more to read on the connection
        assertThat(send(client(0x0a000010L, 50000), frame(SmbFrames.treeConnect(3, false)), 2)).isFalse();
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void anSmb1Logon_namesTheClient_aGuestOneDoesNot() {
        FlowKey c = client(0x0a000019L, 50009);
        assertThat(send(c, frame(SmbFrames.smb1Negotiate()), 0)).isTrue();
        send(c, frame(SmbFrames.smb1SessionSetupRequest(77, 2, ntlmAuthenticate("UMBRATEST", "carol", "W", true, false))), 0);
        send(c.reverse(), frame(SmbFrames.smb1SessionSetupResponse(77, 2, 0, 0)), 1);
        FlowKey g = client(0x0a00001aL, 50010);
        send(g, frame(SmbFrames.smb1SessionSetupRequest(78, 2, ntlmAuthenticate("UMBRATEST", "guest", "W", true, false))), 0);
        send(g.reverse(), frame(SmbFrames.smb1SessionSetupResponse(78, 2, 0, 1)), 1);
        assertThat(logons).containsExactly("a000019 UMBRATEST\\carol");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void failedGuestAndAnonymousSessions_nameNoOne() {
        logon(client(0x0a000011L, 50001), "mallory", SmbFrames.LOGON_FAILURE, 0, 0);
        logon(client(0x0a000012L, 50002), "nobody", 0, SmbMessage.IS_GUEST, 0);
        logon(client(0x0a000013L, 50003), "anon", 0, SmbMessage.IS_NULL, 0);
        assertThat(logons).isEmpty();
        assertThat(smb.pending()).isZero();
    }

    @Test
    void aResponseOnAnotherConnectionOrWithAnotherMessageId_namesNoOne() {
        FlowKey c = client(0x0a000014L, 50004);
        send(c, frame(sessionSetupRequest(2, ntlmAuthenticate("D", "alice", "W", true, false))), 0);
        send(client(0x0a000015L, 50005).reverse(), frame(sessionSetupResponse(2, 0, 0)), 1);
        send(c.reverse(), frame(sessionSetupResponse(3, 0, 0)), 1);
        assertThat(logons).isEmpty();
        assertThat(smb.pending()).isEqualTo(1);
    }

    @Test
    void aResponseAfterTheWait_namesNoOne() {
        FlowKey c = client(0x0a000016L, 50006);
        send(c, frame(sessionSetupRequest(2, ntlmAuthenticate("D", "alice", "W", true, false))), 0);
        send(c.reverse(), frame(sessionSetupResponse(2, 0, 0)), SmbLogons.PENDING_NANOS + 1);
        assertThat(logons).isEmpty();
    }

    @Test
    void untrustedServers_areCounted_andNameNoOne() {
        smb = new SmbLogons(anomalies, AddressBlocks.parse(List.of("10.0.0.3/32"), "capture.smb_servers"),
                (hi, lo, user, t) -> logons.add(user));
        logon(client(0x0a000017L, 50007), "alice", 0, 0, 0);
        assertThat(logons).isEmpty();
        assertThat(anomalies.nonZero()).containsExactly(Map.entry(Anomaly.SMB_LOGON_UNTRUSTED, 1L));
    }

    @Test
    void pendingRequests_areCapped_eldestDroppedAndCounted() {
        for (int i = 0; i <= SmbLogons.MAX_PENDING; i++) {
            send(client(0x0b000000L + i, 40000), frame(sessionSetupRequest(2, ntlmAuthenticate("D", "u" + i, "W", true,
                    false))), i);
        }
        assertThat(smb.pending()).isEqualTo(SmbLogons.MAX_PENDING);
        assertThat(anomalies.get(Anomaly.SMB_LOGON_EVICTED)).isEqualTo(1);
        send(client(0x0b000000L, 40000).reverse(), frame(sessionSetupResponse(2, 0, 0)), 5000);
        send(client(0x0b000001L, 40000).reverse(), frame(sessionSetupResponse(2, 0, 0)), 5000);
        assertThat(logons).containsExactly("b000001 D\\u1");
    }

    @Test
    void compoundsNetbiosMessagesAndMalformedFrames() {
        FlowKey c = client(0x0a000018L, 50008);
        assertThat(send(c, new byte[] {(byte) 0x85, 0, 0, 0}, 0)).as("NetBIOS keep-alive").isTrue();
        assertThat(send(c, frame(negotiate(0, false), sessionSetupRequest(1, ntlmAuthenticate("D", "carol", "W", true,
                false))), 0)).isTrue();
        assertThat(send(c.reverse(), frame(sessionSetupResponse(1, 0, 0)), 1)).isTrue();
        assertThat(logons).containsExactly("a000018 D\\carol");
        assertThat(send(c, new byte[] {0, 0, 0, 4, 'j', 'u', 'n', 'k'}, 2)).isFalse();
        assertThat(anomalies.nonZero()).containsExactly(Map.entry(Anomaly.SMB_MESSAGE_MALFORMED, 1L));
    }
}
