package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users named on a tap by their SMB logons: a real Samba server ({@code smbd}) in a network namespace, real
 * {@code smbclient} on the host listing a share with NTLM (SMB 3.1.1), then real {@code openssl
 * s_client}, {@code dig} and {@code curl} to servers in the namespace, captured live on the host's end of the
 * veth with the default filter. alice logs on over IPv4 and port 445; bob first gives a wrong password over
 * IPv6 (his address names no one), then the right one over port 139, after a NetBIOS session request, and
 * SMB1 (SESSION_SETUP_ANDX). A decoder that names clients by logons gives their later
 * connections and queries their user; one that does not gives none.
 */
class LiveCaptureSmbTest {
    private static final String ALICE = "umbra-smb-alice";
    private static final String BOB = "umbra-smb-bob";

    @TempDir
    Path tmp;

    @Test
    void run_realSmbLogonsOnTheWire_nameTheClientsOfLaterFlows() throws Exception {
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        HostTools.require("tshark", "tshark");
        try (Netns ns = Netns.create(); Smbd smbd = Smbd.start(ns, tmp.resolve("smb"), ALICE, BOB)) {
            ns.serveDnsAndTls(tmp, "::");
            Path pcap = tmp.resolve("smb.pcap");
            Process tcpdump = HostTools.tcpdump(ns.hostIf, pcap, tmp.resolve("tcpdump.log"), "tcp port 445 or tcp port 139");
            TapCapture c = TapCapture.run(ns, "gemini.google.com", () -> {
                listed(smbd.list(ns.nsIp, 445, ALICE, true, false), 0);
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "api.openai.com");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "chatgpt.com", "A");
                listed(smbd.list(ns.nsIp6, 445, BOB, false, false), 1); // a wrong password
                curl(ns, "claude.ai");
                listed(smbd.list(ns.nsIp6, 139, BOB, true, true), 0); // SMB1, after a NetBIOS session request
                curl(ns, "gemini.google.com");
            });

            tcpdump.destroy();
            assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // what tshark reads on the wire: each AUTHENTICATE's domain and user, and the status of the
            // SESSION_SETUP responses (0 accepted, 0xc000006d a wrong password), SMB2's, then SMB1's
            List<String> wire = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y",
                    "(smb2.cmd == 1 and (ntlmssp.auth.username or smb2.flags.response == 1)) or (smb.cmd == 0x73 and "
                    + "(ntlmssp.auth.username or smb.flags.response == 1))", "-T", "fields", "-E", "separator=|", "-e",
                    "ntlmssp.auth.domain", "-e", "ntlmssp.auth.username", "-e", "smb2.nt_status", "-e", "smb.nt_status")
                    .out().lines().filter(l -> !l.isBlank()).toList();
            assertThat(wire).containsSubsequence(Smbd.WORKGROUP + "|" + ALICE + "||", "||0x00000000|",
                    Smbd.WORKGROUP + "|" + BOB + "||", "||0xc000006d|",
                    // an SMB1 request has a status field too, 0
                    Smbd.WORKGROUP + "|" + BOB + "||0x00000000", "|||0x00000000");

            String alice = Smbd.WORKGROUP + "\\" + ALICE;
            String bob = Smbd.WORKGROUP + "\\" + BOB;
            assertThat(c.users(ObservationKind.TLS_SNI, "api.openai.com")).containsExactly(alice);
            assertThat(c.users(ObservationKind.DNS_QUERY, "chatgpt.com")).containsExactly(alice);
            assertThat(c.users(ObservationKind.TLS_SNI, "claude.ai")).as("after a failed logon").containsOnlyNulls();
            assertThat(c.users(ObservationKind.TLS_SNI, "gemini.google.com")).containsExactly(bob);
            assertThat(c.plain).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                    .contains("api.openai.com", "claude.ai", "gemini.google.com");
            assertThat(c.plain).allSatisfy(o -> assertThat(o.user()).isNull());
            assertThat(c.named).allSatisfy(o -> assertThat(o.toString()).doesNotContain("SYNTHETIC-"));
            assertThat(c.stats.dropped()).isZero();
            assertThat(c.anomalies.nonZero()).as("anomalies").isEmpty();
        }
    }

    private static void listed(HostTools.Result r, int exitCode) {
        assertThat(r.exitCode()).as("smbclient: %s %s", r.out(), r.err()).isEqualTo(exitCode);
    }

    private static void curl(Netns ns, String name) {
        HostTools.Result r = HostTools.run(15, "curl", "-sk", "--max-time", "5", "--resolve",
                name + ":8443:[" + ns.nsIp6 + "]", "https://" + name + ":8443/");
        assertThat(r.exitCode()).as("curl %s: %s", name, r.err()).isZero();
    }
}
