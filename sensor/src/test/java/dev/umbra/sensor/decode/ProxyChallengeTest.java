package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.clientHello;
import static dev.umbra.sensor.TestFrames.concat;
import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A request sent to a proxy without credentials (a CONNECT, or an absolute-form request for a
 * plain-HTTP URL, with its body, of known length or chunked) is held until the connection says
 * whether the proxy took it: a 407 challenge (or the client sending the same request again) drops it,
 * anything else reports it, and so does the flow's end. A request to a server itself without an
 * Authorization header is held alike, where the server's answers are captured: a 401 followed by the
 * same request again drops it; anything else, the flow's end, or {@link PacketDecoder#MAX_HOLD_NANOS}
 * reports it.
 */
class ProxyChallengeTest {
    private static final String CLIENT = "10.0.0.5";
    private static final String PROXY = "10.0.0.1";
    private static final String HOST = "gemini.google.com";
    private static final byte[] CONNECT = ascii("CONNECT " + HOST + ":443 HTTP/1.1\r\nHost: " + HOST + ":443\r\n\r\n");
    private static final byte[] CONNECT_BASIC = ascii("CONNECT " + HOST + ":443 HTTP/1.1\r\nHost: " + HOST
            + ":443\r\nProxy-Authorization: Basic "
            + Base64.getEncoder().encodeToString(ascii("erin:SYNTHETIC-pw")) + "\r\n\r\n");
    private static final byte[] CHALLENGE = ascii("HTTP/1.1 407 Proxy Authentication Required\r\n"
            + "Proxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n");
    private static final byte[] ESTABLISHED = ascii("HTTP/1.1 200 Connection established\r\n\r\n");

    private final List<Observation> seen = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);

    {
        decoder.holdRequestsUntilAnswered(); // as a tap's and a host's daemon and an audit do
    }
    private long clientSeq = 1001;
    private long proxySeq = 5001;
    private long time = 1_700_000_000_000_000_000L;
    private long step = 1_000_000;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void frame(byte[] ipPacket) {
        byte[] f = ethernet(ipPacket);
        time += 1_000_000;
        time += step - 1_000_000;
        decoder.onPacket(1, time, f, 0, f.length, f.length);
    }

    private void open(int port) {
        frame(ip(CLIENT, PROXY, 6, tcp(port, 3128, clientSeq - 1, 0x02, new byte[0])));
        frame(ip(PROXY, CLIENT, 6, tcp(3128, port, proxySeq - 1, 0x12, new byte[0])));
    }

    private void fromClient(int port, byte[] payload, int flags) {
        frame(ip(CLIENT, PROXY, 6, tcp(port, 3128, clientSeq, flags, payload)));
        clientSeq += payload.length;
    }

    private void fromProxy(int port, byte[] payload) {
        frame(ip(PROXY, CLIENT, 6, tcp(3128, port, proxySeq, 0x18, payload)));
        proxySeq += payload.length;
    }

    private List<String> requests() {
        return seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST)
                .map(o -> o.method() + " " + o.hostname() + " " + (o.user() == null ? "-" : o.user())).toList();
    }

    @Test
    void challenge407ThenCredentials_reportsOnlyTheAuthenticatedConnect() {
        open(40000);
        fromClient(40000, CONNECT, 0x18);
        assertThat(seen).as("held until the proxy answers").isEmpty();
        fromProxy(40000, CHALLENGE);
        fromClient(40000, CONNECT_BASIC, 0x18);
        fromProxy(40000, ESTABLISHED);
        fromClient(40000, clientHello(HOST, List.of("h2"), 32), 0x18);
        decoder.finish();
        assertThat(requests()).containsExactly("CONNECT " + HOST + " erin");
        assertThat(seen).extracting(Observation::kind).containsExactly(ObservationKind.HTTP_REQUEST,
                ObservationKind.TLS_SNI, ObservationKind.FLOW_END);
        assertThat(seen).allSatisfy(o -> assertThat(o.user()).isEqualTo("erin"));
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void answeredOtherThan407_isReportedBeforeTheTunnel() {
        open(40001);
        fromClient(40001, CONNECT, 0x18);
        fromProxy(40001, ESTABLISHED);
        assertThat(requests()).containsExactly("CONNECT " + HOST + " -");
        fromClient(40001, clientHello(HOST, List.of("h2"), 32), 0x18);
        assertThat(seen).extracting(Observation::kind).containsExactly(ObservationKind.HTTP_REQUEST,
                ObservationKind.TLS_SNI);

        open(40002);
        fromClient(40002, CONNECT, 0x18);
        fromProxy(40002, ascii("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"));
        assertThat(requests()).as("a proxy's refusal is still an attempt").hasSize(2);
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void answerNotCaptured_clientBytesDecide() {
        // a tap that sees only the client's side: another CONNECT means the first was refused
        open(40003);
        fromClient(40003, CONNECT, 0x18);
        fromClient(40003, CONNECT_BASIC, 0x18);
        assertThat(requests()).containsExactly("CONNECT " + HOST + " erin");
        // the tunnel's first bytes mean it was opened: the CONNECT goes first, then the hello
        open(40004);
        fromClient(40004, CONNECT, 0x18);
        fromClient(40004, clientHello(HOST, List.of("h2"), 32), 0x18);
        assertThat(seen.subList(1, seen.size())).extracting(Observation::kind)
                .containsExactly(ObservationKind.HTTP_REQUEST, ObservationKind.TLS_SNI);
        assertThat(seen.get(1).user()).isNull();
    }

    @Test
    void flowEndsUnanswered_isReportedBeforeItsEnd() {
        open(40005);
        fromClient(40005, CONNECT, 0x18);
        fromClient(40005, new byte[0], 0x11); // FIN
        frame(ip(PROXY, CLIENT, 6, tcp(3128, 40005, proxySeq, 0x11, new byte[0])));
        decoder.finish();
        assertThat(seen).extracting(Observation::kind).containsExactly(ObservationKind.HTTP_REQUEST,
                ObservationKind.FLOW_END);
        assertThat(seen.get(0).time()).isBefore(seen.get(1).time().plusNanos(1));
    }

    @Test
    void idleFlowExpires_heldConnectIsReportedByTick() {
        open(40006);
        fromClient(40006, CONNECT, 0x18);
        decoder.tick(time + 3_600_000_000_000L);
        assertThat(requests()).containsExactly("CONNECT " + HOST + " -");
    }

    @Test
    void helloRightBehindTheConnect_isNotHeld() {
        open(40007);
        fromClient(40007, concat(CONNECT, clientHello(HOST, List.of("h2"), 32)), 0x18);
        assertThat(seen).extracting(Observation::kind).containsExactly(ObservationKind.HTTP_REQUEST,
                ObservationKind.TLS_SNI);
    }

    @Test
    void moreThanTheCapWaiting_extraAreReportedAtOnceAndNoneIsLost() {
        step = 100_000; // all within the longest hold
        int n = PacketDecoder.MAX_HELD_REQUESTS + 3;
        for (int i = 0; i < n; i++) {
            open(20000 + i);
            fromClient(20000 + i, CONNECT, 0x18);
        }
        assertThat(requests()).hasSize(3);
        decoder.finish();
        assertThat(requests()).hasSize(n);
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).hasSize(n);
    }

    private static final String RUNTIME = "ollama.lab.example";
    private static final byte[] GET = ascii("GET http://" + RUNTIME + ":11434/api/tags HTTP/1.1\r\nHost: " + RUNTIME
            + ":11434\r\nProxy-Connection: Keep-Alive\r\n\r\n");
    private static final byte[] GET_BASIC = ascii("GET http://" + RUNTIME + ":11434/api/tags HTTP/1.1\r\nHost: " + RUNTIME
            + ":11434\r\nProxy-Authorization: Basic " + Base64.getEncoder().encodeToString(ascii("erin:SYNTHETIC-pw"))
            + "\r\n\r\n");
    private static final byte[] OK = ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}");

    private List<String> gets() {
        return seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST)
                .map(o -> o.method() + " " + o.hostname() + o.urlPath() + " " + (o.user() == null ? "-" : o.user()))
                .toList();
    }

    @Test
    void absoluteFormGetChallenged_reportsOnlyTheAuthenticatedOne() {
        open(41000);
        fromClient(41000, GET, 0x18);
        assertThat(seen).as("held until the proxy answers").isEmpty();
        fromProxy(41000, CHALLENGE);
        fromClient(41000, GET_BASIC, 0x18);
        fromProxy(41000, OK);
        decoder.finish();
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags erin");
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.FLOW_END).singleElement()
                .satisfies(o -> assertThat(o.user()).isEqualTo("erin"));
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void absoluteFormGetAnsweredOrUnanswered_isReported() {
        // a proxy that asks for nothing: reported at its answer
        open(41001);
        fromClient(41001, GET, 0x18);
        fromProxy(41001, OK);
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags -");
        // the next request on the connection, to another host, is held as well: the proxy may want
        // credentials for it too; reported at its answer
        fromClient(41001, ascii("GET http://chatgpt.com/ HTTP/1.1\r\nHost: chatgpt.com\r\n\r\n"), 0x18);
        assertThat(gets()).hasSize(1);
        fromProxy(41001, OK);
        assertThat(gets()).hasSize(2).last().isEqualTo("GET chatgpt.com/ -");
        // only the client's side seen: a second GET means the first was refused
        open(41002);
        fromClient(41002, GET, 0x18);
        fromClient(41002, GET_BASIC, 0x18);
        assertThat(gets()).hasSize(3).last().isEqualTo("GET " + RUNTIME + "/api/tags erin");
        // unanswered: reported when the flow ends
        open(41003);
        fromClient(41003, GET, 0x18);
        decoder.finish();
        assertThat(gets()).hasSize(4).last().isEqualTo("GET " + RUNTIME + "/api/tags -");
    }

    @Test
    void laterRequestToAnotherHostChallenged_reportedOnlyWithTheUser() {
        open(41010);
        fromClient(41010, GET, 0x18);
        fromProxy(41010, OK);
        fromClient(41010, ascii("GET http://chatgpt.com/ HTTP/1.1\r\nHost: chatgpt.com\r\n\r\n"), 0x18);
        fromProxy(41010, CHALLENGE);
        fromClient(41010, ascii("GET http://chatgpt.com/ HTTP/1.1\r\nHost: chatgpt.com\r\nProxy-Authorization: Basic "
                + Base64.getEncoder().encodeToString(ascii("erin:SYNTHETIC-pw")) + "\r\n\r\n"), 0x18);
        fromProxy(41010, OK);
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags -", "GET chatgpt.com/ erin");
    }

    @Test
    void connectionNamedByAnUnwantedHost_laterRequestReportedAtOnce() {
        // an audit wants only the catalog's names: a flow named by another host never reaches its end's
        // report, so nothing could be held until then
        PacketDecoder filtered = new PacketDecoder("test.pcap", seen::add, anomalies);
        filtered.onlyNames(h -> !h.equals("intranet.example"));
        byte[] first = ascii("GET http://intranet.example/ HTTP/1.1\r\nHost: intranet.example\r\n\r\n");
        long t = time;
        int port = 41011;
        for (byte[] f : List.of(ip(CLIENT, PROXY, 6, tcp(port, 3128, clientSeq - 1, 0x02, new byte[0])),
                ip(PROXY, CLIENT, 6, tcp(3128, port, proxySeq - 1, 0x12, new byte[0])),
                ip(CLIENT, PROXY, 6, tcp(port, 3128, clientSeq, 0x18, first)),
                ip(PROXY, CLIENT, 6, tcp(3128, port, proxySeq, 0x18, OK)),
                ip(CLIENT, PROXY, 6, tcp(port, 3128, clientSeq + first.length, 0x18, GET)))) {
            byte[] e = ethernet(f);
            filtered.onPacket(1, t += 1_000_000, e, 0, e.length, e.length);
        }
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags -");
    }

    @Test
    void laterRequestCutInsideItsMethod_isStillRead() {
        // a client that writes a few bytes at a time: the connection's second request line arrives as
        // "PO", "ST /api/chat ..." (found by the random conversations below)
        withBodies();
        open(41012);
        fromClient(41012, ascii("GET /api/tags HTTP/1.1\r\nHost: " + RUNTIME + ":11434\r\n\r\n"), 0x18);
        fromProxy(41012, OK);
        byte[] post = ascii("POST /api/chat HTTP/1.1\r\nHost: " + RUNTIME + ":11434\r\nContent-Length: 7\r\n\r\n{\"a\":1}");
        fromClient(41012, java.util.Arrays.copyOfRange(post, 0, 2), 0x18);
        fromClient(41012, java.util.Arrays.copyOfRange(post, 2, post.length), 0x18);
        fromProxy(41012, OK);
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags -", "POST " + RUNTIME + "/api/chat -");
        assertThat(bodies).containsExactly("- {\"a\":1}");
        // a short uppercase segment that never becomes a request costs nothing but its stream
        fromClient(41012, ascii("ABC"), 0x18);
        fromClient(41012, ascii("def"), 0x18);
        assertThat(gets()).hasSize(2);
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void originFormOrPipelined_heldOnlyWhereTheServersAnswersAreSeenAndNothingFollows() {
        // what a client sends a server directly, the server's answers captured: held until the answer
        open(41004);
        fromClient(41004, ascii("GET /api/tags HTTP/1.1\r\nHost: " + RUNTIME + ":11434\r\n\r\n"), 0x18);
        assertThat(gets()).isEmpty();
        fromProxy(41004, OK);
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags -");
        // only the client's direction captured (no handshake seen): no 401 could settle it, reported at once
        fromClient(41005, ascii("GET /api/ps HTTP/1.1\r\nHost: " + RUNTIME + ":11434\r\n\r\n"), 0x18);
        assertThat(gets()).hasSize(2).last().isEqualTo("GET " + RUNTIME + "/api/ps -");
        // more behind the body than the body: the client did not wait for an answer
        open(41006);
        fromClient(41006, concat(post(null, "{}"), GET), 0x18);
        assertThat(gets()).hasSize(3).last().isEqualTo("POST " + RUNTIME + "/api/chat -");
        // a host's daemon does not hold it: it attributes the request to its process while the packet is handled
        List<Observation> host = new ArrayList<>();
        PacketDecoder notHolding = new PacketDecoder("test.pcap", host::add, anomalies);
        byte[] syn = ethernet(ip(CLIENT, PROXY, 6, tcp(41007, 3128, 100, 0x02, new byte[0])));
        byte[] synAck = ethernet(ip(PROXY, CLIENT, 6, tcp(3128, 41007, 500, 0x12, new byte[0])));
        byte[] get = ethernet(ip(CLIENT, PROXY, 6, tcp(41007, 3128, 101, 0x18, origin("GET", null, null))));
        for (byte[] f : List.of(syn, synAck, get)) {
            notHolding.onPacket(1, time += 1_000_000, f, 0, f.length, f.length);
        }
        assertThat(host).extracting(Observation::kind).containsExactly(ObservationKind.HTTP_REQUEST);
    }

    @Test
    void asATap_requestsToServersAreHeldToo() {
        List<Observation> tapSeen = new ArrayList<>();
        PacketDecoder tap = new PacketDecoder("test.pcap", tapSeen::add, anomalies);
        tap.nameClientsAsTap(); // what umbra audit, observe and capture do
        byte[] syn = ethernet(ip(CLIENT, PROXY, 6, tcp(41009, 3128, 100, 0x02, new byte[0])));
        byte[] synAck = ethernet(ip(PROXY, CLIENT, 6, tcp(3128, 41009, 500, 0x12, new byte[0])));
        byte[] get = ethernet(ip(CLIENT, PROXY, 6, tcp(41009, 3128, 101, 0x18, origin("GET", null, null))));
        for (byte[] f : List.of(syn, synAck, get)) {
            tap.onPacket(1, time += 1_000_000, f, 0, f.length, f.length);
        }
        assertThat(tapSeen).isEmpty();
        byte[] challenge = ethernet(ip(PROXY, CLIENT, 6, tcp(3128, 41009, 501, 0x18, UNAUTHORIZED_EMPTY)));
        tap.onPacket(1, time += 1_000_000, challenge, 0, challenge.length, challenge.length);
        byte[] again = ethernet(ip(CLIENT, PROXY, 6, tcp(41009, 3128, 101 + origin("GET", null, null).length, 0x18,
                origin("GET", basic("ivan"), null))));
        tap.onPacket(1, time += 1_000_000, again, 0, again.length, again.length);
        assertThat(tapSeen).extracting(Observation::user).containsExactly("ivan");
    }

    // --- a server behind a login (curl --anyauth, a browser, an NTLM or Negotiate gateway): 401, then again

    private static final byte[] UNAUTHORIZED = ascii("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"gw\"\r\n"
            + "Content-Length: 12\r\n\r\n");

    private static byte[] origin(String method, String authorization, String body) {
        return ascii(method + " /v1/chat/completions HTTP/1.1\r\nHost: " + RUNTIME + "\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                + "\r\n" + (body == null ? "" : body));
    }

    private static String basic(String user) {
        return "Basic " + Base64.getEncoder().encodeToString(ascii(user + ":SYNTHETIC-pw"));
    }

    @Test
    void originChallenged401ThenSentAgain_reportedOnceWithTheUserAndOneBody() {
        withBodies();
        open(41100);
        fromClient(41100, origin("POST", null, "{\"q\":1}"), 0x18);
        fromProxy(41100, UNAUTHORIZED);
        fromProxy(41100, ascii("unauthorized")); // the rest of the 401's answer settles nothing
        assertThat(gets()).isEmpty();
        fromClient(41100, origin("POST", basic("frank"), "{\"q\":1}"), 0x18);
        fromProxy(41100, OK);
        assertThat(gets()).containsExactly("POST " + RUNTIME + "/v1/chat/completions frank");
        assertThat(bodies).containsExactly("frank {\"q\":1}");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void originNtlm_theAnonymousTryAndTheFirstLegAreNotReported_theUserIs() {
        open(41101);
        fromClient(41101, origin("GET", null, null), 0x18);
        fromProxy(41101, ascii("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n"));
        fromClient(41101, origin("GET", "NTLM TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=", null), 0x18); // NEGOTIATE
        fromProxy(41101, ascii("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: NTLM TlRMTVNTUAACAAAA\r\n"
                + "Content-Length: 0\r\n\r\n"));
        byte[] authenticate = dev.umbra.sensor.smb.SmbFrames.ntlmAuthenticate("CORP", "grace", "WS01", true, true);
        fromClient(41101, origin("GET", "NTLM " + Base64.getEncoder().encodeToString(authenticate), null), 0x18);
        fromProxy(41101, OK);
        // later requests on the authenticated connection carry no header: the connection's user
        fromClient(41101, origin("GET", null, null), 0x18);
        fromProxy(41101, OK);
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/v1/chat/completions CORP\\grace",
                "GET " + RUNTIME + "/v1/chat/completions CORP\\grace");
    }

    @Test
    void origin401WithoutASecondTry_orAnsweredOrAnotherMethodNext_isReported() {
        // refused, and the client gives up: the connection ends
        open(41102);
        fromClient(41102, origin("GET", null, null), 0x18);
        fromProxy(41102, UNAUTHORIZED);
        fromClient(41102, new byte[0], 0x11);
        frame(ip(PROXY, CLIENT, 6, tcp(3128, 41102, proxySeq, 0x11, new byte[0])));
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/v1/chat/completions -");
        // refused, and the client asks something else next
        open(41103);
        fromClient(41103, origin("GET", null, null), 0x18);
        fromProxy(41103, UNAUTHORIZED);
        fromClient(41103, origin("POST", null, "{}"), 0x18);
        assertThat(gets()).hasSize(2);
        // two requests of one method, the first's answer not captured (a lost segment): two requests
        open(41104);
        fromClient(41104, origin("GET", null, null), 0x18);
        fromClient(41104, origin("GET", null, null), 0x18);
        assertThat(gets()).hasSize(3);
        fromProxy(41104, OK);
        assertThat(gets()).hasSize(4);
        // with credentials the first time: not held
        open(41105);
        fromClient(41105, origin("GET", basic("heidi"), null), 0x18);
        assertThat(gets()).hasSize(5).last().isEqualTo("GET " + RUNTIME + "/v1/chat/completions heidi");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void onHold_eachHeldRequestPassesOnceAndWhatItGivesIsReportedWithItsBody_othersPassNot() {
        withBodies();
        List<String> passed = new ArrayList<>();
        decoder.onHold(o -> {
            passed.add(o.method() + " " + o.clientPort());
            return o.withActor("svc-" + o.clientPort(), "attributed-at-hold");
        });
        open(41110);
        fromClient(41110, origin("POST", null, "{\"q\":2}"), 0x18);
        assertThat(passed).as("as it is held, before any answer").containsExactly("POST 41110");
        fromProxy(41110, OK);
        open(41111);
        fromClient(41111, CONNECT, 0x18);
        fromProxy(41111, ESTABLISHED);
        fromClient(41111, clientHello(HOST, List.of("h2"), 32), 0x18);
        open(41112);
        fromClient(41112, origin("GET", basic("heidi"), null), 0x18); // credentials: not held
        open(41113);
        fromClient(41113, origin("GET", null, null), 0x18);
        fromProxy(41113, UNAUTHORIZED);
        fromClient(41113, origin("GET", basic("heidi"), null), 0x18); // dropped: passed, never reported
        decoder.finish();
        assertThat(passed).containsExactly("POST 41110", "CONNECT 41111", "GET 41113");
        assertThat(seen).filteredOn(o -> o.kind() == ObservationKind.HTTP_REQUEST)
                .extracting(o -> o.method() + " " + o.user() + " " + o.process())
                .containsExactly("POST svc-41110 attributed-at-hold", "CONNECT svc-41111 attributed-at-hold",
                        "GET heidi null", "GET heidi null");
        assertThat(bodies).as("the body goes with what the hook gave").containsExactly("svc-41110 {\"q\":2}");
        assertThat(anomalies.nonZero()).isEmpty();
    }

    @Test
    void heldAndNothingSettlesIt_reportedAfterTheLongestHold_byALaterPacketOrATick() {
        open(41106);
        fromClient(41106, origin("GET", null, null), 0x18);
        open(41107);
        fromClient(41107, CONNECT, 0x18);
        assertThat(gets()).isEmpty();
        time += PacketDecoder.MAX_HOLD_NANOS - 2_000_000;
        open(41108); // packets of another connection, past the first request's longest hold, not the CONNECT's
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/v1/chat/completions -");
        decoder.tick(time + PacketDecoder.MAX_HOLD_NANOS);
        assertThat(requests()).hasSize(2).last().isEqualTo("CONNECT " + HOST + " -");
    }

    // --- requests with a body: curl --proxy-anyauth -d sends the whole POST, is challenged, sends it again

    private final List<String> bodies = new ArrayList<>();

    private void withBodies() {
        decoder.onHttpBodies(1 << 16, (request, body, complete, type, encoding) -> {
            assertThat(seen).as("the request goes before its body").contains(request);
            bodies.add((request.user() == null ? "-" : request.user()) + " " + new String(body, StandardCharsets.UTF_8)
                    + (complete ? "" : " (cut)"));
        });
    }

    private static byte[] post(String user, String body) {
        return ascii("POST http://" + RUNTIME + ":11434/api/chat HTTP/1.1\r\nHost: " + RUNTIME + ":11434\r\n"
                + (user == null ? "" : "Proxy-Authorization: Basic "
                        + Base64.getEncoder().encodeToString(ascii(user + ":SYNTHETIC-pw")) + "\r\n")
                + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
    }

    @Test
    void absoluteFormPostChallenged_neitherTheFirstTryNorItsBodyIsReported() {
        withBodies();
        open(42000);
        fromClient(42000, post(null, "{\"prompt\":\"first\"}"), 0x18);
        assertThat(seen).as("held, with its body, until the proxy answers").isEmpty();
        assertThat(bodies).isEmpty();
        fromProxy(42000, CHALLENGE);
        fromClient(42000, post("erin", "{\"prompt\":\"first\"}"), 0x18);
        fromProxy(42000, OK);
        decoder.finish();
        assertThat(gets()).containsExactly("POST " + RUNTIME + "/api/chat erin");
        assertThat(bodies).containsExactly("erin {\"prompt\":\"first\"}");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void postChallengedWhileItsBodyIsStillComing_theRestIsNotTakenForARequest() {
        // Squid answers 407 on the head alone; the client finishes its body, then sends it again
        withBodies();
        String body = "{\"prompt\":\"" + "x".repeat(3000) + "\"}";
        byte[] first = post(null, body);
        int split = first.length - 2000;
        open(42001);
        fromClient(42001, java.util.Arrays.copyOfRange(first, 0, split), 0x18);
        fromProxy(42001, CHALLENGE);
        fromClient(42001, java.util.Arrays.copyOfRange(first, split, first.length), 0x18);
        byte[] again = post("erin", body);
        fromClient(42001, java.util.Arrays.copyOfRange(again, 0, 700), 0x18);
        fromClient(42001, java.util.Arrays.copyOfRange(again, 700, again.length), 0x18);
        fromProxy(42001, OK);
        decoder.finish();
        assertThat(gets()).containsExactly("POST " + RUNTIME + "/api/chat erin");
        assertThat(bodies).containsExactly("erin " + body);
    }

    @Test
    void postAnsweredUnansweredOrOnlyTheClientSeen_requestThenBody() {
        withBodies();
        // answered after the whole body: the request, then its body
        open(42002);
        fromClient(42002, post(null, "{\"a\":1}"), 0x18);
        fromProxy(42002, OK);
        assertThat(gets()).containsExactly("POST " + RUNTIME + "/api/chat -");
        assertThat(bodies).containsExactly("- {\"a\":1}");
        // answered before the body is all there: the request at the answer, the body when read
        byte[] b = post(null, "{\"b\":2}");
        open(42003);
        fromClient(42003, java.util.Arrays.copyOfRange(b, 0, b.length - 3), 0x18);
        fromProxy(42003, ascii("HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"));
        assertThat(gets()).hasSize(2);
        assertThat(bodies).hasSize(1);
        fromClient(42003, java.util.Arrays.copyOfRange(b, b.length - 3, b.length), 0x18);
        assertThat(bodies).hasSize(2).last().isEqualTo("- {\"b\":2}");
        // only the client's side: the same request again, with a user, means the first was refused
        open(42004);
        fromClient(42004, post(null, "{\"c\":3}"), 0x18);
        fromClient(42004, post("erin", "{\"c\":3}"), 0x18);
        assertThat(gets()).hasSize(3).last().isEqualTo("POST " + RUNTIME + "/api/chat erin");
        assertThat(bodies).hasSize(3).last().isEqualTo("erin {\"c\":3}");
        // never answered, the body cut by the capture's end: both go at the end
        byte[] d = post(null, "{\"d\":4}");
        open(42005);
        fromClient(42005, java.util.Arrays.copyOfRange(d, 0, d.length - 2), 0x18);
        decoder.finish();
        assertThat(gets()).hasSize(4).last().isEqualTo("POST " + RUNTIME + "/api/chat -");
        assertThat(bodies).hasSize(4).last().isEqualTo("- {\"d\": (cut)");
    }

    /** A POST with a chunked body (RFC 9112 7.1), its chunks as given, then the last chunk and an empty trailer section. */
    private static byte[] chunkedPost(String user, String trailer, String... chunks) {
        StringBuilder b = new StringBuilder("POST http://" + RUNTIME + ":11434/api/chat HTTP/1.1\r\nHost: " + RUNTIME
                + ":11434\r\n" + (user == null ? "" : "Proxy-Authorization: Basic "
                        + Base64.getEncoder().encodeToString(ascii(user + ":SYNTHETIC-pw")) + "\r\n")
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (String chunk : chunks) {
            b.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        return ascii(b.append("0\r\n").append(trailer).append("\r\n").toString());
    }

    @Test
    void chunkedPostChallenged_neitherTheFirstTryNorItsBodyIsReported() {
        // curl --proxy-anyauth -H 'Transfer-Encoding: chunked' -d ...: the 407 comes on the head, in
        // the body or after it; the client sends the POST again with its user
        withBodies();
        String[] chunks = {"{\"prompt\":", "\"" + "y".repeat(2500) + "\"", "}"};
        String body = String.join("", chunks);
        byte[] first = chunkedPost(null, "", chunks);
        int[] answerAt = {first.length - body.length() - 40, first.length - 1000, first.length};
        for (int i = 0; i < answerAt.length; i++) {
            int port = 42100 + i;
            seen.clear();
            bodies.clear();
            open(port);
            fromClient(port, java.util.Arrays.copyOfRange(first, 0, answerAt[i]), 0x18);
            assertThat(seen).as("held until the proxy answers").isEmpty();
            fromProxy(port, CHALLENGE);
            fromClient(port, java.util.Arrays.copyOfRange(first, answerAt[i], first.length), 0x18);
            byte[] again = chunkedPost("erin", "", chunks);
            fromClient(port, java.util.Arrays.copyOfRange(again, 0, 900), 0x18);
            fromClient(port, java.util.Arrays.copyOfRange(again, 900, again.length), 0x18);
            fromProxy(port, OK);
            assertThat(gets()).as("407 at byte %d", answerAt[i]).containsExactly("POST " + RUNTIME + "/api/chat erin");
            assertThat(bodies).as("407 at byte %d", answerAt[i]).containsExactly("erin " + body);
        }
        decoder.finish();
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void chunkedPostOnlyTheClientSeen_theEndOfItsBodyIsFoundThroughItsTrailers() {
        // a tap that sees the client's side alone: what the client sends after the body's end decides
        withBodies();
        open(42110);
        fromClient(42110, chunkedPost(null, "X-Checksum: 1\r\nX-More: 2\r\n", "{\"c\":", "3}"), 0x18);
        assertThat(seen).isEmpty();
        fromClient(42110, chunkedPost("erin", "", "{\"c\":3}"), 0x18);
        assertThat(gets()).containsExactly("POST " + RUNTIME + "/api/chat erin");
        assertThat(bodies).containsExactly("erin {\"c\":3}");
        // the body's bytes, split anywhere, settle nothing; a GET after it was something else: taken
        byte[] post = chunkedPost(null, "", "{\"d\":", "4}");
        open(42111);
        for (int i = 0; i < post.length; i += 7) {
            fromClient(42111, java.util.Arrays.copyOfRange(post, i, Math.min(post.length, i + 7)), 0x18);
            assertThat(gets()).as("after byte %d", i).hasSize(1);
        }
        fromClient(42111, GET, 0x18);
        assertThat(gets()).hasSize(2).last().isEqualTo("POST " + RUNTIME + "/api/chat -");
        assertThat(bodies).hasSize(2).last().isEqualTo("- {\"d\":4}");
        // never answered, never ended by the client: reported at the flow's end, with its body (and the
        // GET above, held in its turn)
        open(42112);
        fromClient(42112, chunkedPost(null, "", "{\"e\":5}"), 0x18);
        decoder.finish();
        assertThat(gets()).hasSize(4);
        assertThat(gets().subList(2, 4)).containsExactlyInAnyOrder("POST " + RUNTIME + "/api/chat -",
                "GET " + RUNTIME + "/api/tags -");
        assertThat(bodies).hasSize(3).last().isEqualTo("- {\"e\":5}");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void chunkedBodysLastCrlfInASegmentOfItsOwn_theNextRequestIsStillRead() {
        // "\r\n" alone looks like the start of a PROXY protocol v2 header, which only opens a connection
        withBodies();
        open(42120);
        byte[] first = chunkedPost("erin", "", "{\"c\":3}");
        fromClient(42120, java.util.Arrays.copyOfRange(first, 0, first.length - 2), 0x18);
        fromProxy(42120, OK);
        fromClient(42120, java.util.Arrays.copyOfRange(first, first.length - 2, first.length), 0x18);
        fromClient(42120, post(null, "{\"x\":1}"), 0x18);
        fromProxy(42120, OK);
        assertThat(gets()).containsExactly("POST " + RUNTIME + "/api/chat erin", "POST " + RUNTIME + "/api/chat erin");
        assertThat(bodies).containsExactly("erin {\"c\":3}", "erin {\"x\":1}");
        assertThat(anomalies.total()).isZero();
    }

    @Test
    void retransmittedHeadOfAHeldRequest_settlesNothing() {
        open(42006);
        fromClient(42006, GET, 0x18);
        clientSeq -= GET.length;
        fromClient(42006, GET, 0x18); // the same segment again
        assertThat(gets()).as("a retransmission is not a second try").isEmpty();
        fromProxy(42006, CHALLENGE);
        fromClient(42006, GET_BASIC, 0x18);
        fromProxy(42006, OK);
        assertThat(gets()).containsExactly("GET " + RUNTIME + "/api/tags erin");
    }

    /**
     * Seeded random proxy conversations: each exchange is a GET or a POST with a body of random
     * length (Content-Length or chunked in random chunks, sometimes with trailer fields), tried without credentials and challenged (then sent again with them), sent with them,
     * or taken without; the client's bytes go in segments of random sizes, and the proxy answers right
     * after the head, somewhere in the body, or after it. Whatever the split, every request the proxy
     * took is reported once, after nothing of a refused one, and every body once, after its request.
     */
    @Test
    void randomConversations_eachTakenRequestOnceWithItsBodyNoRefusedOne() {
        java.util.Random random = new java.util.Random(20261122);
        for (int round = 0; round < 2_000; round++) {
            seen.clear();
            bodies.clear();
            List<String> expected = new ArrayList<>();
            List<String> expectedBodies = new ArrayList<>();
            PacketDecoder d = new PacketDecoder("test.pcap", seen::add, anomalies);
            d.holdRequestsUntilAnswered();
            d.onHttpBodies(1 << 16, (request, body, complete, type, encoding) -> {
                assertThat(seen).as("the request goes before its body").anyMatch(o -> o == request);
                bodies.add(request.user() + " " + new String(body, StandardCharsets.UTF_8) + (complete ? "" : " (cut)"));
            });
            // odd rounds: the client talks to the server itself, which challenges with 401
            boolean origin = round % 2 == 1;
            Conversation c = new Conversation(d, 30000 + round % 20000, random, origin);
            c.open();
            String flowUser = null;
            int exchanges = 1 + random.nextInt(4);
            for (int x = 0; x < exchanges; x++) {
                String body = random.nextInt(3) == 0 ? "" : "{\"p\":\"" + "abcdefghij".repeat(random.nextInt(300)) + x + "\"}";
                String path = "/api/" + round + "/" + x;
                switch (random.nextInt(4)) {
                    case 0 -> {
                        // challenged, then sent again with credentials
                        c.request(null, path, body, origin ? UNAUTHORIZED_EMPTY : CHALLENGE);
                        c.request("erin", path, body, OK);
                        flowUser = "erin";
                        expected.add(path + " erin");
                        if (!body.isEmpty()) {
                            expectedBodies.add("erin " + body);
                        }
                    }
                    case 1 -> {
                        c.request("erin", path, body, OK);
                        flowUser = "erin";
                        expected.add(path + " erin");
                        if (!body.isEmpty()) {
                            expectedBodies.add("erin " + body);
                        }
                    }
                    case 3 -> {
                        // challenged, and the client gives up: a proxy forwarded nothing, a server was reached
                        c.request(null, path, body, origin ? UNAUTHORIZED_EMPTY : CHALLENGE);
                        if (origin) {
                            expected.add(path + " " + flowUser);
                            if (!body.isEmpty()) {
                                expectedBodies.add(flowUser + " " + body);
                            }
                        }
                    }
                    default -> {
                        // a proxy or server that wants nothing (or a connection it already knows)
                        c.request(null, path, body, OK);
                        expected.add(path + " " + flowUser);
                        if (!body.isEmpty()) {
                            expectedBodies.add(flowUser + " " + body);
                        }
                    }
                }
            }
            d.finish();
            List<Observation> requests = seen.stream().filter(o -> o.kind() == ObservationKind.HTTP_REQUEST).toList();
            assertThat(requests.stream().map(o -> o.urlPath() + " " + o.user()).toList()).as("round %d", round)
                    .containsExactlyElementsOf(expected);
            assertThat(bodies).as("round %d", round).containsExactlyElementsOf(expectedBodies);
        }
        assertThat(anomalies.total()).isZero();
    }

    private static final byte[] UNAUTHORIZED_EMPTY = ascii("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic "
            + "realm=\"gw\"\r\nContent-Length: 0\r\n\r\n");

    /** One client connection to the proxy (or the server itself), its bytes sent in random segments. */
    private final class Conversation {
        private final PacketDecoder d;
        private final int port;
        private final java.util.Random random;
        private final boolean origin;
        private long cSeq = 1001;
        private long pSeq = 5001;
        private long t = time;

        Conversation(PacketDecoder d, int port, java.util.Random random, boolean origin) {
            this.d = d;
            this.port = port;
            this.random = random;
            this.origin = origin;
        }

        void open() {
            frame(ip(CLIENT, PROXY, 6, tcp(port, 3128, cSeq - 1, 0x02, new byte[0])));
            frame(ip(PROXY, CLIENT, 6, tcp(3128, port, pSeq - 1, 0x12, new byte[0])));
        }

        /** Sends one request in random segments; the proxy answers once the head is out. */
        void request(String user, String path, String body, byte[] answer) {
            boolean chunked = !body.isEmpty() && random.nextBoolean();
            String head = (body.isEmpty() ? "GET" : "POST") + " " + (origin ? "" : "http://" + RUNTIME + ":11434") + path
                    + " HTTP/1.1\r\nHost: " + RUNTIME + ":11434\r\n" + (user == null ? ""
                            : (origin ? "Authorization: Basic " : "Proxy-Authorization: Basic ")
                            + Base64.getEncoder().encodeToString(ascii(user + ":SYNTHETIC-pw")) + "\r\n")
                    + (body.isEmpty() ? "" : "Content-Type: application/json\r\n" + (chunked
                            ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length()) + "\r\n")
                    + "\r\n";
            String wire = body;
            if (chunked) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < body.length(); ) {
                    int n = Math.min(body.length() - i, 1 + random.nextInt(600));
                    b.append(Integer.toHexString(n)).append("\r\n").append(body, i, i + n).append("\r\n");
                    i += n;
                }
                wire = b.append("0\r\n").append(random.nextInt(4) == 0 ? "X-Trailer: " + random.nextInt(9) + "\r\n" : "")
                        .append("\r\n").toString();
            }
            byte[] bytes = ascii(head + wire);
            int headLength = head.length();
            // where the answer comes: after the head, in the body, or after it all
            int answerAt = headLength + (body.isEmpty() ? 0 : random.nextInt(wire.length() + 1));
            int sent = 0;
            boolean answered = false;
            while (sent < bytes.length) {
                int n = Math.min(bytes.length - sent, 1 + random.nextInt(1400));
                if (!answered && sent < answerAt && sent + n > answerAt && random.nextBoolean()) {
                    n = answerAt - sent; // end a segment exactly where the answer comes
                }
                frame(ip(CLIENT, PROXY, 6, tcp(port, 3128, cSeq, 0x18, java.util.Arrays.copyOfRange(bytes, sent, sent + n))));
                cSeq += n;
                sent += n;
                if (!answered && sent >= answerAt) {
                    frame(ip(PROXY, CLIENT, 6, tcp(3128, port, pSeq, 0x18, answer)));
                    pSeq += answer.length;
                    answered = true;
                }
            }
        }

        private void frame(byte[] ipPacket) {
            byte[] f = ethernet(ipPacket);
            t += 1_000_000;
            d.onPacket(1, t, f, 0, f.length, f.length);
        }
    }
}
