package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Users named on a tap by Kerberos: a real MIT KDC ({@code krb5kdc}, realm UMBRA.TEST, pre-authentication
 * required) in a network namespace, real {@code kinit} and {@code kvno} on the host, alice over UDP and
 * IPv4, bob over TCP and IPv6, then real {@code openssl s_client}, {@code curl} and {@code dig} to servers in
 * the namespace, captured live on the host's end of the veth with the default filter. A decoder that names
 * clients by Kerberos gives alice's and bob's connections and queries their principal; one that does not (a
 * host's daemon, which asks the process instead) gives none. A computer account's login at alice's address
 * does not make it shared.
 */
class LiveCaptureKerberosTest {
    @TempDir
    Path tmp;

    @Test
    void run_realKdcRepliesOnTheWire_nameTheClientsOfLaterFlows() throws Exception {
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("curl", "curl");
        HostTools.require("openssl", "openssl");
        HostTools.require("tshark", "tshark");
        try (Netns ns = Netns.create()) {
            Kdc kdc = Kdc.start(ns, tmp.resolve("krb"));
            ns.serveDnsAndTls(tmp, "::");

            Path pcap = tmp.resolve("kerberos.pcap");
            Process tcpdump = HostTools.tcpdump(ns.hostIf, pcap, tmp.resolve("tcpdump.log"), "port 88");
            TapCapture c = TapCapture.run(ns, "claude.ai", () -> {
                kdc.kinit("alice", false);
                kdc.kvno("alice");
                kdc.kinit("WS01$", false); // the computer's own login, from the same address
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "api.openai.com");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "chatgpt.com", "A");
                kdc.kinit("bob", true);
                HostTools.Result curl = HostTools.run(15, "curl", "-sk", "--max-time", "5", "--resolve",
                        "claude.ai:8443:[" + ns.nsIp6 + "]", "https://claude.ai:8443/");
                assertThat(curl.exitCode()).as("curl: %s", curl.err()).isZero();
            });

            tcpdump.destroy();
            assertThat(tcpdump.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            // what tshark reads on the wire: pre-authentication asked for (KRB-ERROR 30, which names who asked:
            // a claim, not read), then each client's AS-REP (11); alice's TGS-REP (13); bob's over TCP and IPv6
            List<String> wire = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y", "kerberos.msg_type != 10 "
                    + "and kerberos.msg_type != 12", "-T", "fields", "-E", "separator=|", "-e", "kerberos.msg_type",
                    "-e", "kerberos.CNameString", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport").out().lines()
                    .filter(l -> !l.isBlank()).toList();
            assertThat(wire).contains("30|alice|" + ns.hostIp + "||", "11|alice|" + ns.hostIp + "||",
                    "13|alice|" + ns.hostIp + "||", "11|WS01$|" + ns.hostIp + "||", "11|bob||" + ns.hostIp6 + "|88");

            String alice = "alice@" + Kdc.REALM;
            String bob = "bob@" + Kdc.REALM;
            assertThat(c.users(ObservationKind.TLS_SNI, "api.openai.com")).containsExactly(alice);
            assertThat(c.users(ObservationKind.DNS_QUERY, "chatgpt.com")).containsExactly(alice);
            assertThat(c.users(ObservationKind.TLS_SNI, "claude.ai")).containsExactly(bob);
            assertThat(c.named).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI && o.hostname().equals("claude.ai"))
                    .singleElement().satisfies(o -> assertThat(o.clientIp()).isEqualTo(ns.hostIp6));
            assertThat(c.plain).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                    .contains("api.openai.com", "claude.ai");
            assertThat(c.plain).allSatisfy(o -> assertThat(o.user()).isNull());
            assertThat(c.stats.dropped()).isZero();
            assertThat(c.anomalies.nonZero()).as("anomalies").isEmpty();
        }
    }
}
