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
 * the veth its own address to real busybox {@code udhcpc} on the host (host name and client FQDN options), or
 * its own IPv6 address to real ISC {@code dhclient -6} (client FQDN option), then real {@code openssl
 * s_client} and {@code dig} reach servers in the namespace; captured live on the host's end with the default
 * filter. A decoder that names clients as a tap does gives the hello and the query the device name of
 * dnsmasq's DHCPACK or REPLY, as tshark reads it, until the client releases its lease; one that does not
 * gives none.
 */
class LiveCaptureDhcpTest {
    @TempDir
    Path tmp;

    /** A client's exchange with the server and its traffic after it. */
    private interface Exchange {
        void run(Dhcpd dhcpd) throws Exception;
    }

    /** What the capture's decoders reported, and what tshark reads of the naming messages recorded beside them. */
    private record Run(TapCapture capture, List<String> wire) {
    }

    /**
     * Starts dnsmasq in {@code ns}, then as {@link #record} does with {@code exchange} as the traffic; tshark
     * reads the first occurrence of each field.
     */
    private Run run(Netns ns, String filter, String lastName, Exchange exchange, String display, String... fields)
            throws Exception {
        HostTools.require("dig", "bind9-dnsutils");
        Dhcpd dhcpd = Dhcpd.start(ns, tmp.resolve("dhcp"));
        List<String> args = new java.util.ArrayList<>(List.of("-Y", display, "-E", "occurrence=f"));
        for (String f : fields) {
            args.addAll(List.of("-e", f));
        }
        return record(ns, filter, lastName, () -> exchange.run(dhcpd), args.toArray(String[]::new));
    }

    /**
     * Starts the DNS and TLS servers in {@code ns}, records {@code filter} with tcpdump and captures live while
     * {@code traffic} runs, until {@code lastName} is reported; then reads the recording with tshark ({@code -T
     * fields}, separated by {@code |}, and {@code tsharkArgs}: the display filter and the fields).
     */
    private Run record(Netns ns, String filter, String lastName, TapCapture.Traffic traffic, String... tsharkArgs)
            throws Exception {
        HostTools.require("openssl", "openssl");
        HostTools.require("tshark", "tshark");
        ns.serveDnsAndTls(tmp, "::");
        Path pcap = tmp.resolve("naming.pcap");
        Process tcpdump = HostTools.tcpdump(ns.hostIf, pcap, tmp.resolve("tcpdump.log"), filter);
        TapCapture c = TapCapture.run(ns, lastName, traffic);
        tcpdump.destroy();
        assertThat(tcpdump.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<String> command = new java.util.ArrayList<>(List.of("tshark", "-n", "-r", pcap.toString(), "-T", "fields",
                "-E", "separator=|"));
        command.addAll(List.of(tsharkArgs));
        List<String> wire = HostTools.check(60, command.toArray(String[]::new)).out().lines().filter(l -> !l.isBlank())
                .toList();
        return new Run(c, wire);
    }

    /** The decoders' ends: the one not naming named none, nothing dropped, no anomaly. */
    private static void assertClean(TapCapture c) {
        assertThat(c.plain).allSatisfy(o -> assertThat(o.clientHostname()).isNull());
        assertThat(c.stats.dropped()).isZero();
        assertThat(c.anomalies.nonZero()).as("anomalies").isEmpty();
    }

    @Test
    void run_realDhcpLeaseOnTheWire_namesTheDeviceOfLaterFlows() throws Exception {
        try (Netns ns = Netns.create()) {
            Run r = run(ns, "udp port 67 or udp port 68", "chatgpt.com", dhcpd -> {
                dhcpd.lease(ns, "ALICE-LAPTOP", "alice-laptop.corp.example");
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "api.openai.com");
                HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp, "chatgpt.com", "A");
            }, "dhcp.option.dhcp == 3 or dhcp.option.dhcp == 5", "dhcp.option.dhcp", "dhcp.ip.your", "dhcp.option.hostname",
                    "dhcp.fqdn.name");
            // what tshark reads: the client's REQUEST with its names, the server's ACK for the host's address
            // with the name it gives back
            assertThat(r.wire()).containsSubsequence("3|0.0.0.0|ALICE-LAPTOP|alice-laptop.corp.example",
                    "5|" + ns.hostIp + "|alice-laptop|alice-laptop");

            TapCapture c = r.capture();
            assertThat(c.named).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.DNS_QUERY)
                    .extracting(Observation::hostname, Observation::clientHostname)
                    .contains(org.assertj.core.groups.Tuple.tuple("api.openai.com", "alice-laptop"),
                            org.assertj.core.groups.Tuple.tuple("chatgpt.com", "alice-laptop"));
            assertThat(c.plain).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                    .contains("api.openai.com");
            assertThat(c.named).allSatisfy(o -> assertThat(o.user()).isNull());
            assertClean(c);
        }
    }

    @Test
    void run_realDhcpv6LeaseOnTheWire_namesTheDeviceOfLaterIpv6Flows_untilItIsReleased() throws Exception {
        try (Netns ns = Netns.create()) {
            String server = "[" + ns.nsIp6 + "]:8443";
            Run r = run(ns, "udp port 546 or udp port 547", "claude.ai", dhcpd -> {
                Dhcpd.Client6 client = dhcpd.lease6(ns, tmp.resolve("dhclient"), "alice-laptop.corp.example");
                try {
                    HostTools.run(15, "openssl", "s_client", "-connect", server, "-servername", "api.openai.com");
                    HostTools.check(15, "dig", "+tries=1", "+time=3", "@" + ns.nsIp6, "chatgpt.com", "AAAA");
                    client.release(ns);
                } finally {
                    client.stop();
                }
                HostTools.run(15, "openssl", "s_client", "-connect", server, "-servername", "claude.ai");
            }, "dhcpv6.msgtype == 3 or dhcpv6.msgtype == 7 or dhcpv6.msgtype == 8", "dhcpv6.msgtype", "dhcpv6.iaaddr.ip",
                    "dhcpv6.client_domain");
            // what tshark reads: the client's REQUEST with its name, the server's REPLY binding the host's address
            // with the name it gives back, the client's RELEASE of it
            assertThat(r.wire()).containsSubsequence("3|" + ns.hostIp6 + "|alice-laptop.corp.example.",
                    "7|" + ns.hostIp6 + "|alice-laptop", "8|" + ns.hostIp6 + "|");

            TapCapture c = r.capture();
            assertThat(c.named).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.DNS_QUERY)
                    .extracting(Observation::hostname, Observation::clientIp, Observation::clientHostname)
                    .containsSubsequence(org.assertj.core.groups.Tuple.tuple("api.openai.com", ns.hostIp6, "alice-laptop"),
                            org.assertj.core.groups.Tuple.tuple("chatgpt.com", ns.hostIp6, "alice-laptop"),
                            org.assertj.core.groups.Tuple.tuple("claude.ai", ns.hostIp6, null));
            assertThat(c.plain).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                    .contains("api.openai.com", "claude.ai");
            assertClean(c);
        }
    }

    @Test
    void run_realMdnsAnnouncements_nameTheDevicesFlows_untilItsGoodbye() throws Exception {
        try (Netns ns = Netns.create()) {
            Run r = record(ns, "udp port 5353", "claude.ai", () -> {
                try (HostDaemon avahi = Avahi.start(ns, tmp.resolve("avahi"), "alice-mbp")) {
                    HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "api.openai.com");
                    HostTools.run(15, "openssl", "s_client", "-connect", "[" + ns.nsIp6 + "]:8443", "-servername",
                            "chatgpt.com");
                }
                HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "claude.ai");
            }, "-Y", "dns.flags.response == 1", "-e", "ip.src", "-e", "dns.a", "-e", "dns.aaaa", "-e", "dns.resp.ttl");
            // what tshark reads: avahi's announcements of its addresses, then their goodbyes (every TTL 0)
            assertThat(r.wire()).anyMatch(l -> l.startsWith(ns.hostIp + "|" + ns.hostIp + "|") && l.contains(ns.hostIp6));
            assertThat(r.wire()).anyMatch(l -> l.startsWith(ns.hostIp + "|" + ns.hostIp + "|") && l.matches(".*\\|0(,0)*$"));

            assertThat(r.capture().named).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI)
                    .extracting(Observation::hostname, Observation::clientIp, Observation::clientHostname)
                    .containsSubsequence(org.assertj.core.groups.Tuple.tuple("api.openai.com", ns.hostIp, "alice-mbp"),
                            org.assertj.core.groups.Tuple.tuple("chatgpt.com", ns.hostIp6, "alice-mbp"),
                            org.assertj.core.groups.Tuple.tuple("claude.ai", ns.hostIp, null));
            assertClean(r.capture());
        }
    }

    @Test
    void run_realNetbiosRegistrations_nameTheDevicesFlows() throws Exception {
        try (Netns ns = Netns.create()) {
            Run r = record(ns, "udp port 137", "api.openai.com", () -> {
                try (HostDaemon nmbd = Nmbd.start(ns, tmp.resolve("nmbd"), "ALICE-PC")) {
                    HostTools.run(15, "openssl", "s_client", "-connect", ns.nsIp + ":8443", "-servername", "api.openai.com");
                }
            }, "-Y", "nbns.flags.opcode == 5", "-e", "ip.src", "-e", "nbns.name", "-e", "nbns.addr");
            // what tshark reads: nmbd's registrations of its workstation name at the host end's address
            assertThat(r.wire()).contains(ns.hostIp + "|ALICE-PC<00>,ALICE-PC<00> (Workstation/Redirector)|" + ns.hostIp);

            assertThat(r.capture().named).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI)
                    .extracting(Observation::hostname, Observation::clientHostname)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("api.openai.com", "ALICE-PC"));
            assertClean(r.capture());
        }
    }
}
