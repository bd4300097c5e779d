package dev.umbra.sensor.capture.live;

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
 */
public final class CaptureFilter {
    private CaptureFilter() {
    }

    /**
     * The filter for the given protocols, covering untagged, 802.1Q and QinQ frames.
     *
     * @throws IllegalArgumentException when no protocol is given
     */
    public static String forProtocols(Set<CaptureProtocol> protocols) {
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
            base = String.join(" or ", clauses.stream().map(c -> "(" + c + ")").toList());
        }
        return withVlan(base);
    }

    /** {@code F or (vlan and (F or (vlan and F)))} for a base expression F. */
    public static String withVlan(String base) {
        String f = "(" + base + ")";
        return f + " or (vlan and (" + f + " or (vlan and " + f + ")))";
    }
}
