package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class W3cParserTest {
    private static final String HEADER = "#Software: SGOS 3.2.4.28\r\n#Version: 1.0\r\n"
            + "#Fields: date time time-taken c-ip sc-status s-action sc-bytes cs-bytes cs-method cs-uri-scheme cs-host "
            + "cs-uri-path cs-uri-query cs-username s-hierarchy s-supplier-name rs(Content-Type) cs(User-Agent)\r\n";
    private static final String LINE = "2005-05-04 17:16:12 51 45.14.4.127 200 TCP_NC_MISS 926 1104 POST https chat.openai.com "
            + "/backend-api/files ?token=x sally DIRECT chat.openai.com text/html \"Mozilla/5.0 (Macintosh; U)\"\r\n";

    @Test
    void parse_elffWithHeaderAndCrlf_readsEveryField() {
        Logs l = Logs.detect(HEADER + LINE);
        assertThat(l.stream.format()).isEqualTo(LogFormat.W3C);
        Observation o = l.only();
        assertThat(o.time()).isEqualTo(Instant.parse("2005-05-04T17:16:12Z"));
        assertThat(o.hostname()).isEqualTo("chat.openai.com");
        assertThat(o.clientIp()).isEqualTo("45.14.4.127");
        assertThat(o.user()).isEqualTo("sally");
        assertThat(o.method()).isEqualTo("POST");
        assertThat(o.urlPath()).isEqualTo("/backend-api/files");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.bytesIn()).isEqualTo(926);
        assertThat(o.bytesOut()).isEqualTo(1104);
    }

    @Test
    void parse_fieldsChangeMidFile_followsNewHeader() {
        String text = "#Fields: date time c-ip cs-host\n2024-01-01 00:00:00 10.0.0.1 a.example\n"
                + "#Fields: cs-host c-ip\nb.example 10.0.0.2\n";
        Logs l = Logs.detect(text);
        assertThat(l.observations).extracting(Observation::hostname).containsExactly("a.example", "b.example");
        assertThat(l.observations.get(1).clientIp()).isEqualTo("10.0.0.2");
    }

    @Test
    void parse_headerlessWithConfiguredFields_reads() {
        LogOptions opts = new LogOptions(null, null, List.of("date", "time", "c-ip", "cs-username", "cs-url"), null,
                LogOptions.DEFAULT_MAX_LINE_LENGTH);
        Logs l = Logs.read(opts, "2024-02-03 04:05:06 10.1.1.1 dave https://copilot.microsoft.com/c/api?q=1\n");
        assertThat(l.stream.format()).isEqualTo(LogFormat.W3C);
        assertThat(l.only().hostname()).isEqualTo("copilot.microsoft.com");
        assertThat(l.only().urlPath()).isEqualTo("/c/api");
        assertThat(l.only().user()).isEqualTo("dave");
    }

    @Test
    void parse_ciscoWsaW3c_readsResultCodeStatusAndEpoch() {
        String text = "#Fields: timestamp x-elapsed-time c-ip x-resultcode-httpstatus sc-bytes cs-method cs-url cs-username\n"
                + "1700000000.5 12 10.2.2.2 TCP_MISS/403 512 GET http://huggingface.co/models eve\n";
        Observation o = Logs.detect(text).only();
        assertThat(o.status()).isEqualTo(403);
        assertThat(o.time()).isEqualTo(Instant.ofEpochSecond(1700000000L, 500_000_000));
        assertThat(o.hostname()).isEqualTo("huggingface.co");
    }

    @Test
    void parse_dataBeforeHeader_countsHeaderMissing() {
        Logs l = Logs.read(LogFormat.W3C, "2024-01-01 00:00:00 10.0.0.1 a.example\n");
        assertThat(l.stats.get(LogAnomaly.FIELDS_HEADER_MISSING)).isEqualTo(1);
    }

    @Test
    void parse_unclosedQuoteOrWrongFieldCount_countsMalformed() {
        Logs l = Logs.detect("#Fields: date time c-ip cs-host cs(User-Agent)\n"
                + "2024-01-01 00:00:00 10.0.0.1 a.example \"Mozilla\n"
                + "2024-01-01 00:00:00 10.0.0.1 a.example\n"
                + "2024-01-01 00:00:00 10.0.0.1 a.example \"ok\"\n");
        assertThat(l.stats.get(LogAnomaly.LINE_MALFORMED)).isEqualTo(2);
        assertThat(l.stats.firstBadLines()).extracting(LogStats.BadLine::lineNumber).containsExactly(2L, 3L);
        assertThat(l.observations).hasSize(1);
    }

    @Test
    void parse_badDate_countsBadTime() {
        Logs l = Logs.detect("#Fields: date time cs-host\n2024-13-01 00:00:00 a.example\n");
        assertThat(l.stats.get(LogAnomaly.BAD_TIME)).isEqualTo(1);
    }

    @Test
    void parse_seededRandomLines_neverThrow() {
        for (long seed = 1; seed <= 20; seed++) {
            Logs l = Logs.read(LogOptions.of(LogFormat.W3C),
                    (HEADER + new String(Logs.noise(seed, LINE.strip(), 200), java.nio.charset.StandardCharsets.ISO_8859_1))
                            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(l.stats.get(LogAnomaly.PARSER_ERROR)).isZero();
        }
    }
}
