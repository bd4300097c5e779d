package dev.umbra.sensor.decode;

import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.LogonUsers;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.PacketHandler;
import dev.umbra.sensor.dns.DnsMessage;
import dev.umbra.sensor.dns.DnsParser;
import dev.umbra.sensor.dns.DnsQuestion;
import dev.umbra.sensor.dns.DnsRecord;
import dev.umbra.sensor.dns.NameCache;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.flow.FlowTable;
import dev.umbra.sensor.flow.ReassemblyBuffer;
import dev.umbra.sensor.flow.TcpStreams;
import dev.umbra.sensor.http.BodyBudget;
import dev.umbra.sensor.http.Http2Connection;
import dev.umbra.sensor.http.HttpBody;
import dev.umbra.sensor.http.HttpRequest;
import dev.umbra.sensor.http.HttpRequestParser;
import dev.umbra.sensor.dhcp.Dhcp6Message;
import dev.umbra.sensor.dhcp.DhcpMessage;
import dev.umbra.sensor.dhcp.DhcpNames;
import dev.umbra.sensor.dhcp.NbnsMessage;
import dev.umbra.sensor.kerberos.KdcReplyParser;
import dev.umbra.sensor.smb.SmbMessage;
import dev.umbra.sensor.smb.SmbLogons;
import dev.umbra.sensor.quic.QuicInitialDecoder;
import dev.umbra.sensor.socks.SocksRequest;
import dev.umbra.sensor.socks.SocksRequestParser;
import dev.umbra.sensor.tls.ClientHello;
import dev.umbra.sensor.tls.ClientHelloParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/*
 * Design notes.
 *
 * One decoder per capture thread: frames go down link -> IP -> UDP/TCP -> DNS | TLS, all read in
 * place at absolute offsets with the remaining length checked before every read. Nothing is
 * allocated for a frame that carries no name; an Observation (and its strings) is built only for a
 * DNS message or a ClientHello. Malformed frames count an Anomaly and are dropped; no exception
 * leaves onPacket (a last-resort catch counts any decoder bug as an anomaly rather than stopping
 * the capture).
 *
 * Protocols are recognised by content where that is cheap and safe: a TLS ClientHello on any TCP
 * port; DNS on UDP/TCP port 53, and on other UDP ports when the header is plausible (one question,
 * opcode QUERY). mDNS (5353) and LLMNR (5355) are local-link name resolution, not lookups of
 * services: their queries are reported as local_name_query, apart from DNS. NetBIOS (137/138) is
 * DNS-shaped but carries encoded NetBIOS names: skipped.
 *
 * TCP: a direction is reassembled (TcpStreams) from its SYN, or from a segment that starts a
 * ClientHello, DNS message or HTTP head it does not finish, until those bytes were read. QUIC
 * Initials go to QuicInitialDecoder, keyed by the client's 4-tuple. Every TCP and UDP packet (DNS
 * excepted) is counted in a bounded FlowTable; a flow that ends and has a name (SNI, Host, or a DNS
 * answer for its server address, from the NameCache) is reported as flow_end with its byte counts.
 * IP fragments are reassembled within bounds (IpFragments) and the whole packet decoded as if it had
 * come unfragmented. finish() reports what the buffers and the flow table still hold at the end of a
 * capture.
 */
public final class PacketDecoder implements PacketHandler {
    /** Nested encapsulations followed (VLAN tags, tunnels, PPPoE) before a frame is dropped. */
    public static final int MAX_ENCAPSULATION_DEPTH = 8;
    /** IPv6 extension headers followed before a packet is dropped. */
    public static final int MAX_IPV6_EXTENSION_HEADERS = 8;

    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_VLAN = 0x8100;
    private static final int ETHERTYPE_QINQ = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int ETHERTYPE_PPPOE_SESSION = 0x8864;
    private static final int ETHERTYPE_MPLS = 0x8847;
    private static final int ETHERTYPE_MPLS_MULTICAST = 0x8848;

    /** Bytes kept per TCP direction carrying a ClientHello or HTTP head (a hello is at most one record). */
    public static final int MAX_HELLO_STREAM_BYTES = ClientHelloParser.MAX_RECORD_LENGTH + 5 + 512;
    /** Bytes kept per DNS-over-TCP direction: one whole message (RFC 1035 4.2.2 length prefix). */
    public static final int MAX_DNS_STREAM_BYTES = 65535 + 2;
    /**
     * Bytes of a cleartext HTTP/2 connection held ahead of what was read (segments that arrive before
     * a missing one); what was read is dropped, so this does not bound frames or bodies.
     */
    public static final int MAX_HTTP2_STREAM_BYTES = 256 * 1024;
    /**
     * Cleartext HTTP/2 connections read at once, followed or idle and set aside: each may hold an HPACK
     * table and a header block of up to 64 KiB, so this bounds what a flood of them costs (128 MiB at
     * worst; 4 KiB tables, the default, make it 4 MiB).
     */
    public static final int MAX_HTTP2_CONNECTIONS = 1024;
    /** What the bodies being read on all cleartext HTTP/2 connections may hold at once. */
    public static final int MAX_HTTP2_BODY_BYTES = 32 * 1024 * 1024;
    /** DNS messages read from one segment or one reassembly step. */
    public static final int MAX_DNS_MESSAGES_PER_SEGMENT = 64;
    /**
     * Requests without credentials held at once, waiting for the proxy's or server's answer; past this
     * they are reported at once.
     */
    static final int MAX_HELD_REQUESTS = 4096;
    /** The longest a request without credentials is held (by capture time) when nothing settles it. */
    static final long MAX_HOLD_NANOS = 10_000_000_000L;
    /** Names remembered with the public name of the ECH config their DNS answer published. */
    static final int MAX_ECH_NAMES = 4096;
    /** SOCKS5 UDP relays followed at once (UDP ASSOCIATE); past this the least recently used goes. */
    static final int MAX_SOCKS_UDP_RELAYS = 1024;
    /** Destinations reported per SOCKS5 UDP relay (each once); later new ones are decoded, not reported. */
    static final int MAX_SOCKS_UDP_DESTINATIONS = 64;
    /** A SOCKS5 UDP relay without a datagram for this long is forgotten. */
    static final long SOCKS_UDP_IDLE_NANOS = 120_000_000_000L;
    /** Protocol units read from a stream per segment (PROXY header, CONNECT, hello). */
    public static final int MAX_STREAM_STEPS = 8;
    /** Default cap on the bytes of one plaintext request body handed to a {@link BodyListener}. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    /** Receives the bodies of plaintext HTTP requests; see {@link #onHttpBodies}. */
    public interface BodyListener {
        /**
         * @param request the request's observation (the sink has had it)
         * @param body the body, de-chunked, at most the cap; the listener owns the array
         * @param complete false when the body was cut: by the cap, by bytes the capture lacks, or
         *     by the end of the capture
         * @param contentType the request's Content-Type, or {@code null}
         * @param contentEncoding its Content-Encoding, or {@code null}
         */
        void body(Observation request, byte[] body, boolean complete, String contentType, String contentEncoding);

        /**
         * Asked when a request head announces a body, before any of it is kept: false spares the
         * reassembly of a body nobody will read (a daemon that observes every name but classifies
         * only bodies to AI services).
         */
        default boolean wants(Observation request) {
            return true;
        }
    }

    private static final int TCP_FIN = 0x01;
    private static final int TCP_SYN = 0x02;
    private static final int TCP_RST = 0x04;
    private static final int TCP_ACK = 0x10;
    private static final int RDPUDP_SCAN = 64;
    /** TLS records joined into one fragmented ClientHello. */
    private static final int MAX_HELLO_RECORDS = 64;
    private static final int PROTO_IPIP = 4;
    private static final int PROTO_TCP = 6;
    private static final int PROTO_UDP = 17;
    private static final int PROTO_IPV6 = 41;
    private static final int PROTO_GRE = 47;

    private final String source;
    private final Consumer<Observation> sink;
    // who logged on at which address (KDC replies, SMB logons), when asked for: null otherwise; whose KDC
    // replies count; and the SMB logons being followed
    private LogonUsers logonUsers;
    private AddressBlocks kdcs;
    private SmbLogons smbLogons;
    // the device names DHCP leases gave addresses, when asked for: null otherwise
    private DhcpNames dhcpNames;
    // the names observations are made for (onlyNames), and the server ports of HTTP requests made whatever
    // their host
    private Predicate<String> wantedNames = name -> true;
    private IntPredicate wantedRequestPorts = port -> false;
    // the copies a Linux `any` capture sees of one packet, one per interface it crosses
    private final CookedCopies cookedCopies = new CookedCopies(FlowTable.DEFAULT_IDLE_NANOS);
    // the packet being decoded came from a Linux cooked capture (cookedCopies applies)
    private boolean cooked;
    private final AnomalyCounters anomalies;
    private final DnsParser dns;
    private final ClientHelloParser tls = new ClientHelloParser();
    private final QuicInitialDecoder quic;
    private final TcpStreams streams;
    private final FlowTable flows;
    private final NameCache names;
    private final IpFragments fragments;
    // the flow of the packet being decoded (an id of the flow table, valid during that packet);
    // FlowTable.NONE when it has none and while reporting outside a packet
    private int currentFlow = FlowTable.NONE;
    private final HttpRequestParser http = new HttpRequestParser();
    private final Http2Reports http2Reports = new Http2Reports();
    // h2c connections whose stream went idle (or was evicted) between two frames, by direction: the
    // HPACK table is all a later request needs to be read, so a gRPC channel idle for minutes is
    // resumed where it stopped (at the sequence number after its last byte)
    private final Map<FlowKey, ParkedHttp2> parkedHttp2 = new HashMap<>();
    // h2c connection readers alive (in a stream or parked), within MAX_HTTP2_CONNECTIONS
    private int http2Connections;
    // what the bodies of all h2c connections may hold at once
    private final BodyBudget http2Bodies = new BodyBudget(MAX_HTTP2_BODY_BYTES);
    // true while streams are dropped because their connection ends (FIN, RST, end of capture): not parked
    private boolean connectionEnds;
    private final SocksRequestParser socks = new SocksRequestParser();
    // names whose HTTPS/SVCB answer published an ECH config, with that config's public name, eldest
    // first, at most MAX_ECH_NAMES: a hello with ECH to an address of one of them whose outer SNI is
    // that public name is for it (echInnerName)
    private final Map<String, String> echPublicNames = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_ECH_NAMES;
        }
    };
    // requests sent without credentials, to a proxy (CONNECT, absolute-form) or to a server (origin-form
    // without Authorization), by the client's flow key, held until what crosses the connection next says
    // whether they were challenged (answerHeldRequest); within MAX_HELD_REQUESTS, in the order held, and
    // each goes at the latest when its flow ends or MAX_HOLD_NANOS after it was held
    private final Map<FlowKey, Held> heldRequests = new java.util.LinkedHashMap<>();
    // whether requests to a server itself without credentials are held too (holdRequestsUntilAnswered)
    private boolean holdOriginRequests;
    // applied to a request as it is held; what it returns is held and reported (onHold)
    private UnaryOperator<Observation> atHold = UnaryOperator.identity();
    // when the eldest held request may have been held too long (releaseHeldTooLong): no sooner is it looked at
    private long nextHoldCheckNanos = Long.MAX_VALUE;
    // the held requests whose body the listener wants, by their observation: a body read while its
    // request is held waits with it (deliver), then goes with it or is dropped with it
    private final Map<Observation, Held> heldBodies = new IdentityHashMap<>();
    // SOCKS5 UDP relays (UDP ASSOCIATE), by the client's and the proxy's addresses (a FlowKey with
    // ports 0): the client's datagrams to the proxy then carry a SOCKS UDP header naming where they go
    // (socksUdp); forgotten when the control connection ends, when idle, or past the cap
    private final Map<FlowKey, SocksRelay> socksRelays = new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<FlowKey, SocksRelay> eldest) {
            if (size() > MAX_SOCKS_UDP_RELAYS) {
                socksControls.remove(eldest.getValue().control);
                return true;
            }
            return false;
        }
    };
    // the control connections of socksRelays (the client's TCP key) to their relay's key
    private final Map<FlowKey, FlowKey> socksControls = new HashMap<>();
    // plaintext request bodies (onHttpBodies); null when nobody wants them
    private BodyListener bodies;
    private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private byte[] joined = new byte[4096];
    // set while reporting a stream outside its packet (eviction, end of capture)
    private FlowKey reportKey;

    private long packets;
    private long timestampNanos;
    // addresses of the innermost IP header of the current packet
    private byte[] ipBuf;
    private int srcOff;
    private int dstOff;
    private boolean ipv6;
    // the keys of the last two directions seen: a packet of one of them reuses its key
    private FlowKey recentKey;
    private FlowKey olderKey;

    /**
     * @param source the capture file or interface name put into every observation
     * @param sink receives observations on the calling thread
     * @param anomalies counts malformed input
     */
    public PacketDecoder(String source, Consumer<Observation> sink, AnomalyCounters anomalies) {
        this(source, sink, anomalies, FlowTable.DEFAULT_MAX_FLOWS);
    }

    /**
     * A decoder whose flow table holds at most {@code maxFlows} flows (about 120 bytes of heap each;
     * when full the least recently active flow ends early and {@code flow_evicted} counts it).
     *
     * @param source the capture file or interface name put into every observation
     * @param sink receives observations on the calling thread
     * @param anomalies counts malformed input
     * @param maxFlows flows tracked at once
     */
    public PacketDecoder(String source, Consumer<Observation> sink, AnomalyCounters anomalies, int maxFlows) {
        this.source = source;
        this.sink = sink;
        this.anomalies = anomalies;
        this.dns = new DnsParser(anomalies);
        this.quic = new QuicInitialDecoder(anomalies, this::quicHello);
        this.streams = new TcpStreams(anomalies, TcpStreams.DEFAULT_MAX_STREAMS, TcpStreams.DEFAULT_IDLE_NANOS,
                this::streamDropped);
        NameCache cache = new NameCache(NameCache.DEFAULT_MAX_ENTRIES, NameCache.DEFAULT_MIN_TTL_SECONDS,
                NameCache.DEFAULT_MAX_TTL_SECONDS, () -> timestampNanos);
        this.names = cache;
        // a flow with no name of its own, to a server no answer named, is not reported, nor one named by a
        // name not wanted: no record made
        // (a flow that carried a request to a wanted runtime port is wanted whatever its name: alsoRequestsTo)
        this.flows = new FlowTable(anomalies, maxFlows, FlowTable.DEFAULT_IDLE_NANOS,
                (name, path, port, hi, lo) -> name != null
                        ? wantedNames.test(name) || path != null && wantedRequestPorts.test(port)
                        : cache.mayHave(hi, lo), this::flowEnded);
        this.fragments = new IpFragments(anomalies, this::reassembled, IpFragments.DEFAULT_MAX_DATAGRAMS,
                IpFragments.DEFAULT_MAX_BYTES, IpFragments.DEFAULT_TIMEOUT_NANOS);
    }

    /** A packet rebuilt from its fragments (or cut off at its first gap), decoded as an unfragmented one. */
    private void reassembled(boolean v6, byte[] b, int len, int depth) {
        currentFlow = FlowTable.NONE;
        if (v6) {
            ipv6(b, 0, len, depth);
        } else {
            ipv4(b, 0, len, depth);
        }
    }

    /**
     * Ends the capture: reports what is still held in reassembly buffers (QUIC hellos whose server
     * name arrived but not their end). Call once after the last frame.
     */
    public void finish() {
        try {
            currentFlow = FlowTable.NONE;
            fragments.flush();
            quic.flush();
            connectionEnds = true;
            streams.flush();
            for (ParkedHttp2 p : parkedHttp2.values()) {
                endHttp2(p.connection());
            }
            parkedHttp2.clear();
            flows.flush();
        } catch (RuntimeException e) {
            anomalies.count(Anomaly.DECODER_ERROR);
        } finally {
            connectionEnds = false;
        }
    }

    /** Frames handled so far. */
    public long packets() {
        return packets;
    }

    /**
     * Moves the clock without a packet: flows, streams and QUIC connections idle for longer than
     * their timeouts at {@code nowNanos} end now rather than at the next packet, and requests held for
     * longer than {@link #MAX_HOLD_NANOS} are reported. Live capture calls
     * this every second or so; offline reading does not need it. Same thread as onPacket.
     */
    public void tick(long nowNanos) {
        if (nowNanos < timestampNanos) {
            return;
        }
        timestampNanos = nowNanos;
        currentFlow = FlowTable.NONE;
        cooked = false;
        try {
            fragments.expire(nowNanos, Integer.MAX_VALUE);
            quic.expireIdle(nowNanos);
            streams.expireIdle(nowNanos);
            flows.expireIdle(nowNanos);
            if (!heldRequests.isEmpty() && nowNanos >= nextHoldCheckNanos) {
                releaseHeldTooLong();
            }
        } catch (RuntimeException e) {
            anomalies.count(Anomaly.DECODER_ERROR);
        }
    }

    /** The address-to-names cache fed by DNS answers (for attribution by other components). */
    public NameCache names() {
        return names;
    }

    /**
     * Makes observations only of the names {@code wanted} accepts, for a consumer that would drop the
     * others (an audit keeps only the names its catalog knows): their times, addresses' text and lists
     * are never built. Everything else goes on as before: flows are named by what they carry, answers
     * feed the name cache, anomalies are counted.
     */
    public void onlyNames(Predicate<String> wanted) {
        this.wantedNames = Objects.requireNonNull(wanted, "wanted");
    }

    /**
     * With {@link #onlyNames}: also makes observations of plaintext HTTP requests to the server ports
     * {@code ports} accepts, whatever their host, for a consumer that recognises self-hosted runtimes by
     * port and path (an Ollama server on a LAN address answers to any host name).
     */
    public void alsoRequestsTo(IntPredicate ports) {
        this.wantedRequestPorts = Objects.requireNonNull(ports, "ports");
    }

    /**
     * Hands the body of every plaintext HTTP/1.x request whose host (or server port) is wanted
     * ({@link #onlyNames}, {@link #alsoRequestsTo}) to {@code listener}, at most {@code maxBytes} of each,
     * reassembled across segments, de-chunked,
     * in the order of the capture. A body the capture cuts short is handed over at the end of the
     * capture, or when its stream is evicted or idle, with {@code complete} false.
     */
    public void onHttpBodies(int maxBytes, BodyListener listener) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive: " + maxBytes);
        }
        this.maxBodyBytes = maxBytes;
        this.bodies = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public void onPacket(int linkType, long timestampNanos, byte[] buf, int off, int capturedLength, int originalLength) {
        packets++;
        this.timestampNanos = timestampNanos;
        this.currentFlow = FlowTable.NONE;
        this.cooked = false;
        try {
            link(linkType, buf, off, capturedLength, 0);
        } catch (RuntimeException e) {
            // a decoder bug must not stop the capture; bounds are checked, so this is unexpected
            anomalies.count(Anomaly.DECODER_ERROR);
        }
    }

    private void link(int linkType, byte[] b, int off, int len, int depth) {
        switch (linkType) {
            case LinkType.ETHERNET -> ethernet(b, off, len, depth);
            case LinkType.RAW, LinkType.RAW_DLT12, LinkType.RAW_DLT14, LinkType.IPV4, LinkType.IPV6 ->
                    ipByVersion(b, off, len, depth);
            case LinkType.NULL, LinkType.LOOP -> {
                // 4-byte address family in host (NULL) or network (LOOP) order; the IP version nibble
                // says the same thing without guessing the byte order
                if (len < 4) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                ipByVersion(b, off + 4, len - 4, depth);
            }
            case LinkType.LINUX_SLL -> {
                // cooked v1: packet type, ARPHRD, address length, address[8], protocol (16 bytes)
                if (len < 16) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                if (cookedCopies.exactCopy(u16(b, off + 14), b, off + 16, len - 16, timestampNanos)) {
                    anomalies.count(Anomaly.CAPTURE_DUPLICATE);
                    return;
                }
                cooked = depth == 0;
                etherType(u16(b, off + 14), b, off + 16, len - 16, depth);
            }
            case LinkType.LINUX_SLL2 -> {
                // cooked v2: protocol, reserved, ifindex, ARPHRD, packet type, address length, address[8]
                if (len < 20) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                if (cookedCopies.exactCopy(u16(b, off), b, off + 20, len - 20, timestampNanos)) {
                    anomalies.count(Anomaly.CAPTURE_DUPLICATE);
                    return;
                }
                cooked = depth == 0;
                etherType(u16(b, off), b, off + 20, len - 20, depth);
            }
            case LinkType.PPP, LinkType.PPP_HDLC -> ppp(b, off, len, depth);
            case LinkType.PPP_ETHER -> pppoe(b, off, len, depth);
            case LinkType.ARCNET_LINUX -> arcnet(b, off, len, depth);
            case LinkType.PKTAP, LinkType.USER2 -> {
                // Darwin PKTAP: u32 header length, u32 DLT of the packet, host (little-endian) order
                if (len < 8 || depth >= MAX_ENCAPSULATION_DEPTH) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                int headerLength = le32(b, off);
                int dlt = le32(b, off + 4);
                if (headerLength < 8 || headerLength > len) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                link(dlt, b, off + headerLength, len - headerLength, depth + 1);
            }
            case LinkType.PPI -> {
                // PPI: version, flags, u16 header length, u32 DLT, little-endian
                if (len < 8 || depth >= MAX_ENCAPSULATION_DEPTH) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                int headerLength = (b[off + 2] & 0xff) | ((b[off + 3] & 0xff) << 8);
                if (headerLength < 8 || headerLength > len) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                link(le32(b, off + 4), b, off + headerLength, len - headerLength, depth + 1);
            }
            case LinkType.NFLOG -> nflog(b, off, len, depth);
            case LinkType.IEEE802_11 -> ieee80211(b, off, len, depth, false);
            default -> anomalies.count(Anomaly.CAPTURE_UNKNOWN_LINK_TYPE);
        }
    }

    private void ethernet(byte[] b, int off, int len, int depth) {
        if (len < 14) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int type = u16(b, off + 12);
        if (type < 0x0600) {
            // IEEE 802.3 length field: only LLC/SNAP (AA AA 03 + OUI) carries an EtherType
            if (len >= 22 && (b[off + 14] & 0xff) == 0xAA && (b[off + 15] & 0xff) == 0xAA && b[off + 16] == 3) {
                etherType(u16(b, off + 20), b, off + 22, len - 22, depth);
            }
            return;
        }
        etherType(type, b, off + 14, len - 14, depth);
    }

    private void etherType(int type, byte[] b, int off, int len, int depth) {
        if (depth >= MAX_ENCAPSULATION_DEPTH) {
            anomalies.count(Anomaly.TUNNEL_TOO_DEEP);
            return;
        }
        switch (type) {
            case ETHERTYPE_IPV4 -> ipv4(b, off, len, depth);
            case ETHERTYPE_IPV6 -> ipv6(b, off, len, depth);
            case ETHERTYPE_VLAN, ETHERTYPE_QINQ, ETHERTYPE_QINQ_OLD -> {
                // 802.1Q / 802.1ad tag: TCI, then the inner EtherType
                if (len < 4) {
                    anomalies.count(Anomaly.LINK_TRUNCATED);
                    return;
                }
                etherType(u16(b, off + 2), b, off + 4, len - 4, depth + 1);
            }
            case ETHERTYPE_PPPOE_SESSION -> pppoe(b, off, len, depth + 1);
            case ETHERTYPE_MPLS, ETHERTYPE_MPLS_MULTICAST -> {
                // RFC 3032: 4-byte labels until the bottom-of-stack bit; then IP by version nibble
                int p = off;
                int end = off + len;
                for (int i = 0; i < MAX_ENCAPSULATION_DEPTH; i++) {
                    if (p + 4 > end) {
                        anomalies.count(Anomaly.LINK_TRUNCATED);
                        return;
                    }
                    boolean bottom = (b[p + 2] & 1) != 0;
                    p += 4;
                    if (bottom) {
                        ipByVersion(b, p, end - p, depth + 1);
                        return;
                    }
                }
                anomalies.count(Anomaly.TUNNEL_TOO_DEEP);
            }
            default -> {
                // ARP, LLDP and the rest carry no names
            }
        }
    }

    /** RFC 2516 section 4: ver/type, code, session id, length, then a PPP protocol field. */
    private void pppoe(byte[] b, int off, int len, int depth) {
        if (len < 6) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int payload = Math.min(u16(b, off + 4), len - 6);
        pppProtocol(b, off + 6, payload, depth);
    }

    /** RFC 1662: optional FF 03 address/control, then the protocol field. */
    private void ppp(byte[] b, int off, int len, int depth) {
        if (len >= 2 && (b[off] & 0xff) == 0xff && b[off + 1] == 3) {
            off += 2;
            len -= 2;
        }
        pppProtocol(b, off, len, depth);
    }

    private void pppProtocol(byte[] b, int off, int len, int depth) {
        if (len < 1) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int protocol;
        int header;
        if ((b[off] & 1) != 0) {
            // RFC 1661 section 6.5: compressed one-byte protocol field
            protocol = b[off] & 0xff;
            header = 1;
        } else {
            if (len < 2) {
                anomalies.count(Anomaly.LINK_TRUNCATED);
                return;
            }
            protocol = u16(b, off);
            header = 2;
        }
        if (protocol == 0x21) {
            ipv4(b, off + header, len - header, depth);
        } else if (protocol == 0x57) {
            ipv6(b, off + header, len - header, depth);
        }
    }

    /** Linux ARCnet header: source, destination, offset[2], type, and for RFC 1201 flag and sequence id. */
    private void arcnet(byte[] b, int off, int len, int depth) {
        if (len < 5) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int type = b[off + 4] & 0xff;
        int header = (type == 0xF0 || type == 0xF1 || type == 0x80) ? 5 : 8;
        if (len < header) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        if (type == 0xD4 || type == 0xF0) {
            ipv4(b, off + header, len - header, depth);
        } else if (type == 0xC4) {
            ipv6(b, off + header, len - header, depth);
        }
    }

    /** NFLOG: family, version, resource id, then TLVs (length and type in host order); type 9 is the payload. */
    private void nflog(byte[] b, int off, int len, int depth) {
        if (len < 4) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int p = off + 4;
        int end = off + len;
        for (int i = 0; i < 64 && p + 4 <= end; i++) {
            int tlvLength = (b[p] & 0xff) | ((b[p + 1] & 0xff) << 8);
            int tlvType = (b[p + 2] & 0xff) | ((b[p + 3] & 0xff) << 8);
            if (tlvLength < 4 || p + tlvLength > end) {
                anomalies.count(Anomaly.LINK_TRUNCATED);
                return;
            }
            if (tlvType == 9) {
                ipByVersion(b, p + 4, tlvLength - 4, depth);
                return;
            }
            p += (tlvLength + 3) & ~3;
        }
    }

    private void ipByVersion(byte[] b, int off, int len, int depth) {
        if (len < 1) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int version = (b[off] & 0xff) >> 4;
        if (version == 4) {
            ipv4(b, off, len, depth);
        } else if (version == 6) {
            ipv6(b, off, len, depth);
        } else {
            anomalies.count(Anomaly.IP_BAD_VERSION);
        }
    }

    /** RFC 791 section 3.1. */
    private void ipv4(byte[] b, int off, int len, int depth) {
        if (len < 20) {
            anomalies.count(Anomaly.IPV4_TRUNCATED);
            return;
        }
        if ((b[off] & 0xf0) != 0x40) {
            anomalies.count(Anomaly.IP_BAD_VERSION);
            return;
        }
        int headerLength = (b[off] & 0x0f) * 4;
        if (headerLength < 20 || headerLength > len) {
            anomalies.count(Anomaly.IPV4_BAD_HEADER_LENGTH);
            return;
        }
        int totalLength = u16(b, off + 2);
        int end;
        if (totalLength < headerLength) {
            // TSO/offloaded captures write 0 here; trust what was captured
            anomalies.count(Anomaly.IPV4_BAD_TOTAL_LENGTH);
            end = off + len;
        } else {
            end = off + Math.min(totalLength, len);
        }
        int fragment = u16(b, off + 6);
        if ((fragment & 0x3fff) != 0) {
            // RFC 791 3.2: MF set or a fragment offset; decoded once whole
            fragments.ipv4(b, off, headerLength, end, fragment, totalLength > len, depth, timestampNanos);
            return;
        }
        int protocol = b[off + 9] & 0xff;
        ipBuf = b;
        srcOff = off + 12;
        dstOff = off + 16;
        ipv6 = false;
        transport(protocol, b, off + headerLength, end - off - headerLength, depth);
    }

    /** RFC 8200 sections 3 and 4. */
    private void ipv6(byte[] b, int off, int len, int depth) {
        if (len < 40) {
            anomalies.count(Anomaly.IPV6_TRUNCATED);
            return;
        }
        if ((b[off] & 0xf0) != 0x60) {
            anomalies.count(Anomaly.IP_BAD_VERSION);
            return;
        }
        int payloadLength = u16(b, off + 4);
        int end = payloadLength == 0 ? off + len : off + Math.min(len, 40 + payloadLength);
        int next = b[off + 6] & 0xff;
        ipBuf = b;
        srcOff = off + 8;
        dstOff = off + 24;
        ipv6 = true;
        int p = off + 40;
        for (int i = 0; ; i++) {
            if (i >= MAX_IPV6_EXTENSION_HEADERS) {
                anomalies.count(Anomaly.IPV6_EXTENSION_CHAIN_TOO_LONG);
                return;
            }
            switch (next) {
                case 0, 43, 60, 135, 139, 140 -> {
                    // hop-by-hop, routing, destination options, mobility, HIP, shim6: (len + 1) * 8
                    if (p + 2 > end) {
                        anomalies.count(Anomaly.IPV6_TRUNCATED);
                        return;
                    }
                    next = b[p] & 0xff;
                    p += ((b[p + 1] & 0xff) + 1) * 8;
                }
                case 44 -> {
                    // fragment header (section 4.5): only the first fragment carries the upper header
                    if (p + 8 > end) {
                        anomalies.count(Anomaly.IPV6_TRUNCATED);
                        return;
                    }
                    if ((u16(b, p + 2) & 0xfff9) != 0) {
                        // an offset or the M flag; an atomic fragment (neither) is read as it is
                        fragments.ipv6(b, off, p, end, payloadLength != 0 && 40 + payloadLength > len, depth,
                                timestampNanos);
                        return;
                    }
                    next = b[p] & 0xff;
                    p += 8;
                }
                case 51 -> {
                    // AH (RFC 4302): (len + 2) * 4
                    if (p + 2 > end) {
                        anomalies.count(Anomaly.IPV6_TRUNCATED);
                        return;
                    }
                    next = b[p] & 0xff;
                    p += ((b[p + 1] & 0xff) + 2) * 4;
                }
                case 59 -> {
                    return;
                }
                default -> {
                    if (p > end) {
                        anomalies.count(Anomaly.IPV6_TRUNCATED);
                        return;
                    }
                    transport(next, b, p, end - p, depth);
                    return;
                }
            }
        }
    }

    private void transport(int protocol, byte[] b, int off, int len, int depth) {
        if (cooked && depth == 0 && (protocol == PROTO_TCP || protocol == PROTO_UDP) && translatedCopy(protocol, b, off, len)) {
            anomalies.count(Anomaly.CAPTURE_NAT_DUPLICATE);
            return;
        }
        switch (protocol) {
            case PROTO_UDP -> udp(b, off, len, depth);
            case PROTO_TCP -> tcp(b, off, len);
            case PROTO_GRE -> gre(b, off, len, depth + 1);
            case PROTO_IPIP, PROTO_IPV6 -> {
                if (depth + 1 >= MAX_ENCAPSULATION_DEPTH) {
                    anomalies.count(Anomaly.TUNNEL_TOO_DEEP);
                    return;
                }
                if (protocol == PROTO_IPIP) {
                    ipv4(b, off, len, depth + 1);
                } else {
                    ipv6(b, off, len, depth + 1);
                }
            }
            default -> {
            }
        }
    }

    /**
     * GRE, RFC 2784 / RFC 2890: C|R|K|S|s|Recur|A|Flags|Ver, Protocol Type, [Checksum, Reserved],
     * [Key], [Sequence]; version 1 is PPTP's enhanced GRE (RFC 2637 4.1: Key always, optional
     * Acknowledgment). Protocol 0x6558 is bridged Ethernet, 0x88BE/0x22EB ERSPAN II/III.
     */
    private void gre(byte[] b, int off, int len, int depth) {
        if (depth >= MAX_ENCAPSULATION_DEPTH) {
            anomalies.count(Anomaly.TUNNEL_TOO_DEEP);
            return;
        }
        if (len < 4) {
            anomalies.count(Anomaly.TUNNEL_TRUNCATED);
            return;
        }
        int flags = u16(b, off);
        int protocol = u16(b, off + 2);
        int header = 4;
        if ((flags & 0x8000) != 0) {
            header += 4;
        }
        if ((flags & 0x2000) != 0) {
            header += 4;
        }
        if ((flags & 0x1000) != 0) {
            header += 4;
        }
        if ((flags & 7) == 1 && (flags & 0x0080) != 0) {
            header += 4;
        }
        if (header > len) {
            anomalies.count(Anomaly.TUNNEL_TRUNCATED);
            return;
        }
        int p = off + header;
        int n = len - header;
        switch (protocol) {
            case 0x6558 -> ethernet(b, p, n, depth);
            case 0x880B -> ppp(b, p, n, depth);
            case 0x88BE -> {
                // ERSPAN type II has an 8-byte header when the sequence bit is set; type I has none
                if ((flags & 0x1000) != 0) {
                    if (n < 8) {
                        anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                        return;
                    }
                    ethernet(b, p + 8, n - 8, depth);
                } else {
                    ethernet(b, p, n, depth);
                }
            }
            case 0x22EB -> {
                // ERSPAN type III: 12 bytes, plus an 8-byte platform sub-header when the O bit is set
                if (n < 12) {
                    anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                    return;
                }
                int h = (b[p + 11] & 1) != 0 ? 20 : 12;
                if (n < h) {
                    anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                    return;
                }
                ethernet(b, p + h, n - h, depth);
            }
            default -> etherType(protocol, b, p, n, depth);
        }
    }

    /**
     * UDP tunnels, recognised by their IANA port and a plausible header: VXLAN (RFC 7348, 4789),
     * Geneve (RFC 8926, 6081), GTP-U (3GPP TS 29.281, 2152), CAPWAP data (RFC 5415, 5247).
     *
     * @return true when the datagram was a tunnel (handled here)
     */
    private boolean udpTunnel(byte[] b, int p, int n, int srcPort, int dstPort, int depth) {
        if (depth + 1 >= MAX_ENCAPSULATION_DEPTH) {
            return false;
        }
        if (dstPort == 4789 || srcPort == 4789 || dstPort == 8472) {
            // VXLAN: flags (I bit 0x08), reserved(3), VNI(3), reserved(1); then an Ethernet frame
            if (n < 8 + 14 || (b[p] & 0x08) == 0) {
                return false;
            }
            ethernet(b, p + 8, n - 8, depth + 1);
            return true;
        }
        if (dstPort == 6081 || srcPort == 6081) {
            // Geneve: Ver(2) OptLen(6) | O C Rsvd | Protocol Type (16) | VNI (24) | Reserved; options OptLen*4
            if (n < 8 || (b[p] & 0xc0) != 0) {
                return false;
            }
            int h = 8 + (b[p] & 0x3f) * 4;
            if (h > n) {
                anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                return true;
            }
            int protocol = u16(b, p + 2);
            if (protocol == 0x6558) {
                ethernet(b, p + h, n - h, depth + 1);
            } else {
                etherType(protocol, b, p + h, n - h, depth + 1);
            }
            return true;
        }
        if (dstPort == 2152 || srcPort == 2152) {
            // GTP-U v1: flags (version 1, PT 1, E S PN), type (0xFF = G-PDU), length, TEID;
            // with any of E S PN: sequence(2), N-PDU(1), next extension type(1); extensions of 4*n bytes
            if (n < 8 || (b[p] & 0xf0) != 0x30) {
                return false;
            }
            if ((b[p + 1] & 0xff) != 0xff) {
                return true; // echo, error indication, end marker: no user traffic
            }
            int h = 8;
            if ((b[p] & 0x07) != 0) {
                if (n < 12) {
                    anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                    return true;
                }
                h = 12;
                int next = b[p + 11] & 0xff;
                for (int i = 0; next != 0; i++) {
                    if (i >= MAX_ENCAPSULATION_DEPTH || h >= n) {
                        anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                        return true;
                    }
                    int extLength = (b[p + h] & 0xff) * 4;
                    if (extLength == 0 || h + extLength > n) {
                        anomalies.count(Anomaly.TUNNEL_TRUNCATED);
                        return true;
                    }
                    next = b[p + h + extLength - 1] & 0xff;
                    h += extLength;
                }
            }
            ipByVersion(b, p + h, n - h, depth + 1);
            return true;
        }
        if (dstPort == 5247 || srcPort == 5247) {
            // CAPWAP data: preamble (version 0, type 0 = clear), then HLEN(5) RID(5) WBID(5) T F L W M K Flags(3)
            if (n < 8 || b[p] != 0) {
                return false;
            }
            int bits = ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            int h = ((bits >> 19) & 0x1f) * 4;
            boolean nativeFormat = (bits & 0x100) != 0;
            boolean fragment = (bits & 0x80) != 0;
            int wbid = (bits >> 9) & 0x1f;
            if (h < 8 || h > n || fragment) {
                anomalies.count(fragment ? Anomaly.IP_FRAGMENT_SKIPPED : Anomaly.TUNNEL_TRUNCATED);
                return true;
            }
            if (!nativeFormat) {
                ethernet(b, p + h, n - h, depth + 1);
            } else if (wbid == 1 && n - h >= 2) {
                // Cisco access points send the Frame Control field byte-swapped (Wireshark's
                // "Swap Frame Control" CAPWAP preference): take whichever order reads as a data frame
                boolean swapped = ((b[p + h] >> 2) & 3) != 2 && ((b[p + h + 1] >> 2) & 3) == 2;
                ieee80211(b, p + h, n - h, depth + 1, swapped);
            }
            return true;
        }
        return false;
    }

    /**
     * IEEE 802.11 data frame: Frame Control(2), Duration(2), Address 1-3 (18), Sequence Control(2),
     * [Address 4 when ToDS and FromDS], [QoS Control(2)], [HT Control(4) when Order and QoS]; then
     * LLC/SNAP (AA AA 03 OUI) and the EtherType.
     */
    private void ieee80211(byte[] b, int off, int len, int depth, boolean swappedFrameControl) {
        if (len < 24) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int fc0 = b[off + (swappedFrameControl ? 1 : 0)] & 0xff;
        int fc1 = b[off + (swappedFrameControl ? 0 : 1)] & 0xff;
        if (((fc0 >> 2) & 3) != 2 || (fc1 & 0x40) != 0) {
            return; // not a data frame, or protected (WEP/WPA): nothing readable
        }
        int h = 24;
        if ((fc1 & 3) == 3) {
            h += 6;
        }
        boolean qos = (fc0 & 0x80) != 0;
        if (qos) {
            h += 2;
            if ((fc1 & 0x80) != 0) {
                h += 4;
            }
        }
        if (len < h + 8) {
            anomalies.count(Anomaly.LINK_TRUNCATED);
            return;
        }
        int p = off + h;
        if ((b[p] & 0xff) != 0xAA || (b[p + 1] & 0xff) != 0xAA || b[p + 2] != 3) {
            return;
        }
        etherType(u16(b, p + 6), b, p + 8, len - h - 8, depth);
    }

    /**
     * RDP over UDP (MS-RDPEUDP 2.2.2): a TLS handshake travels inside the payload of RDPUDP source
     * packets after a variable run of headers (RDPUDP_FEC_HEADER, optional ACK vectors and
     * RDPUDP_SOURCE_PAYLOAD_HEADER). Rather than follow every optional structure, look for the
     * start of a ClientHello record in the first {@value #RDPUDP_SCAN} bytes.
     */
    private void rdpUdp(byte[] b, int payload, int len, int srcPort, int dstPort) {
        int last = payload + Math.min(RDPUDP_SCAN, len - 6);
        for (int p = payload; p <= last; p++) {
            if (ClientHelloParser.looksLikeClientHelloRecord(b, p, payload + len - p)) {
                int available = payload + len - p;
                clientHello(b, p, Math.min(available, 5 + u16(b, p + 3)), srcPort, dstPort);
                return;
            }
        }
    }

    /**
     * In a Linux cooked capture: whether this TCP or UDP packet is the translated (NAT) copy of one the
     * capture saw first on another interface (CookedCopies).
     */
    private boolean translatedCopy(int protocol, byte[] b, int off, int len) {
        int payload;
        boolean syn = false;
        if (protocol == PROTO_TCP) {
            int headerLength = len >= 20 ? ((b[off + 12] & 0xff) >> 4) * 4 : 0;
            if (headerLength < 20 || headerLength > len) {
                return false; // tcp() counts it
            }
            payload = off + headerLength;
            syn = (b[off + 13] & (TCP_SYN | TCP_ACK)) == TCP_SYN;
        } else {
            if (len < 8) {
                return false;
            }
            payload = off + 8;
        }
        int identification = ipv6 ? -1 : u16(ipBuf, srcOff - 8);
        FlowKey key = flowKey(u16(b, off), u16(b, off + 2), protocol);
        return cookedCopies.translatedCopy(key, identification, protocol, b, off, len, payload, syn, timestampNanos);
    }

    /** RFC 768. */
    private void udp(byte[] b, int off, int len, int depth) {
        if (len < 8) {
            anomalies.count(Anomaly.UDP_TRUNCATED);
            return;
        }
        int srcPort = u16(b, off);
        int dstPort = u16(b, off + 2);
        int udpLength = u16(b, off + 4);
        int payloadLength = (udpLength >= 8 ? Math.min(udpLength, len) : len) - 8;
        int payload = off + 8;
        if (udpTunnel(b, payload, payloadLength, srcPort, dstPort, depth)) {
            return;
        }
        if (srcPort == 5353 || dstPort == 5353 || srcPort == 5355 || dstPort == 5355) {
            localNameQuery(b, payload, payloadLength, srcPort, dstPort);
            return;
        }
        if (srcPort == 137 || dstPort == 137 || srcPort == 138 || dstPort == 138) {
            // NetBIOS name service and datagrams (RFC 1002): DNS-shaped, but not DNS names; a host's own
            // registration or answer names the device, when asked for
            if (dhcpNames != null && srcPort == 137 && !ipv6) {
                netbiosName(b, payload, payloadLength);
            }
            return;
        }
        FlowKey key = null;
        if (srcPort != 53 && dstPort != 53) {
            key = flowKey(srcPort, dstPort, PROTO_UDP);
            currentFlow = flows.onPacket(key, timestampNanos, Math.max(0, payloadLength), false, false, false);
            if (srcPort == 88 && logonUsers != null) {
                kdcReply(b, payload, payloadLength, key);
                return;
            }
            if (dhcpNames != null && (srcPort == 67 || srcPort == 68) && (dstPort == 67 || dstPort == 68)) {
                DhcpMessage m = DhcpMessage.parse(b, payload, payloadLength);
                if (m == DhcpMessage.MALFORMED) {
                    anomalies.count(Anomaly.DHCP_MESSAGE_MALFORMED);
                } else if (m != DhcpMessage.NOT_DHCP) {
                    dhcpNames.message(key, m, timestampNanos);
                }
                return;
            }
            if (dhcpNames != null && (srcPort == 546 || srcPort == 547) && (dstPort == 546 || dstPort == 547)) {
                Dhcp6Message m = Dhcp6Message.parse(b, payload, payloadLength);
                if (m == Dhcp6Message.MALFORMED) {
                    anomalies.count(Anomaly.DHCP_MESSAGE_MALFORMED);
                } else if (m != Dhcp6Message.NOT_DHCP) {
                    dhcpNames.message(key, m, timestampNanos);
                }
                return;
            }
            if (!socksRelays.isEmpty() && socksUdp(b, payload, payloadLength, srcPort, dstPort, key)) {
                return;
            }
        }
        udpPayload(b, payload, payloadLength, srcPort, dstPort, key);
    }

    /** A UDP datagram's payload by what it carries; {@code key} its flow (null for port 53). */
    private void udpPayload(byte[] b, int payload, int payloadLength, int srcPort, int dstPort, FlowKey key) {
        if (srcPort == 53 || dstPort == 53) {
            dnsMessage(b, payload, payloadLength, srcPort, dstPort);
        } else if (srcPort == 3389 || dstPort == 3389) {
            rdpUdp(b, payload, payloadLength, srcPort, dstPort);
        } else if (QuicInitialDecoder.looksLikeInitial(b, payload, payloadLength)) {
            quic.onDatagram(key, timestampNanos, b, payload, payloadLength);
        } else if (DnsParser.plausible(b, payload, payloadLength)) {
            dnsMessage(b, payload, payloadLength, srcPort, dstPort);
        }
    }

    /** RFC 9293 section 3.1. */
    private void tcp(byte[] b, int off, int len) {
        if (len < 20) {
            anomalies.count(Anomaly.TCP_TRUNCATED);
            return;
        }
        int srcPort = u16(b, off);
        int dstPort = u16(b, off + 2);
        long seq = u32(b, off + 4);
        int flags = b[off + 13] & 0xff;
        int headerLength = ((b[off + 12] & 0xff) >> 4) * 4;
        if (headerLength < 20 || headerLength > len) {
            anomalies.count(Anomaly.TCP_BAD_HEADER_LENGTH);
            return;
        }
        int payload = off + headerLength;
        int payloadLength = len - headerLength;
        FlowKey key = flowKey(srcPort, dstPort, PROTO_TCP);
        if (srcPort != 53 && dstPort != 53) {
            currentFlow = flows.onPacket(key, timestampNanos, Math.max(0, payloadLength),
                    (flags & (TCP_SYN | TCP_ACK)) == TCP_SYN, (flags & TCP_FIN) != 0, (flags & TCP_RST) != 0);
        }
        if (!heldRequests.isEmpty()) {
            if (payloadLength > 0) {
                answerHeldRequest(key, seq, b, payload, payloadLength);
            }
            if (timestampNanos >= nextHoldCheckNanos) {
                releaseHeldTooLong();
            }
        }
        if (srcPort == 88 && logonUsers != null && payloadLength > 4 && (b[payload] & 0x80) == 0
                && KdcReplyParser.looksLikeReply(b, payload + 4, payloadLength - 4)) {
            // RFC 4120 7.2.2: over TCP each message follows its 4-byte length; the client's name comes
            // first, so the reply's first segment is enough
            kdcReply(b, payload + 4, payloadLength - 4, key);
        }
        if ((flags & TCP_SYN) != 0) {
            if (!parkedHttp2.isEmpty()) {
                unparkHttp2(key); // a new connection on the same ports
            }
            // the ISN gives offset 0 of this direction: later segments land in place in any order (a
            // stream the same ports still had belongs to a connection that is over)
            connectionEnds = true;
            TcpStreams.Stream s;
            try {
                s = streams.open(key, seq + 1, TcpStreams.Kind.UNKNOWN, timestampNanos);
            } finally {
                connectionEnds = false;
            }
            if ((flags & TCP_ACK) != 0) {
                // the server's direction: its first bytes answer the client's, never open a protocol the
                // client speaks first (a SOCKS5 server's method choice 05 02 looks like a greeting)
                s.responder = true;
            }
            if (payloadLength > 0) {
                // TCP Fast Open: data in the SYN starts at ISN + 1
                streamSegment(s, seq + 1, b, payload, payloadLength);
            }
            return;
        }
        if (payloadLength > 0) {
            TcpStreams.Stream s = streams.isEmpty() ? null : streams.get(key, timestampNanos);
            if (s == null && !parkedHttp2.isEmpty()) {
                s = resumeHttp2(key);
            }
            if (s != null) {
                streamSegment(s, seq, b, payload, payloadLength);
            } else {
                segment(b, payload, payloadLength, seq, srcPort, dstPort, 0);
            }
        }
        if ((flags & (TCP_FIN | TCP_RST)) != 0 && !streams.isEmpty()) {
            // this direction sends nothing more (RST: neither does the other): a stream that holds no
            // bytes goes now, not at its idle timeout
            connectionEnds = true;
            try {
                streams.ended(key);
                if ((flags & TCP_RST) != 0) {
                    streams.ended(key.reverse());
                }
            } finally {
                connectionEnds = false;
            }
        }
        if ((flags & (TCP_FIN | TCP_RST)) != 0 && !socksControls.isEmpty()) {
            // a UDP relay lives as long as its control connection (RFC 1928 section 6)
            FlowKey relay = socksControls.remove(key);
            if (relay == null) {
                relay = socksControls.remove(key.reverse());
            }
            if (relay != null) {
                socksRelays.remove(relay);
            }
        }
        if ((flags & (TCP_FIN | TCP_RST)) != 0 && !parkedHttp2.isEmpty()) {
            unparkHttp2(key);
            if ((flags & TCP_RST) != 0) {
                unparkHttp2(key.reverse());
            }
        }
    }

    /**
     * A segment of a direction not being reassembled: whatever starts and ends in it is read at once;
     * something that starts here and goes on opens a stream.
     */
    private void segment(byte[] b, int payload, int payloadLength, long seq, int srcPort, int dstPort, int depth) {
        int p = payload;
        int end = payload + payloadLength;
        // a PROXY header comes first on a connection, nowhere else: a lone CRLF later on (a chunked body's
        // last, in a segment of its own) only looks like the start of one
        int proxy = depth == 0 && currentFlow != FlowTable.NONE && flows.firstPayload(currentFlow, payloadLength)
                ? ProxyProtocol.headerLength(b, p, end - p) : 0;
        if (proxy == ProxyProtocol.NEED_MORE) {
            openStream(TcpStreams.Kind.UNKNOWN, seq, b, p, end - p, srcPort, dstPort);
            return;
        }
        if (proxy == ProxyProtocol.MALFORMED) {
            anomalies.count(Anomaly.PROXY_PROTOCOL_MALFORMED);
            return;
        }
        p += proxy;
        if (p >= end) {
            return;
        }
        // SMB by its ports and its first bytes: file data after the set-up, or TLS on port 445, reads on below
        if (smbLogons != null && smbPort(srcPort, dstPort) && end - p >= SmbMessage.FRAME_HEADER
                && SmbMessage.mayBeSetup(b, p, end - p)) {
            FlowKey key = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, PROTO_TCP);
            int read = smbFrames(b, p, end - p, key);
            if (read >= 0 && p + read < end) {
                // a set-up message that goes on in the next segment
                openStream(TcpStreams.Kind.SMB, seq + (p + read - payload), b, p + read, end - p - read, srcPort,
                        dstPort);
            }
            return;
        }
        if (ClientHelloParser.looksLikeClientHelloRecord(b, p, end - p)) {
            int need = 5 + u16(b, p + 3);
            boolean spansRecords = need >= 9 && end - p >= 9 && 4 + u24(b, p + 6) > need - 5;
            if (spansRecords) {
                if (!fragmentedHello(b, p, end - p, srcPort, dstPort, false)) {
                    openStream(TcpStreams.Kind.TLS, seq + (p - payload), b, p, end - p, srcPort, dstPort);
                }
            } else if (need <= end - p) {
                clientHello(b, p, need, srcPort, dstPort);
            } else {
                openStream(TcpStreams.Kind.TLS, seq + (p - payload), b, p, end - p, srcPort, dstPort);
            }
        } else if (srcPort == 53 || dstPort == 53) {
            // RFC 1035 section 4.2.2 / RFC 7766: messages prefixed by a 2-byte length
            for (int i = 0; i < MAX_DNS_MESSAGES_PER_SEGMENT && p + 2 <= end; i++) {
                int messageLength = u16(b, p);
                if (messageLength == 0) {
                    return;
                }
                if (p + 2 + messageLength > end) {
                    openStream(TcpStreams.Kind.DNS, seq + (p - payload), b, p, end - p, srcPort, dstPort);
                    return;
                }
                dnsMessage(b, p + 2, messageLength, srcPort, dstPort);
                p += 2 + messageLength;
            }
            if (p < end) {
                // a lone length byte: the message starts here and goes on in the next segment
                openStream(TcpStreams.Kind.DNS, seq + (p - payload), b, p, end - p, srcPort, dstPort);
            }
        } else if (HttpRequestParser.looksLikeRequest(b, p, end - p)) {
            int status = http.parse(b, p, end - p);
            if (status == HttpRequestParser.NEED_MORE) {
                openStream(TcpStreams.Kind.HTTP, seq + (p - payload), b, p, end - p, srcPort, dstPort);
            } else if (status == HttpRequestParser.MALFORMED) {
                anomalies.count(Anomaly.HTTP_REQUEST_MALFORMED);
            } else if (status == HttpRequestParser.OK) {
                HttpRequest r = http.result();
                int after = p + r.headLength();
                Observation o = httpRequest(r, srcPort, dstPort, end - after, (seq + (after - payload)) & 0xffffffffL);
                if (r.method().equals("CONNECT") && after < end && depth == 0) {
                    // the client may send its ClientHello right behind the CONNECT request
                    segment(b, after, end - after, seq + (after - payload), srcPort, dstPort, depth + 1);
                } else if (wantsBody(o, r)) {
                    HttpBody body = new HttpBody(o, r, maxBodyBytes);
                    if (body.ready(b, after, end - after)) {
                        deliver(body, b, after, end - after, (seq + (after - payload)) & 0xffffffffL);
                    } else {
                        // the body goes on in later segments: follow it from its first byte
                        FlowKey key = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, PROTO_TCP);
                        long base = seq + (after - payload);
                        TcpStreams.Stream s = streams.open(key, base, TcpStreams.Kind.HTTP_BODY, timestampNanos);
                        s.state = body;
                        streams.put(s, base, b, after, end - after, body.rawCap());
                        advance(s);
                    }
                }
            }
        } else if (Http2Connection.mayStart(b, p, end - p)) {
            // every request of the connection refers to the HPACK table its earlier ones built: follow it
            openStream(TcpStreams.Kind.HTTP2, seq + (p - payload), b, p, end - p, srcPort, dstPort);
        } else if (SocksRequestParser.mayStart(b, p, end - p) && currentFlow != FlowTable.NONE
                && flows.firstPayload(currentFlow, payloadLength)) {
            // a SOCKS client speaks first: only a flow's opening bytes are tried
            int status = socks.parse(b, p, end - p);
            if (status == SocksRequestParser.NEED_MORE) {
                openStream(TcpStreams.Kind.SOCKS, seq + (p - payload), b, p, end - p, srcPort, dstPort);
            } else if (status == SocksRequestParser.OK) {
                SocksRequest r = socks.result();
                socksRequest(r, srcPort, dstPort);
                int after = p + r.length();
                if (after < end && depth == 0) {
                    // an optimistic client sends its first tunnel bytes without waiting for the reply
                    segment(b, after, end - after, seq + (after - payload), srcPort, dstPort, depth + 1);
                }
            }
        } else if (end - p < 8 && maybeHttpMethodPrefix(b, p, end - p)) {
            // a request line cut inside its method (a client writing a few bytes at a time, on a connection
            // whose earlier requests were read): the stream reads on once the rest arrives
            openStream(TcpStreams.Kind.UNKNOWN, seq + (p - payload), b, p, end - p, srcPort, dstPort);
        }
    }

    private void openStream(TcpStreams.Kind kind, long base, byte[] b, int p, int len, int srcPort, int dstPort) {
        FlowKey key = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, PROTO_TCP);
        TcpStreams.Stream s = streams.open(key, base, kind, timestampNanos);
        streamSegment(s, base, b, p, len);
    }

    private void streamSegment(TcpStreams.Stream s, long seq, byte[] b, int off, int len) {
        int cap = s.kind == TcpStreams.Kind.HTTP2 ? MAX_HTTP2_STREAM_BYTES
                : s.key.srcPort() == 53 || s.key.dstPort() == 53 ? MAX_DNS_STREAM_BYTES
                : smbLogons != null && smbPort(s.key.srcPort(), s.key.dstPort()) ? SmbMessage.MAX_FRAME
                : MAX_HELLO_STREAM_BYTES;
        streams.put(s, seq, b, off, len, cap);
        advance(s);
    }

    /** Reads whatever the contiguous bytes of a stream now allow; bounded by MAX_STREAM_STEPS. */
    private void advance(TcpStreams.Stream s) {
        int srcPort = s.key.srcPort();
        int dstPort = s.key.dstPort();
        for (int step = 0; step < MAX_STREAM_STEPS; step++) {
            ReassemblyBuffer r = s.buf;
            if (r == null) {
                return;
            }
            byte[] a = r.array();
            int st = s.start;
            int have = r.contiguous() - st;
            if (have <= 0) {
                return;
            }
            switch (s.kind) {
                case UNKNOWN -> {
                    // at the stream's first byte only (not a tunnel's, after its CONNECT)
                    int proxy = st == 0 ? ProxyProtocol.headerLength(a, st, have) : 0;
                    if (proxy == ProxyProtocol.NEED_MORE) {
                        return;
                    }
                    if (proxy == ProxyProtocol.MALFORMED) {
                        anomalies.count(Anomaly.PROXY_PROTOCOL_MALFORMED);
                        streams.done(s);
                        return;
                    }
                    if (proxy > 0) {
                        s.start = st + proxy;
                        continue;
                    }
                    if (smbLogons != null && smbPort(srcPort, dstPort)) {
                        if (have < SmbMessage.FRAME_HEADER) {
                            return;
                        }
                        if (SmbMessage.mayBeSetup(a, st, have)) {
                            s.kind = TcpStreams.Kind.SMB;
                            continue;
                        }
                    }
                    if (a[st] == 22) {
                        if (have < 6) {
                            return;
                        }
                        if (ClientHelloParser.looksLikeClientHelloRecord(a, st, have)) {
                            s.kind = TcpStreams.Kind.TLS;
                            continue;
                        }
                    }
                    if (srcPort == 53 || dstPort == 53) {
                        s.kind = TcpStreams.Kind.DNS;
                        continue;
                    }
                    if (have < 8 && maybeHttpMethodPrefix(a, st, have)) {
                        return;
                    }
                    if (HttpRequestParser.looksLikeRequest(a, st, have)) {
                        s.kind = TcpStreams.Kind.HTTP;
                        continue;
                    }
                    if (Http2Connection.mayStart(a, st, have)) {
                        s.kind = TcpStreams.Kind.HTTP2;
                        r.raiseCap(Math.max(r.cap(), st + MAX_HTTP2_STREAM_BYTES));
                        continue;
                    }
                    if (!s.responder && SocksRequestParser.mayStart(a, st, have)) {
                        s.kind = TcpStreams.Kind.SOCKS;
                        continue;
                    }
                    streams.done(s); // something else: nothing Umbra reads
                    return;
                }
                case TLS -> {
                    int need = 5 + u16(a, st + 3);
                    boolean atCap = r.contiguous() == r.cap();
                    if (have >= need && need >= 9 && 4 + u24(a, st + 6) > need - 5) {
                        if (fragmentedHello(a, st, have, srcPort, dstPort, atCap)) {
                            streams.done(s);
                        }
                    } else if (have >= need) {
                        clientHello(a, st, need, srcPort, dstPort);
                        streams.done(s);
                    } else if (st + need > r.cap() && r.contiguous() == r.cap()) {
                        anomalies.count(Anomaly.TCP_REASSEMBLY_OVERFLOW);
                        clientHello(a, st, have, srcPort, dstPort);
                        streams.done(s);
                    }
                    return;
                }
                case DNS -> {
                    for (int i = 0; i < MAX_DNS_MESSAGES_PER_SEGMENT && have >= 2; i++) {
                        int messageLength = u16(a, st);
                        if (messageLength == 0) {
                            streams.done(s);
                            return;
                        }
                        if (have < 2 + messageLength) {
                            break;
                        }
                        dnsMessage(a, st + 2, messageLength, srcPort, dstPort);
                        st += 2 + messageLength;
                        have -= 2 + messageLength;
                    }
                    // keep only the unread tail so a long-lived DNS connection stays within the cap
                    s.start = st;
                    streams.discard(s, st);
                    return;
                }
                case HTTP -> {
                    int status = http.parse(a, st, have);
                    if (status == HttpRequestParser.NEED_MORE) {
                        if (r.contiguous() == r.cap()) {
                            anomalies.count(Anomaly.HTTP_REQUEST_MALFORMED);
                            streams.done(s);
                        }
                        return;
                    }
                    if (status != HttpRequestParser.OK) {
                        anomalies.count(Anomaly.HTTP_REQUEST_MALFORMED);
                        streams.done(s);
                        return;
                    }
                    HttpRequest req = http.result();
                    Observation o = httpRequest(req, srcPort, dstPort, have - req.headLength(),
                            s.sequenceAt(st + req.headLength()));
                    if (!req.method().equals("CONNECT")) {
                        if (wantsBody(o, req)) {
                            HttpBody body = new HttpBody(o, req, maxBodyBytes);
                            s.kind = TcpStreams.Kind.HTTP_BODY;
                            s.state = body;
                            s.start = st + req.headLength();
                            r.raiseCap(s.start + body.rawCap());
                            continue;
                        }
                        streams.done(s);
                        return;
                    }
                    // a tunnel: what follows the request head is the client's first bytes to the target
                    s.start = st + req.headLength();
                    s.kind = TcpStreams.Kind.UNKNOWN;
                }
                case HTTP2 -> {
                    Http2Connection c = (Http2Connection) s.state;
                    if (c == null) {
                        if (http2Connections >= MAX_HTTP2_CONNECTIONS) {
                            anomalies.count(Anomaly.HTTP2_CONNECTION_NOT_FOLLOWED);
                            streams.done(s);
                            return;
                        }
                        c = new Http2Connection(anomalies, maxBodyBytes, http2Bodies);
                        http2Connections++;
                        s.state = c;
                    }
                    http2Reports.srcPort = srcPort;
                    http2Reports.dstPort = dstPort;
                    int n = c.read(a, st, have, http2Reports);
                    if (n < 0) {
                        http2Connections--; // read() ended it
                    }
                    if (n == Http2Connection.NOT_HTTP2) {
                        // a segment that began like the preface went on as something else
                        s.state = null;
                        s.kind = TcpStreams.Kind.UNKNOWN;
                        continue;
                    }
                    if (n < 0) {
                        if (n == Http2Connection.MALFORMED) {
                            anomalies.count(Anomaly.HTTP2_REQUEST_MALFORMED);
                        }
                        streams.done(s); // broken, or closed by the client's GOAWAY
                        return;
                    }
                    // what was read goes: the buffer keeps only an unfinished frame header
                    s.start = st + n;
                    streams.discard(s, s.start);
                    return;
                }
                case SOCKS -> {
                    int status = socks.parse(a, st, have);
                    if (status == SocksRequestParser.NEED_MORE) {
                        if (r.contiguous() == r.cap()) {
                            anomalies.count(Anomaly.SOCKS_REQUEST_MALFORMED);
                            streams.done(s);
                        }
                        return;
                    }
                    if (status != SocksRequestParser.OK) {
                        if (status == SocksRequestParser.MALFORMED) {
                            anomalies.count(Anomaly.SOCKS_REQUEST_MALFORMED);
                        }
                        streams.done(s); // not SOCKS, or GSSAPI: nothing more Umbra can read
                        return;
                    }
                    SocksRequest req = socks.result();
                    socksRequest(req, srcPort, dstPort);
                    if (req.command() != SocksRequestParser.CONNECT) {
                        streams.done(s); // UDP ASSOCIATE, BIND: no tunnel on this connection
                        return;
                    }
                    // a tunnel: what follows the request is the client's first bytes to the destination
                    s.start = st + req.length();
                    s.kind = TcpStreams.Kind.UNKNOWN;
                }
                case SMB -> {
                    int read = smbFrames(a, st, have, s.key);
                    if (read < 0) {
                        streams.done(s);
                        return;
                    }
                    // keep only the unread tail: the set-up's messages are read and forgotten
                    s.start = st + read;
                    streams.discard(s, st + read);
                    return;
                }
                case HTTP_BODY -> {
                    HttpBody body = (HttpBody) s.state;
                    if (body.ready(a, st, have)) {
                        deliver(body, a, st, have, s.sequenceAt(st));
                        streams.done(s);
                    }
                    return;
                }
                default -> {
                    return;
                }
            }
        }
    }

    /** An idle h2c connection set aside: its reader, and the sequence number its next frame starts at. */
    private record ParkedHttp2(Http2Connection connection, long nextSeq) {
    }

    /** Sets an idle h2c connection aside (they count within {@link #MAX_HTTP2_CONNECTIONS}). */
    private void parkHttp2(FlowKey key, Http2Connection c, long nextSeq) {
        ParkedHttp2 replaced = parkedHttp2.put(key, new ParkedHttp2(c, nextSeq));
        if (replaced != null) {
            endHttp2(replaced.connection());
        }
    }

    /** Forgets a parked h2c connection (its TCP connection ended, or a new one took its ports). */
    private void unparkHttp2(FlowKey key) {
        ParkedHttp2 p = parkedHttp2.remove(key);
        if (p != null) {
            endHttp2(p.connection());
        }
    }

    /** Ends an h2c connection reader (handing over its open bodies, cut) and counts it gone. */
    private void endHttp2(Http2Connection c) {
        if (c.end(http2Reports)) {
            http2Connections--;
        }
    }

    /** The stream of a parked h2c connection whose next segment arrived, or null when none is parked. */
    private TcpStreams.Stream resumeHttp2(FlowKey key) {
        ParkedHttp2 p = parkedHttp2.remove(key);
        if (p == null) {
            return null;
        }
        TcpStreams.Stream s = streams.open(key, p.nextSeq(), TcpStreams.Kind.HTTP2, timestampNanos);
        s.state = p.connection();
        return s;
    }

    /** What a cleartext HTTP/2 connection carries, reported as HTTP/1's requests and bodies are. */
    private final class Http2Reports implements Http2Connection.Listener {
        int srcPort;
        int dstPort;

        @Override
        public Object request(HttpRequest head, boolean hasBody) {
            Observation o = httpRequest(head, srcPort, dstPort, -1, 0);
            return o != null && hasBody && bodies != null && bodies.wants(o) ? o : null;
        }

        @Override
        public void body(Object tag, HttpRequest head, byte[] body, boolean complete, boolean truncated) {
            if (truncated) {
                anomalies.count(Anomaly.HTTP_BODY_TRUNCATED);
            }
            bodies.body((Observation) tag, body, complete, head.contentType(), head.contentEncoding());
        }
    }

    /** True when request {@code o} (null: its host is not wanted) has a body the listener wants. */
    private boolean wantsBody(Observation o, HttpRequest r) {
        return o != null && bodies != null && r.hasBody() && bodies.wants(o);
    }

    /**
     * Hands a body to the listener, counting a cut or broken one.
     *
     * @param bodySeq the client's sequence number of the body's first byte, or -1 when not needed (the
     *     body is cut off)
     */
    private void deliver(HttpBody body, byte[] a, int off, int have, long bodySeq) {
        HttpBody.Content c = body.read(a, off, have);
        if (c.truncated()) {
            anomalies.count(Anomaly.HTTP_BODY_TRUNCATED);
        }
        if (c.malformed()) {
            anomalies.count(Anomaly.HTTP_BODY_MALFORMED);
        }
        HttpRequest h = body.head();
        Held held = heldBodies.isEmpty() ? null : heldBodies.get(body.request());
        if (held == null) {
            bodies.body(body.request(), c.bytes(), c.complete(), h.contentType(), h.contentEncoding());
        } else {
            // its request still waits for the proxy's answer
            if (held.endSeq == Held.END_UNKNOWN && c.length() >= 0 && bodySeq >= 0) {
                held.endSeq = (bodySeq + c.length()) & 0xffffffffL; // a chunked body's end, now known
            }
            held.body = c.bytes();
            held.bodyComplete = c.complete();
            held.contentType = h.contentType();
            held.contentEncoding = h.contentEncoding();
        }
    }

    /** True when the few bytes present could still grow into a request method. */
    private static boolean maybeHttpMethodPrefix(byte[] a, int p, int n) {
        for (int i = 0; i < n; i++) {
            int c = a[p + i];
            if (c < 'A' || c > 'Z') {
                return false;
            }
        }
        return true;
    }

    /** A stream dropped before it was read (evicted, idle, end of capture): report a cut-off hello. */
    private void streamDropped(TcpStreams.Stream s, Boolean evicted) {
        if (s.kind == TcpStreams.Kind.HTTP2 && s.state != null) {
            // the connection ends, or goes idle, or is evicted: bodies still open go as they are; an
            // idle or evicted one between two frames is set aside to be resumed at its next segment
            boolean unread = s.buf != null && s.buf.highest() > s.start;
            if (unread) {
                anomalies.count(Anomaly.TCP_STREAM_INCOMPLETE);
            }
            FlowKey saved = reportKey;
            long savedTime = timestampNanos;
            reportKey = s.key;
            timestampNanos = s.lastSeenNanos();
            try {
                Http2Connection c = (Http2Connection) s.state;
                if (!connectionEnds && !unread && c.betweenFrames()) {
                    c.handOverOpenBodies(http2Reports);
                    parkHttp2(s.key, c, s.sequenceAt(s.start));
                } else {
                    endHttp2(c);
                }
            } finally {
                reportKey = saved;
                timestampNanos = savedTime;
            }
            return;
        }
        if (s.kind == TcpStreams.Kind.DONE || s.buf == null || s.buf.highest() == 0) {
            return;
        }
        anomalies.count(Anomaly.TCP_STREAM_INCOMPLETE);
        int have = s.buf.contiguous() - s.start;
        if (s.kind == TcpStreams.Kind.HTTP_BODY) {
            // the capture ends (or the stream was given up) before the body: what is there still counts
            deliver((HttpBody) s.state, s.buf.array(), s.start, Math.max(0, have), -1);
            return;
        }
        boolean dns = s.kind == TcpStreams.Kind.DNS && have > 2 + 12;
        if (!dns && (s.kind != TcpStreams.Kind.TLS || have < 6)) {
            return;
        }
        FlowKey saved = reportKey;
        long savedTime = timestampNanos;
        reportKey = s.key;
        timestampNanos = s.lastSeenNanos();
        try {
            byte[] a = s.buf.array();
            int st = s.start;
            if (dns) {
                // the question comes first: a message cut short still names what was asked
                dnsMessage(a, st + 2, have - 2, s.key.srcPort(), s.key.dstPort());
            } else if (have >= 9 && 5 + u16(a, st + 3) >= 9 && 4 + u24(a, st + 6) > u16(a, st + 3)) {
                fragmentedHello(a, st, have, s.key.srcPort(), s.key.dstPort(), true);
            } else {
                clientHello(s.buf.array(), s.start, have, s.key.srcPort(), s.key.dstPort());
            }
        } finally {
            reportKey = saved;
            timestampNanos = savedTime;
        }
    }

    /** A request held until the proxy's or server's answer, and its body while that waits for the answer. */
    private static final class Held {
        final FlowKey client;
        final Observation request;
        // true for a request to the server itself (origin-form), challenged by 401; false for one to a proxy
        final boolean origin;
        final long heldNanos;
        // an origin request the server answered 401: held until the client's next request says whether it
        // was sent again with credentials
        boolean challenged;
        // the client's next bytes began as the same method: the next request's parsing settles this one
        boolean nextHead;
        /** {@link #endSeq} of a request whose chunked body has not been read to its end. */
        static final long END_UNKNOWN = -1;

        // the client's sequence number just after the request (its head and body), or END_UNKNOWN
        long endSeq;
        // the body, once read while the request was still held
        byte[] body;
        boolean bodyComplete;
        String contentType;
        String contentEncoding;

        Held(FlowKey client, Observation request, long endSeq, boolean origin, long heldNanos) {
            this.client = client;
            this.request = request;
            this.endSeq = endSeq;
            this.origin = origin;
            this.heldNanos = heldNanos;
        }
    }

    /**
     * Reports a request head; returns its observation, or null when its host is not wanted.
     *
     * @param following bytes of the connection seen after the head so far (this segment's, or the
     *     stream's); a request without credentials is held until the proxy's or server's answer (see {@link
     *     #answerHeldRequest}) when nothing but its own body follows it yet; -1 never holds
     * @param headEndSeq the client's sequence number just after the head
     */
    private Observation httpRequest(HttpRequest r, int srcPort, int dstPort, int following, long headEndSeq) {
        nameFlow(r.host());
        if (currentFlow != FlowTable.NONE && reportKey == null && flows.path(currentFlow) == null
                && !r.method().equals("CONNECT")) {
            flows.path(currentFlow, r.path());
        }
        // the user named to a proxy, else to the server itself (NTLM authenticates the connection)
        String user = r.user() != null ? r.user() : r.serverUser();
        userFlow(user);
        if (following >= 0 && !heldRequests.isEmpty()) {
            settleByNextRequest(r, srcPort, dstPort);
        }
        if (r.authHandshake() || !wantedNames.test(r.host()) && !wantedRequestPorts.test(dstPort)) {
            return null; // the first leg of NTLM is sent again with the user: reported then
        }
        // named here, not only when handed on: its body goes to the listener with this very observation
        Observation o = named(withUser(Observation.httpRequest(time(), r.host(), srcText(), srcPort, dstText(),
                dstPort, r.method(), r.method().equals("CONNECT") ? null : r.path(), r.connectPort(), source),
                user != null ? user : flowUser()));
        // the body the proxy would be sent again: where a chunked one ends is known once it is read
        long bodyLength = r.method().equals("CONNECT") || !r.hasBody() ? 0 : r.chunked() ? -1 : r.contentLength();
        boolean toProxy = r.method().equals("CONNECT") || r.absoluteForm();
        // to a server: when asked for, and only where its answers are captured (a 401 could be seen)
        boolean anonymous = toProxy ? r.user() == null : holdOriginRequests && !r.authorization()
                && currentFlow != FlowTable.NONE && flows.bothWays(currentFlow);
        String flowName = currentFlow == FlowTable.NONE ? null : flows.name(currentFlow);
        if (following >= 0 && (bodyLength < 0 || following <= bodyLength) && anonymous
                && flowName != null
                && reportKey == null && wantedNames.test(flowName) && wantedNames.test(r.host())
                && heldRequests.size() < MAX_HELD_REQUESTS) {
            // the flow is named (by this request, or by the connection's first) and wanted, so its end
            // reaches flowEnded, which reports it
            FlowKey client = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, PROTO_TCP);
            o = atHold.apply(o);
            Held h = new Held(client, o, bodyLength < 0 ? Held.END_UNKNOWN : (headEndSeq + bodyLength) & 0xffffffffL,
                    !toProxy, timestampNanos);
            if (heldRequests.isEmpty()) {
                nextHoldCheckNanos = timestampNanos + MAX_HOLD_NANOS + 1;
            }
            heldRequests.put(client, h);
            if (bodyLength != 0 && bodies != null && bodies.wants(o)) {
                heldBodies.put(o, h);
            }
        } else {
            emit(o);
        }
        return o;
    }

    /**
     * The proxy took a held request (or never answered): it goes, and its body if read already (else
     * the body goes when read).
     */
    private void release(Held h) {
        emit(h.request);
        if (heldBodies.remove(h.request) != null && h.body != null) {
            bodies.body(h.request, h.body, h.bodyComplete, h.contentType, h.contentEncoding);
        }
    }

    /**
     * The proxy refused a held request (407): neither it nor its body is reported. A body still being
     * read is given up, so the client's next request on the connection is read afresh.
     */
    private void drop(Held h) {
        if (heldBodies.remove(h.request) != null && h.body == null && !streams.isEmpty()) {
            TcpStreams.Stream s = streams.get(h.client, timestampNanos);
            if (s != null && s.kind == TcpStreams.Kind.HTTP_BODY && ((HttpBody) s.state).request() == h.request) {
                streams.done(s);
            }
        }
    }

    /**
     * Settles a request held on this packet's connection. A client behind an authenticating proxy
     * (browsers always, curl with Digest or --proxy-anyauth) first sends its request without
     * credentials: a CONNECT, or for a plain-HTTP URL an absolute-form {@code GET http://host/path}
     * (or a POST, body and all). The proxy answers 407 with a challenge, and the client sends the
     * request again with them (and a user). The first is no visit of its own, and reporting it would
     * add a client without a user to every such connection (and classify its body twice). So a proxy
     * request without credentials is held, with its body, then: dropped when the proxy answers 407 or
     * the client sends the same request again (it was refused: {@link #settleByNextRequest}); reported
     * when the proxy answers anything else or the client sends anything else after the request (a
     * tunnel's bytes, another request; not its own body, nor a retransmission), or when the flow ends
     * unanswered.
     *
     * <p>A server behind a login (an internal AI gateway with Basic, NTLM or Negotiate; curl --anyauth)
     * does the same with 401. When asked for ({@link #holdRequestsUntilAnswered}), an origin-form request
     * without an Authorization header is held alike,
     * and a 401 keeps it held: the server may have refused a client that will not try again, so it is
     * dropped only when the client's next request on the connection is the same one (sent again with
     * credentials, or NTLM's first leg), and reported otherwise, or when the flow ends. Without a 401
     * seen, the same request again reports it too. Only a connection whose server has been seen
     * answering is held at all: where a capture sees one direction, no 401 could settle it.
     *
     * @param seq the sequence number of this packet's first payload byte
     */
    private void answerHeldRequest(FlowKey key, long seq, byte[] b, int p, int n) {
        Held held = heldRequests.get(key);
        if (held != null) {
            if (held.endSeq == Held.END_UNKNOWN) {
                return; // a chunked body not read to its end: its bytes cannot be told from what follows
            }
            // the client's bytes: those of the request itself (its body, a retransmission) settle nothing
            int skip = (int) (held.endSeq - seq);
            if (skip >= n) {
                return;
            }
            skip = Math.max(0, skip);
            String method = held.request.method();
            if (held.nextHead || methodSoFar(b, p + skip, n - skip, method)
                    || HttpRequestParser.startsMethod(b, p + skip, n - skip, method)) {
                // the same method again: the request's own parsing tells whether it is the same request
                // (settleByNextRequest), however few bytes at a time the client writes
                held.nextHead = true;
                return;
            }
            heldRequests.remove(key);
            release(held); // anything else: a tunnel's bytes, another method
            return;
        }
        held = heldRequests.get(key.reverse());
        if (held == null || held.challenged) {
            return; // not held, or the rest of a 401's answer
        }
        int status = HttpRequestParser.statusCode(b, p, n);
        if (held.origin && status == 401) {
            held.challenged = true;
            return;
        }
        heldRequests.remove(key.reverse());
        if (!held.origin && status == 407) {
            drop(held);
        } else {
            release(held);
        }
    }

    /** True when {@code b[p, p + n)} is the start of {@code method} and no more (its space not yet come). */
    private static boolean methodSoFar(byte[] b, int p, int n, String method) {
        if (n > method.length()) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            if (b[p + i] != method.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The client's next request on a connection with a request still held settles it: the same request
     * again (method, host and path) means the first was refused (for a request to a server itself, only
     * once it was answered 401), anything else that it was taken. Parsed, so that it is known; a segment
     * may also end a chunked body (whose end was unknown until read) and start the next request.
     */
    private void settleByNextRequest(HttpRequest next, int srcPort, int dstPort) {
        Held held = heldRequests.remove(FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, PROTO_TCP));
        if (held == null) {
            return;
        }
        Observation o = held.request;
        boolean again = o.method().equals(next.method()) && o.hostname().equals(next.host())
                && (next.method().equals("CONNECT") || next.path().equals(o.urlPath()));
        if ((!held.origin || held.challenged) && again) {
            drop(held);
        } else {
            release(held);
        }
    }

    /**
     * Reports the requests held longer than MAX_HOLD_NANOS: nothing on their connections settled them. Run
     * when the eldest's time may be up (nextHoldCheckNanos), not on every packet.
     */
    private void releaseHeldTooLong() {
        var eldest = heldRequests.values().iterator();
        while (eldest.hasNext()) {
            Held h = eldest.next();
            if (timestampNanos - h.heldNanos <= MAX_HOLD_NANOS) {
                nextHoldCheckNanos = h.heldNanos + MAX_HOLD_NANOS + 1;
                return;
            }
            eldest.remove();
            release(h);
        }
        nextHoldCheckNanos = Long.MAX_VALUE;
    }

    /**
     * Marks the current flow as the named user's (a Proxy-Authorization or SOCKS user name): the
     * hello in its tunnel, its later requests (NTLM authenticates a connection, not a request) and its
     * flow_end are that user's too.
     */
    private void userFlow(String user) {
        if (user != null && currentFlow != FlowTable.NONE && reportKey == null) {
            flows.user(currentFlow, user);
        }
    }

    /** The user the current flow's client named to a proxy, or null. */
    private String flowUser() {
        return currentFlow != FlowTable.NONE && reportKey == null ? flows.user(currentFlow) : null;
    }

    /**
     * Names each client by the user who logged on at its address, for observations without a user of their
     * own: the Kerberos principal of a KDC's replies (AS-REP, TGS-REP) to it, the NTLM user of an SMB
     * session a file server accepted from it. For a sensor on a tap, where no process can be asked; off by
     * default (a host's own daemon asks its processes instead). Replies and logons from any address count.
     */
    public void nameClientsByLogons() {
        nameClientsByLogons(AddressBlocks.ANY, AddressBlocks.ANY);
    }

    /**
     * As {@link #nameClientsByLogons()}, with KDC replies read only from {@code kdcAddresses} (the domain
     * controllers) and SMB logons only from {@code smbServers}: others are counted
     * ({@code kerberos_reply_untrusted}, {@code smb_logon_untrusted}) and name no one.
     */
    public void nameClientsByLogons(AddressBlocks kdcAddresses, AddressBlocks smbServers) {
        if (logonUsers == null) {
            logonUsers = new LogonUsers();
        }
        kdcs = kdcAddresses;
        smbLogons = new SmbLogons(anomalies, smbServers, logonUsers::authenticated);
    }

    /**
     * Names clients as a sensor on a tap does, trusting every server: by logons ({@link #nameClientsByLogons()})
     * and by DHCP device names ({@link #nameClientHostsByDhcp}); and holds requests to servers until answered
     * ({@link #holdRequestsUntilAnswered}). What {@code umbra audit}, {@code observe} and
     * {@code capture} do.
     */
    public void nameClientsAsTap() {
        nameClientsByLogons();
        nameClientHostsByDhcp(AddressBlocks.ANY);
        holdRequestsUntilAnswered();
    }

    /**
     * Holds a plain-HTTP request to a server itself sent without an Authorization header until the
     * server's answer, as a proxy request without credentials always is ({@link #answerHeldRequest}), so
     * that one challenged with 401 and sent again with credentials is reported once, with its user. For
     * a sensor on a tap, for captures read offline, and for a host's daemon, which attributes a held request
     * to its process as it is held ({@link #onHold}): a client that exits on its answer would be gone by the
     * time it is reported. Off by default.
     */
    public void holdRequestsUntilAnswered() {
        holdOriginRequests = true;
    }

    /**
     * Applies {@code atHold} to each request as it is held (to a proxy or, with {@link
     * #holdRequestsUntilAnswered}, to a server), before its answer; what it returns is what is held, and
     * reported if the request is. A host's daemon attributes the request to its process there: a client
     * that exits on its answer (curl refused with 401) is gone by the time the request is reported. It must
     * not block: it runs on the decoding thread. Identity by default.
     */
    public void onHold(UnaryOperator<Observation> atHold) {
        this.atHold = java.util.Objects.requireNonNull(atHold, "atHold");
    }

    /**
     * Gives observations the device name of their client's address, from the DHCP or DHCPv6 exchange that
     * leased it (host name or client FQDN the device sent, RFC 2132, RFC 4702, RFC 4704), with ACKs and REPLYs
     * read only from {@code servers} (servers or relay agents; {@link AddressBlocks#ANY}: every one; others are
     * counted, {@code dhcp_ack_untrusted}). For a sensor on a tap; off by default.
     */
    public void nameClientHostsByDhcp(AddressBlocks servers) {
        dhcpNames = new DhcpNames(anomalies, servers);
    }

    /** SMB's ports: direct TCP (MS-SMB2 2.1) and NetBIOS session service (RFC 1002). */
    private static boolean smbPort(int srcPort, int dstPort) {
        return srcPort == 445 || dstPort == 445 || srcPort == 139 || dstPort == 139;
    }

    /**
     * Reads the whole SMB frames at {@code a[p, p + have)}, sent in direction {@code key}, while they are a
     * session's set-up.
     *
     * @return the bytes of whole frames read (what follows is the start of a set-up message worth waiting
     *     for), or -1 when nothing more of this direction is to be read: the session is set up, or the bytes
     *     are not SMB set-up
     */
    private int smbFrames(byte[] a, int p, int have, FlowKey key) {
        int read = 0;
        while (read < have) {
            int length = SmbMessage.frameLength(a, p + read, have - read);
            if (length == SmbMessage.NEED_MORE || length > have - read) {
                if (have - read >= SmbMessage.FRAME_HEADER && !SmbMessage.mayBeSetup(a, p + read, have - read)) {
                    return -1; // not SMB, or a message that comes after the set-up (file data)
                }
                return read;
            }
            if (!smbLogons.frame(key, a, p + read, length, timestampNanos)) {
                return -1;
            }
            read += length;
        }
        return read;
    }

    /** A KDC's reply to {@code key}'s destination: the principal it names authenticated there. */
    private void kdcReply(byte[] b, int off, int len, FlowKey key) {
        if (!kdcs.allows(key.srcHi(), key.srcLo())) {
            if (KdcReplyParser.looksLikeReply(b, off, len)) {
                anomalies.count(Anomaly.KERBEROS_REPLY_UNTRUSTED);
            }
            return;
        }
        KdcReplyParser.Reply r = KdcReplyParser.parse(b, off, len);
        if (r == KdcReplyParser.MALFORMED) {
            anomalies.count(Anomaly.KERBEROS_REPLY_MALFORMED);
        } else if (r == KdcReplyParser.TRUNCATED) {
            anomalies.count(Anomaly.KERBEROS_REPLY_TRUNCATED);
        } else if (r != KdcReplyParser.NOT_A_REPLY) {
            String user = r.user();
            if (user != null) {
                logonUsers.authenticated(key.dstHi(), key.dstLo(), user, timestampNanos);
            }
        }
    }

    /** Hands an observation on, with what is known of its client when asked for (its logon user, its device name). */
    private void emit(Observation o) {
        sink.accept(named(o));
    }

    /**
     * The observation with the logon user of its client when asked for and it has no user of its own, and
     * with its client's DHCP device name when asked for.
     */
    private Observation named(Observation o) {
        boolean byLogon = logonUsers != null && o.user() == null && !logonUsers.isEmpty();
        boolean byDhcp = dhcpNames != null && o.clientHostname() == null && dhcpNames.size() > 0;
        if ((!byLogon && !byDhcp) || o.clientIp() == null) {
            return o;
        }
        long[] numbers = new long[2];
        if (!IpText.parse(o.clientIp(), numbers)) {
            return o;
        }
        String user = byLogon ? logonUsers.user(numbers[0], numbers[1], timestampNanos) : null;
        if (user != null) {
            o = o.withActor(user, o.process());
        }
        String device = byDhcp ? dhcpNames.name(numbers[0], numbers[1], timestampNanos) : null;
        return device == null ? o : o.withClientHostname(device);
    }

    private static Observation withUser(Observation o, String user) {
        return user == null ? o : o.withActor(user, null);
    }

    /**
     * Reports a SOCKS CONNECT: by the name the client sent, or for an address, by the name DNS gave
     * it (by the address itself when none did). The flow is named by it: with a name given to the
     * proxy (socks5h, SOCKS4a) this may be the only place it crosses the wire.
     */
    private void socksRequest(SocksRequest r, int srcPort, int dstPort) {
        if (r.command() == SocksRequestParser.UDP_ASSOCIATE) {
            // its address is where the client will send from (often zero): the destinations come in
            // the datagrams it then sends the proxy (socksUdp)
            userFlow(r.user());
            FlowKey relay = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, 0, 0, PROTO_UDP);
            FlowKey control = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, PROTO_TCP);
            SocksRelay replaced = socksRelays.put(relay, new SocksRelay(control, r.user(), timestampNanos));
            if (replaced != null) {
                socksControls.remove(replaced.control);
            }
            socksControls.put(control, relay);
            return;
        }
        // CONNECT names where the proxy connects; BIND the party the client expects a connection from
        String name = r.host();
        if (name == null) {
            List<String> known = names.names(r.addressHi(), r.addressLo());
            name = known.isEmpty() ? null : known.get(0);
        }
        if (name != null) {
            nameFlow(name);
        }
        userFlow(r.user());
        String hostname = name != null ? name : r.address();
        if (wantedNames.test(hostname)) {
            emit(withUser(Observation.socksRequest(time(), hostname, srcText(), srcPort, dstText(), dstPort,
                    r.commandName(), r.port(), source), r.user()));
        }
    }

    /** A SOCKS5 UDP relay a client asked for, and the destinations of it reported so far. */
    private static final class SocksRelay {
        final FlowKey control;
        final String user;
        long lastSeen;
        final java.util.Set<String> reported = new java.util.HashSet<>();
        // the destination of the client's last datagram
        String lastName;
        int lastPort = -1;

        SocksRelay(FlowKey control, String user, long now) {
            this.control = control;
            this.user = user;
            this.lastSeen = now;
        }
    }

    /**
     * A datagram between a client and a proxy it asked for a UDP relay (RFC 1928 section 7): each
     * carries {@code RSV(2)=0 FRAG(1) ATYP(1) DST.ADDR DST.PORT(2) DATA}, the destination (from the
     * client) or the source (from the proxy) of the data inside. The client's destinations are
     * reported, once each, as {@code UDP ASSOCIATE} requests with the relay's user; the data is read
     * as it would be read on its own (DNS, QUIC Initials), so a QUIC hello or a DNS query sent through
     * the proxy is seen, and the answers the proxy relays back feed the name cache.
     *
     * @param key the datagram's flow
     * @return true when the datagram is the relay's (read or counted), false to read it as any other
     */
    private boolean socksUdp(byte[] b, int p, int len, int srcPort, int dstPort, FlowKey key) {
        boolean fromClient = true;
        FlowKey pair = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, 0, 0, PROTO_UDP);
        SocksRelay relay = socksRelays.get(pair);
        if (relay == null) {
            relay = socksRelays.get(pair.reverse());
            fromClient = false;
        }
        if (relay == null) {
            expireSocksRelays();
            return false;
        }
        if (timestampNanos - relay.lastSeen > SOCKS_UDP_IDLE_NANOS) {
            socksRelays.remove(fromClient ? pair : pair.reverse());
            socksControls.remove(relay.control);
            return false;
        }
        int status = socks.udpHeader(b, p, len);
        if (status == SocksRequestParser.NOT_SOCKS) {
            return false; // some other datagram between the two
        }
        if (status != SocksRequestParser.OK) {
            anomalies.count(Anomaly.SOCKS_UDP_MALFORMED);
            return true;
        }
        relay.lastSeen = timestampNanos;
        if (b[p + 2] != 0) {
            // a fragment of a datagram (RFC 1928 7): reassembly is optional, and no common client sends them
            anomalies.count(Anomaly.SOCKS_UDP_FRAGMENT);
            return true;
        }
        SocksRequest h = socks.result();
        int port = h.port();
        userFlow(relay.user);
        if (fromClient) {
            String name = h.host();
            if (name == null) {
                List<String> known = names.names(h.addressHi(), h.addressLo());
                name = known.isEmpty() ? h.address() : known.get(0);
            }
            nameFlow(name);
            // a stream of datagrams to one destination (a QUIC connection) checks the set once
            boolean same = port == relay.lastPort && name.equals(relay.lastName);
            relay.lastName = name;
            relay.lastPort = port;
            if (!same && relay.reported.size() < MAX_SOCKS_UDP_DESTINATIONS && relay.reported.add(name + ":" + port)
                    && wantedNames.test(name)) {
                emit(withUser(Observation.socksRequest(time(), name, srcText(), srcPort, dstText(), dstPort,
                        "UDP ASSOCIATE", port, source), relay.user));
            }
        }
        // the data, read as the datagram it carries: the remote end's port says DNS
        int data = p + h.length();
        int dataLength = len - h.length();
        if (port == 53) {
            dnsMessage(b, data, dataLength, fromClient ? srcPort : 53, fromClient ? 53 : dstPort);
        } else if (fromClient && QuicInitialDecoder.looksLikeInitial(b, data, dataLength)) {
            quic.onDatagram(key, timestampNanos, b, data, dataLength);
        } else if (DnsParser.plausible(b, data, dataLength)) {
            dnsMessage(b, data, dataLength, srcPort, dstPort);
        }
        return true;
    }

    /** Forgets the least recently used relay when it has been idle past its time (one a call). */
    private void expireSocksRelays() {
        if (socksRelays.isEmpty()) {
            return;
        }
        Map.Entry<FlowKey, SocksRelay> eldest = socksRelays.entrySet().iterator().next();
        if (timestampNanos - eldest.getValue().lastSeen > SOCKS_UDP_IDLE_NANOS) {
            socksRelays.remove(eldest.getKey());
            socksControls.remove(eldest.getValue().control);
        }
    }

    /**
     * mDNS / LLMNR queries: reported apart from DNS. Their responses are announcements, not lookups: when
     * client devices are named ({@link #nameClientHostsByDhcp}), one that gives the sender's own address a name
     * names the device.
     */
    private void localNameQuery(byte[] b, int off, int len, int srcPort, int dstPort) {
        DnsMessage m = dns.parse(b, off, len);
        if (m == null) {
            return;
        }
        if (m.response()) {
            if (dhcpNames != null && (srcPort == 5353 || srcPort == 5355) && !m.answers().isEmpty()) {
                announcement(m, srcPort, dstPort);
            }
            return;
        }
        for (DnsQuestion q : m.questions()) {
            if (wantedNames.test(q.name())) {
                emit(Observation.network(time(), ObservationKind.LOCAL_NAME_QUERY, q.name(), srcText(), srcPort,
                        dstText(), dstPort, source));
            }
        }
    }

    /**
     * An mDNS or LLMNR response: the name one of its address records gives the sender's own address is the
     * sender's, and so are that name's other addresses in it (an IPv6 announcement comes from the link-local
     * address and carries the global ones).
     */
    private void announcement(DnsMessage m, int srcPort, int dstPort) {
        FlowKey sender = flowKey(srcPort, dstPort, PROTO_UDP);
        String owner = null;
        for (DnsRecord r : m.answers()) {
            if ((r.type() == DnsParser.TYPE_A || r.type() == DnsParser.TYPE_AAAA) && r.addressHi() == sender.srcHi()
                    && r.addressLo() == sender.srcLo()) {
                owner = r.name();
                break;
            }
        }
        String device = owner == null ? null : DhcpNames.deviceName(owner);
        if (device == null) {
            return;
        }
        for (DnsRecord r : m.answers()) {
            if ((r.type() == DnsParser.TYPE_A || r.type() == DnsParser.TYPE_AAAA) && r.name().equals(owner)) {
                dhcpNames.announced(r.addressHi(), r.addressLo(), device, r.ttl(), timestampNanos);
            }
        }
    }

    /**
     * A NetBIOS name registration, release or positive query response from port 137: a host's unique
     * workstation name (suffix 0x00) held at the sender's own address names the device.
     */
    private void netbiosName(byte[] b, int off, int len) {
        NbnsMessage m = NbnsMessage.parse(b, off, len);
        if (m == NbnsMessage.MALFORMED) {
            anomalies.count(Anomaly.NBNS_MESSAGE_MALFORMED);
        } else if (m.suffix() == 0 && !m.group() && m.address() == (u16(ipBuf, srcOff) << 16 | u16(ipBuf, srcOff + 2))) {
            // a registration's TTL of 0 is no goodbye but an infinite hold (RFC 1002 4.2.2: nmbd's broadcasts)
            long ttl = m.release() ? 0 : m.ttl() == 0 ? 0xffffffffL : m.ttl();
            dhcpNames.announced(FlowKey.V4_MARK, m.address() & 0xffffffffL, m.name(), ttl, timestampNanos);
        }
    }

    private void dnsMessage(byte[] b, int off, int len, int srcPort, int dstPort) {
        DnsMessage m = dns.parse(b, off, len);
        if (m == null) {
            return;
        }
        // time and address texts are made per observation: a message nearly always asks one question
        if (!m.response()) {
            for (DnsQuestion q : m.questions()) {
                if (wantedNames.test(q.name())) {
                    emit(Observation.network(time(), ObservationKind.DNS_QUERY, q.name(), srcText(), srcPort,
                            dstText(), dstPort, source));
                }
            }
            return;
        }
        for (DnsQuestion q : m.questions()) {
            if (m.echPublicName() != null) {
                echPublicNames.remove(q.name()); // the newest is last: the eldest goes first
                echPublicNames.put(q.name(), m.echPublicName());
            }
            boolean wanted = wantedNames.test(q.name());
            List<String> answers = wanted ? new ArrayList<>(m.answers().size()) : null;
            for (DnsRecord r : m.answers()) {
                if (wanted) {
                    answers.add(r.data());
                }
                if (r.isAddress()) {
                    // the address is attributed to the name the client asked for, not to CDN aliases
                    names.put(r.addressHi(), r.addressLo(), q.name(), r.ttl());
                }
            }
            if (!wanted) {
                continue;
            }
            // ech: an HTTPS/SVCB answer published an ECH config, so the ClientHellos that follow may carry only
            // the provider's public name
            emit(new Observation(time(), ObservationKind.DNS_ANSWER, q.name(), dstText(), dstPort, srcText(),
                    srcPort, answers, List.of(), null, -1, -1, null, null, source, null, null, 0, null, m.echConfig(),
                    0));
        }
    }

    private void clientHello(byte[] b, int off, int len, int srcPort, int dstPort) {
        helloStatus(tls.parseRecord(b, off, len), srcPort, dstPort);
    }

    /**
     * A handshake message fragmented over several TLS records (RFC 8446 5.1 allows it; large
     * post-quantum hellos and DPI-evasion tools do it): the fragments are joined, then parsed.
     *
     * @return true when the records up to the end of the hello were present and it was read
     */
    private boolean fragmentedHello(byte[] a, int st, int have, int srcPort, int dstPort, boolean atEnd) {
        int handshakeLength = 4 + ((a[st + 6] & 0xff) << 16 | (a[st + 7] & 0xff) << 8 | (a[st + 8] & 0xff));
        if (handshakeLength > ClientHelloParser.MAX_HANDSHAKE_LENGTH) {
            anomalies.count(Anomaly.TLS_CLIENT_HELLO_MALFORMED);
            return true;
        }
        if (joined.length < handshakeLength) {
            joined = new byte[handshakeLength];
        }
        int p = st;
        int got = 0;
        for (int i = 0; i < MAX_HELLO_RECORDS && got < handshakeLength; i++) {
            if (p + 5 > st + have || p + 5 + u16(a, p + 3) > st + have) {
                if (!atEnd) {
                    return false; // wait for the next record
                }
                break;
            }
            if (a[p] != 22) {
                break; // another content type before the hello ended
            }
            int n = Math.min(u16(a, p + 3), handshakeLength - got);
            System.arraycopy(a, p + 5, joined, got, n);
            got += n;
            p += 5 + u16(a, p + 3);
        }
        helloStatus(tls.parseHandshake(joined, 0, got, got < handshakeLength), srcPort, dstPort);
        return true;
    }

    private void helloStatus(int status, int srcPort, int dstPort) {
        if (status == ClientHelloParser.NOT_ENOUGH_DATA) {
            anomalies.count(Anomaly.TLS_CLIENT_HELLO_TRUNCATED);
            return;
        }
        if (status != ClientHelloParser.OK) {
            if (status == ClientHelloParser.MALFORMED) {
                anomalies.count(Anomaly.TLS_CLIENT_HELLO_MALFORMED);
            }
            return;
        }
        ClientHello hello = tls.result();
        if (!hello.complete()) {
            anomalies.count(Anomaly.TLS_CLIENT_HELLO_TRUNCATED);
        }
        if (!sniSeen(hello, null)) {
            return;
        }
        emit(withUser(Observation.clientHello(time(), ObservationKind.TLS_SNI, hello.serverName(), srcText(),
                srcPort, dstText(), dstPort, hello.alpn(), hello.ja4(), hello.tlsVersion(), hello.echPresent(), source),
                flowUser()));
    }

    private void quicHello(FlowKey client, long timeNanos, ClientHello hello, byte[] raw, int rawLength) {
        if (!sniSeen(hello, client)) {
            return;
        }
        emit(Observation.clientHello(time(timeNanos), ObservationKind.QUIC_SNI, hello.serverName(),
                client.srcText(), client.srcPort(), client.dstText(), client.dstPort(), hello.alpn(), hello.ja4Quic(),
                hello.tlsVersion(), hello.echPresent(), source));
    }

    /**
     * Names the flow after a hello's SNI, counting a name with bytes no host name has (the parser
     * wrote them as a backslash and three digits); true when an observation of it is wanted. A hello
     * with Encrypted Client Hello whose outer SNI is the public name a DNS answer published for a
     * name of the server's address names the flow after that name instead (see {@link #echInnerName}).
     *
     * @param quicClient the client's key of a QUIC connection, or null for the current TCP packet's
     */
    private boolean sniSeen(ClientHello hello, FlowKey quicClient) {
        String name = hello.serverName();
        if (name == null) {
            return false;
        }
        if (name.indexOf('\\') >= 0) {
            anomalies.count(Anomaly.TLS_SNI_INVALID);
        }
        String inner = null;
        if (hello.echPresent() && !echPublicNames.isEmpty() && currentFlow != FlowTable.NONE && reportKey == null) {
            FlowKey k = quicClient != null ? quicClient
                    : FlowKey.of(ipv6, ipBuf, srcOff, dstOff, 0, 0, PROTO_TCP);
            inner = echInnerName(name, k.dstHi(), k.dstLo());
        }
        nameFlow(inner != null ? inner : name);
        return wantedNames.test(name);
    }

    /**
     * The real destination of a hello with Encrypted Client Hello, as far as DNS tells it: the most
     * recent name of the server's address (name cache) whose HTTPS/SVCB answer published an ECH config
     * with this outer SNI as its public name; null when none did. Chrome sends an ECH extension in
     * every hello (GREASE when it has no config): with GREASE the SNI is the real name, which no
     * answer published as a public name, so nothing changes.
     */
    private String echInnerName(String outerSni, long serverHi, long serverLo) {
        for (String candidate : names.names(serverHi, serverLo)) {
            if (!candidate.equals(outerSni) && outerSni.equals(echPublicNames.get(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * The key of the current packet's direction. Packets of a flow tend to come in runs (a burst of
     * segments, a request and its answer), so the keys of the last two directions are kept and
     * reused when they match rather than allocating a key per packet.
     */
    private FlowKey flowKey(int srcPort, int dstPort, int protocol) {
        FlowKey k = recentKey;
        if (k != null && k.matches(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, protocol)) {
            return k;
        }
        k = olderKey;
        if (k == null || !k.matches(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, protocol)) {
            k = FlowKey.of(ipv6, ipBuf, srcOff, dstOff, srcPort, dstPort, protocol);
        }
        olderKey = recentKey;
        recentKey = k;
        return k;
    }

    private Instant time() {
        return time(timestampNanos);
    }

    /** Names the flow of the current packet when it has no name yet (the first name seen wins). */
    private void nameFlow(String name) {
        if (currentFlow != FlowTable.NONE && reportKey == null && flows.name(currentFlow) == null) {
            flows.name(currentFlow, name);
        }
    }

    /**
     * A flow ended: report its byte counts when it is known where it went, by a name seen on the flow
     * or, failing that, by the names DNS gave for its server address.
     */
    private void flowEnded(FlowTable.Flow f) {
        String name = f.name();
        FlowKey c = f.client();
        if (!heldRequests.isEmpty()) {
            // a request the proxy never answered (or whose answer was not captured)
            Held held = heldRequests.remove(c);
            if (held == null) {
                held = heldRequests.remove(c.reverse());
            }
            if (held != null) {
                release(held);
            }
        }
        if (name == null) {
            List<String> known = names.names(c.dstHi(), c.dstLo());
            if (known.isEmpty()) {
                return; // no answer named the server
            }
            name = known.get(0);
            if (!wantedNames.test(name)) {
                return;
            }
        }
        emit(new Observation(time(f.lastNanos()), ObservationKind.FLOW_END, name, c.srcText(), c.srcPort(),
                c.dstText(), c.dstPort(), List.of(), List.of(), null, f.bytesOut(), f.bytesIn(), f.user(), null, source,
                null, f.path(), 0));
    }

    private static Instant time(long nanos) {
        return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    }

    private String srcText() {
        return reportKey != null ? reportKey.srcText() : address(srcOff);
    }

    private String dstText() {
        return reportKey != null ? reportKey.dstText() : address(dstOff);
    }

    private String address(int off) {
        return ipv6 ? IpText.v6(ipBuf, off) : IpText.v4(ipBuf, off);
    }

    static int u16(byte[] b, int i) {
        return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }

    private static int u24(byte[] b, int i) {
        return ((b[i] & 0xff) << 16) | ((b[i + 1] & 0xff) << 8) | (b[i + 2] & 0xff);
    }

    static long u32(byte[] b, int i) {
        return ((long) u16(b, i) << 16) | u16(b, i + 2);
    }

    private static int le32(byte[] b, int i) {
        return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8) | ((b[i + 2] & 0xff) << 16) | ((b[i + 3] & 0xff) << 24);
    }
}
