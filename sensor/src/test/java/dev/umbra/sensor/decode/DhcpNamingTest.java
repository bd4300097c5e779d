package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static dev.umbra.sensor.dhcp.DhcpFrames.mac;
import static dev.umbra.sensor.dhcp.DhcpFrames.v4;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.dhcp.Dhcp6Frames;
import dev.umbra.sensor.dhcp.DhcpFrames;
import dev.umbra.sensor.dhcp.NbnsFrames;
import dev.umbra.sensor.kerberos.Der;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** DHCP leases giving the observations of an address the device name its client sent. */
class DhcpNamingTest {
    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test", seen::add, anomalies);
    private long time = 1_700_000_000_000_000_000L;

    private void packet(PacketDecoder d, byte[] ipPacket) {
        byte[] f = ethernet(ipPacket);
        time += 1_000_000;
        d.onPacket(LinkType.ETHERNET, time, f, 0, f.length, f.length);
    }

    /** A broadcast DISCOVER-less exchange: the client's REQUEST, then the server's ACK for {@code address}. */
    private void lease(PacketDecoder d, String server, int xid, int n, String name, String address) {
        String[] parts = address.split("\\.");
        int a = v4(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2]),
                Integer.parseInt(parts[3]));
        packet(d, ip("0.0.0.0", "255.255.255.255", 17, udp(68, 67, DhcpFrames.client(3, xid, mac(n)).hostName(name)
                .bytes())));
        packet(d, ip(server, "255.255.255.255", 17, udp(67, 68, DhcpFrames.server(5, xid, mac(n)).yiaddr(a).lease(3600)
                .bytes())));
    }

    private void hello(PacketDecoder d, String client, int port, String sni) {
        packet(d, ip(client, client.contains(":") ? "2001:db8:ff::7" : "198.51.100.7", 6, tcp(port, 443, 1, 0x18, clientHello(sni, List.of("h2"), 32))));
    }

    private Observation of(String sni) {
        return seen.stream().filter(o -> o.hostname().equals(sni)).findFirst().orElseThrow();
    }

    @Test
    void aLease_namesTheDevice_withTheLogonUserBeside_aDecoderNotAskedNamesNone() {
        decoder.nameClientsByLogons();
        decoder.nameClientHostsByDhcp(AddressBlocks.ANY);
        lease(decoder, "10.0.0.1", 0x51, 1, "ALICE-LAPTOP", "10.1.0.10");
        packet(decoder, ip("10.0.0.5", "10.1.0.10", 17, udp(88, 50000, Der.kdcReply(11, true, "CORP.EXAMPLE",
                Der.principal(1, "alice")))));
        hello(decoder, "10.1.0.10", 41000, "api.openai.com");
        hello(decoder, "10.1.0.11", 41001, "claude.ai");
        assertThat(of("api.openai.com").clientHostname()).isEqualTo("ALICE-LAPTOP");
        assertThat(of("api.openai.com").user()).isEqualTo("alice@CORP.EXAMPLE");
        assertThat(of("claude.ai").clientHostname()).isNull();

        List<Observation> plain = new ArrayList<>();
        PacketDecoder without = new PacketDecoder("test", plain::add, new AnomalyCounters());
        lease(without, "10.0.0.1", 0x52, 2, "BOB-DESKTOP", "10.1.0.12");
        hello(without, "10.1.0.12", 41002, "gemini.google.com");
        assertThat(plain).singleElement().satisfies(o -> assertThat(o.clientHostname()).isNull());
        assertThat(anomalies.nonZero()).isEmpty();
    }

    @Test
    void anUntrustedServer_andAMalformedMessage_areCounted() {
        decoder.nameClientHostsByDhcp(AddressBlocks.parse(List.of("10.0.0.1/32"), "capture.dhcp_servers"));
        lease(decoder, "10.6.6.6", 0x53, 3, "ROGUE-NAMED", "10.1.0.13");
        hello(decoder, "10.1.0.13", 41003, "mistral.ai");
        byte[] broken = DhcpFrames.client(3, 0x54, mac(4)).hostName("x").noEnd().bytes();
        broken[broken.length - 2] = 9; // the host name's length runs past the message
        packet(decoder, ip("0.0.0.0", "255.255.255.255", 17, udp(68, 67, broken)));
        assertThat(of("mistral.ai").clientHostname()).isNull();
        assertThat(anomalies.nonZero()).containsOnly(Map.entry(Anomaly.DHCP_ACK_UNTRUSTED, 1L),
                Map.entry(Anomaly.DHCP_MESSAGE_MALFORMED, 1L));
    }

    @Test
    void aDhcpv6Lease_namesTheDevicesIpv6Flows_itsIpv4LeaseItsIpv4Ones() {
        decoder.nameClientHostsByDhcp(AddressBlocks.parse(List.of("10.0.0.1/32", "fe80::1/128"), "capture.dhcp_servers"));
        lease(decoder, "10.0.0.1", 0x61, 1, "alice-laptop", "10.1.0.10");
        packet(decoder, ip("fe80::a", "ff02::1:2", 17, udp(546, 547, Dhcp6Frames.of(3, 0x62, Dhcp6Frames.duid(1))
                .fqdn("alice-laptop.corp.example", true).iaNa(1, Dhcp6Frames.iaaddr("2001:db8:1::10", 7500)).bytes())));
        packet(decoder, ip("fe80::1", "fe80::a", 17, udp(547, 546, Dhcp6Frames.of(7, 0x62, Dhcp6Frames.duid(1))
                .iaNa(1, Dhcp6Frames.iaaddr("2001:db8:1::10", 3600)).bytes())));
        // a rogue server's REPLY, and a broken one
        packet(decoder, ip("fe80::666", "fe80::b", 17, udp(547, 546, Dhcp6Frames.of(7, 0x63, Dhcp6Frames.duid(2))
                .fqdn("ROGUE-NAMED", false).iaNa(1, Dhcp6Frames.iaaddr("2001:db8:1::11", 3600)).bytes())));
        byte[] broken = Dhcp6Frames.of(7, 0x64, Dhcp6Frames.duid(3)).bytes();
        broken[7] = 40;
        packet(decoder, ip("fe80::1", "fe80::c", 17, udp(547, 546, broken)));
        hello(decoder, "2001:db8:1::10", 41010, "api.openai.com");
        hello(decoder, "10.1.0.10", 41011, "claude.ai");
        hello(decoder, "2001:db8:1::11", 41012, "mistral.ai");
        assertThat(of("api.openai.com").clientHostname()).isEqualTo("alice-laptop.corp.example");
        assertThat(of("claude.ai").clientHostname()).isEqualTo("alice-laptop");
        assertThat(of("mistral.ai").clientHostname()).isNull();
        assertThat(anomalies.nonZero()).containsOnly(Map.entry(Anomaly.DHCP_ACK_UNTRUSTED, 1L),
                Map.entry(Anomaly.DHCP_MESSAGE_MALFORMED, 1L));
    }

    /** An mDNS response or announcement (RFC 6762: ID 0, no questions) of these owner, TTL, address triples. */
    private static byte[] mdns(Object... records) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, 0, (byte) 0x84, 0, 0, 0, 0, (byte) (records.length / 3), 0, 0, 0, 0});
        for (int i = 0; i < records.length; i += 3) {
            for (String label : ((String) records[i]).split("\\.")) {
                out.write(label.length());
                out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            out.write(0);
            byte[] address = dev.umbra.sensor.TestFrames.ip((String) records[i + 2]);
            int ttl = (Integer) records[i + 1];
            out.writeBytes(new byte[] {0, (byte) (address.length == 4 ? 1 : 28), (byte) 0x80, 1, (byte) (ttl >>> 24),
                    (byte) (ttl >>> 16), (byte) (ttl >>> 8), (byte) ttl, 0, (byte) address.length});
            out.writeBytes(address);
        }
        return out.toByteArray();
    }

    @Test
    void mdnsAnnouncements_nameTheSendersAddresses_notOthers_untilTheGoodbye() {
        decoder.nameClientHostsByDhcp(AddressBlocks.ANY);
        packet(decoder, ip("10.1.0.20", "224.0.0.251", 17, udp(5353, 5353, mdns("alice-mbp.local", 120, "10.1.0.20",
                "alice-mbp.local", 120, "fe80::20"))));
        // over IPv6 from the link-local address, with the global one beside it
        packet(decoder, ip("fe80::20", "ff02::fb", 17, udp(5353, 5353, mdns("alice-mbp.local", 120, "fe80::20",
                "alice-mbp.local", 120, "2001:db8:1::20"))));
        // a device that names another address only: names nothing
        packet(decoder, ip("10.1.0.21", "224.0.0.251", 17, udp(5353, 5353, mdns("mallory.local", 120, "10.1.0.22"))));
        // an LLMNR response from the owner of the name
        packet(decoder, ip("10.1.0.23", "10.1.0.99", 17, udp(5355, 50000, mdns("ws23", 30, "10.1.0.23"))));
        hello(decoder, "10.1.0.20", 41020, "api.openai.com");
        hello(decoder, "2001:db8:1::20", 41021, "claude.ai");
        hello(decoder, "10.1.0.22", 41022, "mistral.ai");
        hello(decoder, "10.1.0.23", 41023, "gemini.google.com");
        assertThat(of("api.openai.com").clientHostname()).isEqualTo("alice-mbp");
        assertThat(of("claude.ai").clientHostname()).isEqualTo("alice-mbp");
        assertThat(of("mistral.ai").clientHostname()).isNull();
        assertThat(of("gemini.google.com").clientHostname()).isEqualTo("ws23");
        // the goodbye (TTL 0) as the device leaves
        packet(decoder, ip("10.1.0.20", "224.0.0.251", 17, udp(5353, 5353, mdns("alice-mbp.local", 0, "10.1.0.20"))));
        hello(decoder, "10.1.0.20", 41024, "perplexity.ai");
        assertThat(of("perplexity.ai").clientHostname()).isNull();
        assertThat(anomalies.nonZero()).isEmpty();
    }

    @Test
    void netbiosRegistrations_nameTheWorkstationsOwnAddress_notGroupsOrOthers_untilItsRelease() {
        decoder.nameClientHostsByDhcp(AddressBlocks.ANY);
        int alice = v4(10, 1, 0, 30);
        packet(decoder, ip("10.1.0.30", "10.1.0.255", 17, udp(137, 137, NbnsFrames.registration(5, "ALICE-PC", 0x20,
                false, 300_000, alice))));
        packet(decoder, ip("10.1.0.30", "10.1.0.255", 17, udp(137, 137, NbnsFrames.registration(5, "UMBRATEST", 0x00,
                true, 300_000, alice))));
        hello(decoder, "10.1.0.30", 41030, "api.openai.com");
        packet(decoder, ip("10.1.0.30", "10.1.0.255", 17, udp(137, 137, NbnsFrames.registration(5, "ALICE-PC", 0x00,
                false, 0, alice)))); // TTL 0: infinite, as nmbd broadcasts it
        // another host registering a name for an address not its own; a positive answer from its owner
        packet(decoder, ip("10.1.0.31", "10.1.0.255", 17, udp(137, 137, NbnsFrames.registration(5, "MALLORY", 0x00,
                false, 300_000, v4(10, 1, 0, 32)))));
        packet(decoder, ip("10.1.0.33", "10.1.0.99", 17, udp(137, 50001, NbnsFrames.response("CAROL-PC", 0x00, false,
                300_000, v4(10, 1, 0, 33)))));
        hello(decoder, "10.1.0.30", 41031, "claude.ai");
        hello(decoder, "10.1.0.32", 41032, "mistral.ai");
        hello(decoder, "10.1.0.33", 41033, "gemini.google.com");
        assertThat(of("api.openai.com").clientHostname()).as("the server and group names are not the host's").isNull();
        assertThat(of("claude.ai").clientHostname()).isEqualTo("ALICE-PC");
        assertThat(of("mistral.ai").clientHostname()).isNull();
        assertThat(of("gemini.google.com").clientHostname()).isEqualTo("CAROL-PC");
        packet(decoder, ip("10.1.0.30", "10.1.0.255", 17, udp(137, 137, NbnsFrames.registration(6, "ALICE-PC", 0x00,
                false, 0, alice))));
        hello(decoder, "10.1.0.30", 41034, "perplexity.ai");
        assertThat(of("perplexity.ai").clientHostname()).as("released").isNull();
        byte[] broken = NbnsFrames.registration(5, "ALICE-PC", 0, false, 1, alice);
        broken[13] = 'Z';
        packet(decoder, ip("10.1.0.30", "10.1.0.255", 17, udp(137, 137, broken)));
        assertThat(anomalies.nonZero()).containsOnly(Map.entry(Anomaly.NBNS_MESSAGE_MALFORMED, 1L));
    }
}
