package dev.umbra.sensor.capture.live;

import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.decode.LinkType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
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
            // mDNS starts with ID 0 like a SOCKS UDP header, and is not let through for it
            byte[] mdns = udp(5353, 5353, dnsQuery(0, "printer.local", 1));
            assertThat(f.matches(ethernet(ip("10.0.0.1", "224.0.0.251", 17, mdns)))).isFalse();
            assertThat(f.matches(ethernet(ip("fe80::1", "ff02::fb", 17, mdns), 7))).isFalse();
        }
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
