package dev.umbra.sensor.dns;

import java.util.List;

/**
 * The parts of a DNS message Umbra uses.
 *
 * @param id transaction id
 * @param response QR bit
 * @param opcode OPCODE
 * @param rcode RCODE
 * @param questions the questions, in order
 * @param answers A, AAAA and CNAME records of the answer section, in order, and the address hints of
 *     HTTPS/SVCB records (typed 65/64, address text as data)
 * @param complete false when the message ended early or broke a cap after the part returned
 * @param echConfig true when an HTTPS/SVCB answer carries an ech SvcParam (RFC 9460): clients of
 *     this name may hide the real server name in an Encrypted Client Hello
 * @param echPublicName the public_name of the first ECHConfig (version 0xfe0d) in that SvcParam: the
 *     outer SNI those clients send instead of the real name; null when none could be read
 */
public record DnsMessage(int id, boolean response, int opcode, int rcode, List<DnsQuestion> questions,
        List<DnsRecord> answers, boolean complete, boolean echConfig, String echPublicName) {
}
