package dev.umbra.shipper.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.shipper.DropReason;
import dev.umbra.shipper.ShipperCounters;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskSpoolTest {
    @TempDir
    Path dir;

    private final ShipperCounters counters = new ShipperCounters();

    private SpoolConfig small() {
        return SpoolConfig.defaults(dir).withSizes(64 * 1024, 4096);
    }

    private static byte[] payload(int i) {
        return ("record-" + i + "-" + "x".repeat(i % 37)).getBytes(StandardCharsets.US_ASCII);
    }

    private static List<String> drain(DiskSpool s, boolean ack) {
        List<String> out = new ArrayList<>();
        for (SpoolRecord r = s.next(); r != null; r = s.next()) {
            out.add(new String(r.payload(), StandardCharsets.US_ASCII));
            if (ack) {
                s.ack(r.seq());
            }
        }
        return out;
    }

    private static List<String> expected(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new String(payload(i), StandardCharsets.US_ASCII));
        }
        return out;
    }

    private List<Path> segmentFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(DiskSpool.SUFFIX)).sorted().toList();
        }
    }

    @Test
    void next_afterAppends_returnsRecordsInOrderWithIncreasingSeq() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 500; i++) {
                assertThat(s.append(payload(i))).isEqualTo(i);
            }
            List<Long> seqs = new ArrayList<>();
            List<String> got = new ArrayList<>();
            for (SpoolRecord r = s.next(); r != null; r = s.next()) {
                seqs.add(r.seq());
                got.add(new String(r.payload(), StandardCharsets.US_ASCII));
            }
            assertThat(got).isEqualTo(expected(0, 500));
            assertThat(seqs).isSorted().doesNotHaveDuplicates();
            assertThat(s.segmentCount()).isGreaterThan(1);
            assertThat(counters.spooled()).isEqualTo(500);
        }
    }

    @Test
    void next_interleavedWithAppends_seesNewRecords() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                s.append(payload(i));
                if (i % 7 == 0) {
                    got.addAll(drain(s, true));
                }
            }
            got.addAll(drain(s, true));
            assertThat(got).isEqualTo(expected(0, 300));
            assertThat(s.pendingCount()).isZero();
        }
    }

    @Test
    void ack_everyRecordOfSealedSegments_deletesThoseFiles() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 500; i++) {
                s.append(payload(i));
            }
            s.flush();
            int before = segmentFiles().size();
            drain(s, true);
            assertThat(before).isGreaterThan(1);
            assertThat(segmentFiles()).hasSize(1); // the active segment stays
            assertThat(s.pendingCount()).isZero();
        }
    }

    @Test
    void open_afterCloseWithPartialAcks_replaysOnlyUnackedInOrder() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 400; i++) {
                s.append(payload(i));
            }
            for (int i = 0; i < 250; i++) {
                SpoolRecord r = s.next();
                s.ack(r.seq());
            }
            s.checkpoint();
        }
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            assertThat(drain(s, true)).isEqualTo(expected(250, 400));
            assertThat(s.append(payload(400))).isEqualTo(400);
        }
    }

    @Test
    void open_withoutCheckpoint_replaysEverythingUnacked() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 100; i++) {
                s.append(payload(i));
            }
            for (int i = 0; i < 30; i++) {
                s.ack(s.next().seq());
            }
        }
        assertThat(dir.resolve(DiskSpool.CHECKPOINT)).exists();
        Files.delete(dir.resolve(DiskSpool.CHECKPOINT)); // acknowledged but not checkpointed: replayed again
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            assertThat(drain(s, false)).isEqualTo(expected(0, 100));
        }
    }

    @Test
    void open_tornLastRecord_cutsItCountsItAndKeepsTheRest() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 50; i++) {
                s.append(payload(i));
            }
        }
        Path last = segmentFiles().get(segmentFiles().size() - 1);
        long size = Files.size(last);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(size - 5); // the writer died five bytes short
        }
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            assertThat(drain(s, false)).isEqualTo(expected(0, 49));
            assertThat(counters.dropped(DropReason.SPOOL_TORN_TAIL)).isEqualTo(1);
            assertThat(s.append(payload(49))).isEqualTo(49);
        }
        assertThat(Files.size(last)).isLessThan(size);
    }

    @Test
    void open_tornHeaderOnly_cutsIt() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 10; i++) {
                s.append(payload(i));
            }
        }
        Path last = segmentFiles().get(0);
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.seek(f.length());
            f.write(new byte[] {0x55, 0x4D, 0x42, 0x31, 0, 0}); // a header cut after 6 bytes
        }
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            assertThat(drain(s, false)).isEqualTo(expected(0, 10));
            assertThat(counters.dropped(DropReason.SPOOL_TORN_TAIL)).isEqualTo(1);
        }
    }

    @Test
    void open_flippedByteInMiddleRecord_dropsExactlyThatRecord() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 20; i++) {
                s.append(payload(i));
            }
        }
        Path seg = segmentFiles().get(0);
        byte[] b = Files.readAllBytes(seg);
        int pos = 0;
        for (int i = 0; i < 7; i++) { // skip records 0..6
            pos += DiskSpool.HEADER + payload(i).length;
        }
        b[pos + DiskSpool.HEADER + 3] ^= 0x40; // a payload byte of record 7
        Files.write(seg, b);
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            List<String> want = expected(0, 20);
            want.remove(7);
            assertThat(drain(s, false)).isEqualTo(want);
            assertThat(counters.dropped(DropReason.SPOOL_CORRUPT)).isEqualTo(1);
        }
        try (DiskSpool s = DiskSpool.open(small(), new ShipperCounters())) {
            assertThat(drain(s, false)).hasSize(19); // the rewrite is durable
        }
    }

    @Test
    void open_seededRandomDamage_neverThrowsAndReplaysOnlyIntactRecordsInOrder() throws IOException {
        for (int seed = 0; seed < 40; seed++) {
            Path d = dir.resolve("s" + seed);
            SpoolConfig cfg = SpoolConfig.defaults(d).withSizes(64 * 1024, 2048);
            try (DiskSpool s = DiskSpool.open(cfg, new ShipperCounters())) {
                for (int i = 0; i < 200; i++) {
                    s.append(payload(i));
                }
            }
            Random rnd = new Random(seed);
            List<Path> segs;
            try (Stream<Path> st = Files.list(d)) {
                segs = st.filter(p -> p.toString().endsWith(DiskSpool.SUFFIX)).sorted().toList();
            }
            Path victim = segs.get(rnd.nextInt(segs.size()));
            byte[] b = Files.readAllBytes(victim);
            switch (rnd.nextInt(3)) {
                case 0 -> {
                    for (int k = 0; k < 1 + rnd.nextInt(8); k++) {
                        b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
                    }
                }
                case 1 -> b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length));
                default -> {
                    int at = rnd.nextInt(b.length);
                    byte[] junk = new byte[rnd.nextInt(64)];
                    rnd.nextBytes(junk);
                    System.arraycopy(junk, 0, b, at, Math.min(junk.length, b.length - at));
                }
            }
            Files.write(victim, b);
            ShipperCounters c = new ShipperCounters();
            try (DiskSpool s = DiskSpool.open(cfg, c)) {
                List<String> got = drain(s, false);
                List<String> all = expected(0, 200);
                assertThat(all).as("seed %d", seed).containsAll(got);
                List<Integer> idx = got.stream().map(all::indexOf).toList();
                assertThat(idx).as("seed %d", seed).isSorted().doesNotHaveDuplicates();
                long next = s.append(payload(999));
                assertThat(next).as("seed %d", seed).isGreaterThanOrEqualTo(idx.isEmpty() ? 0 : idx.get(idx.size() - 1) + 1);
            }
        }
    }

    @Test
    void append_spoolFullDropOldest_dropsExactlyTheCountedOldestUnreadRecords() throws IOException {
        SpoolConfig cfg = SpoolConfig.defaults(dir).withSizes(8192, 2048);
        try (DiskSpool s = DiskSpool.open(cfg, counters)) {
            SpoolRecord inFlight = s.next();
            assertThat(inFlight).isNull();
            s.append(payload(0));
            inFlight = s.next(); // handed out to the sender, not acknowledged yet
            for (int i = 1; i < 1000; i++) {
                assertThat(s.append(payload(i))).isEqualTo(i);
            }
            assertThat(s.bytes()).isLessThanOrEqualTo(8192);
            List<String> left = drain(s, false);
            long dropped = counters.dropped(DropReason.SPOOL_FULL_OLDEST);
            assertThat(dropped).isPositive();
            assertThat(left.size() + dropped + 1).isEqualTo(1000); // +1: the record in flight
            assertThat(left).isEqualTo(expected((int) (1000 - left.size()), 1000));
            assertThat(inFlight.seq()).isZero();
        }
    }

    @Test
    void append_spoolFullDropNewest_refusesAndCountsNewRecords() throws IOException {
        SpoolConfig cfg = SpoolConfig.defaults(dir).withSizes(8192, 2048).withOverflow(OverflowPolicy.DROP_NEWEST);
        try (DiskSpool s = DiskSpool.open(cfg, counters)) {
            int accepted = 0;
            for (int i = 0; i < 1000; i++) {
                if (s.append(payload(i)) >= 0) {
                    accepted++;
                }
            }
            assertThat(counters.dropped(DropReason.SPOOL_FULL_NEWEST)).isEqualTo(1000 - accepted);
            assertThat(drain(s, false)).isEqualTo(expected(0, accepted));
        }
    }

    @Test
    void append_recordOverLimit_isDroppedAndCounted() throws IOException {
        SpoolConfig cfg = new SpoolConfig(dir, 1 << 20, 64 * 1024, 100, FsyncPolicy.ALWAYS, 1000,
                OverflowPolicy.DROP_OLDEST);
        try (DiskSpool s = DiskSpool.open(cfg, counters)) {
            assertThat(s.append(new byte[101])).isEqualTo(-1);
            assertThat(s.append(new byte[100])).isZero();
            assertThat(counters.dropped(DropReason.RECORD_TOO_LARGE)).isEqualTo(1);
        }
    }

    @Test
    void open_directoryInUse_failsNamingTheLock() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            assertThatThrownBy(() -> DiskSpool.open(small(), counters)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use by another Umbra process");
        }
    }

    @Test
    void config_invalidValues_namedInMessage() {
        assertThatThrownBy(() -> SpoolConfig.defaults(dir).withSizes(4096, 4096))
                .hasMessage("Invalid value 4096 for configuration spool.max.bytes: must be at least twice "
                        + "spool.segment.bytes (4096). Lower spool.segment.bytes or raise spool.max.bytes");
        assertThatThrownBy(() -> FsyncPolicy.fromId("sometimes"))
                .hasMessageContaining("Invalid value sometimes for configuration spool.fsync");
        assertThat(FsyncPolicy.fromId("Always")).isEqualTo(FsyncPolicy.ALWAYS);
    }

    /** Records 0..n-1 back to back in one buffer after {@code lead} bytes of junk; ends filled in. */
    private static byte[] batch(int lead, int n, int[] ends) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(new byte[lead], 0, lead);
        for (int i = 0; i < n; i++) {
            b.writeBytes(payload(i));
            ends[i] = b.size();
        }
        return b.toByteArray();
    }

    @Test
    void appendBatch_recordsBackToBack_readBackInOrderAndSurviveReopen() throws IOException {
        int[] ends = new int[300];
        byte[] buf = batch(7, 300, ends);
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            s.append(buf, 7, ends, 300);
            s.flush();
            assertThat(counters.spooled()).isEqualTo(300);
        }
        try (DiskSpool s = DiskSpool.open(small(), new ShipperCounters())) {
            assertThat(drain(s, false)).isEqualTo(expected(0, 300));
        }
    }

    @Test
    void appendBatch_oversizeRecordsInside_dropsOnlyThoseAndCountsThem() throws IOException {
        SpoolConfig c = new SpoolConfig(dir, 64 * 1024, 4096, 64, FsyncPolicy.INTERVAL, 1000, OverflowPolicy.DROP_OLDEST);
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        int[] ends = new int[40];
        List<String> want = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String r = i % 5 == 0 ? "big-" + i + "-" + "x".repeat(80) : "small-" + i;
            b.writeBytes(r.getBytes(StandardCharsets.US_ASCII));
            ends[i] = b.size();
            if (i % 5 != 0) {
                want.add(r);
            }
        }
        try (DiskSpool s = DiskSpool.open(c, counters)) {
            s.append(b.toByteArray(), 0, ends, 40);
            assertThat(drain(s, false)).isEqualTo(want);
        }
        assertThat(counters.dropped(DropReason.RECORD_TOO_LARGE)).isEqualTo(8);
    }

    @Test
    void nextBatch_max_returnsAtMostMaxInOrderThenTheRest() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 250; i++) {
                s.append(payload(i));
            }
            List<SpoolRecord> out = new ArrayList<>();
            assertThat(s.next(out, 100)).isEqualTo(100);
            assertThat(s.next(out, 1000)).isEqualTo(150);
            assertThat(s.next(out, 1000)).isZero();
            assertThat(out.stream().map(r -> new String(r.payload(), StandardCharsets.US_ASCII)).toList())
                    .isEqualTo(expected(0, 250));
            assertThat(out.stream().map(SpoolRecord::seq).toList()).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void ackBatch_everyRecord_emptiesSpoolAndDeletesSealedSegments() throws IOException {
        try (DiskSpool s = DiskSpool.open(small(), counters)) {
            for (int i = 0; i < 500; i++) {
                s.append(payload(i));
            }
            List<SpoolRecord> out = new ArrayList<>();
            s.next(out, 1000);
            long[] seqs = new long[out.size() + 2];
            for (int i = 0; i < out.size(); i++) {
                seqs[i] = out.get(out.size() - 1 - i).seq(); // any order
            }
            seqs[out.size()] = 3; // repeated
            seqs[out.size() + 1] = 10_000; // unknown
            s.ack(seqs, seqs.length);
            assertThat(s.pendingCount()).isZero();
            assertThat(s.segmentCount()).isEqualTo(1); // only the active one is kept
            s.checkpoint();
            assertThat(s.checkpointed()).isEqualTo(500);
        }
    }
}
