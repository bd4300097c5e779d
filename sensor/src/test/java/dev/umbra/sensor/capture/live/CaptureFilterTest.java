package dev.umbra.sensor.capture.live;

import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void forProtocols_defaults_coversDnsTcpAndQuicLongHeaders() throws Exception {
        try (Compiled f = compile(CaptureFilter.forProtocols(LiveCaptureConfig.DEFAULT_PROTOCOLS))) {
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, DNS)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 6, TCP_443)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, QUIC_INITIAL)))).isTrue();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, QUIC_SHORT)))).isFalse();
            assertThat(f.matches(ethernet(ip("10.0.0.1", "10.0.0.2", 17, OTHER_UDP)))).isFalse();
            assertThat(f.matches(ethernet(ip("fd00::1", "fd00::2", 17, DNS)))).isTrue();
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

    private static Compiled compile(String expression) throws Exception {
        return new Compiled(Pcaps.compileFilter(65535, DataLinkType.EN10MB, expression, BpfCompileMode.OPTIMIZE,
                PcapHandle.PCAP_NETMASK_UNKNOWN));
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
