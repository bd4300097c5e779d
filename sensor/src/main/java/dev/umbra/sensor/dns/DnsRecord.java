package dev.umbra.sensor.dns;

/**
 * An answer record of a type Umbra uses (A, AAAA, CNAME).
 *
 * @param name owner name, lowercase
 * @param type record type ({@link DnsParser#TYPE_A}, {@link DnsParser#TYPE_AAAA}, {@link DnsParser#TYPE_CNAME})
 * @param ttl time to live in seconds
 * @param data address text (A, AAAA, and the ipv4hint/ipv6hint of HTTPS/SVCB) or target name (CNAME)
 * @param addressHi the address's high 64 bits in the FlowKey layout ({@code FlowKey.V4_MARK} for
 *     IPv4), 0 for a CNAME
 * @param addressLo the address's low 64 bits in the FlowKey layout, 0 for a CNAME
 */
public record DnsRecord(String name, int type, long ttl, String data, long addressHi, long addressLo) {
    /** A record whose data is a name (CNAME). */
    public DnsRecord(String name, int type, long ttl, String data) {
        this(name, type, ttl, data, 0, 0);
    }

    /** True when the data is an address (A, AAAA, an HTTPS/SVCB address hint). */
    public boolean isAddress() {
        return type != DnsParser.TYPE_CNAME;
    }
}
