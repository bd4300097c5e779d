package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static dev.umbra.sensor.smb.SmbFrames.concat;
import static dev.umbra.sensor.smb.SmbFrames.frame;
import static dev.umbra.sensor.smb.SmbFrames.negotiate;
import static dev.umbra.sensor.smb.SmbFrames.ntlmAuthenticate;
import static dev.umbra.sensor.smb.SmbFrames.sessionSetupRequest;
import static dev.umbra.sensor.smb.SmbFrames.sessionSetupResponse;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.kerberos.Der;
import dev.umbra.sensor.smb.SmbFrames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** SMB logons (NTLM SESSION_SETUP accepted by the server) naming the clients of later observations. */
class SmbNamingTest {
    private static final String SERVER = "10.0.0.2";
    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test", seen::add, anomalies);
    private long time = 1_700_000_000_000_000_000L;

    private void packet(byte[] ipPacket) {
        byte[] f = ethernet(ipPacket);
        time += 1_000_000;
        decoder.onPacket(LinkType.ETHERNET, time, f, 0, f.length, f.length);
    }

    private void segment(String from, String to, int srcPort, int dstPort, long seq, byte[] payload) {
        packet(ip(from, to, 6, tcp(srcPort, dstPort, seq, 0x18, payload)));
    }

    private void hello(String client, int port, String sni) {
        String server = client.contains(":") ? "2001:db8:ffff::7" : "198.51.100.7";
        packet(ip(client, server, 6, tcp(port, 443, 1, 0x18, clientHello(sni, List.of("h2"), 32))));
    }

    private String userOf(String sni) {
        return seen.stream().filter(o -> o.hostname().equals(sni)).findFirst().orElseThrow().user();
    }

    /**
     * One client's SMB connection from its SYN: NEGOTIATE, both SESSION_SETUP legs, the server's answers,
     * then TREE_CONNECT and file data; the second leg's request split in two segments sent in reverse order.
     */
    private void connection(String client, int port, String user, int status, boolean split) {
        long c = 1000;
        long s = 5000;
        packet(ip(client, SERVER, 6, tcp(port, 445, c - 1, 0x02, new byte[0])));
        packet(ip(SERVER, client, 6, tcp(445, port, s - 1, 0x12, new byte[0])));
        byte[][] out = {frame(negotiate(0, false)),
            frame(sessionSetupRequest(1, ntlmAuthenticate("", "", "", true, false))),
            frame(sessionSetupRequest(2, ntlmAuthenticate("UMBRATEST", user, "WS01", true, false))),
            frame(SmbFrames.treeConnect(3, false))};
        byte[][] in = {frame(negotiate(0, true)), frame(sessionSetupResponse(1, SmbFrames.MORE_PROCESSING, 0)),
            frame(sessionSetupResponse(2, status, 0)), frame(SmbFrames.treeConnect(3, true))};
        for (int i = 0; i < out.length; i++) {
            if (split && i == 2) {
                int half = out[i].length / 2;
                segment(client, SERVER, port, 445, c + half, Arrays.copyOfRange(out[i], half, out[i].length));
                segment(client, SERVER, port, 445, c, Arrays.copyOfRange(out[i], 0, half));
            } else {
                segment(client, SERVER, port, 445, c, out[i]);
            }
            c += out[i].length;
            segment(SERVER, client, 445, port, s, in[i]);
            s += in[i].length;
        }
        byte[] data = new byte[1400];
        Arrays.fill(data, (byte) 0x41);
        segment(SERVER, client, 445, port, s, data); // a file's bytes after the set-up
    }

    @Test
    void anAcceptedNtlmLogon_namesTheClientsLaterFlows_splitAndReorderedToo() {
        decoder.nameClientsByLogons();
        connection("10.1.0.10", 50000, "alice", 0, false);
        connection("10.1.0.11", 50001, "bob", 0, true);
        connection("10.1.0.12", 50002, "mallory", SmbFrames.LOGON_FAILURE, false);
        hello("10.1.0.10", 41000, "api.openai.com");
        hello("10.1.0.11", 41001, "claude.ai");
        hello("10.1.0.12", 41002, "mistral.ai");
        assertThat(userOf("api.openai.com")).isEqualTo("UMBRATEST\\alice");
        assertThat(userOf("claude.ai")).isEqualTo("UMBRATEST\\bob");
        assertThat(userOf("mistral.ai")).as("wrong password").isNull();
        assertThat(anomalies.nonZero()).isEmpty();
    }

    @Test
    void aConnectionSeenMidway_isReadFromItsSegments_andAnUntrustedServerIsCounted() {
        decoder.nameClientsByLogons(AddressBlocks.ANY, AddressBlocks.parse(List.of("10.0.0.0/30"), "capture.smb_servers"));
        // no SYN: the second leg and its answer, each whole in a segment, with a keep-alive before
        segment("10.1.0.20", SERVER, 50010, 445, 77, concat(new byte[] {(byte) 0x85, 0, 0, 0},
                frame(sessionSetupRequest(2, ntlmAuthenticate("CORP", "carol", "W", true, false)))));
        segment(SERVER, "10.1.0.20", 445, 50010, 99, frame(sessionSetupResponse(2, 0, 0)));
        segment("10.1.0.21", "10.9.9.9", 50011, 445, 77, frame(sessionSetupRequest(2, ntlmAuthenticate("CORP", "dave",
                "W", true, false))));
        segment("10.9.9.9", "10.1.0.21", 445, 50011, 99, frame(sessionSetupResponse(2, 0, 0)));
        hello("10.1.0.20", 41000, "api.openai.com");
        hello("10.1.0.21", 41001, "claude.ai");
        assertThat(userOf("api.openai.com")).isEqualTo("CORP\\carol");
        assertThat(userOf("claude.ai")).isNull();
        assertThat(anomalies.nonZero()).containsExactly(Map.entry(Anomaly.SMB_LOGON_UNTRUSTED, 1L));
    }

    @Test
    void tlsOnAnSmbPort_isStillRecognisedByContent() {
        decoder.nameClientsByLogons();
        packet(ip("10.1.0.40", "198.51.100.7", 6, tcp(41000, 445, 1, 0x02, new byte[0])));
        packet(ip("10.1.0.40", "198.51.100.7", 6, tcp(41000, 445, 2, 0x18, clientHello("api.openai.com", List.of("h2"),
                32))));
        packet(ip("10.1.0.41", "198.51.100.7", 6, tcp(41001, 139, 1, 0x18, clientHello("claude.ai", List.of("h2"), 32))));
        assertThat(seen).extracting(Observation::hostname).containsExactly("api.openai.com", "claude.ai");
        assertThat(anomalies.nonZero()).isEmpty();
    }

    @Test
    void kerberosAndNtlmForOneAccount_nameIt_aDecoderNotAskedNamesNoOne() {
        decoder.nameClientsByLogons();
        packet(ip("10.0.0.5", "10.1.0.30", 17, udp(88, 50000, Der.kdcReply(11, true, "CORP.EXAMPLE",
                Der.principal(1, "erin")))));
        connection("10.1.0.30", 50020, "Erin", 0, false);
        hello("10.1.0.30", 41000, "gemini.google.com");
        assertThat(userOf("gemini.google.com")).isEqualTo("erin@CORP.EXAMPLE");

        List<Observation> plain = new ArrayList<>();
        PacketDecoder without = new PacketDecoder("test", plain::add, new AnomalyCounters());
        byte[] req = ethernet(ip("10.1.0.31", SERVER, 6, tcp(50021, 445, 1, 0x18, frame(sessionSetupRequest(2,
                ntlmAuthenticate("CORP", "frank", "W", true, false))))));
        byte[] resp = ethernet(ip(SERVER, "10.1.0.31", 6, tcp(445, 50021, 1, 0x18, frame(sessionSetupResponse(2, 0, 0)))));
        byte[] h = ethernet(ip("10.1.0.31", "198.51.100.7", 6, tcp(41001, 443, 1, 0x18, clientHello("mistral.ai",
                List.of("h2"), 32))));
        for (byte[] f : new byte[][] {req, resp, h}) {
            without.onPacket(LinkType.ETHERNET, time, f, 0, f.length, f.length);
        }
        assertThat(plain).singleElement().satisfies(o -> assertThat(o.user()).isNull());
    }
}
