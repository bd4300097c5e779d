package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ZeekParserTest {
    private static final String DNS_TSV = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n"
            + "#path\tdns\n#open\t2024-01-01-00-00-00\n"
            + "#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\tanswers\n"
            + "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tvector[string]\n"
            + "1591367999.305988\tCabc\t10.0.0.5\t53000\t10.0.0.1\t53\tudp\tAPI.OpenAI.com\t104.18.6.192,api.openai.com.cdn.cloudflare.net\n"
            + "1591367999.5\tCdef\t10.0.0.5\t53001\t10.0.0.1\t53\tudp\t-\t-\n"
            + "#close\t2024-01-01-00-00-01\n";

    @Test
    void parse_dnsTsv_emitsQueryAndAnswer() {
        Logs l = Logs.detect(DNS_TSV);
        assertThat(l.stream.format()).isEqualTo(LogFormat.ZEEK);
        assertThat(l.observations).extracting(Observation::kind)
                .containsExactly(ObservationKind.DNS_QUERY, ObservationKind.DNS_ANSWER);
        Observation a = l.observations.get(1);
        assertThat(a.hostname()).isEqualTo("api.openai.com");
        assertThat(a.answers()).containsExactly("104.18.6.192", "api.openai.com.cdn.cloudflare.net");
        assertThat(a.clientIp()).isEqualTo("10.0.0.5");
        assertThat(a.time()).isEqualTo(Instant.ofEpochSecond(1591367999L, 305_988_000));
        assertThat(l.stats.skippedRecords()).isEqualTo(1);
        assertThat(l.stats.badLines()).isZero();
    }

    @Test
    void parse_sslTsv_emitsSni() {
        String text = "#separator \\x09\n#path\tssl\n#fields\tts\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tserver_name\n"
                + "1700000000.0\t10.0.0.5\t40000\t1.2.3.4\t443\tclaude.ai\n";
        Observation o = Logs.detect(text).only();
        assertThat(o.kind()).isEqualTo(ObservationKind.TLS_SNI);
        assertThat(o.hostname()).isEqualTo("claude.ai");
        assertThat(o.serverPort()).isEqualTo(443);
    }

    @Test
    void parse_httpJson_readsRequest() {
        String line = "{\"ts\":1700000000.25,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.7\",\"id.orig_p\":41000,"
                + "\"id.resp_h\":\"5.6.7.8\",\"id.resp_p\":80,\"method\":\"POST\",\"host\":\"api.mistral.ai\","
                + "\"uri\":\"/v1/chat?key=s\",\"status_code\":200,\"request_body_len\":5000,\"response_body_len\":120,"
                + "\"tags\":[\"a\",\"b\"]}";
        Logs l = Logs.detect(line);
        assertThat(l.stream.format()).isEqualTo(LogFormat.ZEEK_JSON);
        Observation o = l.only();
        assertThat(o.kind()).isEqualTo(ObservationKind.HTTP_REQUEST);
        assertThat(o.hostname()).isEqualTo("api.mistral.ai");
        assertThat(o.urlPath()).isEqualTo("/v1/chat");
        assertThat(o.method()).isEqualTo("POST");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.bytesOut()).isEqualTo(5000);
        assertThat(o.bytesIn()).isEqualTo(120);
    }

    @Test
    void parse_dnsJsonWithArrayAnswers_joinsThem() {
        String line = "{\"_path\":\"dns\",\"ts\":\"2024-01-01T00:00:00.5Z\",\"id.orig_h\":\"10.0.0.7\",\"query\":\"x.ai\","
                + "\"answers\":[\"1.1.1.1\",\"2.2.2.2\"]}";
        Logs l = Logs.read(LogFormat.ZEEK_JSON, line);
        assertThat(l.observations.get(1).answers()).containsExactly("1.1.1.1", "2.2.2.2");
        assertThat(l.observations.get(0).time()).isEqualTo(Instant.parse("2024-01-01T00:00:00.5Z"));
    }

    @Test
    void parse_dataBeforeFields_countsHeaderMissing() {
        Logs l = Logs.read(LogFormat.ZEEK, "1700000000.0\t10.0.0.5\n");
        assertThat(l.stats.get(LogAnomaly.FIELDS_HEADER_MISSING)).isEqualTo(1);
    }

    @Test
    void parse_wrongColumnCount_countsMalformed() {
        Logs l = Logs.detect(DNS_TSV.replace("\tudp\tAPI", "\tAPI"));
        assertThat(l.stats.get(LogAnomaly.LINE_MALFORMED)).isEqualTo(1);
        assertThat(l.stats.firstBadLines().get(0).lineNumber()).isEqualTo(9);
    }

    @Test
    void parse_seededRandomLines_neverThrow() {
        for (long seed = 1; seed <= 10; seed++) {
            byte[] noise = Logs.noise(seed, "1591367999.305988\tCabc\t10.0.0.5\t53000\t10.0.0.1\t53\tudp\tq.example\t-", 200);
            byte[] all = (DNS_TSV + new String(noise, java.nio.charset.StandardCharsets.ISO_8859_1))
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(Logs.read(LogOptions.of(LogFormat.ZEEK), all).stats.get(LogAnomaly.PARSER_ERROR)).isZero();
            assertThat(Logs.read(LogOptions.of(LogFormat.ZEEK_JSON), Logs.noise(seed, "{\"ts\":1,\"query\":\"a.b\"}", 200))
                    .stats.get(LogAnomaly.PARSER_ERROR)).isZero();
        }
    }
}
