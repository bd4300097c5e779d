package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.dnsQuery;
import static dev.umbra.sensor.TestFrames.dnsResponseWithCname;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.hex;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static dev.umbra.sensor.TestFrames.udp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.gen.MixedCapture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PacketDecoderTest {
    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);

    private void feed(int linkType, byte[] frame) {
        decoder.onPacket(linkType, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    @Test
    void onPacket_udpDnsQueryOverEthernet_observesQueryWithEndpoints() {
        feed(LinkType.ETHERNET, ethernet(ip("10.1.2.3", "10.1.2.53", 17, udp(51000, 53, dnsQuery(9, "chatgpt.com", 1)))));
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.DNS_QUERY);
            assertThat(o.hostname()).isEqualTo("chatgpt.com");
            assertThat(o.clientIp()).isEqualTo("10.1.2.3");
            assertThat(o.clientPort()).isEqualTo(51000);
            assertThat(o.serverIp()).isEqualTo("10.1.2.53");
            assertThat(o.serverPort()).isEqualTo(53);
            assertThat(o.source()).isEqualTo("test.pcap");
            assertThat(o.time().getEpochSecond()).isEqualTo(1_700_000_000L);
        });
    }

    @Test
    void onPacket_dnsResponseOverIpv6InStackedVlans_observesAnswerToTheReceiver() {
        byte[] response = dnsResponseWithCname(9, "www.chatgpt.com", "chatgpt.com", "104.18.32.47");
        feed(LinkType.ETHERNET, ethernet(ip("2001:db8::53", "2001:db8::10", 17, udp(53, 51000, response)), 100, 200));
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.DNS_ANSWER);
            assertThat(o.hostname()).isEqualTo("www.chatgpt.com");
            assertThat(o.answers()).containsExactly("chatgpt.com", "104.18.32.47");
            assertThat(o.clientIp()).isEqualTo("2001:db8::10");
            assertThat(o.serverIp()).isEqualTo("2001:db8::53");
        });
    }

    @Test
    void onPacket_clientHelloOnAnyPort_observesSni() {
        byte[] hello = clientHello("api.openai.com", List.of("h2"), 32);
        feed(LinkType.ETHERNET, ethernet(ip("10.0.0.7", "162.159.140.245", 6, tcp(40001, 8443, hello))));
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.TLS_SNI);
            assertThat(o.hostname()).isEqualTo("api.openai.com");
            assertThat(o.alpn()).containsExactly("h2");
            assertThat(o.serverPort()).isEqualTo(8443);
        });
    }

    @Test
    void onPacket_sniWithBytesNoHostNameHas_reportsItEscapedAndCountsIt() {
        feed(LinkType.ETHERNET, ethernet(ip("10.0.0.7", "162.159.140.245", 6,
                tcp(40001, 443, clientHello("api.openai.com\u0000 x", List.of("h2"), 32)))));
        feed(LinkType.ETHERNET, ethernet(ip("10.0.0.7", "162.159.140.245", 6,
                tcp(40002, 443, clientHello("api.openai.com", List.of("h2"), 32)))));
        assertThat(seen).extracting(Observation::hostname).containsExactly("api.openai.com\\000\\032x", "api.openai.com");
        assertThat(anomalies.get(Anomaly.TLS_SNI_INVALID)).isEqualTo(1);
    }

    @Test
    void onPacket_clientHello_carriesTlsVersionAlpnAndJa4WithoutEchMark() {
        byte[] hello = clientHello("api.openai.com", List.of("h2", "http/1.1"), 32);
        feed(LinkType.RAW, ip("10.0.0.7", "162.159.140.245", 6, tcp(40001, 443, hello)));
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.tlsVersion()).isEqualTo("1.3");
            assertThat(o.alpn()).containsExactly("h2", "http/1.1");
            assertThat(o.ja4()).startsWith("t13d0304h2_");
            assertThat(o.ech()).isFalse();
        });
    }

    @Test
    void onPacket_clientHelloWithEncryptedClientHello_marksTheSniAsOuter() {
        byte[] hello = clientHello("public.ech.example", List.of("h2"), 32, true);
        feed(LinkType.RAW, ip("10.0.0.7", "104.16.1.1", 6, tcp(40002, 443, hello)));
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.TLS_SNI);
            assertThat(o.hostname()).isEqualTo("public.ech.example");
            assertThat(o.ech()).isTrue();
            assertThat(o.tlsVersion()).isEqualTo("1.3");
            assertThat(o.ja4()).startsWith("t13d0305h2_");
        });
    }

    @Test
    void onPacket_dnsOverTcpTwoMessagesInOneSegment_observesBoth() {
        byte[] a = dnsQuery(1, "claude.ai", 1);
        byte[] b = dnsQuery(2, "api.anthropic.com", 28);
        byte[] payload = concat(new byte[] {0, (byte) a.length}, a, new byte[] {0, (byte) b.length}, b);
        feed(LinkType.ETHERNET, ethernet(ip("10.0.0.7", "10.0.0.53", 6, tcp(40001, 53, payload))));
        assertThat(seen).extracting(Observation::hostname).containsExactly("claude.ai", "api.anthropic.com");
    }

    @Test
    void onPacket_rawAndCookedLinkTypes_areDecoded() {
        byte[] packet = ip("10.0.0.7", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, "raw.example", 1)));
        feed(LinkType.RAW, packet);
        feed(LinkType.IPV4, packet);
        feed(LinkType.NULL, concat(hex("02000000"), packet));
        feed(LinkType.LOOP, concat(hex("00000002"), packet));
        feed(LinkType.LINUX_SLL, concat(hex("0000 0001 0006 020000000001 0000 0800"), packet));
        // another query id: the same packet again in a cooked capture would be taken for a copy from `any`
        feed(LinkType.LINUX_SLL2, concat(hex("0800 0000 00000002 0001 00 06 020000000001 0000"),
                ip("10.0.0.7", "10.0.0.53", 17, udp(40000, 53, dnsQuery(2, "raw.example", 1)))));
        feed(LinkType.PPP, concat(hex("ff03 0021"), packet));
        assertThat(seen).hasSize(7).allSatisfy(o -> assertThat(o.hostname()).isEqualTo("raw.example"));
    }

    @Test
    void onPacket_ipInIpAndPppoe_areDecapsulated() {
        byte[] inner = ip("10.9.9.9", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, "inner.example", 1)));
        feed(LinkType.RAW, ip("192.0.2.1", "192.0.2.2", 4, inner));
        byte[] pppoe = concat(hex("020000000001 020000000002 8864 1100 0001"),
                new byte[] {(byte) ((inner.length + 2) >> 8), (byte) (inner.length + 2)}, hex("0021"), inner);
        feed(LinkType.ETHERNET, pppoe);
        assertThat(seen).hasSize(2).allSatisfy(o -> assertThat(o.clientIp()).isEqualTo("10.9.9.9"));
    }

    @Test
    void onPacket_mdnsAndLlmnr_areReportedApartFromDns() {
        feed(LinkType.RAW, ip("10.0.0.7", "224.0.0.251", 17, udp(5353, 5353, dnsQuery(0, "printer.local", 1))));
        feed(LinkType.RAW, ip("10.0.0.7", "224.0.0.252", 17, udp(50000, 5355, dnsQuery(0, "wpad", 1))));
        assertThat(seen).extracting(Observation::kind).containsOnly(ObservationKind.LOCAL_NAME_QUERY);
        assertThat(seen).extracting(Observation::hostname).containsExactly("printer.local", "wpad");
    }

    @Test
    void onPacket_loneNonFirstFragment_isHeldNotDecodedAndCountedIncompleteAtTheEnd() {
        byte[] packet = ip("10.0.0.7", "10.0.0.53", 17, udp(40000, 53, dnsQuery(1, "frag.example", 1)));
        packet[6] = 0x00;
        packet[7] = 0x10; // fragment offset 16 (128 bytes), no MF: the last piece of a datagram
        feed(LinkType.RAW, packet);
        assertThat(seen).isEmpty();
        decoder.finish();
        assertThat(seen).isEmpty();
        assertThat(anomalies.get(Anomaly.IP_FRAGMENT_INCOMPLETE)).isEqualTo(1);
    }

    @Test
    void onPacket_unknownLinkType_isCounted() {
        feed(147, new byte[60]);
        assertThat(anomalies.get(Anomaly.CAPTURE_UNKNOWN_LINK_TYPE)).isEqualTo(1);
    }

    @Test
    void onPacket_truncatedAtEveryLength_neverThrows() {
        byte[] frame = ethernet(ip("2001:db8::1", "2001:db8::2", 6, tcp(40000, 443,
                clientHello("chat.mistral.ai", List.of("h2"), 64))), 10);
        for (int len = 0; len <= frame.length; len++) {
            decoder.onPacket(LinkType.ETHERNET, 0, frame, 0, len, frame.length);
        }
        assertThat(seen).extracting(Observation::hostname).containsOnly("chat.mistral.ai");
        assertThat(anomalies.total()).isPositive();
    }

    @Test
    void onPacket_randomAndMutatedFrames_neverThrow() {
        Random random = new Random(5);
        byte[][] valid = {
            ethernet(ip("10.0.0.1", "10.0.0.53", 17, udp(40000, 53, dnsResponseWithCname(1, "www.a.example", "a.example", "10.0.0.1")))),
            ethernet(ip("2001:db8::1", "2001:db8::2", 6, tcp(40000, 443, clientHello("b.example", List.of("h2"), 64))), 7),
        };
        int[] linkTypes = {LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.PKTAP, LinkType.NFLOG,
            LinkType.PPP, LinkType.ARCNET_LINUX, LinkType.PPI, LinkType.NULL};
        for (int i = 0; i < 200_000; i++) {
            byte[] b;
            if (i % 3 == 0) {
                b = new byte[random.nextInt(200)];
                random.nextBytes(b);
            } else {
                b = valid[i % 2].clone();
                for (int k = 0; k <= random.nextInt(5); k++) {
                    b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                }
            }
            decoder.onPacket(linkTypes[random.nextInt(linkTypes.length)], 0, b, 0, b.length, b.length);
        }
        assertThat(decoder.packets()).isEqualTo(200_000);
        // a bug caught by the last-resort guard would show up as this anomaly on valid-looking input
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
    }

    /**
     * A decoder that observes only some names gives exactly the observations of those names an
     * unfiltered one gives, in the same order, and still learns every DNS answer (flows are named from
     * answers whose observations were never made).
     */
    @Test
    void onlyNames_mixedCapture_wantedObservationsOfAnUnfilteredRunAndTheSameNameCache(@TempDir Path dir)
            throws Exception {
        Path capture = dir.resolve("mixed.pcap");
        MixedCapture.write(capture, 20_000, 7);
        List<Observation> all = new ArrayList<>();
        PacketDecoder every = new PacketDecoder("mixed", all::add, new AnomalyCounters());
        CaptureFileReader.read(capture, every, new AnomalyCounters());
        every.finish();
        Predicate<String> wanted = name -> name.endsWith(".ai") || name.endsWith("openai.com");
        List<Observation> some = new ArrayList<>();
        PacketDecoder filtered = new PacketDecoder("mixed", some::add, new AnomalyCounters());
        filtered.onlyNames(wanted);
        CaptureFileReader.read(capture, filtered, new AnomalyCounters());
        filtered.finish();

        assertThat(some).isNotEmpty().hasSizeLessThan(all.size() / 4)
                .isEqualTo(all.stream().filter(o -> wanted.test(o.hostname())).toList());
        assertThat(some).extracting(Observation::kind).contains(ObservationKind.DNS_QUERY, ObservationKind.DNS_ANSWER,
                ObservationKind.TLS_SNI, ObservationKind.QUIC_SNI, ObservationKind.FLOW_END);
        List<String> unwantedAddresses = all.stream()
                .filter(o -> o.kind() == ObservationKind.DNS_ANSWER && !wanted.test(o.hostname()))
                .flatMap(o -> o.answers().stream()).filter(a -> IpText.parse(a, new long[2])).limit(50).toList();
        assertThat(unwantedAddresses).hasSize(50);
        for (String a : unwantedAddresses) {
            assertThat(filtered.names().names(a)).as(a).isNotEmpty().isEqualTo(every.names().names(a));
        }
    }
    @Test
    void alsoRequestsTo_httpRequestsToAWantedPort_observedWhateverTheirHost() {
        decoder.onlyNames(name -> false);
        decoder.alsoRequestsTo(port -> port == 11434);
        byte[] toRuntime = "POST /api/chat HTTP/1.1\r\nHost: 10.0.0.5:11434\r\nContent-Length: 2\r\n\r\n{}"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] elsewhere = "POST /api/chat HTTP/1.1\r\nHost: 10.0.0.5:8080\r\nContent-Length: 2\r\n\r\n{}"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        feed(1, ethernet(ip("10.0.0.7", "10.0.0.5", 6, tcp(51000, 11434, toRuntime))));
        feed(1, ethernet(ip("10.0.0.7", "10.0.0.5", 6, tcp(51001, 8080, elsewhere))));
        feed(1, ethernet(ip("10.0.0.7", "10.0.0.53", 17, udp(40000, 53, dnsQuery(9, "chatgpt.com", 1)))));
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.HTTP_REQUEST);
            assertThat(o.hostname()).isEqualTo("10.0.0.5");
            assertThat(o.serverPort()).isEqualTo(11434);
            assertThat(o.urlPath()).isEqualTo("/api/chat");
        });
        // its flow ends with its bytes and the request's path; the flow to 8080 ends unreported
        decoder.finish();
        assertThat(seen).hasSize(2).last().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.FLOW_END);
            assertThat(o.serverPort()).isEqualTo(11434);
            assertThat(o.urlPath()).isEqualTo("/api/chat");
            assertThat(o.bytesOut()).isEqualTo(toRuntime.length);
        });
    }
    @Test
    void onPacket_cookedCopyOfAForwardedPacket_decodedOnce() {
        byte[] query = udp(40000, 53, dnsQuery(7, "fwd.example", 1));
        byte[] in = ip("10.213.1.2", "10.213.2.2", 17, query);
        byte[] out = in.clone();
        out[8]--; // the TTL a router takes off, and the checksum it rewrites
        out[10] = 0x12;
        out[11] = 0x34;
        byte[] inbound = concat(hex("0000 0001 0006 020000000001 0000 0800"), in);
        byte[] outbound = concat(hex("0004 0001 0006 020000000002 0000 0800"), out);
        long t = 1_700_000_000_000_000_000L;
        decoder.onPacket(LinkType.LINUX_SLL, t, inbound, 0, inbound.length, inbound.length);
        decoder.onPacket(LinkType.LINUX_SLL, t + 20_000, outbound, 0, outbound.length, outbound.length);
        assertThat(seen).hasSize(1);
        assertThat(anomalies.get(Anomaly.CAPTURE_DUPLICATE)).isEqualTo(1);
        // the same bytes a second later are a new packet (a retry), and another query is another packet
        decoder.onPacket(LinkType.LINUX_SLL, t + 1_000_000_000L, outbound, 0, outbound.length, outbound.length);
        byte[] other = concat(hex("0004 0001 0006 020000000002 0000 0800"),
                ip("10.213.1.2", "10.213.2.2", 17, udp(40000, 53, dnsQuery(8, "fwd.example", 1))));
        decoder.onPacket(LinkType.LINUX_SLL, t + 1_000_010_000L, other, 0, other.length, other.length);
        assertThat(seen).hasSize(3);
        // Ethernet captures are one interface: identical frames there are not dropped
        byte[] frame = ethernet(in);
        decoder.onPacket(LinkType.ETHERNET, t + 2_000_000_000L, frame, 0, frame.length, frame.length);
        decoder.onPacket(LinkType.ETHERNET, t + 2_000_000_001L, frame, 0, frame.length, frame.length);
        assertThat(seen).hasSize(5);
        assertThat(anomalies.get(Anomaly.CAPTURE_DUPLICATE)).isEqualTo(1);
    }

    @Test
    void onPacket_cookedIpv6CopyWithAnotherHopLimit_decodedOnce() {
        byte[] in = ip("fd00::2", "fd00:1::2", 17, udp(40000, 53, dnsQuery(9, "six.example", 28)));
        byte[] out = in.clone();
        out[7]--; // hop limit
        byte[] inbound = concat(hex("0000 0001 0006 020000000001 0000 86dd"), in);
        byte[] outbound = concat(hex("0004 0001 0006 020000000002 0000 86dd"), out);
        long t = 1_700_000_000_000_000_000L;
        decoder.onPacket(LinkType.LINUX_SLL, t, inbound, 0, inbound.length, inbound.length);
        decoder.onPacket(LinkType.LINUX_SLL, t + 5_000, outbound, 0, outbound.length, outbound.length);
        assertThat(seen).singleElement().satisfies(o -> assertThat(o.hostname()).isEqualTo("six.example"));
    }

    @Test
    void onPacket_cookedMasqueradedConnection_observedOnceFromTheContainerWithItsBytes() {
        // a container's TLS connection as `any` sees it: on its veth with its own address, and on the uplink
        // with the host's address and another port (masquerade); replies on the uplink first
        byte[] hello = clientHello("api.openai.com", List.of("h2"), 32);
        byte[] answer = new byte[700];
        String container = "172.17.0.2";
        String host = "192.0.2.10";
        String server = "104.18.32.47";
        long t = 1_700_000_000_000_000_000L;
        Object[][] packets = {
            {container, 40000, server, 443, 1000L, 0x02, new byte[0]},
            {host, 61000, server, 443, 1000L, 0x02, new byte[0]},
            {server, 443, host, 61000, 9000L, 0x12, new byte[0]},
            {server, 443, container, 40000, 9000L, 0x12, new byte[0]},
            {container, 40000, server, 443, 1001L, 0x18, hello},
            {host, 61000, server, 443, 1001L, 0x18, hello},
            {server, 443, host, 61000, 9001L, 0x18, answer},
            {server, 443, container, 40000, 9001L, 0x18, answer},
        };
        for (Object[] p : packets) {
            byte[] frame = cooked(ip((String) p[0], (String) p[2], 6,
                    tcp((int) p[1], (int) p[3], (long) p[4], (int) p[5], (byte[]) p[6])));
            decoder.onPacket(LinkType.LINUX_SLL, t += 30_000, frame, 0, frame.length, frame.length);
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.CAPTURE_NAT_DUPLICATE)).isEqualTo(4);
        assertThat(seen).extracting(Observation::kind).containsExactly(ObservationKind.TLS_SNI, ObservationKind.FLOW_END);
        assertThat(seen).allSatisfy(o -> {
            assertThat(o.clientIp()).isEqualTo(container);
            assertThat(o.clientPort()).isEqualTo(40000);
        });
        assertThat(seen.get(1).bytesOut()).isEqualTo(hello.length);
        assertThat(seen.get(1).bytesIn()).isEqualTo(answer.length);
    }

    @Test
    void onPacket_cookedPortForward_keepsTheAddressTheOutsideClientConnectedTo() {
        byte[] request = "POST /api/chat HTTP/1.1\r\nHost: 192.0.2.10:11434\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        decoder.alsoRequestsTo(port -> true);
        long t = 1_700_000_000_000_000_000L;
        byte[][] frames = {
            cooked(ip("198.51.100.7", "192.0.2.10", 6, tcp(50000, 11434, 77L, 0x18, request))),
            cooked(ip("198.51.100.7", "172.17.0.3", 6, tcp(50000, 11434, 77L, 0x18, request))),
        };
        for (byte[] frame : frames) {
            decoder.onPacket(LinkType.LINUX_SLL, t += 30_000, frame, 0, frame.length, frame.length);
        }
        assertThat(anomalies.get(Anomaly.CAPTURE_NAT_DUPLICATE)).isEqualTo(1);
        assertThat(seen).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(ObservationKind.HTTP_REQUEST);
            assertThat(o.serverIp()).isEqualTo("192.0.2.10");
        });
    }

    @Test
    void onPacket_cookedMasqueradedDnsQuery_observedOnce() {
        byte[] query = udp(40000, 53, dnsQuery(0x5a5a, "nat.example", 1));
        byte[] natted = udp(1024, 53, dnsQuery(0x5a5a, "nat.example", 1));
        long t = 1_700_000_000_000_000_000L;
        byte[] first = cooked(ip("fd00:17::2", "2001:db8::53", 17, query));
        byte[] second = cooked(ip("2001:db8:1::10", "2001:db8::53", 17, natted));
        decoder.onPacket(LinkType.LINUX_SLL, t, first, 0, first.length, first.length);
        decoder.onPacket(LinkType.LINUX_SLL, t + 40_000, second, 0, second.length, second.length);
        assertThat(seen).singleElement().satisfies(o -> assertThat(o.clientIp()).isEqualTo("fd00:17::2"));
        assertThat(anomalies.get(Anomaly.CAPTURE_NAT_DUPLICATE)).isEqualTo(1);
    }

    @Test
    void onPacket_cookedConnectionsOfTwoClientsToOneServer_bothKept() {
        // what a NAT copy shares with its original, two clients' connections do not: sequence numbers
        byte[] hello = clientHello("api.openai.com", List.of("h2"), 32);
        long t = 1_700_000_000_000_000_000L;
        byte[] a = cooked(ip("10.0.0.2", "104.18.32.47", 6, tcp(40000, 443, 1001L, 0x18, hello)));
        byte[] b = cooked(ip("10.0.0.3", "104.18.32.47", 6, tcp(40000, 443, 5001L, 0x18, hello)));
        // and the same bytes to another server with another client are not a translation either
        byte[] c = cooked(ip("10.0.0.4", "104.18.32.48", 6, tcp(40000, 443, 1001L, 0x18, hello)));
        decoder.onPacket(LinkType.LINUX_SLL, t, a, 0, a.length, a.length);
        decoder.onPacket(LinkType.LINUX_SLL, t + 10_000, b, 0, b.length, b.length);
        decoder.onPacket(LinkType.LINUX_SLL, t + 20_000, c, 0, c.length, c.length);
        assertThat(seen).extracting(Observation::clientIp).containsExactly("10.0.0.2", "10.0.0.3", "10.0.0.4");
        assertThat(anomalies.get(Anomaly.CAPTURE_NAT_DUPLICATE)).isZero();
        // an Ethernet capture is one interface: a NAT-shaped pair there is two sightings
        decoder.onPacket(LinkType.ETHERNET, t + 30_000, ethernet(ip("10.0.0.2", "104.18.32.47", 6,
                tcp(40001, 443, 7L, 0x18, hello))), 0, hello.length + 54, hello.length + 54);
        decoder.onPacket(LinkType.ETHERNET, t + 40_000, ethernet(ip("192.0.2.10", "104.18.32.47", 6,
                tcp(61001, 443, 7L, 0x18, hello))), 0, hello.length + 54, hello.length + 54);
        assertThat(seen).hasSize(5);
        assertThat(anomalies.get(Anomaly.CAPTURE_NAT_DUPLICATE)).isZero();
    }

    /** A Linux cooked (SLL) header, as {@code any} writes it, on an IPv4 or IPv6 packet. */
    private static byte[] cooked(byte[] ipPacket) {
        boolean v6 = (ipPacket[0] & 0xf0) == 0x60;
        return concat(hex("0004 0001 0006 020000000002 0000 " + (v6 ? "86dd" : "0800")), ipPacket);
    }
}
