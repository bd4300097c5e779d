package dev.umbra.sensor;

/**
 * Named malformations and limits hit while decoding. Codes are stable snake_case; they appear in
 * reports and metrics. Decoding goes on after every one of them.
 */
public enum Anomaly {
    CAPTURE_UNKNOWN_LINK_TYPE("capture_unknown_link_type"),
    CAPTURE_BLOCK_TOO_LARGE("capture_block_too_large"),
    CAPTURE_BAD_BLOCK("capture_bad_block"),
    CAPTURE_UNKNOWN_INTERFACE("capture_unknown_interface"),
    CAPTURE_DUPLICATE("capture_duplicate"),
    CAPTURE_NAT_DUPLICATE("capture_nat_duplicate"),
    LINK_TRUNCATED("link_truncated"),
    TUNNEL_TOO_DEEP("tunnel_too_deep"),
    IPV4_TRUNCATED("ipv4_truncated"),
    IPV4_BAD_HEADER_LENGTH("ipv4_bad_header_length"),
    IPV4_BAD_TOTAL_LENGTH("ipv4_bad_total_length"),
    IPV6_TRUNCATED("ipv6_truncated"),
    IPV6_EXTENSION_CHAIN_TOO_LONG("ipv6_extension_chain_too_long"),
    IP_FRAGMENT_SKIPPED("ip_fragment_skipped"),
    IP_BAD_VERSION("ip_bad_version"),
    UDP_TRUNCATED("udp_truncated"),
    TCP_TRUNCATED("tcp_truncated"),
    TCP_BAD_HEADER_LENGTH("tcp_bad_header_length"),
    DNS_TRUNCATED("dns_truncated"),
    DNS_NAME_POINTER_LOOP("dns_name_pointer_loop"),
    DNS_NAME_TOO_LONG("dns_name_too_long"),
    DNS_BAD_LABEL("dns_bad_label"),
    DNS_TOO_MANY_RECORDS("dns_too_many_records"),
    TLS_CLIENT_HELLO_TRUNCATED("tls_client_hello_truncated"),
    TLS_CLIENT_HELLO_MALFORMED("tls_client_hello_malformed"),
    /**
     * An SNI with bytes no host name has (control, space, non-ASCII, backslash): still reported, each
     * such byte written as a backslash and three decimal digits.
     */
    TLS_SNI_INVALID("tls_sni_invalid"),
    QUIC_HEADER_TRUNCATED("quic_header_truncated"),
    QUIC_HEADER_MALFORMED("quic_header_malformed"),
    QUIC_UNSUPPORTED_VERSION("quic_unsupported_version"),
    QUIC_INITIAL_DECRYPT_FAILED("quic_initial_decrypt_failed"),
    QUIC_FRAME_MALFORMED("quic_frame_malformed"),
    QUIC_CRYPTO_BUFFER_OVERFLOW("quic_crypto_buffer_overflow"),
    QUIC_CLIENT_HELLO_INCOMPLETE("quic_client_hello_incomplete"),
    QUIC_CONNECTION_EVICTED("quic_connection_evicted"),
    TCP_STREAM_EVICTED("tcp_stream_evicted"),
    TCP_REASSEMBLY_OVERFLOW("tcp_reassembly_overflow"),
    TCP_STREAM_INCOMPLETE("tcp_stream_incomplete"),
    PROXY_PROTOCOL_MALFORMED("proxy_protocol_malformed"),
    HTTP_REQUEST_MALFORMED("http_request_malformed"),
    /**
     * A cleartext HTTP/2 connection (from the client preface) whose frames or header blocks break
     * RFC 9113 / RFC 7541 or a cap: the rest of the connection is not read.
     */
    HTTP2_REQUEST_MALFORMED("http2_request_malformed"),
    /**
     * A request on a cleartext HTTP/2 connection whose body was wanted while as many bodies of that
     * connection were being read as the cap allows: its head is reported, its body is not classified.
     */
    HTTP2_BODY_NOT_FOLLOWED("http2_body_not_followed"),
    /**
     * More cleartext HTTP/2 connections at once (followed or idle and set aside) than the decoder
     * follows: this one is not read.
     */
    HTTP2_CONNECTION_NOT_FOLLOWED("http2_connection_not_followed"),
    /**
     * The bodies being read on cleartext HTTP/2 connections hold all the memory set aside for them:
     * this body was cut there, or not read.
     */
    HTTP_BODIES_OVER_BUDGET("http_bodies_over_budget"),
    /** A SOCKS greeting followed by bytes that break RFC 1928 / 1929, or an opening over its stream cap. */
    SOCKS_REQUEST_MALFORMED("socks_request_malformed"),
    /**
     * A datagram between a client and its SOCKS5 UDP relay with a header that breaks RFC 1928 7 (a
     * bad address type or name, or longer than the datagram): not read.
     */
    SOCKS_UDP_MALFORMED("socks_udp_malformed"),
    /** A fragment of a datagram sent through a SOCKS5 UDP relay (FRAG not 0): not reassembled, not read. */
    SOCKS_UDP_FRAGMENT("socks_udp_fragment"),
    /** A Kerberos KDC reply (AS-REP, TGS-REP; RFC 4120 5.4.2) that breaks the DER grammar before its client's name. */
    KERBEROS_REPLY_MALFORMED("kerberos_reply_malformed"),
    /** A Kerberos KDC reply cut (by the snap length, or a segment's end) before its client's name. */
    KERBEROS_REPLY_TRUNCATED("kerberos_reply_truncated"),
    /** A Kerberos KDC reply from an address outside the configured KDCs: it names no one. */
    KERBEROS_REPLY_UNTRUSTED("kerberos_reply_untrusted"),
    /**
     * An SMB2 message of a session's set-up (port 445 or 139) whose fields break MS-SMB2, or bytes there that
     * are not SMB: the rest of that connection is not read.
     */
    SMB_MESSAGE_MALFORMED("smb_message_malformed"),
    /** An SMB logon (a SESSION_SETUP that succeeded) answered by a server outside the configured ones: it names no one. */
    SMB_LOGON_UNTRUSTED("smb_logon_untrusted"),
    /** An SMB SESSION_SETUP request naming a user, dropped unanswered because too many were waiting. */
    SMB_LOGON_EVICTED("smb_logon_evicted"),
    /**
     * A DHCP message (ports 67 and 68) or DHCPv6 message (546 and 547) whose options run past it or break their
     * grammar: it names no device.
     */
    DHCP_MESSAGE_MALFORMED("dhcp_message_malformed"),
    /**
     * A DHCPACK or DHCPv6 REPLY naming a device, from an address outside the configured DHCP servers: it names
     * no one.
     */
    DHCP_ACK_UNTRUSTED("dhcp_ack_untrusted"),
    /** A DHCP or DHCPv6 request naming a device, dropped before its answer because too many were waiting. */
    DHCP_REQUEST_EVICTED("dhcp_request_evicted"),
    /** A NetBIOS name service message from port 137 whose name, records or lengths break RFC 1002: it names no device. */
    NBNS_MESSAGE_MALFORMED("nbns_message_malformed"),
    /** A request body longer than the body cap: its head is classified, the rest is not read. */
    HTTP_BODY_TRUNCATED("http_body_truncated"),
    /** A chunked request body whose framing breaks the grammar: what came before is classified. */
    HTTP_BODY_MALFORMED("http_body_malformed"),
    TUNNEL_TRUNCATED("tunnel_truncated"),
    FLOW_EVICTED("flow_evicted"),
    /** IP fragments that overlap without being an exact duplicate: the datagram is dropped (RFC 5722). */
    IP_FRAGMENT_OVERLAP("ip_fragment_overlap"),
    /** A fragment inconsistent with the others (length, end): the datagram is dropped. */
    IP_FRAGMENT_MALFORMED("ip_fragment_malformed"),
    /** A datagram over 65,535 bytes or 64 fragments: dropped. */
    IP_FRAGMENT_OVERSIZE("ip_fragment_oversize"),
    /** A fragmented datagram that timed out, was evicted or was still open at the end of a capture. */
    IP_FRAGMENT_INCOMPLETE("ip_fragment_incomplete"),
    /** A decoder bug caught by the last-resort guard of the packet loop; should stay 0. */
    DECODER_ERROR("decoder_error");

    private final String code;

    Anomaly(String code) {
        this.code = code;
    }

    /** The stable snake_case code. */
    public String code() {
        return code;
    }
}
