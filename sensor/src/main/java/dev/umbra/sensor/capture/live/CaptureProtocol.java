package dev.umbra.sensor.capture.live;

/**
 * What a live capture is asked to see. The default BPF filter ({@link CaptureFilter#forProtocols})
 * lets through only the frames the enabled protocols need.
 */
public enum CaptureProtocol {
    /** DNS over UDP and TCP port 53. */
    DNS("udp port 53 or tcp port 53"),
    /**
     * DNS queries alone (to port 53, over UDP and TCP): what a host's daemon captures a second time, handed over at
     * once, to look up the process of a short-lived client while it still owns its socket.
     */
    DNS_QUERIES("udp dst port 53 or tcp dst port 53"),
    /**
     * TLS ClientHellos. TLS is recognised by content on any port, and a ClientHello split across
     * segments needs the segments after the first, so every TCP segment is let through.
     */
    TLS("tcp"),
    /**
     * QUIC long-header packets (Initials) on any UDP port: the first payload byte has its top bit set.
     * libpcap's {@code udp[...]} reads IPv4 only, so IPv6 is tested by its fixed header: next header
     * UDP (17), payload at offset 48. A datagram behind extension headers is let through by {@link
     * CaptureFilter#FRAGMENTS_AND_EXTENSION_HEADERS}.
     */
    QUIC("(udp and udp[8] & 0x80 = 0x80) or (ip6 and ip6[6] = 17 and ip6[48] & 0x80 = 0x80)"),
    /**
     * Datagrams through a SOCKS5 UDP relay (RFC 1928 7) on any port: their header starts with two zero
     * bytes (RSV), in both directions. The control connection is TCP. mDNS (port 5353), whose
     * messages carry ID 0 and so start the same way, is left out.
     */
    SOCKS_UDP("not udp port 5353 and ((udp and udp[8:2] = 0) or (ip6 and ip6[6] = 17 and ip6[48:2] = 0))"),
    /** Plain HTTP/1.x requests and cleartext HTTP/2 (h2c, gRPC) openings, recognised by content on any port. */
    HTTP("tcp"),
    /**
     * Kerberos KDC replies (RFC 4120 7.2.1, 7.2.2: port 88), whose client names tell who is at an address;
     * read when the decoder names clients by Kerberos (a tap).
     */
    KERBEROS("udp port 88 or tcp port 88"),
    /**
     * SMB session set-ups (MS-SMB2 over TCP 445, NetBIOS session service on 139), whose NTLM logons tell who
     * is at an address; read when the decoder names clients by logons (a tap).
     */
    SMB("tcp port 445 or tcp port 139"),
    /**
     * DHCP (RFC 2131: the server on port 67, the client on 68) and DHCPv6 (RFC 8415: servers and relay agents
     * on 547, clients on 546), whose leases give an address the device name the client sent, and mDNS (5353),
     * LLMNR (5355) and the NetBIOS name service (137), in which devices announce their own names; read when the
     * decoder names client hosts (a tap).
     */
    DHCP("udp port 67 or udp port 68 or udp port 546 or udp port 547 or udp port 5353 or udp port 5355"
            + " or udp port 137"),
    /** Flow accounting needs every IP packet. */
    FLOWS("ip or ip6");

    private final String filter;

    CaptureProtocol(String filter) {
        this.filter = filter;
    }

    /** The BPF expression (pcap-filter(7)) that lets through what this protocol needs. */
    public String filter() {
        return filter;
    }
}
