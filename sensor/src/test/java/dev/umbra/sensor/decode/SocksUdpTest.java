package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.quic.QuicTestPackets;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * SOCKS5 UDP relays (RFC 1928 section 7): after a UDP ASSOCIATE on its control connection, the
 * client's datagrams to the proxy name where each goes, and carry a DNS query or a QUIC Initial as
 * they would on their own; the proxy's datagrams back carry the answers.
 */
class SocksUdpTest {
    private static final String CLIENT = "10.0.0.5";
    private static final String PROXY = "10.0.0.1";
    private static final byte[] QUIC_DCID = {8, 7, 6, 5, 4, 3, 2, 1};

    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);
    private long time = 1_700_000_000_000_000_000L;
    private long clientSeq = 1001;

    private void frame(byte[] ipPacket) {
        byte[] f = ethernet(ipPacket);
        time += 1_000_000;
        decoder.onPacket(1, time, f, 0, f.length, f.length);
    }

    /** The control connection: greeting (no authentication, or a user and password), then UDP ASSOCIATE. */
    private void associate(int port, String user) {
        frame(ip(CLIENT, PROXY, 6, tcp(port, 1080, clientSeq - 1, 0x02, new byte[0])));
        proxySeq = 5001;
        frame(ip(PROXY, CLIENT, 6, tcp(1080, port, proxySeq - 1, 0x12, new byte[0])));
        byte[] greeting = user == null ? new byte[] {5, 1, 0} : new byte[] {5, 1, 2};
        fromClient(port, greeting);
        // the proxy's answers: its choice of method (05 02 is shaped like a client's greeting, and is not
        // one), the password's status, then the relay's address
        fromProxy(port, new byte[] {5, (byte) (user == null ? 0 : 2)});
        if (user != null) {
            byte[] u = user.getBytes(StandardCharsets.US_ASCII);
            byte[] pw = "SYNTHETIC-pw".getBytes(StandardCharsets.US_ASCII);
            fromClient(port, concat(new byte[] {1, (byte) u.length}, u, new byte[] {(byte) pw.length}, pw));
            fromProxy(port, new byte[] {1, 0});
        }
        // where the client will send from: left zero, as most clients do
        fromClient(port, new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
        fromProxy(port, new byte[] {5, 0, 0, 1, 10, 0, 0, 1, (byte) 0xc3, 0x50});
    }

    private long proxySeq = 5001;

    private void fromProxy(int port, byte[] payload) {
        frame(ip(PROXY, CLIENT, 6, tcp(1080, port, proxySeq, 0x18, payload)));
        proxySeq += payload.length;
    }

    private void fromClient(int port, byte[] payload) {
        frame(ip(CLIENT, PROXY, 6, tcp(port, 1080, clientSeq, 0x18, payload)));
        clientSeq += payload.length;
    }

    /** RFC 1928 7: RSV FRAG ATYP DST.ADDR DST.PORT, then the data. */
    private static byte[] header(int frag, String host, int port) {
        byte[] address;
        int atyp;
        if (host.matches("[0-9.]+")) {
            atyp = 1;
            address = ip(host);
        } else if (host.contains(":")) {
            atyp = 4;
            address = ip(host);
        } else {
            atyp = 3;
            byte[] n = host.getBytes(StandardCharsets.US_ASCII);
            address = concat(new byte[] {(byte) n.length}, n);
        }
        return concat(new byte[] {0, 0, (byte) frag, (byte) atyp}, address, new byte[] {(byte) (port >> 8), (byte) port});
    }

    private void toRelay(byte[] datagram) {
        frame(ip(CLIENT, PROXY, 17, udp(40000, 50000, datagram)));
    }

    private void fromRelay(byte[] datagram) {
        frame(ip(PROXY, CLIENT, 17, udp(50000, 40000, datagram)));
    }

    private static byte[] quicInitial(String sni) throws Exception {
        byte[] record = clientHello(sni, List.of("h3"), 32);
        byte[] handshake = Arrays.copyOfRange(record, 5, record.length);
        return QuicTestPackets.initial(1, QUIC_DCID, QUIC_DCID, new byte[0], new byte[0], 0,
                QuicTestPackets.frames(1162, QuicTestPackets.crypto(handshake, 0, handshake.length)));
    }

    private List<String> of(ObservationKind kind) {
        return seen.stream().filter(o -> o.kind() == kind)
                .map(o -> o.hostname() + (o.kind() == ObservationKind.SOCKS_REQUEST ? " " + o.method() + " " + o.targetPort()
                        + " " + o.user() : ""))
                .toList();
    }

    @Test
    void quicAndDnsThroughTheRelay_destinationsOnceEachWithTheUserAndWhatTheyCarry() throws Exception {
        associate(41000, "erin");
        assertThat(of(ObservationKind.SOCKS_REQUEST)).as("the association names no destination").isEmpty();
        toRelay(concat(header(0, "chatgpt.com", 443), quicInitial("chatgpt.com")));
        toRelay(concat(header(0, "chatgpt.com", 443), quicInitial("chatgpt.com")));
        toRelay(concat(header(0, "10.9.9.53", 53), dnsQuery(7, "claude.ai", 1)));
        // the proxy relays the answer back, its source in the header
        fromRelay(concat(header(0, "10.9.9.53", 53), dnsResponseWithCname(7, "claude.ai", "edge.claude.ai", "203.0.113.9")));
        // then the client sends to that address: named from the answer
        toRelay(concat(header(0, "203.0.113.9", 443), new byte[] {1, 2, 3}));
        toRelay(concat(header(0, "2001:db8::9", 8443), new byte[] {1}));
        decoder.finish();
        assertThat(of(ObservationKind.SOCKS_REQUEST)).containsExactly("chatgpt.com UDP ASSOCIATE 443 erin",
                "10.9.9.53 UDP ASSOCIATE 53 erin", "claude.ai UDP ASSOCIATE 443 erin",
                "2001:db8::9 UDP ASSOCIATE 8443 erin");
        assertThat(of(ObservationKind.QUIC_SNI)).containsExactly("chatgpt.com");
        assertThat(of(ObservationKind.DNS_QUERY)).containsExactly("claude.ai");
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END && "chatgpt.com".equals(o.hostname()))
                .singleElement().satisfies(o -> assertThat(o.user()).isEqualTo("erin"));
        assertThat(seen.toString()).doesNotContain("SYNTHETIC-pw");
        assertThat(anomalies.total()).as("%s", anomalies.nonZero()).isZero();
    }

    @Test
    void fragmentsAndBrokenHeaders_countedNotRead() throws Exception {
        associate(41001, null);
        toRelay(concat(header(1, "chatgpt.com", 443), quicInitial("chatgpt.com")));
        assertThat(anomalies.get(Anomaly.SOCKS_UDP_FRAGMENT)).isEqualTo(1);
        toRelay(new byte[] {0, 0, 0, 9, 1, 2, 3, 4, 0, 53});
        toRelay(new byte[] {0, 0, 0, 3, 40, 'a', 'b'});
        toRelay(new byte[] {0, 0, 0, 1, 10, 0});
        toRelay(new byte[] {0, 0, 0, 3, 3, 'a', '/', 'b', 1, 1});
        assertThat(anomalies.get(Anomaly.SOCKS_UDP_MALFORMED)).isEqualTo(4);
        assertThat(seen).isEmpty();
        // reserved bytes not zero: some other datagram between the two, read as any other
        frame(ip(CLIENT, PROXY, 17, udp(40000, 50000, quicInitial("claude.ai"))));
        assertThat(of(ObservationKind.QUIC_SNI)).containsExactly("claude.ai");
    }

    @Test
    void relayEndsWithItsControlConnection_orWithoutOne_datagramsAreNotReadAsSocks() throws Exception {
        byte[] dns = concat(header(0, "10.9.9.53", 53), dnsQuery(9, "gemini.google.com", 1));
        // no association: a datagram shaped like a relayed one is read as itself (and is nothing)
        toRelay(dns);
        assertThat(of(ObservationKind.DNS_QUERY)).isEmpty();
        associate(41002, null);
        toRelay(dns);
        assertThat(of(ObservationKind.DNS_QUERY)).containsExactly("gemini.google.com");
        fromClient(41002, new byte[0]);
        frame(ip(CLIENT, PROXY, 6, tcp(41002, 1080, clientSeq, 0x11, new byte[0]))); // FIN
        toRelay(dns);
        assertThat(of(ObservationKind.DNS_QUERY)).as("the relay went with its control connection").hasSize(1);
        // idle: forgotten after two minutes without a datagram
        associate(41003, null);
        toRelay(dns);
        time += PacketDecoder.SOCKS_UDP_IDLE_NANOS + 1;
        toRelay(dns);
        assertThat(of(ObservationKind.DNS_QUERY)).hasSize(2);
    }

    @Test
    void bindIsReported_withTheAddressTheClientExpects() {
        frame(ip(CLIENT, PROXY, 6, tcp(41004, 1080, clientSeq - 1, 0x02, new byte[0])));
        fromClient(41004, new byte[] {5, 1, 0});
        fromClient(41004, concat(new byte[] {5, 2, 0, 3, 11}, "ftp.example".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0, 21}));
        assertThat(of(ObservationKind.SOCKS_REQUEST)).containsExactly("ftp.example BIND 21 null");
    }

    @Test
    void manyRelaysAndDestinations_bounded() {
        for (int i = 0; i < PacketDecoder.MAX_SOCKS_UDP_RELAYS + 5; i++) {
            associate(20000 + i, null);
        }
        // the eldest were forgotten; the newest still reads
        toRelay(concat(header(0, "10.9.9.53", 53), dnsQuery(1, "mistral.ai", 1)));
        assertThat(of(ObservationKind.DNS_QUERY)).containsExactly("mistral.ai");
        for (int i = 0; i < PacketDecoder.MAX_SOCKS_UDP_DESTINATIONS + 10; i++) {
            toRelay(concat(header(0, "h" + i + ".example", 443), new byte[] {1}));
        }
        assertThat(of(ObservationKind.SOCKS_REQUEST)).hasSize(PacketDecoder.MAX_SOCKS_UDP_DESTINATIONS);
    }

    @Test
    void randomDatagramsThroughARelay_neverThrow() {
        associate(41005, "erin");
        Random random = new Random(20261122);
        for (int i = 0; i < 200_000; i++) {
            byte[] d = new byte[random.nextInt(80)];
            random.nextBytes(d);
            if (d.length >= 4 && random.nextInt(4) > 0) {
                d[0] = 0;
                d[1] = 0;
                d[2] = (byte) (random.nextInt(8) == 0 ? 1 : 0);
                d[3] = (byte) new int[] {1, 3, 4, 7}[random.nextInt(4)];
            }
            if (random.nextBoolean()) {
                toRelay(d);
            } else {
                fromRelay(d);
            }
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(seen).allSatisfy(o -> assertThat(o.hostname()).isNotNull());
    }
}
