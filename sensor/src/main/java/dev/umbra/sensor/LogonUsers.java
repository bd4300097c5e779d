package dev.umbra.sensor;

import dev.umbra.sensor.flow.FlowKey;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/*
 * Design notes.
 *
 * A logon at an address names who is behind it: a KDC's reply to the address (KdcReplyParser) or a file
 * server's acceptance of an NTLM SESSION_SETUP from it (SmbLogons). On a tap, where no process on the host
 * can be asked, later flows and queries from the address are that user's. The address's user is the one
 * of its logons within the lifetime (a Kerberos ticket's usual ten hours) after the last one. An address
 * where two users logged on within that time (a terminal server, a NAT gateway, an address handed on by
 * DHCP) names no one until one of them has not been seen for a lifetime: a wrong name is worse than none.
 * Each address keeps its two most recent users.
 *
 * One account by two protocols is one user: alice@CORP.EXAMPLE (Kerberos) and CORP\alice (NTLM) are
 * compared by their account name (case folded), and the address keeps the form it first had.
 *
 * Not users: computer accounts (a name ending in '$', as Active Directory names them) and Kerberos
 * principals of more than one component (KdcReplyParser.user).
 *
 * Bounds: at most maxAddresses addresses, least recently written forgotten first.
 */
/**
 * Address to the user who logged on there. Not thread-safe: one per decoder.
 */
public final class LogonUsers {
    /** Default cap on addresses kept. */
    public static final int DEFAULT_MAX_ADDRESSES = 65_536;
    /** Default time a logon names its address for. */
    public static final long DEFAULT_LIFETIME_NANOS = 10L * 3600 * 1_000_000_000L;

    private static final class Entry {
        String user;
        long seen;
        String other;
        long otherSeen;
    }

    private final Map<Object, Entry> entries;
    private final long lifetimeNanos;

    /** With the default limits. */
    public LogonUsers() {
        this(DEFAULT_MAX_ADDRESSES, DEFAULT_LIFETIME_NANOS);
    }

    /**
     * @param maxAddresses addresses kept, at least 1
     * @param lifetimeNanos how long an authentication names its address, positive
     */
    public LogonUsers(int maxAddresses, long lifetimeNanos) {
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

    /** True when no address has a user. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /**
     * Records that {@code user} (name@REALM, DOMAIN\\name or a name) logged on at the address with these
     * numbers (FlowKey layout); a computer account (a name ending in '$') is not recorded.
     */
    public void authenticated(long hi, long lo, String user, long timeNanos) {
        String account = account(user);
        if (account.isEmpty() || account.endsWith("$")) {
            return;
        }
        Object key = key(hi, lo);
        Entry e = entries.remove(key); // written again below: the eldest written goes first at the cap
        if (e == null) {
            e = new Entry();
        }
        if (e.user != null && account.equals(account(e.user))) {
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

    /** The account name of a user: without its realm or domain, case folded. */
    static String account(String user) {
        int at = user.lastIndexOf('@');
        String name = at >= 0 ? user.substring(0, at) : user;
        return name.substring(name.lastIndexOf('\\') + 1).toLowerCase(Locale.ROOT);
    }

    private static Object key(long hi, long lo) {
        return hi == FlowKey.V4_MARK ? (Object) lo : new Address6(hi, lo);
    }

    private record Address6(long hi, long lo) {
    }
}
