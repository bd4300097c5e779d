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
 *
 * <p>The protocols' clauses find their transport header where an unfragmented packet without IPv6
 * extension headers has it, so {@link #FRAGMENTS_AND_EXTENSION_HEADERS} is added to them: the decoder
 * reassembles fragments and walks extension headers, but only if it is given them.
 */
public final class CaptureFilter {
    /**
     * IP packets whose transport header the protocols' clauses cannot see: IPv4 UDP fragments
     * (libpcap's port tests reject every fragment but the first, so a DNS answer larger than the path's
     * MTU lost its tail; TCP fragments pass {@code tcp}, which tests the protocol field alone), and IPv6
     * packets whose fixed header is followed by an extension header (hop-by-hop, routing, fragment,
     * destination options, AH, mobility, HIP, shim6: libpcap tests the fixed header's next header field,
     * and {@code tcp} looks one fragment header further, no more). Such packets are rare, so all of
     * them are let through whatever they carry, but for what follows a hop-by-hop header: only UDP, TCP,
     * a fragment or destination options header, not the ICMPv6 of the multicast listener reports (MLD)
     * every IPv6 host sends. (Written as what is let through: the same test written as {@code ip6[40] !=
     * 58} compiled, with the rest, to a program Linux refused to attach, and libpcap then filtered in user
     * space, every frame copied up; {@code LiveCaptureKernelFilterTest} checks the kernel takes it.)
     */
    public static final String FRAGMENTS_AND_EXTENSION_HEADERS = "(ip[9] = 17 and ip[6:2] & 0x3fff != 0) or (ip6 and "
            + "((ip6[6] = 0 and (ip6[40] = 17 or ip6[40] = 6 or ip6[40] = 44 or ip6[40] = 60)) or ip6[6] = 43 or ip6[6] = 44 or ip6[6] = 60 or ip6[6] = 51 or ip6[6] = 135 or ip6[6] = 139 "
            + "or ip6[6] = 140))";

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
            if (p.contains(CaptureProtocol.DNS_QUERIES) && !p.contains(CaptureProtocol.DNS)) {
                clauses.add(allTcp ? "udp dst port 53" : CaptureProtocol.DNS_QUERIES.filter());
            }
            if (p.contains(CaptureProtocol.QUIC)) {
                clauses.add(CaptureProtocol.QUIC.filter());
            }
            if (p.contains(CaptureProtocol.SOCKS_UDP)) {
                clauses.add(CaptureProtocol.SOCKS_UDP.filter());
            }
            if (p.contains(CaptureProtocol.KERBEROS)) {
                clauses.add(allTcp ? "udp port 88" : CaptureProtocol.KERBEROS.filter());
            }
            if (p.contains(CaptureProtocol.SMB) && !allTcp) {
                clauses.add(CaptureProtocol.SMB.filter());
            }
            if (p.contains(CaptureProtocol.DHCP)) {
                clauses.add(CaptureProtocol.DHCP.filter());
            }
            clauses.add(FRAGMENTS_AND_EXTENSION_HEADERS);
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
