package dev.umbra.signatures;

/**
 * A client network of a policy exception: an IPv4 or IPv6 prefix ({@code 10.0.0.0/8},
 * {@code 2001:db8::/32}); a bare address is a /32 or /128.
 */
final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final long v4Network;
    private final long v4Mask;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        if (network.length == 4) {
            long v = ((network[0] & 0xffL) << 24) | ((network[1] & 0xffL) << 16) | ((network[2] & 0xffL) << 8)
                    | (network[3] & 0xffL);
            v4Mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            v4Network = v & v4Mask;
        } else {
            v4Mask = 0;
            v4Network = -1;
        }
    }

    /**
     * Parses CIDR notation.
     *
     * @throws IllegalArgumentException naming the value
     */
    static Cidr parse(String text) {
        String t = text == null ? "" : text.trim();
        int slash = t.indexOf('/');
        byte[] address = IpAddresses.parse(slash < 0 ? t : t.substring(0, slash));
        if (address == null) {
            throw new IllegalArgumentException("invalid network " + text + ": expected an address/prefix such as 10.0.0.0/8");
        }
        int bits = address.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(t.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("invalid network " + text + ": prefix must be 0.." + bits);
            }
        }
        return new Cidr(address, prefix);
    }

    /** True when the IPv4 address (unsigned 32-bit) is inside this network. */
    boolean containsV4(long address) {
        return network.length == 4 && (address & v4Mask) == v4Network;
    }

    /** True when the 4- or 16-byte address is inside this network. */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[full] & mask) == (network[full] & mask);
    }

    boolean isV4() {
        return network.length == 4;
    }
}
