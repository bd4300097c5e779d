package dev.umbra.sensor.kerberos;

import dev.umbra.sensor.flow.FlowKey;
import java.util.LinkedHashMap;
import java.util.Map;

/*
 * Design notes.
 *
 * A KDC's reply to an address names the principal that just authenticated there (KdcReplyParser). On a
 * tap, where no process on the host can be asked, that is who is behind the address: later flows and
 * queries from it are the user's. The address's user is the principal of its replies within the
 * lifetime (a ticket's usual ten hours) after the last one. An address where two users authenticated
 * within that time (a terminal server, a NAT gateway, an address handed on by DHCP) names no one until
 * one of them has not been seen for a lifetime: a wrong name is worse than none. Each address keeps its
 * two most recent users.
 *
 * Not users: computer accounts (a name ending in '$', as Active Directory names them) and principals of
 * more than one component (services such as host/fqdn or krbtgt/REALM). An enterprise name (name-type 10,
 * RFC 6806) is one component that already holds its own realm.
 *
 * Bounds: at most maxAddresses addresses, least recently written forgotten first.
 */
/**
 * Address to the Kerberos principal that authenticated there. Not thread-safe: one per decoder.
 */
public final class KerberosUsers {
    /** Default cap on addresses kept. */
    public static final int DEFAULT_MAX_ADDRESSES = 65_536;
    /** Default time an authentication names its address for. */
    public static final long DEFAULT_LIFETIME_NANOS = 10L * 3600 * 1_000_000_000L;
    /** RFC 6806 5: the name is user@suffix. */
    private static final int NT_ENTERPRISE = 10;

    private static final class Entry {
        String user;
        long seen;
        String other;
        long otherSeen;
    }

    private final Map<Object, Entry> entries;
    private final long lifetimeNanos;

    /** With the default limits. */
    public KerberosUsers() {
        this(DEFAULT_MAX_ADDRESSES, DEFAULT_LIFETIME_NANOS);
    }

    /**
     * @param maxAddresses addresses kept, at least 1
     * @param lifetimeNanos how long an authentication names its address, positive
     */
    public KerberosUsers(int maxAddresses, long lifetimeNanos) {
        if (maxAddresses < 1 || lifetimeNanos <= 0) {
            throw new IllegalArgumentException("need maxAddresses >= 1 and lifetimeNanos > 0: " + maxAddresses + " "
                    + lifetimeNanos);
        }
        this.lifetimeNanos = lifetimeNanos;
        this.entries = new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Entry> eldest) {
                return size() > maxAddresses;
            }
        };
    }

    /** The user a reply names, {@code name@REALM}, or null for a computer or service principal. */
    public static String user(KdcReplyParser.Reply r) {
        String[] name = r.name();
        if (name.length != 1 || name[0].endsWith("$")) {
            return null;
        }
        return r.nameType() == NT_ENTERPRISE && name[0].indexOf('@') > 0 ? name[0] : name[0] + "@" + r.realm();
    }

    /** True when no address has a user. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Records that {@code user} authenticated at the address with these numbers (FlowKey layout). */
    public void authenticated(long hi, long lo, String user, long timeNanos) {
        Object key = key(hi, lo);
        Entry e = entries.remove(key); // written again below: the eldest written goes first at the cap
        if (e == null) {
            e = new Entry();
        }
        if (user.equals(e.user)) {
            e.seen = timeNanos;
        } else {
            // the previous user becomes the other one (a third user pushes the eldest out)
            e.other = e.user;
            e.otherSeen = e.seen;
            e.user = user;
            e.seen = timeNanos;
        }
        entries.put(key, e);
    }

    /** The user of the address with these numbers at this time, or null: none, expired, or two users. */
    public String user(long hi, long lo, long timeNanos) {
        Entry e = entries.get(key(hi, lo));
        if (e == null || timeNanos - e.seen > lifetimeNanos) {
            return null;
        }
        return e.other != null && timeNanos - e.otherSeen <= lifetimeNanos ? null : e.user;
    }

    /** Addresses kept. */
    public int size() {
        return entries.size();
    }

    private static Object key(long hi, long lo) {
        return hi == FlowKey.V4_MARK ? (Object) lo : new Address6(hi, lo);
    }

    private record Address6(long hi, long lo) {
    }
}
