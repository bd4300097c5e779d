package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SuricataEveParserTest {
    private static final String HEAD = "{\"timestamp\":\"2023-03-01T12:00:00.250000+0100\",\"flow_id\":1,\"in_iface\":\"eth0\",";

    @Test
    void parse_dnsQueryV2_emitsQuery() {
        Logs l = Logs.detect(HEAD + "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.2\",\"src_port\":5353,\"dest_ip\":\"10.0.0.1\","
                + "\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{\"type\":\"query\",\"id\":1,\"rrname\":\"chat.deepseek.com\",\"rrtype\":\"A\"}}");
        assertThat(l.stream.format()).isEqualTo(LogFormat.SURICATA);
        Observation o = l.only();
        assertThat(o.kind()).isEqualTo(ObservationKind.DNS_QUERY);
        assertThat(o.hostname()).isEqualTo("chat.deepseek.com");
        assertThat(o.time()).isEqualTo(Instant.parse("2023-03-01T11:00:00.25Z"));
    }

    @Test
    void parse_dnsAnswerGrouped_emitsAnswerWithClientAsDestination() {
        Observation o = Logs.read(LogFormat.SURICATA, HEAD + "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"src_port\":53,"
                + "\"dest_ip\":\"10.0.0.2\",\"dest_port\":5353,\"dns\":{\"version\":2,\"type\":\"answer\",\"rrname\":\"x.ai\","
                + "\"grouped\":{\"A\":[\"1.2.3.4\",\"5.6.7.8\"],\"CNAME\":[\"c.x.ai\"]}}}").only();
        assertThat(o.kind()).isEqualTo(ObservationKind.DNS_ANSWER);
        assertThat(o.clientIp()).isEqualTo("10.0.0.2");
        assertThat(o.answers()).containsExactly("1.2.3.4", "5.6.7.8", "c.x.ai");
    }

    @Test
    void parse_dnsV3Response_readsQueriesAndAnswers() {
        Observation o = Logs.read(LogFormat.SURICATA, HEAD + "\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\",\"dest_ip\":\"10.0.0.2\","
                + "\"dns\":{\"version\":3,\"type\":\"response\",\"queries\":[{\"rrname\":\"poe.com\",\"rrtype\":\"A\"}],"
                + "\"answers\":[{\"rrname\":\"poe.com\",\"rrtype\":\"A\",\"rdata\":\"9.9.9.9\"}]}}").only();
        assertThat(o.hostname()).isEqualTo("poe.com");
        assertThat(o.answers()).containsExactly("9.9.9.9");
    }

    @Test
    void parse_tlsAndQuic_emitSni() {
        Logs l = Logs.read(LogFormat.SURICATA, HEAD + "\"event_type\":\"tls\",\"src_ip\":\"10.0.0.2\",\"dest_ip\":\"1.1.1.1\","
                + "\"dest_port\":443,\"tls\":{\"sni\":\"claude.ai\",\"version\":\"TLS 1.3\"}}\n"
                + HEAD + "\"event_type\":\"quic\",\"src_ip\":\"10.0.0.2\",\"dest_ip\":\"1.1.1.1\",\"quic\":{\"sni\":\"gemini.google.com\"}}\n");
        assertThat(l.observations).extracting(Observation::kind).containsExactly(ObservationKind.TLS_SNI, ObservationKind.QUIC_SNI);
        assertThat(l.observations).extracting(Observation::hostname).containsExactly("claude.ai", "gemini.google.com");
    }

    @Test
    void parse_http_readsRequest() {
        Observation o = Logs.read(LogFormat.SURICATA, HEAD + "\"event_type\":\"http\",\"src_ip\":\"10.0.0.2\",\"src_port\":40000,"
                + "\"dest_ip\":\"1.1.1.1\",\"dest_port\":80,\"http\":{\"hostname\":\"ollama.example\",\"url\":\"/api/generate?k=1\","
                + "\"http_method\":\"POST\",\"status\":200,\"length\":77}}").only();
        assertThat(o.kind()).isEqualTo(ObservationKind.HTTP_REQUEST);
        assertThat(o.urlPath()).isEqualTo("/api/generate");
        assertThat(o.method()).isEqualTo("POST");
        assertThat(o.bytesIn()).isEqualTo(77);
    }

    @Test
    void parse_flowEvent_isSkipped() {
        Logs l = Logs.read(LogFormat.SURICATA, HEAD + "\"event_type\":\"flow\",\"src_ip\":\"10.0.0.2\"}");
        assertThat(l.stats.skippedRecords()).isEqualTo(1);
        assertThat(l.stats.badLines()).isZero();
    }

    @Test
    void parse_badJsonAndMissingType_counted() {
        Logs l = Logs.read(LogFormat.SURICATA, "{\"event_type\":\"dns\",\n{\"a\":1}\n{\"event_type\":\"tls\",\"timestamp\":\"x\"}\n");
        assertThat(l.stats.get(LogAnomaly.JSON_MALFORMED)).isEqualTo(1);
        assertThat(l.stats.get(LogAnomaly.LINE_MALFORMED)).isEqualTo(1);
        assertThat(l.stats.get(LogAnomaly.BAD_TIME)).isEqualTo(1);
    }

    @Test
    void parse_seededRandomLines_neverThrow() {
        for (long seed = 1; seed <= 20; seed++) {
            Logs l = Logs.read(LogOptions.of(LogFormat.SURICATA), Logs.noise(seed,
                    HEAD + "\"event_type\":\"tls\",\"src_ip\":\"10.0.0.2\",\"tls\":{\"sni\":\"claude.ai\"}}", 200));
            assertThat(l.stats.get(LogAnomaly.PARSER_ERROR)).isZero();
        }
    }
}
