package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Instant clf(String s) {
        return Text.clf(b(s), 0, s.length());
    }

    private static Instant iso(String s) {
        return Text.iso(b(s), 0, s.length());
    }

    @Test
    void clf_withZone_convertsToUtc() {
        assertThat(clf("10/Oct/2000:13:55:36 -0700")).isEqualTo(Instant.parse("2000-10-10T20:55:36Z"));
        assertThat(clf("29/Feb/2024:00:00:00 +0000")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
    }

    @Test
    void clf_malformed_returnsNull() {
        assertThat(clf("10/Foo/2000:13:55:36 -0700")).isNull();
        assertThat(clf("10/Oct/2000:25:55:36 -0700")).isNull();
        assertThat(clf("10/Oct/2000:13:55:36 x0700")).isNull();
        assertThat(clf("10/Oct/2000")).isNull();
    }

    @Test
    void iso_offsetsAndFractions_convertToUtc() {
        assertThat(iso("2023-03-01T12:00:00.250000+0100")).isEqualTo(Instant.parse("2023-03-01T11:00:00.25Z"));
        assertThat(iso("2023-03-01T12:00:00-05:30")).isEqualTo(Instant.parse("2023-03-01T17:30:00Z"));
        assertThat(iso("2023-03-01T12:00:00Z")).isEqualTo(Instant.parse("2023-03-01T12:00:00Z"));
        assertThat(iso("2023-03-01 12:00:00")).isEqualTo(Instant.parse("2023-03-01T12:00:00Z"));
        assertThat(iso("2023-03-01T12:00:00+99")).isNull();
        assertThat(iso("2023-13-01T12:00:00Z")).isNull();
    }

    @Test
    void asctime_spacePaddedDay_reads() {
        String s = "Thu Aug  1 09:20:35 2022";
        assertThat(Text.asctime(b(s), 0, s.length())).isEqualTo(Instant.parse("2022-08-01T09:20:35Z"));
        String bad = "Thu Xyz 29 09:20:35 2022";
        assertThat(Text.asctime(b(bad), 0, bad.length())).isNull();
    }

    @Test
    void epoch_fractionDigits_scaleToNanos() {
        String s = "1591367999.305988";
        assertThat(Text.epoch(b(s), 0, s.length())).isEqualTo(Instant.ofEpochSecond(1591367999L, 305_988_000));
        assertThat(Text.epoch(b("12."), 0, 3)).isNull();
        assertThat(Text.epoch(b("1.1234567890"), 0, 12)).isNull();
        assertThat(Text.epoch(b("99999999999999999"), 0, 17)).isNull();
    }

    @Test
    void host_normalisesOrRejects() {
        assertThat(Text.host(b("WWW.Example.COM."), 0, 16)).isEqualTo("www.example.com");
        assertThat(Text.host(b("[2001:db8::1]"), 0, 13)).isEqualTo("2001:db8::1");
        assertThat(Text.host(b("a b"), 0, 3)).isNull();
        assertThat(Text.host(b(".x"), 0, 2)).isNull();
        assertThat(Text.host(b("x".repeat(300)), 0, 300)).isNull();
    }

    @Test
    void split_urlForms_findHostPortAndPath() {
        UrlParts u = new UrlParts();
        String s = "https://user:pw@[2001:db8::1]:8443/a/b?c=d#e";
        assertThat(u.split(b(s), 0, s.length())).isTrue();
        assertThat(s.substring(u.hostStart, u.hostEnd)).isEqualTo("[2001:db8::1]");
        assertThat(u.port).isEqualTo(8443);
        assertThat(s.substring(u.pathStart, u.pathEnd)).isEqualTo("/a/b");
        String c = "claude.ai:443";
        assertThat(u.split(b(c), 0, c.length())).isTrue();
        assertThat(c.substring(u.hostStart, u.hostEnd)).isEqualTo("claude.ai");
        assertThat(u.port).isEqualTo(443);
        assertThat(u.pathEnd - u.pathStart).isZero();
        String o = "/only/path?x";
        assertThat(u.split(b(o), 0, o.length())).isFalse();
        assertThat(o.substring(u.pathStart, u.pathEnd)).isEqualTo("/only/path");
        String urn = "error:invalid-request";
        assertThat(u.split(b(urn), 0, urn.length())).isFalse();
        assertThat(u.split(b("http://[::1"), 0, 11)).isFalse();
    }

    @Test
    void split_seededRandomBytes_neverThrowsAndStaysInBounds() {
        Random r = new Random(3);
        UrlParts u = new UrlParts();
        for (int i = 0; i < 50_000; i++) {
            byte[] x = new byte[r.nextInt(40)];
            for (int k = 0; k < x.length; k++) {
                x[k] = (byte) ":/?#@[]ab1.".charAt(r.nextInt(11));
            }
            u.split(x, 0, x.length);
            assertThat(u.hostStart).isBetween(0, x.length);
            assertThat(u.hostEnd).isBetween(u.hostStart, x.length);
            assertThat(u.pathEnd).isBetween(u.pathStart, x.length);
            Text.host(x, u.hostStart, u.hostEnd);
            Text.clf(x, 0, x.length);
            Text.iso(x, 0, x.length);
            Text.asctime(x, 0, x.length);
            Text.epoch(x, 0, x.length);
        }
    }
}
