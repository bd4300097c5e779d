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
 * IPv4. An address is a device's from the server's DHCPACK that gives it (yiaddr, or ciaddr for a renewal or
 * an INFORM) until its lease ends. Its name is the one the ACK carries, or, as most servers do not echo it, the
 * one the client's DISCOVER, REQUEST or INFORM with the same transaction id and hardware address gave. A
 * later ACK for the address replaces it (addresses are handed on), and a client's RELEASE ends it.
 *
 * IPv6. The same, by DHCPv6: a server's REPLY binds the addresses of its IA_NA and IA_TA options to the
 * client (its DUID) for their valid lifetimes, and names them by its Client FQDN option or by the one the
 * client's SOLICIT (rapid commit), REQUEST, RENEW or REBIND with the same transaction id and DUID sent. A
 * REPLY that gives an address a valid lifetime of 0, and the client's RELEASE or DECLINE, end the name. A
 * REPLY whose own status is not Success binds nothing. Relayed messages are read inside their relay
 * messages, so a tap beside the server reads them as one beside the client does.
 *
 * Announcements. A device also says its own name where it answers for it: an mDNS response or announcement
 * (RFC 6762: alice-mbp.local A 10.0.0.5, sent by 10.0.0.5), an LLMNR response (RFC 4795), or a NetBIOS name
 * registration or positive query response for its workstation name (RFC 1002: DESKTOP-7Q2K9<00>). The
 * decoder takes such a message only when one of its address records for the name is the sender's own address
 * (the name is then the sender's, and so are the name's other addresses in the message: an IPv6 announcement
 * comes from the link-local address and carries the global ones). An announced name labels the address for
 * its TTL, at least ANNOUNCED_NANOS (a host record's mDNS TTL is two minutes, but a device does not announce
 * again until asked) and at most MAX_ANNOUNCED_NANOS (NetBIOS registrations last days) after it was last
 * heard, and a goodbye (TTL 0) or a NetBIOS release ends it. A lease's name wins: an announcement does not replace the name of a
 * lease still running, and an ACK or REPLY replaces an announced one.
 *
 * The exchange is not protected (RFC 3118 and RFC 8415's authentication are not deployed), so a rogue server,
 * or anyone who can put an ACK or a REPLY on the wire, can name an address; the servers (or relay agents) the
 * decoder is given (capture.dhcp_servers) are then the only ones whose ACKs and REPLYs count. The name is the
 * device's own claim: it labels an address, it does not prove who uses it, and it never becomes a user.
 *
 * Bounds: at most maxAddresses addresses of each family (least recently written forgotten first), MAX_PENDING
 * requests waiting for their answer for PENDING_NANOS (the eldest dropped first, counted); a lease counts for
 * at most MAX_LEASE_NANOS (an infinite one too), an IPv4 one without a lease time for DEFAULT_LEASE_NANOS.
 */
/** IPv4 and IPv6 addresses to the device names their DHCP leases gave them. Not thread-safe: one per decoder. */
public final class DhcpNames {
    /** Default cap on addresses kept, of each family. */
    public static final int DEFAULT_MAX_ADDRESSES = 65_536;
    /** Requests waiting for their answer. */
    public static final int MAX_PENDING = 1024;
    /** How long a request waits for its answer. */
    public static final long PENDING_NANOS = 60_000_000_000L;
    /** How long an ACK without a lease time names its address. */
    public static final long DEFAULT_LEASE_NANOS = 24L * 3600 * 1_000_000_000L;
    /** The longest a lease names its address, an infinite one too. */
    public static final long MAX_LEASE_NANOS = 7 * DEFAULT_LEASE_NANOS;
    /** The least a device's own announcement (mDNS, LLMNR, NetBIOS) names its address after it was last heard. */
    public static final long ANNOUNCED_NANOS = 3600L * 1_000_000_000L;
    /** The most an announcement names its address, whatever its TTL. */
    public static final long MAX_ANNOUNCED_NANOS = 24 * ANNOUNCED_NANOS;

    /**
     * @param client the hardware address (IPv4) or the DUID's hash (IPv6) of the client the lease is for; 0 for
     *     an announcement
     * @param announced true when the device's own announcement names the address, not a lease
     */
    private record Lease(String name, long client, long expires, boolean announced) {
        Lease(String name, long client, long expires) {
            this(name, client, expires, false);
        }
    }

    private record Pending(String name, long client, long timeNanos) {
    }

    private record V6(long hi, long lo) {
    }

    private final AnomalyCounters anomalies;
    private final AddressBlocks servers;
    private final Map<Integer, Lease> leases;
    private final Map<V6, Lease> leases6;
    // by transaction id: an IPv4 one as it is, an IPv6 one (24 bits) with bit 32 set
    private final Map<Long, Pending> pending = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Pending> eldest) {
            if (size() > MAX_PENDING) {
                anomalies.count(Anomaly.DHCP_REQUEST_EVICTED);
                return true;
            }
            return false;
        }
    };

    /** With the default cap; ACKs and REPLYs from {@code servers} count ({@link AddressBlocks#ANY}: every one). */
    public DhcpNames(AnomalyCounters anomalies, AddressBlocks servers) {
        this(anomalies, servers, DEFAULT_MAX_ADDRESSES);
    }

    /** @param maxAddresses addresses kept of each family, at least 1 */
    public DhcpNames(AnomalyCounters anomalies, AddressBlocks servers, int maxAddresses) {
        if (maxAddresses < 1) {
            throw new IllegalArgumentException("maxAddresses must be at least 1: " + maxAddresses);
        }
        this.anomalies = anomalies;
        this.servers = servers;
        this.leases = bounded(maxAddresses);
        this.leases6 = bounded(maxAddresses);
    }

    private static <K> Map<K, Lease> bounded(int max) {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, Lease> eldest) {
                return size() > max;
            }
        };
    }

    /** Reads one DHCP message sent in direction {@code key} at {@code timeNanos}. */
    public void message(FlowKey key, DhcpMessage m, long timeNanos) {
        if (!m.reply()) {
            if (m.type() == DhcpMessage.RELEASE && m.ciaddr() != 0) {
                Lease l = leases.get(m.ciaddr());
                if (l != null && l.client() == m.chaddr()) {
                    leases.remove(m.ciaddr());
                }
            } else if (m.name() != null) {
                waiting(m.xid() & 0xffffffffL, m.name(), m.chaddr(), timeNanos);
            }
            return;
        }
        if (m.type() != DhcpMessage.ACK) {
            return;
        }
        int address = m.yiaddr() != 0 ? m.yiaddr() : m.ciaddr();
        String name = answered(m.xid() & 0xffffffffL, m.name(), m.chaddr(), timeNanos);
        if (address == 0 || name == null || !trusted(key)) {
            return;
        }
        long lease = m.leaseSeconds() < 0 ? DEFAULT_LEASE_NANOS : lifetime(m.leaseSeconds());
        leases.remove(address);
        leases.put(address, new Lease(name, m.chaddr(), timeNanos + lease));
    }

    /** Reads one DHCPv6 message sent in direction {@code key} (the relay's own, for a relay message). */
    public void message(FlowKey key, Dhcp6Message m, long timeNanos) {
        switch (m.type()) {
            case Dhcp6Message.SOLICIT, Dhcp6Message.REQUEST, Dhcp6Message.RENEW, Dhcp6Message.REBIND -> {
                if (m.name() != null) {
                    waiting(1L << 32 | m.xid(), m.name(), m.client(), timeNanos);
                }
            }
            case Dhcp6Message.RELEASE, Dhcp6Message.DECLINE -> m.addresses().forEach(a -> end(a, m.client()));
            case Dhcp6Message.REPLY -> {
                String name = answered(1L << 32 | m.xid(), m.name(), m.client(), timeNanos);
                if (m.status() != 0 || m.addresses().isEmpty()) {
                    return;
                }
                boolean ends = m.addresses().stream().anyMatch(a -> a.validSeconds() == 0);
                if ((name == null && !ends) || !trusted(key)) {
                    return;
                }
                for (Dhcp6Message.Address a : m.addresses()) {
                    if (a.validSeconds() == 0) {
                        end(a, m.client());
                    } else if (name != null) {
                        V6 address = new V6(a.hi(), a.lo());
                        leases6.remove(address);
                        leases6.put(address, new Lease(name, m.client(), timeNanos + lifetime(a.validSeconds())));
                    }
                }
            }
            default -> {
            }
        }
    }

    private void waiting(long xid, String name, long client, long timeNanos) {
        pending.remove(xid); // written again: the eldest waiting goes first at the cap
        pending.put(xid, new Pending(name, client, timeNanos));
    }

    /** The name an answer gives: its own, else its request's (same transaction and client, in time), or null. */
    private String answered(long xid, String own, long client, long timeNanos) {
        Pending p = pending.remove(xid);
        if (own == null && p != null && p.client() == client && timeNanos - p.timeNanos() <= PENDING_NANOS) {
            return p.name();
        }
        return own;
    }

    /** Whether an answer that would name an address comes from a server that counts (counted when not). */
    private boolean trusted(FlowKey key) {
        if (servers.allows(key.srcHi(), key.srcLo())) {
            return true;
        }
        anomalies.count(Anomaly.DHCP_ACK_UNTRUSTED);
        return false;
    }

    /**
     * The device name an mDNS or LLMNR owner name gives (alice-mbp.local: alice-mbp), or null when it is none
     * (as DhcpMessage keeps names: printable ASCII, 1 to 255 characters).
     */
    public static String deviceName(String owner) {
        String n = owner.endsWith(".local") ? owner.substring(0, owner.length() - 6)
                : owner.endsWith(".local.") ? owner.substring(0, owner.length() - 7) : owner;
        return DhcpMessage.name(n);
    }

    /**
     * A device announced its own name for the address with these numbers (FlowKey layout), with this TTL (0: a
     * goodbye, which ends it). It names the address unless a lease that still runs does.
     */
    public void announced(long hi, long lo, String name, long ttlSeconds, long timeNanos) {
        if (hi == FlowKey.V4_MARK) {
            announced(leases, (int) lo, name, ttlSeconds, timeNanos);
        } else {
            announced(leases6, new V6(hi, lo), name, ttlSeconds, timeNanos);
        }
    }

    private static <K> void announced(Map<K, Lease> map, K address, String name, long ttlSeconds, long timeNanos) {
        Lease l = map.get(address);
        if (l != null && !l.announced() && timeNanos <= l.expires()) {
            return; // a lease names it
        }
        if (ttlSeconds == 0) {
            if (l != null && l.announced() && l.name().equals(name)) {
                map.remove(address);
            }
            return;
        }
        map.remove(address); // rewritten: the least recently written goes first at the cap
        long lifetime = Math.max(ANNOUNCED_NANOS, Math.min(MAX_ANNOUNCED_NANOS, ttlSeconds * 1_000_000_000L));
        map.put(address, new Lease(name, 0, timeNanos + lifetime, true));
    }

    /** Forgets the name of an IPv6 address bound to this client. */
    private void end(Dhcp6Message.Address a, long client) {
        V6 address = new V6(a.hi(), a.lo());
        Lease l = leases6.get(address);
        if (l != null && l.client() == client) {
            leases6.remove(address);
        }
    }

    private static long lifetime(long seconds) {
        return Math.min(MAX_LEASE_NANOS, seconds * 1_000_000_000L);
    }

    /** The device name of the address with these numbers (FlowKey layout) at this time, or null. */
    public String name(long hi, long lo, long timeNanos) {
        Lease l = hi == FlowKey.V4_MARK ? (leases.isEmpty() ? null : leases.get((int) lo))
                : (leases6.isEmpty() ? null : leases6.get(new V6(hi, lo)));
        return l == null || timeNanos > l.expires() ? null : l.name();
    }

    /** Addresses kept, of both families. */
    public int size() {
        return leases.size() + leases6.size();
    }

    /** Requests waiting for their answer. */
    public int pending() {
        return pending.size();
    }
}
