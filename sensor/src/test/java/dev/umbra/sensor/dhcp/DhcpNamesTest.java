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
        assertThat(names.name(0x20010db800000000L, 5, S)).as("an IPv6 address with the same low bits").isNull();
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

    // DHCPv6: a client's multicast from its link-local address, the server's REPLY from its own
    private static final FlowKey TO_SERVER6 = new FlowKey(0xfe80000000000000L, 0x10, 0xff02000000000000L, 0x10002, 546,
            547, 17);
    private static final FlowKey FROM_SERVER6 = new FlowKey(0xfe80000000000000L, 1, 0xfe80000000000000L, 0x10, 547, 546,
            17);

    private void send6(FlowKey key, Dhcp6Frames f, long time) {
        send6(key, f.bytes(), time);
    }

    private void send6(FlowKey key, byte[] b, long time) {
        names.message(key, Dhcp6Message.parse(b, 0, b.length), time);
    }

    private String name6(String address, long time) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Dhcp6Frames.v6(address));
        return names.name(b.getLong(), b.getLong(), time);
    }

    @Test
    void dhcpv6_theRequestsName_namesTheAddressesTheReplyBinds_forTheirValidLifetimes() {
        send6(TO_SERVER6, Dhcp6Frames.of(3, 0xabc, Dhcp6Frames.duid(1)).fqdn("alice-laptop.corp.example", true)
                .iaNa(1, Dhcp6Frames.iaaddr("fd77::10", 7500)), 0);
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 0xabc, Dhcp6Frames.duid(1)).iaNa(1, Dhcp6Frames.iaaddr("fd77::10", 3600))
                .iaTa(2, Dhcp6Frames.iaaddr("fd77::a:1", 600)), S);
        assertThat(name6("fd77::10", 2 * S)).isEqualTo("alice-laptop.corp.example");
        assertThat(name6("fd77::a:1", 2 * S)).isEqualTo("alice-laptop.corp.example");
        assertThat(name6("fd77::a:1", 602 * S)).as("the temporary address's lifetime ended").isNull();
        assertThat(name6("fd77::10", 3602 * S)).as("the lease ended").isNull();
        assertThat(name6("fd77::11", 2 * S)).isNull();
        assertThat(name(0x10, 2 * S)).as("an IPv4 address with the same low bits").isNull();
        assertThat(names.pending()).isZero();
        // the REPLY's own name wins; rapid commit: a SOLICIT answered by a REPLY
        send6(TO_SERVER6, Dhcp6Frames.of(1, 0xabd, Dhcp6Frames.duid(2)).fqdn("bob-old", false).option(14, new byte[0]), 0);
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 0xabd, Dhcp6Frames.duid(2)).fqdn("bob-desktop", false)
                .iaNa(1, Dhcp6Frames.iaaddr("fd77::20", 3600)), S);
        assertThat(name6("fd77::20", 2 * S)).isEqualTo("bob-desktop");
        assertThat(anomalies.nonZero()).isEmpty();
    }

    @Test
    void dhcpv6_relayedAnotherClientsFailedOrLateReplies_nameNothing() {
        // relayed: the server's RELAY-REPL to the relay agent, the client's RELAY-FORW from it
        FlowKey toServer = new FlowKey(0x20010db800010000L, 1, 0x20010db800020000L, 1, 547, 547, 17);
        FlowKey fromServer = new FlowKey(0x20010db800020000L, 1, 0x20010db800010000L, 1, 547, 547, 17);
        send6(toServer, Dhcp6Frames.relay(12, Dhcp6Frames.of(3, 1, Dhcp6Frames.duid(3)).fqdn("carol-pc", false).bytes()), 0);
        send6(fromServer, Dhcp6Frames.relay(13, Dhcp6Frames.of(7, 1, Dhcp6Frames.duid(3))
                .iaNa(1, Dhcp6Frames.iaaddr("2001:db8:1::30", 3600)).bytes()), S);
        assertThat(name6("2001:db8:1::30", 2 * S)).isEqualTo("carol-pc");

        send6(TO_SERVER6, Dhcp6Frames.of(3, 2, Dhcp6Frames.duid(4)).fqdn("dave-pc", false), 0);
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 2, Dhcp6Frames.duid(5)).iaNa(1, Dhcp6Frames.iaaddr("fd77::40", 3600)), S);
        send6(TO_SERVER6, Dhcp6Frames.of(3, 3, Dhcp6Frames.duid(6)).fqdn("erin-pc", false), 0);
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 3, Dhcp6Frames.duid(6)).iaNa(1, Dhcp6Frames.iaaddr("fd77::41", 3600))
                .status(1), S);
        send6(TO_SERVER6, Dhcp6Frames.of(3, 4, Dhcp6Frames.duid(7)).fqdn("frank-pc", false), 0);
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 4, Dhcp6Frames.duid(7)).iaNa(1, Dhcp6Frames.iaaddr("fd77::42", 3600)),
                DhcpNames.PENDING_NANOS + 1);
        send6(TO_SERVER6, Dhcp6Frames.of(3, 5, Dhcp6Frames.duid(8)).fqdn("grace-pc", false), 0);
        send6(FROM_SERVER6, Dhcp6Frames.of(2, 5, Dhcp6Frames.duid(8)).iaNa(1, Dhcp6Frames.iaaddr("fd77::43", 3600)), S);
        assertThat(name6("fd77::40", 2 * S)).as("another client's DUID").isNull();
        assertThat(name6("fd77::41", 2 * S)).as("UnspecFail").isNull();
        assertThat(name6("fd77::42", DhcpNames.PENDING_NANOS + 2)).as("a late REPLY").isNull();
        assertThat(name6("fd77::43", 2 * S)).as("an ADVERTISE binds nothing").isNull();
    }

    @Test
    void dhcpv6_aReleaseOrAZeroLifetime_endsTheName_onlyForItsOwnClient() {
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 1, Dhcp6Frames.duid(1)).fqdn("heidi", false)
                .iaNa(1, Dhcp6Frames.iaaddr("fd77::50", 3600), Dhcp6Frames.iaaddr("fd77::51", 3600)), 0);
        send6(TO_SERVER6, Dhcp6Frames.of(8, 2, Dhcp6Frames.duid(2)).iaNa(1, Dhcp6Frames.iaaddr("fd77::50", 0)), S);
        assertThat(name6("fd77::50", 2 * S)).as("another client's RELEASE").isEqualTo("heidi");
        send6(TO_SERVER6, Dhcp6Frames.of(8, 3, Dhcp6Frames.duid(1)).iaNa(1, Dhcp6Frames.iaaddr("fd77::50", 0)), 3 * S);
        assertThat(name6("fd77::50", 4 * S)).isNull();
        // a RENEW's REPLY that no longer gives fd77::51
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 4, Dhcp6Frames.duid(1)).iaNa(1, Dhcp6Frames.iaaddr("fd77::51", 0)), 5 * S);
        assertThat(name6("fd77::51", 6 * S)).isNull();
        assertThat(names.size()).isZero();
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 5, Dhcp6Frames.duid(1)).fqdn("ivan", false)
                .iaNa(1, Dhcp6Frames.iaaddr("fd77::52", 0xffffffffL)), 0);
        assertThat(name6("fd77::52", DhcpNames.MAX_LEASE_NANOS)).isEqualTo("ivan");
        assertThat(name6("fd77::52", DhcpNames.MAX_LEASE_NANOS + 1)).as("infinite, bounded").isNull();
    }

    @Test
    void dhcpv6_untrustedServers_areCounted_andTheCapHoldsPerFamily() {
        names = new DhcpNames(anomalies, AddressBlocks.parse(List.of("2001:db8:9::/48"), "capture.dhcp_servers"), 2);
        send6(FROM_SERVER6, Dhcp6Frames.of(7, 1, Dhcp6Frames.duid(1)).fqdn("mallory", false)
                .iaNa(1, Dhcp6Frames.iaaddr("fd77::60", 3600)), 0);
        assertThat(name6("fd77::60", 1)).isNull();
        assertThat(anomalies.nonZero()).containsExactly(Map.entry(Anomaly.DHCP_ACK_UNTRUSTED, 1L));
        FlowKey trusted = new FlowKey(0x20010db800090000L, 1, 0xfe80000000000000L, 0x10, 547, 546, 17);
        for (int i = 0; i < 3; i++) {
            send6(trusted, Dhcp6Frames.of(7, i, Dhcp6Frames.duid(i)).fqdn("d" + i, false)
                    .iaNa(1, Dhcp6Frames.iaaddr("fd77::1:" + i, 3600)), 0);
        }
        assertThat(names.size()).isEqualTo(2);
        assertThat(name6("fd77::1:0", 1)).as("the eldest forgotten").isNull();
        assertThat(name6("fd77::1:2", 1)).isEqualTo("d2");
    }

    @Test
    void announcements_nameAnAddressForAnHour_aGoodbyeEndsIt_aLeaseWins() {
        long hi = FlowKey.V4_MARK;
        names.announced(hi, v4(10, 0, 0, 70) & 0xffffffffL, "alice-mbp", 120, 0);
        assertThat(name(v4(10, 0, 0, 70), DhcpNames.ANNOUNCED_NANOS)).isEqualTo("alice-mbp");
        assertThat(name(v4(10, 0, 0, 70), DhcpNames.ANNOUNCED_NANOS + 1)).as("not heard again").isNull();
        names.announced(hi, v4(10, 0, 0, 70) & 0xffffffffL, "alice-mbp", 120, 2 * S);
        names.announced(hi, v4(10, 0, 0, 70) & 0xffffffffL, "someone-else", 0, 3 * S);
        assertThat(name(v4(10, 0, 0, 70), 4 * S)).as("another name's goodbye").isEqualTo("alice-mbp");
        names.announced(hi, v4(10, 0, 0, 70) & 0xffffffffL, "alice-mbp", 0, 5 * S);
        assertThat(name(v4(10, 0, 0, 70), 6 * S)).isNull();
        // a lease's name is not replaced by an announcement while it runs; an ACK replaces an announced name
        send(FROM_SERVER, DhcpFrames.server(5, 1, mac(1)).yiaddr(v4(10, 0, 0, 71)).hostName("BOB-DESKTOP").lease(60), 0);
        names.announced(hi, v4(10, 0, 0, 71) & 0xffffffffL, "bobs-mac", 120, S);
        assertThat(name(v4(10, 0, 0, 71), 2 * S)).isEqualTo("BOB-DESKTOP");
        names.announced(hi, v4(10, 0, 0, 71) & 0xffffffffL, "bobs-mac", 120, 61 * S);
        assertThat(name(v4(10, 0, 0, 71), 62 * S)).as("the lease ended").isEqualTo("bobs-mac");
        send(FROM_SERVER, DhcpFrames.server(5, 2, mac(2)).yiaddr(v4(10, 0, 0, 71)).hostName("carol-pc"), 63 * S);
        assertThat(name(v4(10, 0, 0, 71), 64 * S)).isEqualTo("carol-pc");
        // a NetBIOS registration's days-long TTL: at most a day
        names.announced(hi, v4(10, 0, 0, 73) & 0xffffffffL, "ERIN-PC", 300_000, 0);
        assertThat(name(v4(10, 0, 0, 73), DhcpNames.MAX_ANNOUNCED_NANOS)).isEqualTo("ERIN-PC");
        assertThat(name(v4(10, 0, 0, 73), DhcpNames.MAX_ANNOUNCED_NANOS + 1)).isNull();
        // IPv6
        java.nio.ByteBuffer a = java.nio.ByteBuffer.wrap(Dhcp6Frames.v6("2001:db8:1::72"));
        names.announced(a.getLong(), a.getLong(), "dave-mbp", 120, 0);
        assertThat(name6("2001:db8:1::72", S)).isEqualTo("dave-mbp");
    }

    @Test
    void deviceName_ofAnOwnerName() {
        assertThat(DhcpNames.deviceName("alice-mbp.local")).isEqualTo("alice-mbp");
        assertThat(DhcpNames.deviceName("alice-mbp.local.")).isEqualTo("alice-mbp");
        assertThat(DhcpNames.deviceName("ws01")).as("LLMNR: one label").isEqualTo("ws01");
        assertThat(DhcpNames.deviceName(".local")).isNull();
        assertThat(DhcpNames.deviceName("a\u0001b.local")).isNull();
    }
}
