package dev.umbra.sensor.capture.live;

import dev.umbra.sensor.decode.LinkType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Builds the default BPF filter of a live capture from the protocols enabled.
 *
 * <p>A BPF expression such as {@code udp port 53} matches untagged frames only: after the
 * {@code vlan} keyword libpcap reads four bytes further in. The filter is therefore repeated for
 * one 802.1Q tag and for two stacked tags (802.1ad QinQ): {@code F or (vlan and (F or (vlan and
 * F)))}. On Linux the kernel strips the outer tag into packet metadata; libpcap 1.10's {@code vlan}
 * test reads it there, so the same expression works with and without VLAN offload.
 *
 * <p>Only Ethernet interfaces get the VLAN clauses. libpcap refuses {@code vlan} on every other link
 * type ("no VLAN support for Linux cooked v1", "... for Raw IP"), and those are common on hosts: the
 * {@code any} pseudo-interface (Linux cooked), VPN and tunnel interfaces such as WireGuard, OpenVPN's
 * tun or PPP (raw IP). There the kernel hands the filter the packet after its link header, tag or not,
 * so the plain expression sees tagged traffic too.
 */
public final class CaptureFilter {
    private CaptureFilter() {
    }

    /**
     * The filter for the given protocols on an Ethernet interface, covering untagged, 802.1Q and QinQ
     * frames.
     *
     * @throws IllegalArgumentException when no protocol is given
     */
    public static String forProtocols(Set<CaptureProtocol> protocols) {
        return forProtocols(protocols, LinkType.ETHERNET);
    }

    /**
     * The filter for the given protocols on an interface of this link type ({@code pcap_datalink}):
     * with the VLAN clauses on Ethernet, without them elsewhere (see the class comment).
     *
     * @throws IllegalArgumentException when no protocol is given
     */
    public static String forProtocols(Set<CaptureProtocol> protocols, int linkType) {
        if (protocols.isEmpty()) {
            throw new IllegalArgumentException("at least one protocol must be enabled for live capture");
        }
        EnumSet<CaptureProtocol> p = EnumSet.copyOf(protocols);
        String base;
        if (p.contains(CaptureProtocol.FLOWS)) {
            base = CaptureProtocol.FLOWS.filter();
        } else {
            List<String> clauses = new ArrayList<>();
            boolean allTcp = p.contains(CaptureProtocol.TLS) || p.contains(CaptureProtocol.HTTP);
            if (allTcp) {
                clauses.add("tcp");
            }
            if (p.contains(CaptureProtocol.DNS)) {
                clauses.add(allTcp ? "udp port 53" : CaptureProtocol.DNS.filter());
            }
            if (p.contains(CaptureProtocol.QUIC)) {
                clauses.add(CaptureProtocol.QUIC.filter());
            }
            if (p.contains(CaptureProtocol.SOCKS_UDP)) {
                clauses.add(CaptureProtocol.SOCKS_UDP.filter());
            }
            base = String.join(" or ", clauses.stream().map(c -> "(" + c + ")").toList());
        }
        return linkType == LinkType.ETHERNET ? withVlan(base) : base;
    }

    /** {@code F or (vlan and (F or (vlan and F)))} for a base expression F. */
    public static String withVlan(String base) {
        String f = "(" + base + ")";
        return f + " or (vlan and (" + f + " or (vlan and " + f + ")))";
    }
}
