package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.umbra.sensor.capture.live.HostTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code umbra observe} and {@code umbra audit --format json} on test-data/captures/dhcp-tap.pcap: a real
 * dnsmasq's lease to busybox udhcpc (host name and client FQDN sent), then TLS and DNS to AI services from the
 * leased address, TLS from an address that took no lease, then the same device's DHCPv6 lease to ISC dhclient
 * (client FQDN sent) and TLS and DNS over IPv6, recorded by make-dhcp-tap.sh. Each address is named by the
 * DHCPACK or REPLY that leased it, as tshark reads it (dhcp-tap.expected.txt).
 */
class DhcpAuditTest {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final String NAME = "dhcp-tap";
    private static final Path CAPTURE = TapCaptures.DIR.resolve(NAME + ".pcap");

    @Test
    void tshark_acksAndRepliesNameTheAddressesTheExpectedFileLists() throws IOException {
        HostTools.require("tshark", "tshark");
        HostTools.Result t = HostTools.check(60, "tshark", "-n", "-r", CAPTURE.toString(), "-Y", "dhcp.option.dhcp == 5 "
                + "or dhcpv6.msgtype == 7", "-T", "fields", "-E", "separator=|", "-e", "dhcp.ip.your", "-e",
                "dhcp.option.hostname", "-e", "dhcpv6.iaaddr.ip", "-e", "dhcpv6.client_domain");
        Map<String, String> acked = new TreeMap<>();
        t.out().lines().filter(l -> !l.isBlank()).map(l -> l.split("\\|", -1)).forEach(f -> {
            if (!f[0].isEmpty()) {
                acked.put(f[0], f[1]);
            } else {
                acked.put(f[2], f[3]);
            }
        });
        assertThat(acked).as("an IPv4 and an IPv6 lease").hasSize(2);
        TapCaptures.expected(NAME).forEach((address, v) -> assertThat(acked.getOrDefault(address, "-")).as(address)
                .isEqualTo(v[0]));
    }

    @Test
    void observeJson_everyObservationOfALeasedAddress_carriesItsDeviceName() throws IOException {
        CliRun r = CliRun.run("observe", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, TreeSet<String>> names = new TreeMap<>();
        for (String line : r.out().lines().toList()) {
            JsonNode n = JSON.readTree(line);
            names.computeIfAbsent(n.path("client_ip").asText(), k -> new TreeSet<>())
                    .add(n.path("client_hostname").asText("-"));
            assertThat(n.has("user")).as(line).isFalse();
        }
        Map<String, String[]> expected = TapCaptures.expected(NAME);
        assertThat(names.keySet()).isEqualTo(expected.keySet());
        expected.forEach((address, v) -> assertThat(names.get(address)).as(address).containsExactly(v[0]));
    }

    @Test
    void auditTable_notesTheDeviceOfARowWhoseClientTookALease() throws IOException {
        CliRun r = CliRun.run("audit", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, String> notes = new TreeMap<>();
        // a service's name may hold spaces: the note is the word that starts with device=, or none
        r.out().lines().map(l -> l.trim().split("\\s+")).filter(c -> c.length > 10 && c[1].contains("-")
                && !c[0].equals("CLIENT")).forEach(c -> notes.put(c[0] + " " + c[1], java.util.Arrays.stream(c)
                        .filter(w -> w.startsWith("device=")).findFirst().orElse("-")));
        Map<String, String> want = new TreeMap<>();
        TapCaptures.expected(NAME).forEach((address, v) -> {
            for (String service : v[1].split(",")) {
                want.put(address + " " + service, v[0].equals("-") ? "-" : "device=" + v[0]);
            }
        });
        assertThat(notes).isEqualTo(want);
        CliRun html = CliRun.run("audit", "--format", "html", CAPTURE.toString());
        assertThat(html.out()).contains("<td>device=alice-laptop</td>");
    }

    @Test
    void auditJson_eventsCarryTheDeviceNameAsTheSourceEndpointsHostname() throws IOException {
        CliRun r = CliRun.run("audit", "--format", "json", CAPTURE.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, TreeSet<String>> services = new TreeMap<>();
        for (String line : r.out().lines().filter(l -> l.startsWith("{")).toList()) {
            JsonNode e = JSON.readTree(line);
            JsonNode src = e.has("src_endpoint") ? e.get("src_endpoint") : e.at("/evidences/0/src_endpoint");
            String key = src.path("ip").asText() + " " + src.path("hostname").asText("-");
            services.computeIfAbsent(key, k -> new TreeSet<>()).add(e.at("/enrichments/0/data/service_id").asText());
        }
        Map<String, TreeSet<String>> want = new TreeMap<>();
        TapCaptures.expected(NAME).forEach((address, v) -> want.put(address + " " + v[0],
                new TreeSet<>(java.util.List.of(v[1].split(",")))));
        assertThat(services).isEqualTo(want);
    }
}
