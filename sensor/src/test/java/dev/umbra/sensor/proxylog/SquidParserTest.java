package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SquidParserTest {
    private static final String NATIVE_GET =
            "1157689320.327   2864 10.105.21.199 TCP_MISS/200 10182 GET http://www.GoonerNews.com:8080/a/b.css?x=secret badeyek DIRECT/175.16.199.61 text/html";
    private static final String NATIVE_CONNECT =
            "1157689312.049   5006 10.105.21.199 TCP_MISS/200 19763 CONNECT login.yahoo.com:443 badeyek DIRECT/175.16.199.115 -";

    @Test
    void parse_nativeGet_readsEveryField() {
        Observation o = Logs.read(LogFormat.SQUID, NATIVE_GET).only();
        assertThat(o.kind()).isEqualTo(ObservationKind.PROXY_REQUEST);
        assertThat(o.time()).isEqualTo(Instant.ofEpochSecond(1157689320L, 327_000_000));
        assertThat(o.hostname()).isEqualTo("www.goonernews.com");
        assertThat(o.serverPort()).isEqualTo(8080);
        assertThat(o.clientIp()).isEqualTo("10.105.21.199");
        assertThat(o.serverIp()).isEqualTo("175.16.199.61");
        assertThat(o.user()).isEqualTo("badeyek");
        assertThat(o.method()).isEqualTo("GET");
        assertThat(o.urlPath()).isEqualTo("/a/b.css");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.bytesIn()).isEqualTo(10182);
        assertThat(o.bytesOut()).isEqualTo(-1);
        assertThat(o.source()).isEqualTo("test.log");
    }

    @Test
    void parse_nativeConnect_readsAuthorityForm() {
        Observation o = Logs.read(LogFormat.SQUID, NATIVE_CONNECT).only();
        assertThat(o.hostname()).isEqualTo("login.yahoo.com");
        assertThat(o.serverPort()).isEqualTo(443);
        assertThat(o.method()).isEqualTo("CONNECT");
        assertThat(o.urlPath()).isNull();
    }

    @Test
    void parse_nativeDashUserAndNonePeer_leavesThemNull() {
        Observation o = Logs.read(LogFormat.SQUID,
                "1157689321.315      1 10.105.21.199 TCP_HIT/200 1464 GET http://a.example/ - NONE/- text/css").only();
        assertThat(o.user()).isNull();
        assertThat(o.serverIp()).isNull();
    }

    @Test
    void parse_ciscoWsaTrailingFields_areIgnored() {
        String wsa = "1278096903.150 97 172.16.1.5 TCP_MISS/200 8187 GET http://www.cisco.com/ jdoe DIRECT/www.cisco.com "
                + "text/html DEFAULT_CASE_11-PolicyGroup-Identity-Outbound-Data-External-Routing <IW_comp,6.9,-,\"-\",-> -";
        Logs l = Logs.detect(wsa);
        assertThat(l.stream.format()).isEqualTo(LogFormat.CISCO_WSA);
        assertThat(l.only().hostname()).isEqualTo("www.cisco.com");
        assertThat(l.only().user()).isEqualTo("jdoe");
    }

    @Test
    void parse_combined_readsClfTimeAndQuotedRequest() {
        String line = "192.0.2.7 - alice [10/Oct/2000:13:55:36 -0700] \"POST https://api.openai.com/v1/chat/completions HTTP/1.1\" 200 2326 \"-\" \"curl/8.0\" TCP_MISS:HIER_DIRECT";
        Logs l = Logs.detect(line);
        assertThat(l.stream.format()).isEqualTo(LogFormat.SQUID_COMBINED);
        Observation o = l.only();
        assertThat(o.time()).isEqualTo(Instant.parse("2000-10-10T20:55:36Z"));
        assertThat(o.user()).isEqualTo("alice");
        assertThat(o.method()).isEqualTo("POST");
        assertThat(o.hostname()).isEqualTo("api.openai.com");
        assertThat(o.urlPath()).isEqualTo("/v1/chat/completions");
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.bytesIn()).isEqualTo(2326);
    }

    @Test
    void parse_userLogformat_readsUploadBytesAndPorts() {
        String def = "logformat umbra %ts.%03tu %>a:%>p %un %rm %ru %>Hs %>st %<st %<a:%<p";
        LogOptions opts = new LogOptions(LogFormat.SQUID_LOGFORMAT, def, null, null, LogOptions.DEFAULT_MAX_LINE_LENGTH);
        Observation o = Logs.read(opts,
                "1700000000.123 127.0.0.1:40000 bob POST https://claude.ai/api/upload 201 52000 310 127.0.0.2:443").only();
        assertThat(o.clientPort()).isEqualTo(40000);
        assertThat(o.serverIp()).isEqualTo("127.0.0.2");
        assertThat(o.serverPort()).isEqualTo(443);
        assertThat(o.bytesOut()).isEqualTo(52000);
        assertThat(o.bytesIn()).isEqualTo(310);
        assertThat(o.status()).isEqualTo(201);
        assertThat(o.user()).isEqualTo("bob");
    }

    @Test
    void detect_userLogformat_isTriedWhenGiven() {
        String def = "%>a %un %rm %ru %<st %ts";
        LogOptions opts = new LogOptions(null, def, null, null, LogOptions.DEFAULT_MAX_LINE_LENGTH);
        Logs l = Logs.read(opts, "10.0.0.1 carol GET http://gemini.google.com/app 1234 1700000000\n");
        assertThat(l.stream.format()).isEqualTo(LogFormat.SQUID_LOGFORMAT);
        assertThat(l.only().hostname()).isEqualTo("gemini.google.com");
    }

    @Test
    void compile_noDestinationField_throwsNamingIt() {
        assertThatThrownBy(() -> SquidLogFormat.compile("%ts %>a %un"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("%ru");
    }

    @Test
    void compile_adjacentFields_throws() {
        assertThatThrownBy(() -> SquidLogFormat.compile("%ts%ru")).hasMessageContaining("no separator");
    }

    @Test
    void compile_unclosedBrace_throws() {
        assertThatThrownBy(() -> SquidLogFormat.compile("%{Referer %ru")).hasMessageContaining("unclosed");
    }

    @Test
    void parse_truncatedLine_countsMalformed() {
        Logs l = Logs.read(LogFormat.SQUID, NATIVE_GET.substring(0, 40));
        assertThat(l.observations).isEmpty();
        assertThat(l.stats.get(LogAnomaly.LINE_MALFORMED)).isEqualTo(1);
        assertThat(l.stats.firstBadLines()).containsExactly(new LogStats.BadLine(1, LogAnomaly.LINE_MALFORMED));
    }

    @Test
    void parse_errorUrl_countsNoHost() {
        Logs l = Logs.read(LogFormat.SQUID,
                "1157689321.315 0 10.0.0.1 NONE_NONE/400 3900 NONE error:invalid-request - HIER_NONE/- text/html");
        assertThat(l.observations).isEmpty();
        assertThat(l.stats.get(LogAnomaly.NO_HOST)).isEqualTo(1);
    }

    @Test
    void parse_badTime_countsBadTime() {
        Logs l = Logs.read(LogFormat.SQUID, NATIVE_GET.replace("1157689320.327", "11576x9320.327"));
        assertThat(l.stats.get(LogAnomaly.BAD_TIME)).isEqualTo(1);
    }

    @Test
    void parse_hostWithBadCharacters_countsNoHost() {
        Logs l = Logs.read(LogFormat.SQUID, NATIVE_GET.replace("www.GoonerNews.com", "www.goo\"ner"));
        assertThat(l.stats.get(LogAnomaly.NO_HOST)).isEqualTo(1);
    }

    @Test
    void parse_seededRandomLines_neverThrowsAndCountsEveryBadLine() {
        for (long seed = 1; seed <= 20; seed++) {
            Logs l = Logs.read(LogOptions.of(LogFormat.SQUID), Logs.noise(seed, NATIVE_GET, 200));
            assertThat(l.stats.get(LogAnomaly.PARSER_ERROR)).as("seed %d", seed).isZero();
            assertThat(l.stats.observations() + l.stats.badLines()).as("seed %d", seed).isLessThanOrEqualTo(l.stats.lines());
        }
    }

    @Test
    void parse_hostHeaderFormatWithOriginFormUrl_usesHostHeader() {
        String def = "%ts %>a \"%rm %ru\" %>Hs \"%{Host}>h\"";
        LogOptions opts = new LogOptions(LogFormat.SQUID_LOGFORMAT, def, null, null, LogOptions.DEFAULT_MAX_LINE_LENGTH);
        Observation o = Logs.read(opts, "1700000000 10.0.0.1 \"POST /v1/messages?k=1\" 200 \"api.anthropic.com\"").only();
        assertThat(o.hostname()).isEqualTo("api.anthropic.com");
        assertThat(o.urlPath()).isEqualTo("/v1/messages");
    }

    @Test
    void detect_nativeCombinedCommonAndWsa_areTold() {
        assertThat(Logs.detect(NATIVE_GET).stream.format()).isEqualTo(LogFormat.SQUID);
        assertThat(Logs.detect("10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET http://a.example/ HTTP/1.1\" 200 5 TCP_MISS:HIER_DIRECT")
                .stream.format()).isEqualTo(LogFormat.SQUID_COMMON);
        assertThat(Logs.detect("10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] \"GET http://a.example/ HTTP/1.1\" 200 5 \"-\" \"ua\" TCP_MISS:HIER_DIRECT")
                .stream.format()).isEqualTo(LogFormat.SQUID_COMBINED);
        assertThat(Logs.detect(NATIVE_GET + " DEFAULT_CASE_11-P-I-O-D-E-R <IW_comp,6.9,-> -").stream.format())
                .isEqualTo(LogFormat.CISCO_WSA);
    }
}
