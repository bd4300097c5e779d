package dev.umbra.sensor.dns;

/**
 * A question of a DNS message (RFC 1035 section 4.1.2).
 *
 * @param name the name, lowercase, without trailing dot; {@code "."} for the root
 * @param type QTYPE
 * @param dnsClass QCLASS (the top bit, mDNS's unicast-response flag, is kept)
 */
public record DnsQuestion(String name, int type, int dnsClass) {
}
