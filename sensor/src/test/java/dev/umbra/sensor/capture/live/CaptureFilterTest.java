package dev.umbra.sensor.capture.live;

import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.TestFrames;
import dev.umbra.sensor.decode.LinkType;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.quic.QuicTestPackets;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.BpfProgram.BpfCompileMode;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/** The default filters, compiled by the real libpcap and run on frames (pcap_offline_filter). */
class CaptureFilterTest {
    private static final byte[] DNS = udp(40000, 53, dnsQuery(1, "api.openai.com", 1));
    private static final byte[] QUIC_INITIAL = udp(40000, 443, hex("c300000001 08 0102030405060708 00 00 4010 00"));
    private static final byte[] QUIC_SHORT = udp(40000, 443, hex("43 0102030405060708 aabbccdd"));
    private static final byte[] TCP_443 = tcp(40000, 443, hex("16030100"));
    private static final byte[] OTHER_UDP = udp(40000, 5000, hex("00010203"));
    /** Through a SOCKS5 UDP relay: RSV FRAG ATYP(1) 10.9.9.53:53, then the data. */
    private static final byte[] SOCKS_UDP = udp(40000, 45615, hex("00000001 0a090935 0035 1234"));

    @Test
    void forProtocols_defaults_coversDnsTcpQuicLongHeadersAndSocksUdp() throws Exception {
        try (Compiled f = compile(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS))) {
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, TCP_443)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, QUIC_INITIAL)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, QUIC_SHORT)))).isFalse();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, OTHER_UDP)))).isFalse();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, DNS)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, SOCKS_UDP)))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, QUIC_INITIAL)))).as("QUIC over IPv6").isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, SOCKS_UDP), 7))).isTrue();
            // DHCP: a client's broadcast and a server's answer
            assertThat(f.matches(ethernet(ip("0.0.0.0", "255.255.255.255", 17, udp(68, 67, new byte[240]))))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "255.255.255.255", 17, udp(67, 68, new byte[240])), 7))).isTrue();
            // DHCPv6: a client's multicast to servers and relay agents, a server's REPLY, a relay to a server
            assertThat(f.matches(ethernet(ip("fe80::10", "ff02::1:2", 17, udp(546, 547, new byte[40]))))).isTrue();
            assertThat(f.matches(ethernet(ip("fe80::1", "fe80::10", 17, udp(547, 546, new byte[40])), 7))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, udp(547, 547, new byte[80]))))).isTrue();
            // mDNS and LLMNR responses: devices announcing their names
            assertThat(f.matches(ethernet(ip("10.0.0.20", "224.0.0.251", 17, udp(5353, 5353, new byte[40]))))).isTrue();
            assertThat(f.matches(ethernet(ip("fe80::20", "ff02::fb", 17, udp(5353, 5353, new byte[40])), 7))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.23", "10.0.0.99", 17, udp(5355, 50000, new byte[40]))))).isTrue();
            // a NetBIOS name registration
            assertThat(f.matches(ethernet(ip("10.0.0.30", "10.0.0.255", 17, udp(137, 137, new byte[68]))))).isTrue();
        }
    }

    @Test
    void forProtocols_vlanTaggedFrames_matchLikeUntagged() throws Exception {
        try (Compiled f = compile(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS))) {
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS), 100))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS), 100, 200))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, QUIC_INITIAL), 7))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 6, TCP_443), 7, 8))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, OTHER_UDP), 100))).isFalse();
            // IPv6 by its fixed header (libpcap's udp[...] reads IPv4 only)
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, QUIC_INITIAL), 7))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, QUIC_INITIAL), 7, 8))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, QUIC_SHORT), 7))).isFalse();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, OTHER_UDP)))).isFalse();
        }
        // mDNS starts with ID 0 like a SOCKS UDP header, and is not let through for it (only for the device
        // names its responses announce, with DHCP)
        java.util.Set<CaptureProtocol> withoutDeviceNames = java.util.EnumSet.copyOf(LiveCaptureConfig.DEFAULT_PROTOCOLS);
        withoutDeviceNames.remove(CaptureProtocol.DHCP);
        try (Compiled f = compile(CaptureFilter.forProtocols(withoutDeviceNames))) {
            byte[] mdns = udp(5353, 5353, dnsQuery(0, "printer.local", 1));
            assertThat(f.matches(ethernet(ip("10.0.0.1", "224.0.0.251", 17, mdns)))).isFalse();
            assertThat(f.matches(ethernet(ip("fe80::1", "ff02::fb", 17, mdns), 7))).isFalse();
        }
    }

    @Test
    void forProtocols_fragmentsAndExtensionHeaders_passTheFilterAndTheDecoderReadsThem() throws Exception {
        // a DNS answer too large for one 1 280-byte packet: its fragments after the first carry no UDP header
        String[] addresses = new String[150];
        for (int i = 0; i < addresses.length; i++) {
            addresses[i] = "10.1." + (i / 250) + "." + (i % 250 + 1);
        }
        byte[] answer = udp(53, 40000, TestFrames.dnsResponseWithCname(7, "www.chatgpt.com", "chatgpt.com", addresses));
        byte[] hello = TestFrames.clientHello("claude.ai", List.of("h2"), 32);
        byte[] record = TestFrames.clientHello("gemini.google.com", List.of("h3"), 32);
        byte[] handshake = Arrays.copyOfRange(record, 5, record.length);
        byte[] dcid = {8, 7, 6, 5, 4, 3, 2, 1};
        byte[] initial = QuicTestPackets.initial(1, dcid, dcid, new byte[0], new byte[0], 0,
                QuicTestPackets.frames(1162, QuicTestPackets.crypto(handshake, 0, handshake.length)));
        List<byte[]> frames = new ArrayList<>();
        int port = 41000;
        for (int[] vlans : new int[][] {{}, {7}, {7, 8}}) {
            for (byte[] fragment : TestFrames.fragments(ip("10.0.0.53", "10.0.0.1", 17, answer), 0x4242, 1200, 2400)) {
                frames.add(ethernet(fragment, vlans));
            }
            for (byte[] fragment : TestFrames.fragments(ip("fd00::53", "fd00::1", 17, answer), 0x4243, 1200, 2400)) {
                frames.add(ethernet(fragment, vlans));
            }
            // a destination options header (RFC 8200 4.6) before UDP, TCP and a QUIC Initial
            frames.add(ethernet(withExtensionHeader(ip("fd00::53", "fd00::1", 17, udp(53, 40001,
                    TestFrames.dnsResponseWithCname(8, "api.openai.com", "openai.map.example", "10.2.0.1"))), 60), vlans));
            frames.add(ethernet(withExtensionHeader(ip("fd00::1", "fd00::2", 6, tcp(port++, 443, hello)), 0), vlans));
            frames.add(ethernet(withExtensionHeader(ip("fd00::1", "fd00::2", 17, udp(port++, 443, initial)), 60), vlans));
        }
        List<Observation> seen = new ArrayList<>();
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("test", seen::add, anomalies);
        try (Compiled f = compile(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS))) {
            long time = 1_000_000_000L;
            for (byte[] frame : frames) {
                assertThat(f.matches(frame)).as("frame %d of %d", frames.indexOf(frame), frames.size()).isTrue();
                decoder.onPacket(LinkType.ETHERNET, time += 1_000_000, frame, 0, frame.length, frame.length);
            }
            // what the protocols' clauses alone let through: the first IPv4 fragments (they have the UDP header)
            int firstOnly = 0;
            try (Compiled before = compile(CaptureFilter.withVlan(String.join(" or ", "(tcp)", "(udp port 53)",
                    "(" + CaptureProtocol.QUIC.filter() + ")", "(" + CaptureProtocol.SOCKS_UDP.filter() + ")")))) {
                for (byte[] frame : frames) {
                    firstOnly += before.matches(frame) ? 1 : 0;
                }
            }
            assertThat(firstOnly).as("frames the filter without the fragment clause let through").isEqualTo(3);
        }
        decoder.finish();
        List<Observation> answers = seen.stream().filter(o -> o.kind() == ObservationKind.DNS_ANSWER).toList();
        assertThat(answers).filteredOn(o -> o.hostname().equals("www.chatgpt.com")).hasSize(6)
                .allSatisfy(o -> assertThat(o.answers()).contains("chatgpt.com", addresses[0], addresses[149]));
        assertThat(answers).filteredOn(o -> o.hostname().equals("api.openai.com")).hasSize(3);
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.TLS_SNI).extracting(Observation::hostname)
                .containsExactly("claude.ai", "claude.ai", "claude.ai");
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.QUIC_SNI).extracting(Observation::hostname)
                .containsExactly("gemini.google.com", "gemini.google.com", "gemini.google.com");
        assertThat(anomalies.nonZero()).as("anomalies").isEmpty();
    }

    @Test
    void forProtocols_fragmentClause_letsOnlyUdpFragmentsOfIpv4Through() throws Exception {
        try (Compiled f = compile(CaptureFilter.FRAGMENTS_AND_EXTENSION_HEADERS)) {
            byte[] big = udp(5000, 6000, new byte[2000]);
            List<byte[]> v4 = TestFrames.fragments(ip("10.0.0.1", "10.0.0.2", 17, big), 1, 1480);
            assertThat(v4).allSatisfy(fragment -> assertThat(f.matches(ethernet(fragment))).isTrue());
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, big)))).as("unfragmented").isFalse();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 1, new byte[8])))).as("ICMP").isFalse();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, big)))).as("IPv6 without extensions").isFalse();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 58, new byte[8])))).as("ICMPv6").isFalse();
            // a multicast listener report (MLD): ICMPv6 behind a hop-by-hop header, sent by every IPv6 host
            assertThat(f.matches(ethernet(withExtensionHeader(ip("fe80::1", "ff02::16", 58, new byte[28]), 0))))
                    .as("MLD report").isFalse();
            assertThat(f.matches(ethernet(withExtensionHeader(ip("fd00::1", "fd00::2", 17, big), 0))))
                    .as("UDP behind hop-by-hop").isTrue();
        }
    }

    /**
     * An IPv6 packet made by {@link TestFrames#ip} with an 8-byte extension header of this type (hop-by-hop
     * 0 or destination options 60: a PadN option filling it) between the fixed header and the transport.
     */
    static byte[] withExtensionHeader(byte[] v6, int type) {
        ByteBuffer b = ByteBuffer.allocate(v6.length + 8);
        b.put(v6, 0, 40).put(v6[6]).put((byte) 0).put(new byte[] {1, 4, 0, 0, 0, 0}).put(v6, 40, v6.length - 40);
        b.putShort(4, (short) (v6.length - 40 + 8)).put(6, (byte) type);
        return b.array();
    }

    @Test
    void forProtocols_dnsOnly_letsNoOtherTcpThrough() throws Exception {
        try (Compiled f = compile(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS)))) {
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS), 100))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, tcp(40000, 53, hex("0010")))))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, TCP_443)))).isFalse();
        }
    }

    @Test
    void forProtocols_dnsQueries_letsQueriesThroughNotAnswers_onEveryLinkType() throws Exception {
        byte[] answer = udp(53, 40000, dnsQuery(1, "api.openai.com", 1));
        try (Compiled f = compile(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS_QUERIES)))) {
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS)))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, DNS), 100))).as("802.1Q").isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, tcp(40000, 53, hex("0010")))))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.2", "10.0.0.1", 17, answer)))).as("an answer").isFalse();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, TCP_443)))).isFalse();
        }
        for (int dlt : NOT_ETHERNET) {
            String filter = CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS_QUERIES), dlt);
            try (Compiled f = compile(filter, dlt)) {
                assertThat(f.matches(frame(dlt, ip("10.0.0.1", "10.0.0.2", 17, DNS)))).as("DLT %d", dlt).isTrue();
                assertThat(f.matches(frame(dlt, ip("10.0.0.2", "10.0.0.1", 17, answer)))).as("DLT %d", dlt).isFalse();
            }
        }
        assertThat(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS, CaptureProtocol.DNS_QUERIES)))
                .as("all DNS covers the queries").isEqualTo(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS)));
    }

    @Test
    void forProtocols_smbWithoutTls_letsItsTwoPortsThrough_inBothDirections() throws Exception {
        try (Compiled f = compile(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.DNS, CaptureProtocol.SMB)))) {
            byte[] toServer = tcp(50000, 445, hex("00000044 fe534d42"));
            byte[] fromNetbios = tcp(139, 50001, hex("82000000"));
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, toServer)))).isTrue();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 6, toServer), 7))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.2", "10.0.0.1", 6, fromNetbios)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, TCP_443)))).isFalse();
        }
    }

    @Test
    void forProtocols_flows_isEveryIpPacket() {
        assertThat(CaptureFilter.forProtocols(EnumSet.of(CaptureProtocol.FLOWS, CaptureProtocol.DNS)))
                .isEqualTo(CaptureFilter.withVlan("ip or ip6"));
    }

    @Test
    void forProtocols_none_throwsNamingTheRule() {
        assertThatThrownBy(() -> CaptureFilter.forProtocols(Set.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one protocol");
    }

    /**
     * The link types of a live capture on a Linux host other than Ethernet: the {@code any}
     * pseudo-interface (cooked v1, or v2 when asked for), tun/WireGuard/PPP interfaces (raw IP, DLT 12
     * on Linux) and the loopback of BSD-style systems (NULL).
     */
    private static final int[] NOT_ETHERNET = {LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.RAW_DLT12, LinkType.NULL};

    @Test
    void forProtocols_linkTypesOtherThanEthernet_compileWithoutVlanAndMatchTheSameTraffic() throws Exception {
        for (int dlt : NOT_ETHERNET) {
            String filter = CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS, dlt);
            assertThat(filter).as("DLT %d", dlt).doesNotContain("vlan");
            try (Compiled f = compile(filter, dlt)) {
                assertThat(f.matches(frame(dlt, ip("10.0.0.1", "10.0.0.2", 17, DNS)))).as("DNS, DLT %d", dlt).isTrue();
                assertThat(f.matches(frame(dlt, ip("fd00::1", "fd00::2", 6, TCP_443)))).as("TCP, DLT %d", dlt).isTrue();
                assertThat(f.matches(frame(dlt, ip("10.0.0.1", "10.0.0.2", 17, QUIC_INITIAL)))).as("QUIC, DLT %d", dlt)
                        .isTrue();
                assertThat(f.matches(frame(dlt, ip("10.0.0.1", "10.0.0.2", 17, QUIC_SHORT)))).isFalse();
                assertThat(f.matches(frame(dlt, ip("10.0.0.1", "10.0.0.2", 17, OTHER_UDP)))).isFalse();
            }
        }
    }

    @Test
    void withVlan_onCookedAndRawIp_isRefusedByLibpcap() throws Exception {
        // why only Ethernet gets the VLAN clauses: the default filter used to fail on 'any' and on tun
        for (int dlt : new int[] {LinkType.LINUX_SLL, LinkType.RAW_DLT12}) {
            // (pcap_compile_nopcap keeps libpcap's reason to itself: "no VLAN support for Linux cooked v1")
            assertThatThrownBy(() -> compile(CaptureFilter.withVlan("udp port 53"), dlt).close())
                    .as("DLT %d", dlt).hasMessageStartingWith("Failed to compile the BPF expression");
        }
        try (Compiled ethernet = compile(CaptureFilter.withVlan("udp port 53"))) {
            assertThat(ethernet.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS), 100))).isTrue();
        }
    }

    /** An IP packet framed as a capture of this link type delivers it. */
    private static byte[] frame(int dlt, byte[] ipPacket) {
        int etherType = (ipPacket[0] & 0xf0) == 0x60 ? 0x86DD : 0x0800;
        ByteBuffer b;
        switch (dlt) {
            case LinkType.LINUX_SLL -> {
                // packet type (0: to us), ARPHRD_ETHER, address length, address padded to 8, protocol
                b = ByteBuffer.allocate(16 + ipPacket.length);
                b.putShort((short) 0).putShort((short) 1).putShort((short) 6).put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0})
                        .putShort((short) etherType);
            }
            case LinkType.LINUX_SLL2 -> {
                // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address
                b = ByteBuffer.allocate(20 + ipPacket.length);
                b.putShort((short) etherType).putShort((short) 0).putInt(2).putShort((short) 1).put((byte) 0)
                        .put((byte) 6).put(new byte[] {2, 0, 0, 0, 0, 1, 0, 0});
            }
            case LinkType.NULL -> {
                // the address family in host order (little-endian here): AF_INET 2, AF_INET6 10 on Linux
                b = ByteBuffer.allocate(4 + ipPacket.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(etherType == 0x0800 ? 2 : 10);
            }
            default -> b = ByteBuffer.allocate(ipPacket.length);
        }
        return b.put(ipPacket).array();
    }

    private static Compiled compile(String expression) throws Exception {
        return compile(expression, LinkType.ETHERNET);
    }

    private static Compiled compile(String expression, int dlt) throws Exception {
        return new Compiled(Pcaps.compileFilter(65535, DataLinkType.getInstance(dlt), expression,
                BpfCompileMode.OPTIMIZE, PcapHandle.PCAP_NETMASK_UNKNOWN));
    }

    private record Compiled(BpfProgram program) implements AutoCloseable {
        boolean matches(byte[] frame) {
            return program.applyFilter(frame);
        }

        @Override
        public void close() {
            program.free();
        }
    }
}
