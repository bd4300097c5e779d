package dev.umbra.sensor;

import dev.umbra.sensor.flow.FlowKey;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code 2001:db8::/32}, {@code 127.0.0.1}) that a
 * setting allows: the syslog listener's senders, the KDCs whose replies name users. Immutable.
 */
public final class AddressBlocks {
    /** No entries: every address is allowed. */
    public static final AddressBlocks ANY = new AddressBlocks(List.of(), new int[0]);

    private final List<byte[]> networks;
    private final int[] prefixes;

    private AddressBlocks(List<byte[]> networks, int[] prefixes) {
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /**
     * Parses entries; an empty list allows any address.
     *
     * @param setting the configuration the entries come from, named in errors
     * @throws IllegalArgumentException naming the bad entry and the setting
     */
    public static AddressBlocks parse(List<String> entries, String setting) {
        List<byte[]> nets = new ArrayList<>();
        int[] prefixes = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i).trim();
            int slash = e.indexOf('/');
            String addr = slash < 0 ? e : e.substring(0, slash);
            // literal addresses only: no DNS lookups for an allow-list
            if (addr.isEmpty() || !(addr.indexOf(':') >= 0 || addr.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
                throw bad(e, setting, "not an IP address or CIDR block");
            }
            byte[] a;
            try {
                a = InetAddress.getByName(addr).getAddress();
            } catch (UnknownHostException ex) {
                throw bad(e, setting, "not an IP address or CIDR block");
            }
            int prefix = a.length * 8;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                } catch (NumberFormatException ex) {
                    throw bad(e, setting, "prefix length is not a number");
                }
                if (prefix < 0 || prefix > a.length * 8) {
                    throw bad(e, setting, "prefix length must be 0.." + a.length * 8);
                }
            }
            nets.add(a);
            prefixes[i] = prefix;
        }
        return new AddressBlocks(nets, prefixes);
    }

    private static IllegalArgumentException bad(String e, String setting, String why) {
        return new IllegalArgumentException("Invalid value " + e + " for configuration " + setting + ": " + why);
    }

    /** True when there are no entries: every address is allowed. */
    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** Whether the address is in a block (any address when there are none). */
    public boolean allows(InetAddress address) {
        return allows(address.getAddress());
    }

    /** Whether the address with these numbers (FlowKey layout) is in a block (any address when there are none). */
    public boolean allows(long hi, long lo) {
        if (networks.isEmpty()) {
            return true;
        }
        byte[] a = new byte[hi == FlowKey.V4_MARK ? 4 : 16];
        long v = hi == FlowKey.V4_MARK ? lo << 32 : hi;
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) ((i < 8 ? v : lo) >>> (56 - 8 * (i % 8)));
        }
        return allows(a);
    }

    private boolean allows(byte[] a) {
        if (networks.isEmpty()) {
            return true;
        }
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
