package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ZscalerParserTest {
    private static final String JSON = "{ \"sourcetype\" : \"zscalernss-web\", \"event\" :{\"time\":\"Fri Dec 31 07:07:07 2021\","
            + "\"login\":\"test@example.com\",\"proto\":\"HTTPS\",\"eurl\":\"chatgpt.com/backend-api/conversation?x=1\","
            + "\"reqsize\":\"600\",\"respsize\":\"65\",\"cip\":\"81.2.69.193\",\"sip\":\"81.2.69.145\","
            + "\"reqmethod\":\"POST\",\"respcode\":\"200\",\"ua\":\"a \\\"quoted\\\" agent\"}}";

    @Test
    void parse_json_readsUserBytesAndPath() {
        Logs l = Logs.detect(JSON);
        assertThat(l.stream.format()).isEqualTo(LogFormat.ZSCALER_JSON);
        Observation o = l.only();
        assertThat(o.time()).isEqualTo(Instant.parse("2021-12-31T07:07:07Z"));
        assertThat(o.hostname()).isEqualTo("chatgpt.com");
        assertThat(o.urlPath()).isEqualTo("/backend-api/conversation");
        assertThat(o.user()).isEqualTo("test@example.com");
        assertThat(o.clientIp()).isEqualTo("81.2.69.193");
        assertThat(o.serverIp()).isEqualTo("81.2.69.145");
        assertThat(o.method()).isEqualTo("POST");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.bytesOut()).isEqualTo(600);
        assertThat(o.bytesIn()).isEqualTo(65);
    }

    @Test
    void parse_keyValueTabs_reads() {
        String line = "time=Fri Dec 31 07:07:07 2021\tlogin=u@example.com\teurl=claude.ai:443\treqmethod=CONNECT\t"
                + "reqsize=100\trespsize=200\tcip=10.0.0.9\tua=Mozilla/5.0 (X11)";
        Logs l = Logs.detect(line);
        assertThat(l.stream.format()).isEqualTo(LogFormat.ZSCALER_KV);
        assertThat(l.only().hostname()).isEqualTo("claude.ai");
        assertThat(l.only().serverPort()).isEqualTo(443);
        assertThat(l.only().bytesOut()).isEqualTo(100);
    }

    @Test
    void parse_keyValueBlanksWithSyslogPrefix_reads() {
        String line = "<13>Dec 31 07:07:08 nss zscaler: time=Fri Dec 31 07:07:07 2021 login=u@example.com "
                + "eurl=gemini.google.com/app reqmethod=GET ua=Mozilla/5.0 (X11; Linux) cip=10.0.0.9";
        Logs l = Logs.detect(line);
        assertThat(l.stream.format()).isEqualTo(LogFormat.ZSCALER_KV);
        assertThat(l.only().hostname()).isEqualTo("gemini.google.com");
        assertThat(l.only().clientIp()).isEqualTo("10.0.0.9");
    }

    @Test
    void parse_csvDefaultFields_reads() {
        StringBuilder sb = new StringBuilder();
        for (String f : ZscalerParser.DEFAULT_CSV_FIELDS) {
            String v = switch (f) {
                case "time" -> "Fri Dec 31 07:07:07 2021";
                case "login" -> "x@example.com";
                case "eurl" -> "www.perplexity.ai/search";
                case "reqsize" -> "11";
                case "respsize" -> "22";
                case "cip" -> "10.9.9.9";
                case "reqmethod" -> "GET";
                case "ua" -> "a, \"\"b\"\"";
                default -> "None";
            };
            sb.append(sb.length() == 0 ? "" : ",").append('"').append(v).append('"');
        }
        Observation o = Logs.read(LogFormat.ZSCALER_CSV, sb.toString()).only();
        assertThat(o.hostname()).isEqualTo("www.perplexity.ai");
        assertThat(o.bytesIn()).isEqualTo(22);
    }

    @Test
    void parse_truncatedJson_countsJsonMalformed() {
        Logs l = Logs.read(LogFormat.ZSCALER_JSON, JSON.substring(0, JSON.length() - 3));
        assertThat(l.stats.get(LogAnomaly.JSON_MALFORMED)).isEqualTo(1);
    }

    @Test
    void parse_deepNesting_countsJsonMalformed() {
        Logs l = Logs.read(LogFormat.ZSCALER_JSON, "{\"a\":".repeat(40) + "1" + "}".repeat(40));
        assertThat(l.stats.get(LogAnomaly.JSON_MALFORMED)).isEqualTo(1);
    }

    @Test
    void parse_noUrl_countsNoHost() {
        Logs l = Logs.read(LogFormat.ZSCALER_JSON, "{\"event\":{\"login\":\"a\",\"eurl\":\"None\"}}");
        assertThat(l.stats.get(LogAnomaly.NO_HOST)).isEqualTo(1);
    }

    @Test
    void parse_seededRandomLines_neverThrow() {
        for (LogFormat f : new LogFormat[] {LogFormat.ZSCALER_JSON, LogFormat.ZSCALER_KV, LogFormat.ZSCALER_CSV}) {
            for (long seed = 1; seed <= 10; seed++) {
                Logs l = Logs.read(LogOptions.of(f), Logs.noise(seed, JSON, 200));
                assertThat(l.stats.get(LogAnomaly.PARSER_ERROR)).isZero();
            }
        }
    }
}
