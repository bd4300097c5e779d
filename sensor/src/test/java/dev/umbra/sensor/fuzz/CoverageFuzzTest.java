package dev.umbra.sensor.fuzz;

import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.udp;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AddressBlocks;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.decode.LinkType;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.dns.DnsMessage;
import dev.umbra.sensor.dns.DnsParser;
import dev.umbra.sensor.dns.DnsQuestion;
import dev.umbra.sensor.dns.DnsRecord;
import dev.umbra.sensor.http.Http2Connection;
import dev.umbra.sensor.flow.FlowKey;
import dev.umbra.sensor.http.HttpRequest;
import dev.umbra.sensor.http.HttpRequestParser;
import dev.umbra.sensor.http.ProxyAuth;
import dev.umbra.sensor.dhcp.Dhcp6Message;
import dev.umbra.sensor.dhcp.DhcpMessage;
import dev.umbra.sensor.dhcp.DhcpNames;
import dev.umbra.sensor.dhcp.NbnsMessage;
import dev.umbra.sensor.kerberos.KdcReplyParser;
import dev.umbra.sensor.smb.SmbMessage;
import dev.umbra.sensor.smb.SmbLogons;
import dev.umbra.sensor.socks.SocksRequest;
import dev.umbra.sensor.socks.SocksRequestParser;
import dev.umbra.sensor.proxylog.LineSplitter;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import dev.umbra.sensor.proxylog.Text;
import dev.umbra.sensor.quic.QuicTestPackets;
import dev.umbra.sensor.tls.ClientHello;
import dev.umbra.sensor.tls.ClientHelloParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Coverage-guided fuzz targets (Jazzer). Under plain {@code mvn verify} each {@code @FuzzTest} runs
 * the inputs committed under {@code src/test/resources/dev/umbra/sensor/fuzz/CoverageFuzzTestInputs/<method>/}
 * as ordinary tests; with {@code JAZZER_FUZZ=1} one target at a time is fuzzed for its
 * {@code maxDuration} (docs/sensor.md, "Coverage-guided fuzzing"). Unlike the seeded mutation tests
 * beside it, Jazzer keeps inputs that reach new branches and compares bytes the code compares (magic
 * numbers, ports, lengths), so it gets deep into nested formats.
 *
 * <p>Oracles: nothing throws but the documented exception; the packet decoder never reaches its
 * last-resort guard ({@code decoder_error}); every result stays within the parser's caps.
 */
class CoverageFuzzTest {
    /** Every LINKTYPE_ the decoder knows, and one it does not (300). */
    private static final int[] LINK_TYPES = linkTypes();
    private static final int MAX_FRAMES = 16;
    private static final int MAX_HOST_TEXT = 4 * DnsParser.MAX_NAME_OCTETS;
    private static final long MAX_OBSERVATIONS_PER_PACKET = (long) PacketDecoder.MAX_DNS_MESSAGES_PER_SEGMENT
            * DnsParser.MAX_QUESTIONS + PacketDecoder.MAX_STREAM_STEPS + 2;
    private static final LogFormat[] LOG_FORMATS = LogFormat.values();
    /** The destination connection ID whose Initial keys protect the QUIC target's packets (RFC 9001 A.1). */
    private static final byte[] QUIC_DCID = HexFormat.of().parseHex("8394c8f03e515708");

    private static int[] linkTypes() {
        List<Integer> types = new ArrayList<>();
        for (Field f : LinkType.class.getFields()) {
            if (f.getType() == int.class && Modifier.isStatic(f.getModifiers())) {
                try {
                    types.add(f.getInt(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        types.add(300);
        return types.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * (a) Frames of one link type through a fresh decoder. Input: byte 0 picks the link type
     * ({@link #LINK_TYPES}, modulo); then up to 16 frames, each {@code step len_hi len_lo frame}, the
     * timestamp moving on by {@code step} × 100 ms (so idle flows, streams and fragments expire); the
     * last frame takes what is left when its length runs past the end.
     */
    @FuzzTest(maxDuration = "5m")
    void packetDecoder_framesOfAnyLinkType(byte[] data) {
        if (data.length < 1) {
            return;
        }
        AnomalyCounters anomalies = new AnomalyCounters();
        long[] count = new long[1];
        PacketDecoder decoder = new PacketDecoder("fuzz", o -> {
            count[0]++;
            checkCaps(o);
        }, anomalies, 64);
        decoder.nameClientsAsTap();
        int link = LINK_TYPES[(data[0] & 0xff) % LINK_TYPES.length];
        long time = 1_700_000_000_000_000_000L;
        int p = 1;
        for (int frame = 0; frame < MAX_FRAMES && p + 3 <= data.length; frame++) {
            time += (data[p] & 0xff) * 100_000_000L;
            int len = Math.min(((data[p + 1] & 0xff) << 8) | (data[p + 2] & 0xff), data.length - p - 3);
            long before = count[0];
            decoder.onPacket(link, time, data, p + 3, len, len);
            p += 3 + len;
            guard(anomalies, "frame " + frame, data);
            if (count[0] - before > MAX_OBSERVATIONS_PER_PACKET) {
                throw new AssertionError((count[0] - before) + " observations from one frame");
            }
        }
        decoder.finish();
        guard(anomalies, "finish", data);
    }

    /**
     * (b) The input as a whole capture file (pcap or pcapng), read through a real decoder. Only
     * {@link CaptureFormatException} may come out; every frame handed on lies inside the buffer; no
     * file yields more records than its bytes can hold (a record has at least 12 bytes).
     */
    @FuzzTest(maxDuration = "5m")
    void captureFileReader_wholeFile(byte[] data) throws IOException {
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("fuzz", CoverageFuzzTest::checkCaps, anomalies, 64);
        decoder.nameClientsAsTap();
        long[] records = new long[1];
        try {
            CaptureFileReader.read(Channels.newChannel(new ByteArrayInputStream(data)),
                    (linkType, ts, buf, off, capturedLength, originalLength) -> {
                        if (off < 0 || capturedLength < 0 || off + capturedLength > buf.length) {
                            throw new AssertionError("frame at " + off + "+" + capturedLength + " of a "
                                    + buf.length + "-byte buffer");
                        }
                        records[0]++;
                        decoder.onPacket(linkType, ts, buf, off, capturedLength, originalLength);
                    }, anomalies);
        } catch (CaptureFormatException expected) {
            // the documented outcome for a file that is not a capture
        }
        decoder.finish();
        if (records[0] > data.length / 12) {
            throw new AssertionError(records[0] + " records from " + data.length + " bytes");
        }
        guard(anomalies, "file", data);
    }

    /**
     * One Kerberos KDC reply (AS-REP, TGS-REP), whole and cut in half: a client, when read, has one to
     * eight printable components and a realm within the 255-byte cap, and says whether it is a user.
     */
    @FuzzTest(maxDuration = "2m")
    void kdcReplyParser_reply(byte[] data) {
        for (int len : new int[] {data.length, data.length / 2}) {
            KdcReplyParser.Reply r = KdcReplyParser.parse(data, 0, len);
            if (r.msgType() != 11 && r.msgType() != 13) {
                continue;
            }
            if (r.name().length < 1 || r.name().length > KdcReplyParser.MAX_COMPONENTS
                    || r.realm().isEmpty() || r.realm().getBytes(StandardCharsets.UTF_8).length > 3 * KdcReplyParser.MAX_STRING) {
                throw new AssertionError("client beyond its caps: " + r);
            }
            for (String c : r.name()) {
                if (c.isEmpty() || c.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                    throw new AssertionError("component not printable: " + r);
                }
            }
            r.user();
        }
    }

    /**
     * SMB frames of a connection's set-up, each after a byte whose low bit gives its direction (0: client to
     * server), read as the decoder hands them over: whole frames by their NetBIOS length (the last one as far
     * as it goes). No exception; at most {@link SmbLogons#MAX_PENDING} requests wait; a logon names a
     * printable user within the name cap.
     */
    @FuzzTest(maxDuration = "2m")
    void smbLogons_setupFrames(byte[] data) {
        FlowKey client = new FlowKey(FlowKey.V4_MARK, 0x0a4d000aL, FlowKey.V4_MARK, 0x0a4d0001L, 49510, 445, 6);
        SmbLogons smb = new SmbLogons(new AnomalyCounters(), AddressBlocks.ANY, (hi, lo, user, t) -> checkUser(user));
        int p = 0;
        for (int frame = 0; frame < 64 && p + 1 < data.length; frame++) {
            FlowKey key = (data[p] & 1) == 0 ? client : client.reverse();
            p++;
            int length = SmbMessage.frameLength(data, p, data.length - p);
            length = length == SmbMessage.NEED_MORE ? data.length - p : Math.min(length, data.length - p);
            if (data.length - p >= SmbMessage.FRAME_HEADER) {
                SmbMessage.mayBeSetup(data, p, data.length - p);
            }
            smb.frame(key, data, p, length, frame * 1_000_000L);
            if (smb.pending() > SmbLogons.MAX_PENDING) {
                throw new AssertionError(smb.pending() + " requests waiting");
            }
            p += length;
        }
    }

    /**
     * One DHCP message, one DHCPv6 message and one NetBIOS name service message from the same bytes, whole and
     * cut in half, then fed to a {@link DhcpNames} as a client's and as a server's (and as an announcement): no
     * exception; a name is 1 to 255 printable ASCII characters (a NetBIOS one at most 15);
     * a DHCPv6 message holds at most {@link Dhcp6Message#MAX_ADDRESSES} addresses; at most {@link
     * DhcpNames#MAX_PENDING} requests wait.
     */
    @FuzzTest(maxDuration = "2m")
    void dhcpMessage_clientAndServer(byte[] data) {
        DhcpNames names = new DhcpNames(new AnomalyCounters(), AddressBlocks.ANY);
        FlowKey client = new FlowKey(FlowKey.V4_MARK, 0, FlowKey.V4_MARK, 0xffffffffL, 68, 67, 17);
        FlowKey client6 = new FlowKey(0xfe80000000000000L, 0x10, 0xff02000000000000L, 0x10002, 546, 547, 17);
        for (int len : new int[] {data.length, data.length / 2}) {
            DhcpMessage m = DhcpMessage.parse(data, 0, len);
            if (dev.umbra.sensor.dhcp.DhcpFrames.notAName(m.name())) {
                throw new AssertionError("name not a name: " + m);
            }
            if (m != DhcpMessage.NOT_DHCP && m != DhcpMessage.MALFORMED) {
                names.message(m.reply() ? client.reverse() : client, m, 1_000_000_000L);
                names.name(FlowKey.V4_MARK, m.yiaddr() & 0xffffffffL, 2_000_000_000L);
            }
            Dhcp6Message m6 = Dhcp6Message.parse(data, 0, len);
            if (dev.umbra.sensor.dhcp.DhcpFrames.notAName(m6.name())) {
                throw new AssertionError("name not a name: " + m6);
            }
            if (m6.addresses().size() > Dhcp6Message.MAX_ADDRESSES) {
                throw new AssertionError(m6.addresses().size() + " addresses");
            }
            if (m6 != Dhcp6Message.NOT_DHCP && m6 != Dhcp6Message.MALFORMED) {
                names.message(m6.type() == Dhcp6Message.REPLY ? client6.reverse() : client6, m6, 1_000_000_000L);
                m6.addresses().forEach(a -> names.name(a.hi(), a.lo(), 2_000_000_000L));
            }
            NbnsMessage nb = NbnsMessage.parse(data, 0, len);
            if (nb != NbnsMessage.NONE && nb != NbnsMessage.MALFORMED) {
                if (dev.umbra.sensor.dhcp.DhcpFrames.notAName(nb.name()) || nb.name().length() > 15) {
                    throw new AssertionError("name not a NetBIOS name: " + nb);
                }
                names.announced(FlowKey.V4_MARK, nb.address() & 0xffffffffL, nb.name(), nb.release() ? 0 : nb.ttl(),
                        1_000_000_000L);
            }
        }
        if (names.pending() > DhcpNames.MAX_PENDING) {
            throw new AssertionError(names.pending() + " requests waiting");
        }
    }

    /** (c) One DNS message; the result stays within the question, record and name caps. */
    @FuzzTest(maxDuration = "2m")
    void dnsParser_message(byte[] data) {
        DnsParser.plausible(data, 0, data.length);
        DnsMessage msg = new DnsParser(new AnomalyCounters()).parse(data, 0, data.length);
        if (msg == null) {
            return;
        }
        if (msg.questions().size() > DnsParser.MAX_QUESTIONS || msg.answers().size() > 2 * DnsParser.MAX_RECORDS) {
            throw new AssertionError("DNS counts beyond their caps: " + msg);
        }
        for (DnsQuestion q : msg.questions()) {
            checkHost(q.name());
        }
        for (DnsRecord r : msg.answers()) {
            checkHost(r.name());
            checkHost(r.data());
        }
    }

    /** (c) A TLS record, then the same bytes as a bare handshake; lists stay within their caps. */
    @FuzzTest(maxDuration = "2m")
    void clientHelloParser_recordAndHandshake(byte[] data) {
        ClientHelloParser parser = new ClientHelloParser();
        ClientHelloParser.looksLikeClientHelloRecord(data, 0, data.length);
        if (parser.parseRecord(data, 0, data.length) == ClientHelloParser.OK) {
            checkHello(parser.result());
        }
        for (boolean cutOff : new boolean[] {false, true}) {
            if (parser.parseHandshake(data, 0, data.length, cutOff) == ClientHelloParser.OK) {
                checkHello(parser.result());
            }
        }
    }

    /** (c) An HTTP/1.x request head; the head lies inside the input and within its cap. */
    @FuzzTest(maxDuration = "2m")
    void httpRequestParser_head(byte[] data) {
        HttpRequestParser parser = new HttpRequestParser();
        if (parser.parse(data, 0, data.length) == HttpRequestParser.OK) {
            HttpRequest r = parser.result();
            if (r.headLength() > data.length || r.headLength() > HttpRequestParser.MAX_HEAD_LENGTH) {
                throw new AssertionError("head of " + r.headLength() + " bytes from " + data.length);
            }
            checkHost(r.host());
            checkUser(r.user());
        }
    }

    /** A user name from ProxyAuth: null, or 1 to 256 characters with no control character. */
    private static void checkUser(String user) {
        if (user == null) {
            return;
        }
        if (user.isEmpty() || user.length() > ProxyAuth.MAX_NAME_LENGTH
                || user.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c >= 0x80 && c < 0xa0)) {
            throw new AssertionError("user name " + user.length() + " chars, not a name");
        }
    }

    /**
     * (c2) A SOCKS client's opening; the request it reports lies inside the input, its name is a
     * bounded host name and its password is never kept.
     */
    @FuzzTest(maxDuration = "2m")
    void socksRequestParser_opening(byte[] data) {
        SocksRequestParser parser = new SocksRequestParser();
        int status = parser.parse(data, 0, data.length);
        if (status < SocksRequestParser.UNREADABLE || status > SocksRequestParser.OK) {
            throw new AssertionError("status " + status);
        }
        if (status == SocksRequestParser.OK) {
            SocksRequest r = parser.result();
            if (r.length() < 1 || r.length() > data.length || (r.host() == null) == (r.address() == null)) {
                throw new AssertionError(r + " from " + data.length + " bytes");
            }
            if (r.host() != null) {
                checkHost(r.host());
            }
            checkUser(r.user());
        }
    }

    /**
     * (c2b) Datagrams through a SOCKS5 UDP relay: a decoder that saw a client open one (greeting, user
     * and password, UDP ASSOCIATE on its control connection) reads up to 16 datagrams, each
     * {@code dir len_hi len_lo payload} (bit 0 of dir: from the proxy), so the relay's header reader
     * and what it hands the data to (DNS, QUIC, the name cache) keep state between them. Each payload
     * also goes through the header reader alone: a header it reads lies inside the datagram.
     */
    @FuzzTest(maxDuration = "5m")
    void socksUdpRelay_datagrams(byte[] data) {
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("fuzz", CoverageFuzzTest::checkCaps, anomalies, 64);
        decoder.nameClientsAsTap();
        long[] time = {1_700_000_000_000_000_000L};
        java.util.function.Consumer<byte[]> send = ipPacket -> {
            time[0] += 1_000_000;
            decoder.onPacket(LinkType.RAW, time[0], ipPacket, 0, ipPacket.length, ipPacket.length);
        };
        send.accept(ip("10.0.0.5", "10.0.0.1", 6, dev.umbra.sensor.TestFrames.tcp(41000, 1080, 1000, 0x02, new byte[0])));
        send.accept(ip("10.0.0.1", "10.0.0.5", 6, dev.umbra.sensor.TestFrames.tcp(1080, 41000, 5000, 0x12, new byte[0])));
        byte[][] opening = {{5, 1, 2}, {1, 4, 'e', 'r', 'i', 'n', 2, 'p', 'w'}, {5, 3, 0, 1, 0, 0, 0, 0, 0, 0}};
        long seq = 1001;
        for (byte[] o : opening) {
            send.accept(ip("10.0.0.5", "10.0.0.1", 6, dev.umbra.sensor.TestFrames.tcp(41000, 1080, seq, 0x18, o)));
            seq += o.length;
        }
        SocksRequestParser headers = new SocksRequestParser();
        int p = 0;
        for (int i = 0; i < 16 && p + 3 <= data.length; i++) {
            boolean fromProxy = (data[p] & 1) != 0;
            int len = Math.min(((data[p + 1] & 0xff) << 8) | (data[p + 2] & 0xff), data.length - p - 3);
            byte[] payload = Arrays.copyOfRange(data, p + 3, p + 3 + len);
            p += 3 + len;
            if (headers.udpHeader(payload, 0, payload.length) == SocksRequestParser.OK) {
                SocksRequest h = headers.result();
                if (h.length() < 8 || h.length() > payload.length || (h.host() == null) == (h.address() == null)) {
                    throw new AssertionError(h + " from " + payload.length + " bytes");
                }
                if (h.host() != null) {
                    checkHost(h.host());
                }
            }
            send.accept(fromProxy ? ip("10.0.0.1", "10.0.0.5", 17, udp(45615, 40000, payload))
                    : ip("10.0.0.5", "10.0.0.1", 17, udp(40000, 45615, payload)));
            guard(anomalies, "datagram " + i, data);
        }
        decoder.finish();
        guard(anomalies, "finish", data);
    }

    /**
     * (c3) The client side of a cleartext HTTP/2 connection (preface, frames, HPACK header blocks that
     * refer to the dynamic table of the ones before, DATA), handed over in pieces whose sizes byte 0
     * picks, as a stream buffer hands them over. Every request it reports has a host in matching form,
     * a bounded method and path; every body is within the cap; what a call reads lies within what it
     * was given, and what it keeps back is less than a preface.
     */
    @FuzzTest(maxDuration = "2m")
    void http2Connection_clientSide(byte[] data) {
        if (data.length == 0) {
            return;
        }
        int piece = 1 + (data[0] & 0xff);
        Http2Connection c = new Http2Connection(new AnomalyCounters(), 64, new dev.umbra.sensor.http.BodyBudget(1 << 20));
        Http2Connection.Listener check = new Http2Connection.Listener() {
            @Override
            public Object request(HttpRequest r, boolean hasBody) {
                if (r.method().isEmpty() || r.method().length() > 32 || r.path().length() > 2048) {
                    throw new AssertionError(r.toString());
                }
                checkHost(r.host());
                return r;
            }

            @Override
            public void body(Object tag, HttpRequest head, byte[] body, boolean complete, boolean truncated) {
                if (tag != head || body.length > 64 || complete && truncated) {
                    throw new AssertionError(body.length + " bytes, complete " + complete + ", truncated " + truncated);
                }
            }
        };
        byte[] pending = new byte[0];
        for (int p = 1; p < data.length; p += piece) {
            int n = Math.min(piece, data.length - p);
            byte[] buf = Arrays.copyOf(pending, pending.length + n);
            System.arraycopy(data, p, buf, pending.length, n);
            int read = c.read(buf, 0, buf.length, check);
            if (read < 0) {
                if (read < Http2Connection.MALFORMED) {
                    throw new AssertionError("status " + read);
                }
                return;
            }
            if (read > buf.length || buf.length - read >= Http2Connection.PREFACE.length) {
                throw new AssertionError("read " + read + " of " + buf.length);
            }
            pending = Arrays.copyOfRange(buf, read, buf.length);
        }
        c.end(check);
    }

    /**
     * (d) The plaintext payload of client Initials (CRYPTO, PADDING, PING, ACK... frames), protected
     * with the real RFC 9001 Initial keys of a fixed DCID and sent as UDP datagrams to port 443, so
     * that the fuzzer works on the frames and the ClientHello inside them and not on the AEAD. Input:
     * up to three payloads, each {@code len_hi len_lo payload} (the last takes what is left), each
     * padded to a full-size Initial.
     */
    @FuzzTest(maxDuration = "5m")
    void quicInitial_plaintextFrames(byte[] data) throws Exception {
        AnomalyCounters anomalies = new AnomalyCounters();
        PacketDecoder decoder = new PacketDecoder("fuzz", CoverageFuzzTest::checkCaps, anomalies, 64);
        decoder.nameClientsAsTap();
        long time = 1_700_000_000_000_000_000L;
        int p = 0;
        for (int pn = 0; pn < 3 && p + 2 <= data.length; pn++) {
            int len = Math.min(((data[p] & 0xff) << 8) | (data[p + 1] & 0xff), data.length - p - 2);
            byte[] payload = QuicTestPackets.frames(1162, Arrays.copyOfRange(data, p + 2, p + 2 + len));
            p += 2 + len;
            byte[] datagram = ip("10.0.0.5", "198.51.100.7", 17, udp(50000, 443,
                    QuicTestPackets.initial(1, QUIC_DCID, QUIC_DCID, new byte[0], new byte[0], pn, payload)));
            decoder.onPacket(LinkType.RAW, time + pn * 1_000_000L, datagram, 0, datagram.length, datagram.length);
            guard(anomalies, "datagram " + pn, data);
        }
        decoder.finish();
        guard(anomalies, "finish", data);
    }

    /**
     * (e) Log text of one format (byte 0 picks it from {@link LogFormat}, or auto-detection past the
     * last), split into lines and parsed. Parsers never throw; hosts and paths keep their caps.
     */
    @FuzzTest(maxDuration = "5m")
    void proxyLog_linesOfAnyFormat(byte[] data) {
        if (data.length < 1) {
            return;
        }
        int pick = (data[0] & 0xff) % (LOG_FORMATS.length + 1);
        LogFormat format = pick < LOG_FORMATS.length ? LOG_FORMATS[pick] : null;
        if (format == LogFormat.SQUID_LOGFORMAT) {
            format = null; // needs a definition; auto-detection covers the built-in Squid ones
        }
        LogOptions options = new LogOptions(format, null, null, null, 1024);
        LogContext ctx = new LogContext("fuzz", o -> {
            checkCaps(o);
            if (o.hostname().length() > Text.MAX_HOST_LENGTH
                    || (o.urlPath() != null && o.urlPath().length() > Text.MAX_PATH_LENGTH)) {
                throw new AssertionError("log observation beyond the host or path cap: " + o);
            }
        }, new LogStats());
        LogStream stream = new LogStream(options, ctx);
        LineSplitter lines = new LineSplitter(stream, options.maxLineLength());
        lines.feed(data, 1, data.length - 1);
        lines.finish();
        stream.finish();
    }

    private static void checkHello(ClientHello h) {
        if (h.alpn().size() > ClientHelloParser.MAX_LIST_ENTRIES
                || h.supportedVersions().size() > ClientHelloParser.MAX_LIST_ENTRIES) {
            throw new AssertionError("ClientHello list beyond its cap: " + h);
        }
        checkHost(h.serverName());
        h.tlsVersion();
    }

    /**
     * Names within their caps: a host name is at most 255 octets, each at most 4 characters as \ddd;
     * and in the form the catalog matches and reports print: not empty, lower case, printable ASCII
     * without blanks (other bytes escaped as \ddd, never a control character in a finding or log).
     */
    private static void checkCaps(Observation o) {
        checkHost(o.hostname());
        String h = o.hostname();
        if (h.isEmpty() || !h.chars().allMatch(c -> c > 0x20 && c < 0x7f && (c < 'A' || c > 'Z'))) {
            throw new AssertionError("host name not in matching form: \"" + h.replaceAll("[^\\x21-\\x7e]", "?")
                    + "\" (" + h.length() + " characters, " + o.kind() + ")");
        }
        if (o.answers().size() > 2 * DnsParser.MAX_RECORDS || o.alpn().size() > ClientHelloParser.MAX_LIST_ENTRIES) {
            throw new AssertionError("observation lists beyond their caps: " + o.answers().size() + " answers, "
                    + o.alpn().size() + " ALPN");
        }
        o.answers().forEach(CoverageFuzzTest::checkHost);
        o.alpn().forEach(CoverageFuzzTest::checkHost);
        if (o.urlPath() != null && o.urlPath().length() > HttpRequestParser.MAX_HEAD_LENGTH) {
            throw new AssertionError("URL path of " + o.urlPath().length() + " characters");
        }
    }

    private static void checkHost(String name) {
        if (name != null && name.length() > MAX_HOST_TEXT) {
            throw new AssertionError("name of " + name.length() + " characters");
        }
    }

    private static void guard(AnomalyCounters anomalies, String where, byte[] data) {
        if (anomalies.get(Anomaly.DECODER_ERROR) != 0) {
            throw new AssertionError("decoder_error (an exception caught by the last-resort guard) at " + where
                    + " of input " + HexFormat.of().formatHex(data, 0, Math.min(data.length, 4096)));
        }
    }
}
