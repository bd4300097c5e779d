package dev.umbra.sensor.tail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.proxylog.LogAnomaly;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real files, real renames and truncations; each line names a distinct host h&lt;n&gt;.example. */
class FileTailerTest {
    @TempDir
    Path dir;

    private final List<String> hosts = new ArrayList<>();
    private final LogStats stats = new LogStats();
    private final List<FileTailer> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (FileTailer t : open) {
            t.close();
        }
    }

    private Path log() {
        return dir.resolve("access.log");
    }

    private FileTailer tailer() {
        return tailer(LogOptions.DEFAULT_MAX_LINE_LENGTH);
    }

    private FileTailer tailer(int maxLine) {
        LogStream s = new LogStream(new LogOptions(LogFormat.SQUID, null, null, null, Math.max(256, maxLine)),
                new LogContext(log().toString(), (Observation o) -> hosts.add(o.hostname()), stats));
        FileTailer t = new FileTailer(log(), dir.resolve("access.log.umbra-state"), s, maxLine);
        open.add(t);
        return t;
    }

    private static String line(int n) {
        return "1700000000.000 1 10.0.0.1 TCP_MISS/200 100 GET http://h" + n + ".example/ u DIRECT/1.2.3.4 text/html\n";
    }

    private void append(Path file, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(line(i));
        }
        Files.writeString(file, sb, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> expected(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "h" + i + ".example").toList();
    }

    private static List<String> expected(int from, int to, int from2, int to2) {
        List<String> out = new ArrayList<>(expected(from, to));
        out.addAll(expected(from2, to2));
        return out;
    }

    private void copyTruncate(Path file, Path copy) throws IOException {
        Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }

    @Test
    void poll_appendedLines_handsEachOnceAndWaitsForPartialLine() throws IOException {
        FileTailer t = tailer();
        assertThat(t.poll()).isZero(); // no file yet
        append(log(), 0, 3);
        String half = line(3).substring(0, 20);
        Files.writeString(log(), half, StandardOpenOption.APPEND);
        assertThat(t.poll()).isEqualTo(3);
        assertThat(t.poll()).isZero();
        Files.writeString(log(), line(3).substring(20), StandardOpenOption.APPEND);
        append(log(), 4, 6);
        t.poll();
        assertThat(hosts).isEqualTo(expected(0, 6));
    }

    @Test
    void poll_renameRotation_readsOldTailAndNewFileOnce() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 5);
        t.poll();
        append(log(), 5, 8); // written before rotation, not yet polled
        Files.move(log(), dir.resolve("access.log.1"));
        append(dir.resolve("access.log.1"), 8, 10); // writer still on the old file
        append(log(), 10, 15); // new file
        t.poll();
        append(dir.resolve("access.log.1"), 15, 16); // writer reopens late
        append(log(), 16, 18);
        for (int i = 0; i < FileTailer.ROTATION_GRACE_POLLS + 1; i++) {
            t.poll();
        }
        assertThat(hosts).containsExactlyInAnyOrderElementsOf(expected(0, 18));
        assertThat(hosts).doesNotHaveDuplicates();
        assertThat(t.rotations()).isEqualTo(1);
    }

    @Test
    void poll_copytruncateRotation_recoversUnpolledLinesFromCopy() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 5);
        t.poll();
        append(log(), 5, 8);
        copyTruncate(log(), dir.resolve("access.log.1"));
        append(log(), 8, 10);
        t.poll();
        assertThat(hosts).isEqualTo(expected(0, 10));
        assertThat(t.truncations()).isEqualTo(1);
    }

    @Test
    void poll_truncatedAndRegrownPastOffset_detectedByFingerprint() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 2);
        t.poll();
        try (FileChannel ch = FileChannel.open(log(), StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        append(log(), 100, 110); // longer than before: size alone would not show the truncation
        t.poll();
        assertThat(hosts).isEqualTo(expected(0, 2, 100, 110));
    }

    @Test
    void restart_sameFile_continuesFromOffset() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 4);
        t.poll();
        t.close();
        append(log(), 4, 7);
        tailer().poll();
        assertThat(hosts).isEqualTo(expected(0, 7));
    }

    @Test
    void restart_afterRenameRotationWhileDown_finishesOldThenNew() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 4);
        t.poll();
        t.close();
        append(log(), 4, 6);
        Files.move(log(), dir.resolve("access.log.1"));
        append(log(), 6, 9);
        FileTailer t2 = tailer();
        t2.poll();
        assertThat(hosts).isEqualTo(expected(0, 9));
        assertThat(t2.rotations()).isEqualTo(1);
    }

    @Test
    void restart_afterCopytruncateWhileDown_finishesCopyThenNew() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 4);
        t.poll();
        t.close();
        append(log(), 4, 6);
        copyTruncate(log(), dir.resolve("access.log.1"));
        append(log(), 6, 9);
        tailer().poll();
        assertThat(hosts).isEqualTo(expected(0, 9));
    }

    @Test
    void restart_acrossBothRotations_everyLineExactlyOnce() throws IOException {
        FileTailer t = tailer();
        append(log(), 0, 3);
        t.poll();
        append(log(), 3, 5);
        Files.move(log(), dir.resolve("access.log.2"));
        append(log(), 5, 8);
        t.poll();
        t.close();
        append(log(), 8, 10);
        copyTruncate(log(), dir.resolve("access.log.1"));
        append(log(), 10, 12);
        FileTailer t2 = tailer();
        t2.poll();
        append(log(), 12, 13);
        t2.poll();
        assertThat(hosts).isEqualTo(expected(0, 13));
    }

    @Test
    void poll_lineLongerThanCap_countedOnceAndSkipped() throws IOException {
        FileTailer t = tailer(300);
        append(log(), 0, 1);
        Files.writeString(log(), "y".repeat(2000), StandardOpenOption.APPEND);
        t.poll();
        Files.writeString(log(), "y".repeat(2000) + "\n", StandardOpenOption.APPEND);
        append(log(), 1, 2);
        t.poll();
        assertThat(hosts).isEqualTo(expected(0, 2));
        assertThat(stats.get(LogAnomaly.LINE_TOO_LONG)).isEqualTo(1);
    }

    @Test
    void restart_corruptStateFile_readsFromStart() throws IOException {
        append(log(), 0, 2);
        Files.writeString(dir.resolve("access.log.umbra-state"), "path=/elsewhere\nkey=x\noffset=99\n");
        tailer().poll();
        assertThat(hosts).isEqualTo(expected(0, 2));
        hosts.clear();
        open.get(0).close();
        Files.writeString(dir.resolve("access.log.umbra-state"), "path=" + log().toAbsolutePath() + "\nkey=x\noffset=zz\n");
        tailer().poll();
        assertThat(hosts).isEqualTo(expected(0, 2));
    }
}
