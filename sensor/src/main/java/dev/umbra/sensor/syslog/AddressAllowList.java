package dev.umbra.sensor.syslog;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** Addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 127.0.0.1}). */
final class AddressAllowList {
    private final List<byte[]> networks;
    private final int[] prefixes;

    private AddressAllowList(List<byte[]> networks, int[] prefixes) {
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /**
     * Parses entries; an empty list allows any sender.
     *
     * @throws IllegalArgumentException naming the bad entry
     */
    static AddressAllowList parse(List<String> entries) {
        List<byte[]> nets = new ArrayList<>();
        int[] prefixes = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i).trim();
            int slash = e.indexOf('/');
            String addr = slash < 0 ? e : e.substring(0, slash);
            // literal addresses only: no DNS lookups for an allow-list
            if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
                throw bad(e, "not an IP address or CIDR block");
            }
            byte[] a;
            try {
                a = InetAddress.getByName(addr).getAddress();
            } catch (UnknownHostException ex) {
                throw bad(e, "not an IP address or CIDR block");
            }
            int prefix = a.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    throw bad(e, "prefix length is not a number");
                }
                if (prefix < 0 || prefix > a.length * 8) {
                    throw bad(e, "prefix length must be 0.." + a.length * 8);
                }
            }
            nets.add(a);
            prefixes[i] = prefix;
        }
        return new AddressAllowList(nets, prefixes);
    }

    private static IllegalArgumentException bad(String e, String why) {
        return new IllegalArgumentException("Invalid value " + e + " for configuration syslog.allowed.senders: " + why);
    }

    /** Whether a sender may send. */
    boolean allows(InetAddress sender) {
        if (networks.isEmpty()) {
            return true;
        }
        byte[] a = sender.getAddress();
        for (int i = 0; i < networks.size(); i++) {
            byte[] n = networks.get(i);
            if (n.length == a.length && prefixMatches(n, a, prefixes[i])) {
                return true;
            }
        }
        return false;
    }

    private static boolean prefixMatches(byte[] n, byte[] a, int prefix) {
        int full = prefix / 8;
        for (int k = 0; k < full; k++) {
            if (n[k] != a[k]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (n[full] & mask) == (a[full] & mask);
    }
}
