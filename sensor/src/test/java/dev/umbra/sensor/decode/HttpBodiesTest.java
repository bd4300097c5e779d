package dev.umbra.sensor.decode;

import static dev.umbra.sensor.TestFrames.ethernet;
import static dev.umbra.sensor.TestFrames.ip;
import static dev.umbra.sensor.TestFrames.tcp;
import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.fuzz.Mutator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Plaintext request bodies handed to a {@link PacketDecoder.BodyListener}: whole, split, reordered, chunked, cut. */
class HttpBodiesTest {
    private record Body(Observation request, String text, boolean complete, String type, String encoding) {
    }

    private static final String PROMPT = "{\"model\":\"llama3\",\"prompt\":\"summarise the contract for ACME\"}";

    private final List<Observation> seen = new ArrayList<>();
    private final List<Body> bodies = new ArrayList<>();
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final PacketDecoder decoder = new PacketDecoder("test.pcap", seen::add, anomalies);

    HttpBodiesTest() {
        decoder.onHttpBodies(256, (o, b, complete, type, encoding) ->
                bodies.add(new Body(o, new String(b, StandardCharsets.ISO_8859_1), complete, type, encoding)));
    }

    private void segment(int dstPort, long seq, int flags, String payload) {
        byte[] frame = ethernet(ip("10.0.0.5", "10.0.0.9", 6, tcp(40000, dstPort, seq,
                flags, payload.getBytes(StandardCharsets.ISO_8859_1))));
        decoder.onPacket(1, 1_700_000_000_000_000_000L, frame, 0, frame.length, frame.length);
    }

    private static String post(String host, String headers, String body) {
        return "POST /api/generate HTTP/1.1\r\nHost: " + host + "\r\n" + headers + "\r\n" + body;
    }

    @Test
    void headAndBodyInOneSegment_bodyGoesToTheListenerWithItsRequest() {
        segment(11434, 1, 0x18, post("ollama.lan:11434", "Content-Type: application/json\r\nContent-Length: "
                + PROMPT.length() + "\r\n", PROMPT));
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo(PROMPT);
            assertThat(b.complete()).isTrue();
            assertThat(b.type()).isEqualTo("application/json");
            assertThat(b.request()).isSameAs(seen.get(0));
            assertThat(b.request().hostname()).isEqualTo("ollama.lan");
        });
    }

    @Test
    void bodySplitAcrossSegmentsOutOfOrder_isReassembled() {
        String head = post("ollama.lan", "Content-Length: " + PROMPT.length() + "\r\n", "");
        segment(11434, 99, 0x02, "");
        segment(11434, 100, 0x18, head + PROMPT.substring(0, 10));
        segment(11434, 100 + head.length() + 30, 0x18, PROMPT.substring(30));
        assertThat(bodies).isEmpty();
        segment(11434, 100 + head.length() + 10, 0x18, PROMPT.substring(10, 30));
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo(PROMPT);
            assertThat(b.complete()).isTrue();
        });
    }

    @Test
    void headSplitThenBody_isReadFromTheStream() {
        String head = post("ollama.lan", "Content-Length: " + PROMPT.length() + "\r\nContent-Encoding: identity\r\n", "");
        segment(11434, 9, 0x02, "");
        segment(11434, 10, 0x18, head.substring(0, 20));
        segment(11434, 10 + 20, 0x18, head.substring(20) + PROMPT.substring(0, 5));
        segment(11434, 10 + head.length() + 5, 0x18, PROMPT.substring(5));
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo(PROMPT);
            assertThat(b.encoding()).isEqualTo("identity");
        });
    }

    @Test
    void chunkedBody_isDechunked() {
        String chunked = "a;ext=1\r\n{\"prompt\":\r\n7\r\n\"hello\"\r\n1\r\n}\r\n0\r\n\r\n";
        segment(80, 1, 0x18, post("api.example", "Transfer-Encoding: chunked\r\n", chunked.substring(0, 15)));
        assertThat(bodies).isEmpty();
        segment(80, 1 + post("api.example", "Transfer-Encoding: chunked\r\n", "").length() + 15, 0x18,
                chunked.substring(15));
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo("{\"prompt\":\"hello\"}");
            assertThat(b.complete()).isTrue();
        });
    }

    @Test
    void bodyLongerThanTheCap_isCutAndCounted() {
        String big = "x".repeat(1000);
        segment(80, 1, 0x18, post("api.example", "Content-Length: 1000\r\n", big));
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).hasSize(256);
            assertThat(b.complete()).isFalse();
        });
        assertThat(anomalies.get(Anomaly.HTTP_BODY_TRUNCATED)).isEqualTo(1);
    }

    @Test
    void captureEndsMidBody_whatCameIsHandedOverIncomplete() {
        segment(80, 1, 0x18, post("api.example", "Content-Length: 100\r\n", "{\"prompt\":\"par"));
        assertThat(bodies).isEmpty();
        decoder.finish();
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo("{\"prompt\":\"par");
            assertThat(b.complete()).isFalse();
        });
    }

    @Test
    void brokenChunkFraming_keepsWhatCameBeforeAndCounts() {
        segment(80, 1, 0x18, post("api.example", "Transfer-Encoding: chunked\r\n", "5\r\nhelloXX3\r\nabc\r\n0\r\n\r\n"));
        assertThat(bodies).singleElement().satisfies(b -> {
            assertThat(b.text()).isEqualTo("hello");
            assertThat(b.complete()).isFalse();
        });
        assertThat(anomalies.get(Anomaly.HTTP_BODY_MALFORMED)).isEqualTo(1);
    }

    @Test
    void hostNotWanted_orNoBody_orNoListener_givesNoBody() {
        decoder.onlyNames(name -> !name.equals("quiet.example"));
        segment(80, 1, 0x18, post("quiet.example", "Content-Length: 2\r\n", "{}"));
        segment(80, 1, 0x18, "GET / HTTP/1.1\r\nHost: api.example\r\n\r\n");
        segment(80, 1, 0x18, post("api.example", "Content-Length: 0\r\n", ""));
        assertThat(bodies).isEmpty();
        PacketDecoder plain = new PacketDecoder("t", seen::add, anomalies);
        byte[] frame = ethernet(ip("10.0.0.5", "10.0.0.9", 6, tcp(40000, 80, 1, 0x18,
                post("api.example", "Content-Length: 2\r\n", "{}").getBytes(StandardCharsets.ISO_8859_1))));
        plain.onPacket(1, 0, frame, 0, frame.length, frame.length);
        assertThat(seen).hasSize(3); // the two requests wanted, and the plain decoder's
    }

    @Test
    void listenerNotWantingARequest_getsNoBodyAndNothingIsKept() {
        PacketDecoder d = new PacketDecoder("t", seen::add, anomalies);
        d.onHttpBodies(256, new PacketDecoder.BodyListener() {
            @Override
            public void body(Observation request, byte[] body, boolean complete, String type, String encoding) {
                bodies.add(new Body(request, new String(body, StandardCharsets.ISO_8859_1), complete, type, encoding));
            }

            @Override
            public boolean wants(Observation request) {
                return request.hostname().equals("api.example");
            }
        });
        for (String host : new String[] {"www.example", "api.example"}) {
            byte[] frame = ethernet(ip("10.0.0.5", "10.0.0.9", 6, tcp(40000, 80, 1, 0x18,
                    post(host, "Content-Length: 9\r\n", "{\"a\":").getBytes(StandardCharsets.ISO_8859_1))));
            d.onPacket(1, 0, frame, 0, frame.length, frame.length);
        }
        assertThat(seen).hasSize(2);
        d.finish();
        assertThat(bodies).singleElement().satisfies(b -> assertThat(b.request().hostname()).isEqualTo("api.example"));
    }

    @Test
    void mutatedRequestsWithBodies_neverThrowAndStayWithinTheCap() {
        byte[][] seeds = {
            post("api.example", "Content-Length: 40\r\n", "{\"prompt\":\"a much longer prompt\"}").getBytes(StandardCharsets.ISO_8859_1),
            post("api.example", "Transfer-Encoding: chunked\r\n", "4\r\nabcd\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1)};
        Mutator m = Mutator.forTest(31, 600);
        for (int i = 0; i < 200_000; i++) {
            byte[] payload = Arrays.copyOf(m.buffer(), m.mutate(seeds[i % 2]));
            long seq = 1000L * (i % 50);
            byte[] frame = ethernet(ip("10.0.0.5", "10.0.0." + (1 + i % 7), 6, tcp(40000 + i % 13, 80, seq, 0x18, payload)));
            decoder.onPacket(1, i * 1_000_000L, frame, 0, frame.length, frame.length);
        }
        decoder.finish();
        assertThat(anomalies.get(Anomaly.DECODER_ERROR)).isZero();
        assertThat(bodies).isNotEmpty().allSatisfy(b -> assertThat(b.text().length()).isLessThanOrEqualTo(256));
    }
}
