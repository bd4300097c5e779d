package dev.umbra.sensor.proxylog;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LogStreamTest {
    private static final String SQUID = "1157689320.327 2864 10.105.21.199 TCP_MISS/200 10182 GET http://a.example/ u DIRECT/1.2.3.4 text/html";

    @Test
    void detect_garbageFirstLines_stillFindsFormatAndKeepsLineNumbers() {
        Logs l = Logs.detect("garbage one\n\u0001\u0002 binary\n" + SQUID + "\n" + SQUID + "\n");
        assertThat(l.stream.format()).isEqualTo(LogFormat.SQUID);
        assertThat(l.observations).hasSize(2);
        assertThat(l.stats.firstBadLines()).extracting(LogStats.BadLine::lineNumber).containsExactly(1L, 2L);
        assertThat(l.stats.lines()).isEqualTo(4);
    }

    @Test
    void detect_manyLines_replaysSampleInOrderThenStreams() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            sb.append(SQUID.replace("a.example", "h" + i + ".example")).append('\n');
        }
        Logs l = Logs.detect(sb.toString());
        assertThat(l.observations).hasSize(50);
        for (int i = 0; i < 50; i++) {
            assertThat(l.observations.get(i).hostname()).isEqualTo("h" + i + ".example");
        }
    }

    @Test
    void detect_unknownFormat_countsEveryLine() {
        Logs l = Logs.detect("hello world\nsecond line\n");
        assertThat(l.stream.format()).isNull();
        assertThat(l.stats.get(LogAnomaly.FORMAT_UNKNOWN)).isEqualTo(2);
    }

    @Test
    void detect_syslogPrefixedSquid_stripsHeader() {
        Logs l = Logs.detect("Nov 21 02:00:00 proxy1 squid[1234]: " + SQUID + "\n"
                + "<14>1 2026-11-21T02:00:00Z proxy1 squid 1234 - - " + SQUID + "\n");
        assertThat(l.stream.syslogHeader()).isTrue();
        assertThat(l.observations).hasSize(2);
    }

    @Test
    void split_tooLongLine_isCountedAndSkipped() {
        LogOptions opts = new LogOptions(LogFormat.SQUID, null, null, null, 256);
        String longLine = SQUID.replace("http://a.example/", "http://a.example/" + "x".repeat(1000));
        Logs l = Logs.read(opts, SQUID + "\n" + longLine + "\n" + SQUID + "\n");
        assertThat(l.observations).hasSize(2);
        assertThat(l.stats.get(LogAnomaly.LINE_TOO_LONG)).isEqualTo(1);
        assertThat(l.stats.firstBadLines()).containsExactly(new LogStats.BadLine(2, LogAnomaly.LINE_TOO_LONG));
    }

    @Test
    void split_tooLongLineAcrossChunks_isCountedOnce() {
        LogOptions opts = new LogOptions(LogFormat.SQUID, null, null, null, 256);
        Logs l = new Logs();
        LogStream s = new LogStream(opts, new LogContext("t", l.observations::add, l.stats));
        LineSplitter sp = new LineSplitter(s, 256);
        byte[] a = ("x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
        sp.feed(a, 0, a.length);
        sp.feed(a, 0, a.length);
        sp.feed(a, 0, a.length);
        byte[] b = ("\n" + SQUID + "\n").getBytes(StandardCharsets.US_ASCII);
        sp.feed(b, 0, b.length);
        sp.finish();
        assertThat(l.stats.get(LogAnomaly.LINE_TOO_LONG)).isEqualTo(1);
        assertThat(l.observations).hasSize(1);
        assertThat(sp.consumed()).isEqualTo(600 + b.length);
    }

    @Test
    void split_lastLineWithoutNewline_isReadAtFinish() {
        Logs l = Logs.read(LogFormat.SQUID, SQUID + "\r\n" + SQUID);
        assertThat(l.observations).hasSize(2);
    }

    @Test
    void read_utf8BomBeforeW3cHeader_isIgnored() {
        Logs l = Logs.detect("\uFEFF#Fields: date time c-ip cs-host\r\n2024-01-01 00:00:00 10.0.0.1 claude.ai\r\n");
        assertThat(l.stream.format()).isEqualTo(LogFormat.W3C);
        assertThat(l.only().hostname()).isEqualTo("claude.ai");
    }

    @Test
    void read_gzippedFile_isDecompressed(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path gz = dir.resolve("access.log.1.gz");
        try (var out = new java.util.zip.GZIPOutputStream(java.nio.file.Files.newOutputStream(gz))) {
            out.write((SQUID + "\n" + SQUID + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        Logs l = new Logs();
        LogStream s = LogFiles.read(gz, LogOptions.defaults(), new LogContext("gz", l.observations::add, l.stats));
        assertThat(s.format()).isEqualTo(LogFormat.SQUID);
        assertThat(l.observations).hasSize(2);
    }

    @Test
    void read_corruptGzip_throwsIoException(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path gz = dir.resolve("bad.gz");
        java.nio.file.Files.write(gz, new byte[] {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3});
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> LogFiles.read(gz, LogOptions.defaults(),
                new LogContext("gz", o -> { }, new LogStats()))).isInstanceOf(java.io.IOException.class);
    }
}
