package dev.umbra.sensor;

/** What an {@link Observation} saw. The wire form ({@link #id()}) is stable snake_case. */
public enum ObservationKind {
    /** A DNS query name (QR = 0). */
    DNS_QUERY("dns_query"),
    /** A DNS response: the question name and the A, AAAA and CNAME answers. */
    DNS_ANSWER("dns_answer"),
    /** The server name of a TLS ClientHello over TCP. */
    TLS_SNI("tls_sni"),
    /** The server name of a TLS ClientHello inside QUIC Initial packets. */
    QUIC_SNI("quic_sni"),
    /** A plaintext HTTP request (Host header or CONNECT target). */
    HTTP_REQUEST("http_request"),
    /** A request line of a web-proxy log. */
    PROXY_REQUEST("proxy_request"),
    /** A flow that ended or timed out, with its byte counts. */
    FLOW_END("flow_end"),
    /**
     * A link-local name query (mDNS RFC 6762 on 5353, LLMNR RFC 4795 on 5355): a device asking its
     * neighbours, not a lookup through a resolver, so kept apart from {@link #DNS_QUERY}.
     */
    LOCAL_NAME_QUERY("local_name_query"),
    /**
     * A SOCKS4, SOCKS4a or SOCKS5 CONNECT request (RFC 1928): a client asking a proxy to connect it to
     * the host named (the server endpoint is then the proxy).
     */
    SOCKS_REQUEST("socks_request");

    private final String id;

    ObservationKind(String id) {
        this.id = id;
    }

    /** The stable snake_case form used in output. */
    public String id() {
        return id;
    }
}
