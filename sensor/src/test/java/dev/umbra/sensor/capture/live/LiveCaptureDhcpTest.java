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
 * Devices named on a tap by their DHCP leases: real dnsmasq in a network namespace leases the host's end of
 * the veth its own address to real busybox {@code udhcpc} on the host (host name and client FQDN options),
 * then real {@code openssl s_client} and {@code dig} reach servers in the namespace; captured live on the
 * host's end with the default filter. A decoder that names clients as a tap does gives the hello and the
 * query the device name of dnsmasq's DHCPACK, as tshark reads it; one that does not gives none.
 */
class LiveCaptureDhcpTest {
    @TempDir
    Path tmp;

    @Test
    void run_realDhcpLeaseOnTheWire_namesTheDeviceOfLaterFlows() throws Exception {
        HostTools.require("dig", "bind9-dnsutils");
        HostTools.require("openssl", "openssl");
        HostTools.require("tshark", "tshark");
        try (Netns ns = Netns.create()) {
            Dhcpd dhcpd = Dhcpd.start(ns, tmp.resolve("dhcp"));
            ns.serveDnsAndTls(tmp, "::");
            Path pcap = tmp.resolve("dhcp.pcap");
            Process tcpdump = HostTools.tcpdump(ns.hostIf, pcap, tmp.resolve("tcpdump.log"), "udp port 67 or udp port 68");
            TapCapture c = TapCapture.run(ns, "chatgpt.com", () -> {
                dhcpd.lease(ns, "ALICE-LAPTOP", "alice-laptop.corp.example");
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "api.openai.com");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "chatgpt.com", "A");
            });

            tcpdump.destroy();
            assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
            // what tshark reads: the client's REQUEST with its names, the server's ACK for the host's address
            // with the name it gives back
            List<String> wire = HostTools.check(60, "tshark", "-n", "-r", pcap.toString(), "-Y", "dhcp.option.dhcp == 3 "
                    + "or dhcp.option.dhcp == 5", "-T", "fields", "-E", "separator=|", "-e", "dhcp.option.dhcp", "-e",
                    "dhcp.ip.your", "-e", "dhcp.option.hostname", "-e", "dhcp.fqdn.name").out().lines()
                    .filter(l -> !l.isBlank()).toList();
            assertThat(wire).containsSubsequence("3|0.0.0.0|ALICE-LAPTOP|alice-laptop.corp.example",
                    "5|" + ns.hostIp + "|alice-laptop|alice-laptop");

            assertThat(c.named).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.DNS_QUERY)
                    .extracting(Observation::hostname, Observation::clientHostname)
                    .contains(org.assertj.core.groups.Tuple.tuple("api.openai.com", "alice-laptop"),
                            org.assertj.core.groups.Tuple.tuple("chatgpt.com", "alice-laptop"));
            assertThat(c.plain).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                    .contains("api.openai.com");
            assertThat(c.plain).allSatisfy(o -> assertThat(o.clientHostname()).isNull());
            assertThat(c.named).allSatisfy(o -> assertThat(o.user()).isNull());
            assertThat(c.stats.dropped()).isZero();
            assertThat(c.anomalies.nonZero()).as("anomalies").isEmpty();
        }
    }
}
