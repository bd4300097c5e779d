package dev.umbra.sensor.dhcp;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.flow.FlowKey;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Design notes.
 *
 * An address is a device's from the server's DHCPACK that gives it (yiaddr, or ciaddr for a renewal or an
 * INFORM) until its lease ends. Its name is the one the ACK carries, or, as most servers do not echo it, the
 * one the client's DISCOVER, REQUEST or INFORM with the same transaction id and hardware address gave. A
 * later ACK for the address replaces it (addresses are handed on), and a client's RELEASE ends it.
 *
 * The exchange is not protected (RFC 3118 authentication is not deployed), so a rogue DHCP server, or anyone
 * who can put an ACK on the wire, can name an address; the servers (or relay agents) the decoder is given
 * (capture.dhcp_servers) are then the only ones whose ACKs count. The name is the device's own claim: it
 * labels an address, it does not prove who uses it, and it never becomes a user.
 *
 * Bounds: at most maxAddresses addresses (least recently written forgotten first), MAX_PENDING requests
 * waiting for their ACK for PENDING_NANOS (the eldest dropped first, counted); a lease counts for at most MAX_LEASE_NANOS (an infinite one too),
 * one without a lease time for DEFAULT_LEASE_NANOS. IPv4 only: DHCPv6 is not read.
 */
/** IPv4 address to the device name its DHCP lease gave it. Not thread-safe: one per decoder. */
public final class DhcpNames {
    /** Default cap on addresses kept. */
    public static final int DEFAULT_MAX_ADDRESSES = 65_536;
    /** Requests waiting for their ACK. */
    public static final int MAX_PENDING = 1024;
    /** How long a request waits for its ACK. */
    public static final long PENDING_NANOS = 60_000_000_000L;
    /** How long an ACK without a lease time names its address. */
    public static final long DEFAULT_LEASE_NANOS = 24L * 3600 * 1_000_000_000L;
    /** The longest a lease names its address, an infinite one too. */
    public static final long MAX_LEASE_NANOS = 7 * DEFAULT_LEASE_NANOS;

    private record Lease(String name, long chaddr, long expires) {
    }

    private record Pending(String name, long chaddr, long timeNanos) {
    }

    private final AnomalyCounters anomalies;
    private final AddressBlocks servers;
    private final Map<Integer, Lease> leases;
    private final Map<Integer, Pending> pending = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Pending> eldest) {
            if (size() > MAX_PENDING) {
                anomalies.count(Anomaly.DHCP_REQUEST_EVICTED);
                return true;
            }
            return false;
        }
    };

    /** With the default cap; ACKs from {@code servers} count ({@link AddressBlocks#ANY}: every one). */
    public DhcpNames(AnomalyCounters anomalies, AddressBlocks servers) {
        this(anomalies, servers, DEFAULT_MAX_ADDRESSES);
    }

    /** @param maxAddresses addresses kept, at least 1 */
    public DhcpNames(AnomalyCounters anomalies, AddressBlocks servers, int maxAddresses) {
        if (maxAddresses < 1) {
            throw new IllegalArgumentException("maxAddresses must be at least 1: " + maxAddresses);
        }
        this.anomalies = anomalies;
        this.servers = servers;
        this.leases = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, Lease> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** Reads one DHCP message sent in direction {@code key} at {@code timeNanos}. */
    public void message(FlowKey key, DhcpMessage m, long timeNanos) {
        if (!m.reply()) {
            if (m.type() == DhcpMessage.RELEASE && m.ciaddr() != 0) {
                Lease l = leases.get(m.ciaddr());
                if (l != null && l.chaddr() == m.chaddr()) {
                    leases.remove(m.ciaddr());
                }
            } else if (m.name() != null) {
                pending.remove(m.xid()); // written again: the eldest waiting goes first at the cap
                pending.put(m.xid(), new Pending(m.name(), m.chaddr(), timeNanos));
            }
            return;
        }
        if (m.type() != DhcpMessage.ACK) {
            return;
        }
        int address = m.yiaddr() != 0 ? m.yiaddr() : m.ciaddr();
        Pending p = pending.remove(m.xid());
        String name = m.name();
        if (name == null && p != null && p.chaddr() == m.chaddr() && timeNanos - p.timeNanos() <= PENDING_NANOS) {
            name = p.name();
        }
        if (address == 0 || name == null) {
            return;
        }
        if (!servers.allows(key.srcHi(), key.srcLo())) {
            anomalies.count(Anomaly.DHCP_ACK_UNTRUSTED);
            return;
        }
        long lease = m.leaseSeconds() < 0 ? DEFAULT_LEASE_NANOS
                : Math.min(MAX_LEASE_NANOS, m.leaseSeconds() * 1_000_000_000L);
        leases.remove(address);
        leases.put(address, new Lease(name, m.chaddr(), timeNanos + lease));
    }

    /** The device name of the address with these numbers (FlowKey layout) at this time, or null. */
    public String name(long hi, long lo, long timeNanos) {
        if (hi != FlowKey.V4_MARK || leases.isEmpty()) {
            return null;
        }
        Lease l = leases.get((int) lo);
        return l == null || timeNanos > l.expires() ? null : l.name();
    }

    /** Addresses kept. */
    public int size() {
        return leases.size();
    }

    /** Requests waiting for their ACK. */
    public int pending() {
        return pending.size();
    }
}
