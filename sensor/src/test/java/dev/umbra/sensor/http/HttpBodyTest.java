package dev.umbra.sensor.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.fuzz.Mutator;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class HttpBodyTest {
    private static HttpBody body(long contentLength, boolean chunked, int max) {
        return new HttpBody(null, new HttpRequest("POST", "a.example", "/", 0, 40, contentLength, chunked, null, null, null, false), max);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String text(HttpBody.Content c) {
        return new String(c.bytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void contentLength_readyWhenAllThere() {
        HttpBody b = body(5, false, 100);
        assertThat(b.rawCap()).isEqualTo(5);
        assertThat(b.ready(bytes("hell"), 0, 4)).isFalse();
        HttpBody.Content partial = b.read(bytes("hell"), 0, 4);
        assertThat(text(partial)).isEqualTo("hell");
        assertThat(partial.complete()).isFalse();
        assertThat(partial.truncated()).isFalse();
        assertThat(b.ready(bytes("hello, next request"), 0, 19)).isTrue();
        HttpBody.Content whole = b.read(bytes("hello, next request"), 0, 19);
        assertThat(text(whole)).isEqualTo("hello");
        assertThat(whole.complete()).isTrue();
    }

    @Test
    void contentLengthOverTheCap_isCut() {
        HttpBody b = body(1_000_000, false, 8);
        assertThat(b.rawCap()).isEqualTo(8);
        HttpBody.Content c = b.read(bytes("0123456789"), 0, 10);
        assertThat(text(c)).isEqualTo("01234567");
        assertThat(c.truncated()).isTrue();
        assertThat(c.complete()).isFalse();
    }

    @Test
    void chunked_readsChunksSkipsExtensionsAndEndsAtTheLastChunk() {
        HttpBody b = body(-1, true, 100);
        byte[] raw = bytes("3;name=v\r\nabc\r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n");
        assertThat(b.ready(raw, 0, raw.length)).isTrue();
        HttpBody.Content c = b.read(raw, 0, raw.length);
        assertThat(text(c)).isEqualTo("abc0123456789");
        assertThat(c.complete()).isTrue();
        assertThat(b.ready(raw, 0, 20)).isFalse();
        assertThat(text(b.read(raw, 0, 20))).isEqualTo("abc01");
    }

    @Test
    void length_isWhereTheBodyEndsOnTheWire_withItsTrailerSection() {
        assertThat(body(5, false, 100).read(bytes("hello, next request"), 0, 19).length()).isEqualTo(5);
        assertThat(body(5, false, 100).read(bytes("hell"), 0, 4).length()).as("not all there").isEqualTo(-1);
        HttpBody b = body(-1, true, 100);
        String[] ends = {"0\r\n\r\n", "0\r\nTrailer: x\r\n\r\n", "000;ext=1\r\nA: 1\r\nB: 2\r\n\r\n"};
        for (String end : ends) {
            String raw = "3\r\nabc\r\n" + end;
            HttpBody.Content c = b.read(bytes(raw + "GET / HTTP/1.1\r\n"), 0, raw.length() + 16);
            assertThat(c.complete()).as(end).isTrue();
            assertThat(c.length()).as(end).isEqualTo(raw.length());
        }
        // the last chunk is there, its trailer section not yet all: complete, but its end not known
        for (String cut : new String[] {"3\r\nabc\r\n0\r\n", "3\r\nabc\r\n0\r\n\r", "3\r\nabc\r\n0\r\nA: 1\r\n"}) {
            HttpBody.Content c = b.read(bytes(cut), 0, cut.length());
            assertThat(c.complete()).as(cut).isTrue();
            assertThat(c.length()).as(cut).isEqualTo(-1);
        }
        assertThat(b.read(bytes("3\r\nab"), 0, 5).length()).isEqualTo(-1);
        assertThat(b.read(bytes("zz\r\n"), 0, 4).length()).isEqualTo(-1);
    }

    @Test
    void chunked_overTheCapIsCut_andBadFramingIsMalformed() {
        HttpBody small = body(-1, true, 4);
        HttpBody.Content cut = small.read(bytes("6\r\nabcdef\r\n0\r\n\r\n"), 0, 16);
        assertThat(text(cut)).isEqualTo("abcd");
        assertThat(cut.truncated()).isTrue();
        HttpBody b = body(-1, true, 100);
        for (String bad : new String[] {"zz\r\nabc\r\n", "3\r\nabcX\r\n", "1234567890123456\r\n"}) {
            HttpBody.Content c = b.read(bytes(bad), 0, bad.length());
            assertThat(c.malformed()).as(bad).isTrue();
            assertThat(b.ready(bytes(bad), 0, bad.length())).as(bad).isTrue();
        }
        String longLine = "5;" + "x".repeat(HttpBody.MAX_CHUNK_LINE + 10);
        assertThat(b.read(bytes(longLine), 0, longLine.length()).malformed()).isTrue();
    }

    @Test
    void mutatedBodies_neverThrowAndNeverExceedTheCap() {
        HttpBody chunked = body(-1, true, 64);
        HttpBody fixed = body(50, false, 64);
        byte[] seed = bytes("4\r\nabcd\r\n1a\r\n0123456789abcdefghijklmnop\r\n0\r\n\r\n");
        Mutator m = Mutator.forTest(41, 200);
        for (int i = 0; i < Mutator.RUNS; i++) {
            int len = m.mutate(seed);
            HttpBody b = (i & 1) == 0 ? chunked : fixed;
            b.ready(m.buffer(), 0, len);
            HttpBody.Content c = b.read(m.buffer(), 0, len);
            if (c.bytes().length > 64 || c.complete() && (c.truncated() || c.malformed()) || c.length() > len
                    || c.length() >= 0 && !c.complete()) {
                throw new AssertionError("input " + i + " of campaign " + Mutator.campaign() + ": " + c);
            }
        }
    }
}
