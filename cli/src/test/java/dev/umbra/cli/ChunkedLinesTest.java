package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkedLinesTest {
    /** Records each write the lines make and each flush. */
    private static final class Recorder extends Writer {
        final StringWriter all = new StringWriter();
        final List<Integer> writes = new ArrayList<>();
        int flushes;

        @Override
        public void write(char[] buf, int off, int len) {
            all.write(buf, off, len);
            writes.add(len);
        }

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void lines_areWrittenInChunksAndFlushedOnce() {
        Recorder recorder = new Recorder();
        PrintWriter out = new PrintWriter(recorder, true);
        ChunkedLines lines = new ChunkedLines(out);
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            String line = "line " + i + " " + "x".repeat(i % 50);
            if (i % 2 == 0) {
                lines.line(line);
            } else {
                lines.text().append(line);
                lines.endLine();
            }
            expected.append(line).append(System.lineSeparator());
        }
        assertThat(recorder.flushes).isZero();
        lines.flush();
        assertThat(recorder.all.toString()).isEqualTo(expected.toString());
        assertThat(recorder.flushes).isEqualTo(1);
        // about 500 KB of text in chunks of at least CHUNK characters, not 10 000 writes
        assertThat(recorder.writes).hasSizeBetween(expected.length() / (ChunkedLines.CHUNK + 200),
                expected.length() / ChunkedLines.CHUNK + 1);
        assertThat(recorder.writes.subList(0, recorder.writes.size() - 1)).allSatisfy(n ->
                assertThat(n).isGreaterThanOrEqualTo(ChunkedLines.CHUNK));
    }

    @Test
    void flush_withNothingGathered_onlyFlushes() {
        Recorder recorder = new Recorder();
        ChunkedLines lines = new ChunkedLines(new PrintWriter(recorder, true));
        lines.flush();
        assertThat(recorder.all.toString()).isEmpty();
        assertThat(recorder.flushes).isEqualTo(1);
    }
}
