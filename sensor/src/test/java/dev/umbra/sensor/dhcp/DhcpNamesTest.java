package dev.umbra.sensor.dhcp;

import static dev.umbra.sensor.dhcp.DhcpFrames.mac;
import static dev.umbra.sensor.dhcp.DhcpFrames.v4;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DhcpNamesTest {
    private static final long S = 1_000_000_000L;
    private static final int SERVER = v4(10, 0, 0, 1);
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private DhcpNames names = new DhcpNames(anomalies, AddressBlocks.ANY);

    private static final FlowKey TO_SERVER = new FlowKey(FlowKey.V4_MARK, 0, FlowKey.V4_MARK, 0xffffffffL, 68, 67, 17);
    private static final FlowKey FROM_SERVER = new FlowKey(FlowKey.V4_MARK, SERVER & 0xffffffffL, FlowKey.V4_MARK,
            0xffffffffL, 67, 68, 17);

    private void send(FlowKey key, DhcpFrames f, long time) {
        byte[] b = f.bytes();
        names.message(key, DhcpMessage.parse(b, 0, b.length), time);
    }

    private String name(int address, long time) {
        return names.name(FlowKey.V4_MARK, address & 0xffffffffL, time);
    }

    @Test
    void theRequestsName_namesTheAddressTheAckGives_forTheLease() {
        send(TO_SERVER, DhcpFrames.client(3, 77, mac(1)).hostName("ALICE-LAPTOP"), 0);
        send(FROM_SERVER, DhcpFrames.server(5, 77, mac(1)).yiaddr(v4(10, 0, 0, 20)).lease(3600), S);
        assertThat(name(v4(10, 0, 0, 20), 2 * S)).isEqualTo("ALICE-LAPTOP");
        assertThat(name(v4(10, 0, 0, 21), 2 * S)).isNull();
        assertThat(name(v4(10, 0, 0, 20), 3602 * S)).as("the lease ended").isNull();
        assertThat(names.name(0x20010db800000000L, 5, S)).as("IPv6: not named").isNull();
        assertThat(names.pending()).isZero();
    }

    @Test
    void theAcksOwnName_wins_aLaterAckForTheAddressReplacesIt_aReleaseEndsIt() {
        send(TO_SERVER, DhcpFrames.client(3, 1, mac(1)).hostName("old-name"), 0);
        send(FROM_SERVER, DhcpFrames.server(5, 1, mac(1)).yiaddr(v4(10, 0, 0, 30)).hostName("bob-desktop"), S);
        assertThat(name(v4(10, 0, 0, 30), 2 * S)).isEqualTo("bob-desktop");
        // the address handed on to another device
        send(TO_SERVER, DhcpFrames.client(3, 2, mac(2)).hostName("carol-phone"), 3 * S);
        send(FROM_SERVER, DhcpFrames.server(5, 2, mac(2)).yiaddr(v4(10, 0, 0, 30)), 4 * S);
        assertThat(name(v4(10, 0, 0, 30), 5 * S)).isEqualTo("carol-phone");
        // a release by another device's hardware address changes nothing; carol's own ends it
        send(TO_SERVER, DhcpFrames.client(7, 3, mac(1)).ciaddr(v4(10, 0, 0, 30)), 6 * S);
        assertThat(name(v4(10, 0, 0, 30), 7 * S)).isEqualTo("carol-phone");
        send(TO_SERVER, DhcpFrames.client(7, 4, mac(2)).ciaddr(v4(10, 0, 0, 30)), 8 * S);
        assertThat(name(v4(10, 0, 0, 30), 9 * S)).isNull();
    }

    @Test
    void anInformsAck_namesTheClientsOwnAddress_aNakOrAnotherDevicesAckNamesNothing() {
        send(TO_SERVER, DhcpFrames.client(8, 5, mac(3)).ciaddr(v4(10, 0, 0, 40)).hostName("dave-pc"), 0);
        send(FROM_SERVER, DhcpFrames.server(5, 5, mac(3)).ciaddr(v4(10, 0, 0, 40)), S);
        assertThat(name(v4(10, 0, 0, 40), 2 * S)).isEqualTo("dave-pc");
        send(TO_SERVER, DhcpFrames.client(3, 6, mac(4)).hostName("erin-pc"), 0);
        send(FROM_SERVER, DhcpFrames.server(6, 6, mac(4)).yiaddr(v4(10, 0, 0, 41)), S);
        send(TO_SERVER, DhcpFrames.client(3, 7, mac(5)).hostName("frank-pc"), 0);
        send(FROM_SERVER, DhcpFrames.server(5, 7, mac(6)).yiaddr(v4(10, 0, 0, 42)), S);
        send(TO_SERVER, DhcpFrames.client(3, 8, mac(7)).hostName("grace-pc"), 0);
        send(FROM_SERVER, DhcpFrames.server(5, 8, mac(7)).yiaddr(v4(10, 0, 0, 43)), DhcpNames.PENDING_NANOS + 1);
        assertThat(name(v4(10, 0, 0, 41), 2 * S)).as("a NAK").isNull();
        assertThat(name(v4(10, 0, 0, 42), 2 * S)).as("another hardware address").isNull();
        assertThat(name(v4(10, 0, 0, 43), DhcpNames.PENDING_NANOS + 2)).as("a late ACK").isNull();
    }

    @Test
    void leasesWithoutATime_orInfinite_areBounded() {
        send(FROM_SERVER, DhcpFrames.server(5, 1, mac(1)).yiaddr(v4(10, 0, 0, 50)).hostName("heidi"), 0);
        send(FROM_SERVER, DhcpFrames.server(5, 2, mac(2)).yiaddr(v4(10, 0, 0, 51)).hostName("ivan").lease(0xffffffffL), 0);
        assertThat(name(v4(10, 0, 0, 50), DhcpNames.DEFAULT_LEASE_NANOS)).isEqualTo("heidi");
        assertThat(name(v4(10, 0, 0, 50), DhcpNames.DEFAULT_LEASE_NANOS + 1)).isNull();
        assertThat(name(v4(10, 0, 0, 51), DhcpNames.MAX_LEASE_NANOS)).isEqualTo("ivan");
        assertThat(name(v4(10, 0, 0, 51), DhcpNames.MAX_LEASE_NANOS + 1)).isNull();
    }

    @Test
    void untrustedServers_areCounted_andTheCapsHold() {
        names = new DhcpNames(anomalies, AddressBlocks.parse(List.of("10.9.0.0/16"), "capture.dhcp_servers"), 2);
        send(FROM_SERVER, DhcpFrames.server(5, 1, mac(1)).yiaddr(v4(10, 0, 0, 60)).hostName("mallory"), 0);
        assertThat(name(v4(10, 0, 0, 60), 1)).isNull();
        assertThat(anomalies.nonZero()).containsExactly(Map.entry(Anomaly.DHCP_ACK_UNTRUSTED, 1L));
        FlowKey trusted = new FlowKey(FlowKey.V4_MARK, v4(10, 9, 0, 1) & 0xffffffffL, FlowKey.V4_MARK, 0xffffffffL, 67,
                68, 17);
        for (int i = 0; i < 3; i++) {
            send(trusted, DhcpFrames.server(5, i, mac(i)).yiaddr(v4(10, 0, 1, i)).hostName("d" + i), 0);
        }
        assertThat(names.size()).isEqualTo(2);
        assertThat(name(v4(10, 0, 1, 0), 1)).as("the eldest forgotten").isNull();
        assertThat(name(v4(10, 0, 1, 2), 1)).isEqualTo("d2");
        for (int i = 0; i <= DhcpNames.MAX_PENDING; i++) {
            send(TO_SERVER, DhcpFrames.client(3, 1000 + i, mac(1)).hostName("p"), 0);
        }
        assertThat(names.pending()).isEqualTo(DhcpNames.MAX_PENDING);
        assertThat(anomalies.get(Anomaly.DHCP_REQUEST_EVICTED)).isEqualTo(1);
        assertThatThrownBy(() -> new DhcpNames(anomalies, AddressBlocks.ANY, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
