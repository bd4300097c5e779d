package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PanOsParserTest {
    private static final String URL = "Nov 30 16:44:36 PA-220 1,2018/11/30 16:44:36,012801096514,THREAT,url,2049,"
            + "2018/11/30 16:44:36,192.168.15.224,175.16.199.1,192.168.1.63,175.16.199.1,rule1,corp\\alice,,ssl,vsys1,trust,"
            + "untrust,ethernet1/2,ethernet1/1,send_to_mac,2018/11/30 16:44:36,28191,1,52984,443,37679,443,0x403000,tcp,"
            + "alert,\"api.anthropic.com/v1/messages?key=x\",(9999),Web-URL-Allowlist,informational,client-to-server,7726";

    @Test
    void parse_threatUrlWithSyslogPrefix_readsEveryField() {
        Logs l = Logs.detect(URL);
        assertThat(l.stream.format()).isEqualTo(LogFormat.PANOS);
        Observation o = l.only();
        assertThat(o.time()).isEqualTo(Instant.parse("2018-11-30T16:44:36Z"));
        assertThat(o.hostname()).isEqualTo("api.anthropic.com");
        assertThat(o.urlPath()).isEqualTo("/v1/messages");
        assertThat(o.user()).isEqualTo("corp\\alice");
        assertThat(o.clientIp()).isEqualTo("192.168.15.224");
        assertThat(o.clientPort()).isEqualTo(52984);
        assertThat(o.serverIp()).isEqualTo("175.16.199.1");
        assertThat(o.serverPort()).isEqualTo(443);
    }

    // fields 37 to 64 of a PAN-OS 9.1 Threat record (action flags ... device name, VM UUIDs, 63 HTTP Method, 64 tunnel id)
    private static String tail(String method) {
        return ",0x8000000000000000,192.168.0.0-192.168.255.255,United States,0,text/html,0,,,1,"
                + "\"Mozilla/5.0 (X11; Linux x86_64)\",,,,,,,0,0,0,0,0,,PA-220,,,," + method + ",0";
    }

    @Test
    void parse_recordWithHttpMethod_readsIt() {
        Logs l = Logs.read(LogFormat.PANOS, URL + tail("post"));
        Observation o = l.only();
        assertThat(o.method()).isEqualTo("POST");
        assertThat(o.hostname()).isEqualTo("api.anthropic.com");
        assertThat(Logs.read(LogFormat.PANOS, URL + tail("CONNECT")).only().method()).isEqualTo("CONNECT");
    }

    @Test
    void parse_emptyOrUnknownHttpMethod_givesNone() {
        assertThat(Logs.read(LogFormat.PANOS, URL + tail("")).only().method()).isNull();
        assertThat(Logs.read(LogFormat.PANOS, URL + tail("patch-me")).only().method()).isNull();
        assertThat(Logs.read(LogFormat.PANOS, URL + tail("pos")).only().method()).isNull();
        // a record in an older format ends before the field
        assertThat(Logs.read(LogFormat.PANOS, URL).only().method()).isNull();
    }

    @Test
    void parse_trafficRecord_isSkippedNotBad() {
        Logs l = Logs.read(LogFormat.PANOS, URL.replace("THREAT,url", "TRAFFIC,end"));
        assertThat(l.observations).isEmpty();
        assertThat(l.stats.badLines()).isZero();
        assertThat(l.stats.skippedRecords()).isEqualTo(1);
    }

    @Test
    void parse_truncatedRecord_countsMalformed() {
        Logs l = Logs.read(LogFormat.PANOS, URL.substring(0, URL.indexOf("alert,")));
        assertThat(l.stats.get(LogAnomaly.LINE_MALFORMED)).isEqualTo(1);
    }

    @Test
    void parse_unclosedQuote_countsMalformed() {
        Logs l = Logs.read(LogFormat.PANOS, URL.replace("?key=x\"", "?key=x"));
        assertThat(l.stats.get(LogAnomaly.LINE_MALFORMED)).isEqualTo(1);
    }

    @Test
    void parse_seededRandomLines_neverThrow() {
        for (long seed = 1; seed <= 20; seed++) {
            Logs l = Logs.read(LogOptions.of(LogFormat.PANOS), Logs.noise(seed, URL, 200));
            assertThat(l.stats.get(LogAnomaly.PARSER_ERROR)).isZero();
        }
    }
}
