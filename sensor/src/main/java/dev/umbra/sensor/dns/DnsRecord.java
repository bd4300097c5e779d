package dev.umbra.sensor.dns;

/**
 * An answer record of a type Umbra uses (A, AAAA, CNAME).
 *
 * @param name owner name, lowercase
 * @param type record type ({@link DnsParser#TYPE_A}, {@link DnsParser#TYPE_AAAA}, {@link DnsParser#TYPE_CNAME})
 * @param ttl time to live in seconds
 * @param data address text (A, AAAA, and the ipv4hint/ipv6hint of HTTPS/SVCB) or target name (CNAME)
 */
public record DnsRecord(String name, int type, long ttl, String data) {
}
