package dev.umbra.sensor.syslog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SyslogHeaderTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String body(SyslogHeader h, byte[] m) {
        return new String(m, h.bodyStart(), m.length - h.bodyStart(), StandardCharsets.UTF_8);
    }

    @Test
    void parse_rfc3164WithPriAndPid_readsTagAndBody() {
        SyslogHeader h = new SyslogHeader();
        byte[] m = b("<13>Nov  3 16:44:36 proxy1 squid[123]: hello world");
        assertThat(h.parse(m, 0, m.length, true)).isTrue();
        assertThat(h.kind()).isEqualTo(SyslogHeader.Kind.RFC3164);
        assertThat(h.priority()).isEqualTo(13);
        assertThat(h.hostname()).isEqualTo("proxy1");
        assertThat(h.appName()).isEqualTo("squid");
        assertThat(body(h, m)).isEqualTo("hello world");
    }

    @Test
    void parse_rfc3164WithoutTag_bodyStartsAfterHost() {
        SyslogHeader h = new SyslogHeader();
        byte[] m = b("Nov 30 16:44:36 PA-220 1,2018/11/30 16:44:36,0128");
        assertThat(h.parse(m, 0, m.length, false)).isTrue();
        assertThat(h.appName()).isNull();
        assertThat(body(h, m)).startsWith("1,2018/11/30");
    }

    /** Found by SyslogCoverageFuzzTest: a 49-character TAG was kept as the APP-NAME, past its cap of 48. */
    @Test
    void parse_rfc3164TagLongerThanTheCap_hasNoAppNameAndBodyAfterHost() {
        SyslogHeader h = new SyslogHeader();
        String tag48 = "a".repeat(SyslogHeader.MAX_APP_NAME);
        byte[] m = b("<13>Nov 30 16:44:36 proxy1 " + tag48 + ": text");
        assertThat(h.parse(m, 0, m.length, true)).isTrue();
        assertThat(h.appName()).isEqualTo(tag48);
        assertThat(body(h, m)).isEqualTo("text");

        byte[] longer = b("<13>Nov 30 16:44:36 proxy1 " + tag48 + "b: text");
        assertThat(h.parse(longer, 0, longer.length, true)).isTrue();
        assertThat(h.appName()).isNull();
        assertThat(body(h, longer)).isEqualTo(tag48 + "b: text");
    }

    @Test
    void parse_rfc5424WithStructuredData_readsBody() {
        SyslogHeader h = new SyslogHeader();
        byte[] m = b("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
                + "[exampleSDID@32473 iut=\"3\" eventSource=\"Appli]cation\"] \uFEFFAn application event");
        assertThat(h.parse(m, 0, m.length, true)).isTrue();
        assertThat(h.kind()).isEqualTo(SyslogHeader.Kind.RFC5424);
        assertThat(h.appName()).isEqualTo("evntslog");
        assertThat(h.hostname()).isEqualTo("mymachine.example.com");
        assertThat(body(h, m)).isEqualTo("An application event");
    }

    @Test
    void parse_rfc5424NilStructuredData_readsBody() {
        SyslogHeader h = new SyslogHeader();
        byte[] m = b("<14>1 2026-11-21T02:00:00Z host app 99 - - the message");
        assertThat(h.parse(m, 0, m.length, true)).isTrue();
        assertThat(body(h, m)).isEqualTo("the message");
    }

    @Test
    void parse_malformed_returnsFalse() {
        SyslogHeader h = new SyslogHeader();
        for (String s : new String[] {"", "<", "<999>Nov  3 16:44:36 h t: x", "<13>", "no header at all",
            "<13>1 2026", "<14>1 2026-11-21T02:00:00Z host app 99 - [unclosed", "Nov  3 16:44:3"}) {
            byte[] m = b(s);
            assertThat(h.parse(m, 0, m.length, true)).as(s).isFalse();
        }
    }

    @Test
    void parse_seededRandomBytes_neverThrows() {
        Random r = new Random(7);
        SyslogHeader h = new SyslogHeader();
        byte[] valid = b("<165>1 2003-10-11T22:14:15.003Z host app - ID47 [x a=\"b\"] msg");
        for (int i = 0; i < 20_000; i++) {
            byte[] m = i % 2 == 0 ? new byte[r.nextInt(80)] : valid.clone();
            if (i % 2 == 0) {
                r.nextBytes(m);
            } else {
                m[r.nextInt(m.length)] = (byte) r.nextInt(256);
                m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 1));
            }
            if (h.parse(m, 0, m.length, i % 3 == 0)) {
                assertThat(h.bodyStart()).isBetween(0, m.length);
            }
        }
    }
}
