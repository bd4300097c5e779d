package dev.umbra.shipper.spool;

import dev.umbra.shipper.DropReason;
import dev.umbra.shipper.ShipperCounters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * A bounded, append-only, on-disk queue of records, kept until each is acknowledged.
 *
 * <h2>Layout</h2>
 * A directory of segment files named by the sequence number of their first record
 * ({@code 00000000000000000042.seg}), an acknowledgement checkpoint {@code acked.ckpt} and a lock
 * file. Each record:
 * <pre>
 *   0      4        8             16       20
 *   +------+--------+-------------+--------+----------------+
 *   | magic| length |     seq     | crc32c | payload        |
 *   | UMB1 | u32 BE |   u64 BE    | u32 BE | length bytes   |
 *   +------+--------+-------------+--------+----------------+
 *   crc32c covers length, seq and payload.
 * </pre>
 *
 * <h2>Life of a record</h2>
 * {@link #append} writes it to the active segment (sealed and replaced past
 * {@code spool.segment.bytes}) and returns its sequence number; {@link #next} reads records back in
 * sequence order through a cursor; {@link #ack} marks one delivered. A sealed segment whose every
 * record is acknowledged is deleted. {@link #checkpoint} persists the low watermark (every record
 * below it acknowledged) so that a restart replays only what was not acknowledged, plus what was
 * acknowledged since the last checkpoint.
 *
 * <h2>Recovery</h2>
 * {@link #open} scans every segment. A record failing its magic, bounds, sequence or CRC check is
 * cut: if nothing valid follows it, it is a torn tail (the process died mid-write) and the file is
 * truncated there ({@code spool_torn_tail}); otherwise the segment is rewritten without the damaged
 * bytes and the records lost are counted ({@code spool_corrupt}).
 *
 * <h2>Bound</h2>
 * When an append would pass {@code spool.max.bytes}, the oldest segment is removed and its records
 * that were never read by the cursor are counted as {@code spool_full_oldest} (records already
 * handed out are held by the sender until acknowledged); or, with {@code drop_newest}, the new
 * record is refused and counted. Appends never wait.
 *
 * <h2>Concurrency</h2>
 * Every public method holds the monitor: the spooler thread appends, the sender thread reads, the
 * producer's callback thread acknowledges. The slow file operations of {@link #flush} and
 * {@link #checkpoint} (an {@code interval} fsync, the checkpoint file) run after the monitor is
 * released, so that an fsync never holds up reads and acknowledgements. Capture threads never call
 * the spool.
 */
public final class DiskSpool implements AutoCloseable {
    static final int MAGIC = 0x554D4231; // "UMB1"
    static final int HEADER = 20;
    static final String SUFFIX = ".seg";
    static final String CHECKPOINT = "acked.ckpt";
    private static final String LOCK = "spool.lock";
    private static final int CHECKPOINT_MAGIC = 0x554D4143; // "UMAC"
    private static final int READ_BUFFER = 256 * 1024;
    private static final int WRITE_BUFFER = 1 << 20;

    private static final Logger LOG = LogManager.getLogger(DiskSpool.class);

    private final SpoolConfig config;
    private final ShipperCounters counters;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final TreeMap<Long, Segment> segments = new TreeMap<>();
    private Segment active;
    private long nextSeq;
    private long totalBytes;
    /** Appended records not yet written to the file: direct, so that a batch is one write with no copy. */
    private ByteBuffer pending = ByteBuffer.allocateDirect(WRITE_BUFFER);
    private long pendingRecords;
    private final CRC32C crc = new CRC32C();
    private final byte[] header = new byte[HEADER];

    private Segment cursorSeg;
    private long cursorPos;
    private long cursorSeq;
    private final ByteBuffer readBuf = ByteBuffer.allocate(READ_BUFFER);
    private Segment readBufSeg;
    private Segment ackSeg;
    private long readBufStart = -1;

    private volatile long checkpointed;
    /** Serialises checkpoint file writes, which happen outside the monitor. */
    private final Object checkpointLock = new Object();
    private long lastFsyncNanos = System.nanoTime();
    private boolean unsynced;
    private boolean closed;

    private DiskSpool(SpoolConfig config, ShipperCounters counters, FileChannel lockChannel, FileLock lock) {
        this.config = config;
        this.counters = counters;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Opens (creating if needed) the spool in {@code config.dir()}, recovering its segments.
     *
     * @throws IOException if the directory cannot be created or read, or another process holds it
     */
    public static DiskSpool open(SpoolConfig config, ShipperCounters counters) throws IOException {
        Files.createDirectories(config.dir());
        FileChannel lc = FileChannel.open(config.dir().resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lc.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            lc.close();
            throw new IOException("spool " + config.dir() + " is in use by another Umbra process "
                    + "(lock " + LOCK + " held); give each instance its own spool.dir");
        }
        DiskSpool spool = new DiskSpool(config, counters, lc, lock);
        try {
            spool.recover();
        } catch (IOException | RuntimeException e) {
            spool.close();
            throw e;
        }
        return spool;
    }

    private void recover() throws IOException {
        long lowWater = readCheckpoint();
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(config.dir(), "*" + SUFFIX)) {
            for (Path p : ds) {
                files.add(p);
            }
        }
        TreeMap<Long, Path> byFirst = new TreeMap<>();
        for (Path p : files) {
            String name = p.getFileName().toString();
            try {
                byFirst.put(Long.parseLong(name.substring(0, name.length() - SUFFIX.length())), p);
            } catch (NumberFormatException e) {
                LOG.warn("spool {}: ignoring {}: not a segment name", config.dir(), name);
            }
        }
        long minSeq = 0;
        int i = 0;
        for (Map.Entry<Long, Path> e : byFirst.entrySet()) {
            boolean last = ++i == byFirst.size();
            Segment s = recoverSegment(e.getValue(), Math.max(e.getKey(), minSeq), last);
            if (s == null) {
                continue;
            }
            minSeq = s.endSeq;
            for (long q = s.firstSeq; q < Math.min(lowWater, s.endSeq); q++) {
                s.markAcked(q);
            }
            if (s.fullyAcked()) {
                s.ch.close();
                Files.deleteIfExists(s.path);
                continue;
            }
            segments.put(s.firstSeq, s);
            totalBytes += s.bytes;
        }
        nextSeq = Math.max(minSeq, lowWater);
        cursorSeq = segments.isEmpty() ? nextSeq : segments.firstKey();
        checkpointed = lowWater;
        counters.spooledBytes(totalBytes);
        if (!segments.isEmpty()) {
            LOG.info("spool {}: {} unacknowledged record(s) in {} segment(s) to replay", config.dir(), pendingCount(),
                    segments.size());
        }
    }

    /** Scans one segment file; returns it sealed, or null when it holds no valid record (then deleted). */
    private Segment recoverSegment(Path path, long firstSeq, boolean last) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = ch.size();
        if (size > Integer.MAX_VALUE) {
            ch.close();
            throw new IOException("spool segment " + path + " is larger than 2 GiB: not an Umbra segment");
        }
        List<long[]> valid = new ArrayList<>(); // {pos, len, seq}
        long corruptLost = 0;
        boolean cut = false;
        if (size > 0) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            long pos = 0;
            long expect = firstSeq;
            while (pos < size) {
                long seq = parseAt(map, (int) pos, expect);
                if (seq >= 0) {
                    int len = map.getInt((int) pos + 4);
                    valid.add(new long[] {pos, HEADER + (long) len, seq});
                    pos += HEADER + (long) len;
                    expect = seq + 1;
                    continue;
                }
                long next = -1;
                long nextSeqFound = -1;
                for (long p = pos + 1; p + HEADER <= size; p++) {
                    if (map.getInt((int) p) == MAGIC) {
                        long s = parseAt(map, (int) p, expect);
                        if (s >= 0) {
                            next = p;
                            nextSeqFound = s;
                            break;
                        }
                    }
                }
                if (next < 0) {
                    DropReason r = last ? DropReason.SPOOL_TORN_TAIL : DropReason.SPOOL_CORRUPT;
                    counters.countDropped(r, 1);
                    LOG.warn("spool {}: {} at byte {} of {}; cut {} byte(s)", config.dir(),
                            last ? "torn last record" : "damaged record", pos, path.getFileName(), size - pos);
                    ch.truncate(pos);
                    size = pos;
                    break;
                }
                long lost = Math.max(1, nextSeqFound - expect);
                corruptLost += lost;
                cut = true;
                LOG.warn("spool {}: damaged record(s) at bytes {}..{} of {}; {} record(s) lost", config.dir(), pos, next,
                        path.getFileName(), lost);
                pos = next;
                expect = nextSeqFound;
            }
        }
        if (corruptLost > 0) {
            counters.countDropped(DropReason.SPOOL_CORRUPT, corruptLost);
        }
        if (valid.isEmpty()) {
            ch.close();
            Files.deleteIfExists(path);
            return null;
        }
        long segFirst = valid.get(0)[2];
        if (cut) {
            Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (long[] v : valid) {
                    long done = 0;
                    while (done < v[1]) {
                        done += ch.transferTo(v[0] + done, v[1] - done, out);
                    }
                }
                out.force(true);
            }
            ch.close();
            move(tmp, path);
            ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            size = ch.size();
        }
        Path named = config.dir().resolve(segmentName(segFirst));
        if (!named.equals(path)) {
            ch.close();
            move(path, named);
            ch = FileChannel.open(named, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        Segment s = new Segment(named, segFirst, ch);
        s.bytes = size;
        s.endSeq = valid.get(valid.size() - 1)[2] + 1;
        BitSet present = new BitSet();
        for (long[] v : valid) {
            present.set((int) (v[2] - segFirst));
        }
        for (long q = segFirst; q < s.endSeq; q++) {
            if (!present.get((int) (q - segFirst))) {
                s.markAcked(q); // a gap cut out as corrupt: nothing to deliver
            }
        }
        return s;
    }

    /** Validates the record at {@code pos}; returns its seq, or -1. */
    private long parseAt(ByteBuffer map, int pos, long expect) {
        int size = map.limit();
        if (pos + HEADER > size || map.getInt(pos) != MAGIC) {
            return -1;
        }
        int len = map.getInt(pos + 4);
        if (len < 0 || len > config.maxRecordBytes() || (long) pos + HEADER + len > size) {
            return -1;
        }
        long seq = map.getLong(pos + 8);
        if (seq < expect) { // a gap is legal: records cut earlier as corrupt
            return -1;
        }
        int crc = map.getInt(pos + 16);
        CRC32C c = new CRC32C();
        c.update(map.duplicate().position(pos + 4).limit(pos + 16));
        c.update(map.duplicate().position(pos + HEADER).limit(pos + HEADER + len));
        return (int) c.getValue() == crc ? seq : -1;
    }

    /**
     * Appends one record. Never waits for anything but the local write.
     *
     * @return its sequence number, or -1 when it was dropped (too large, spool full with
     *     {@code drop_newest}, I/O error), counted by reason
     */
    public long append(byte[] payload) {
        return append(payload, 0, payload.length);
    }

    /**
     * Appends {@code len} bytes of {@code buf} from {@code off} as one record (copied; the caller
     * may reuse {@code buf}). See {@link #append(byte[])}.
     */
    public synchronized long append(byte[] buf, int off, int len) {
        ensureOpen();
        return appendLocked(buf, off, len);
    }

    /**
     * Appends {@code count} records lying back to back in {@code buf}: record {@code i} is
     * {@code buf[ends[i - 1] .. ends[i])}, with {@code ends[-1]} read as {@code start}. One
     * acquisition of the monitor for the batch; each record is dropped and counted on its own as
     * {@link #append(byte[])} says.
     */
    public synchronized void append(byte[] buf, int start, int[] ends, int count) {
        ensureOpen();
        int off = start;
        for (int i = 0; i < count; i++) {
            appendLocked(buf, off, ends[i] - off);
            off = ends[i];
        }
    }

    private long appendLocked(byte[] buf, int off, int len) {
        if (len > config.maxRecordBytes()) {
            counters.countDropped(DropReason.RECORD_TOO_LARGE, 1);
            LOG.error("spool {}: record of {} bytes exceeds spool.max.record.bytes {}; dropped", config.dir(),
                    len, config.maxRecordBytes());
            return -1;
        }
        int recLen = HEADER + len;
        try {
            while (totalBytes + recLen > config.maxBytes()) {
                if (config.overflow() == OverflowPolicy.DROP_NEWEST || segments.isEmpty()) {
                    counters.countDropped(DropReason.SPOOL_FULL_NEWEST, 1);
                    return -1;
                }
                dropOldest();
            }
            if (active == null || (active.bytes + recLen > config.segmentBytes() && active.bytes > 0)) {
                roll();
            }
            long seq = nextSeq++;
            if (pending.remaining() < recLen) {
                flushPending();
                if (pending.capacity() < recLen) {
                    pending = ByteBuffer.allocateDirect(recLen);
                }
            }
            ByteBuffer h = ByteBuffer.wrap(header);
            h.putInt(0, MAGIC).putInt(4, len).putLong(8, seq);
            crc.reset();
            crc.update(header, 4, 12);
            crc.update(buf, off, len);
            h.putInt(16, (int) crc.getValue());
            pending.put(header).put(buf, off, len);
            active.endSeq = seq + 1;
            active.bytes += recLen;
            totalBytes += recLen;
            pendingRecords++;
            counters.spooledBytes(totalBytes);
            return seq;
        } catch (IOException e) {
            counters.countDropped(DropReason.SPOOL_IO_ERROR, 1);
            LOG.error("spool {}: cannot write: {}", config.dir(), e.toString());
            return -1;
        }
    }

    /**
     * Writes appended records out to the file and forces them to disk as the fsync policy says.
     * Called by the sender after each batch of appends.
     */
    public void flush() {
        FileChannel due;
        synchronized (this) {
            ensureOpen();
            try {
                flushPending();
                due = fsyncDue();
            } catch (IOException e) {
                LOG.error("spool {}: cannot write: {}", config.dir(), e.toString());
                return;
            }
        }
        forceOutsideLock(due);
    }

    /**
     * The next unacknowledged record after the cursor, in sequence order, or null when the cursor
     * has caught up with the appends. Each record is returned once per spool life (a restart
     * replays the unacknowledged ones).
     */
    public synchronized SpoolRecord next() {
        ensureOpen();
        return nextLocked();
    }

    /**
     * Up to {@code max} next records, in sequence order, into {@code out} (as {@link #next()} would
     * return them one by one, under one acquisition of the monitor).
     *
     * @return how many were added
     */
    public synchronized int next(List<SpoolRecord> out, int max) {
        ensureOpen();
        int n = 0;
        for (SpoolRecord r; n < max && (r = nextLocked()) != null; n++) {
            out.add(r);
        }
        return n;
    }

    private SpoolRecord nextLocked() {
        try {
            flushPending();
            while (true) {
                if (cursorSeg == null) {
                    Map.Entry<Long, Segment> e = segments.floorEntry(cursorSeq);
                    if (e == null || cursorSeq >= e.getValue().endSeq) {
                        e = segments.higherEntry(cursorSeq);
                    }
                    if (e == null) {
                        return null;
                    }
                    cursorSeg = e.getValue();
                    cursorPos = 0;
                }
                if (cursorPos >= cursorSeg.bytes) {
                    if (cursorSeg == active) {
                        return null;
                    }
                    Map.Entry<Long, Segment> h = segments.higherEntry(cursorSeg.firstSeq);
                    if (h == null) {
                        return null;
                    }
                    cursorSeg = h.getValue();
                    cursorPos = 0;
                    continue;
                }
                ByteBuffer b = cursorPos + HEADER <= cursorSeg.bytes ? readAt(cursorSeg, cursorPos, HEADER) : null;
                int len = b == null ? -1 : b.getInt(b.position() + 4);
                long seq = b == null ? -1 : b.getLong(b.position() + 8);
                if (b == null || b.getInt(b.position()) != MAGIC || len < 0 || len > config.maxRecordBytes()
                        || cursorPos + HEADER + len > cursorSeg.bytes) {
                    counters.countDropped(DropReason.SPOOL_CORRUPT, 1);
                    LOG.error("spool {}: unreadable record at byte {} of {}; skipping the rest of the segment",
                            config.dir(), cursorPos, cursorSeg.path.getFileName());
                    cursorPos = cursorSeg.bytes;
                    continue;
                }
                b = readAt(cursorSeg, cursorPos, HEADER + len);
                byte[] payload = new byte[len];
                b.get(b.position() + HEADER, payload);
                cursorPos += HEADER + len;
                cursorSeq = seq + 1;
                if (cursorSeg.isAcked(seq)) {
                    continue;
                }
                return new SpoolRecord(seq, payload);
            }
        } catch (IOException e) {
            LOG.error("spool {}: cannot read: {}", config.dir(), e.toString());
            return null;
        }
    }

    /** Reads {@code len} bytes of a segment at {@code pos} through the read buffer. */
    private ByteBuffer readAt(Segment s, long pos, int len) throws IOException {
        if (readBufSeg == s && pos >= readBufStart && pos + len <= readBufStart + readBuf.limit()) {
            return readBuf.duplicate().position((int) (pos - readBufStart));
        }
        ByteBuffer target = len > readBuf.capacity() ? ByteBuffer.allocate(len) : readBuf;
        target.clear();
        long avail = Math.min(target.capacity(), s.bytes - pos);
        target.limit((int) avail);
        while (target.hasRemaining()) {
            if (s.ch.read(target, pos + target.position()) < 0) {
                throw new IOException("segment " + s.path.getFileName() + " shorter than expected");
            }
        }
        target.flip();
        if (target == readBuf) {
            readBufSeg = s;
            readBufStart = pos;
            return readBuf.duplicate();
        }
        return target;
    }

    /**
     * Marks a record delivered. Unknown or repeated sequence numbers are ignored (the record may
     * have been dropped when the spool was full).
     */
    public synchronized void ack(long seq) {
        if (closed) {
            return;
        }
        ackLocked(seq);
    }

    /** Marks the first {@code n} of {@code seqs} delivered, under one acquisition of the monitor. */
    public synchronized void ack(long[] seqs, int n) {
        if (closed) {
            return;
        }
        for (int i = 0; i < n; i++) {
            ackLocked(seqs[i]);
        }
    }

    private void ackLocked(long seq) {
        Segment s = ackSeg;
        if (s == null || seq < s.firstSeq || seq >= s.endSeq) {
            Map.Entry<Long, Segment> e = segments.floorEntry(seq);
            if (e == null) {
                return;
            }
            s = e.getValue();
            ackSeg = s; // acknowledgements come in runs of one segment: skip the tree lookup
        }
        if (seq >= s.endSeq || !s.markAcked(seq)) {
            return;
        }
        if (s != active && s.fullyAcked()) {
            delete(s);
        }
    }

    /**
     * True when the record is still in the spool and not acknowledged; false once it was
     * acknowledged or its segment was dropped because the spool was full.
     */
    public synchronized boolean contains(long seq) {
        Map.Entry<Long, Segment> e = segments.floorEntry(seq);
        return e != null && seq < e.getValue().endSeq && !e.getValue().isAcked(seq);
    }

    /** Persists the acknowledgement low watermark (and fsyncs data under the interval policy when due). */
    public void checkpoint() {
        long low;
        FileChannel due;
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                due = fsyncDue();
            } catch (IOException e) {
                LOG.warn("spool {}: cannot fsync: {}", config.dir(), e.toString());
                due = null;
            }
            low = lowWater();
        }
        forceOutsideLock(due);
        synchronized (checkpointLock) {
            if (low > checkpointed) {
                writeCheckpoint(low);
            }
        }
    }

    /**
     * Writes the checkpoint file. Called by one thread at a time (the sender, or close() after the
     * sender stopped), outside the monitor: acknowledgements and appends go on meanwhile.
     */
    private void writeCheckpoint(long low) {
        try {
            ByteBuffer b = ByteBuffer.allocate(16);
            b.putInt(CHECKPOINT_MAGIC).putLong(low);
            CRC32C c = new CRC32C();
            c.update(b.array(), 0, 12);
            b.putInt((int) c.getValue()).flip();
            Path tmp = config.dir().resolve(CHECKPOINT + ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                if (config.fsync() == FsyncPolicy.ALWAYS) {
                    ch.force(true);
                }
            }
            move(tmp, config.dir().resolve(CHECKPOINT));
            checkpointed = low;
        } catch (IOException e) {
            LOG.warn("spool {}: cannot write the checkpoint: {}", config.dir(), e.toString());
        }
    }

    private long readCheckpoint() throws IOException {
        Path p = config.dir().resolve(CHECKPOINT);
        if (!Files.exists(p)) {
            return 0;
        }
        byte[] b = Files.readAllBytes(p);
        if (b.length != 16) {
            LOG.warn("spool {}: ignoring a damaged checkpoint; every spooled record will be replayed", config.dir());
            return 0;
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        CRC32C c = new CRC32C();
        c.update(b, 0, 12);
        if (bb.getInt(0) != CHECKPOINT_MAGIC || bb.getInt(12) != (int) c.getValue()) {
            LOG.warn("spool {}: ignoring a damaged checkpoint; every spooled record will be replayed", config.dir());
            return 0;
        }
        return Math.max(0, bb.getLong(4));
    }

    /**
     * The low watermark last written to the checkpoint: a restart replays nothing below it. Grows
     * only.
     */
    public long checkpointed() {
        return checkpointed;
    }

    /** Every record below this sequence number is acknowledged or gone. */
    synchronized long lowWater() {
        for (Segment s : segments.values()) {
            long first = s.firstUnacked();
            if (first >= 0) {
                return first;
            }
        }
        return nextSeq;
    }

    /** Records appended and neither acknowledged nor dropped. */
    public synchronized long pendingCount() {
        long n = 0;
        for (Segment s : segments.values()) {
            n += (s.endSeq - s.firstSeq) - s.ackedCount;
        }
        return n;
    }

    /** Bytes in the segment files. */
    public synchronized long bytes() {
        return totalBytes;
    }

    /** The number of segment files. */
    public synchronized int segmentCount() {
        return segments.size();
    }

    /** The configuration. */
    public SpoolConfig config() {
        return config;
    }

    /** Flushes, checkpoints and releases the spool. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            flushPending();
            if (active != null && config.fsync() != FsyncPolicy.NEVER) {
                active.ch.force(false);
            }
        } catch (IOException e) {
            LOG.error("spool {}: cannot write on close: {}", config.dir(), e.toString());
        }
        checkpoint();
        closed = true;
        for (Segment s : segments.values()) {
            closeQuietly(s.ch);
        }
        segments.clear();
        try {
            lock.release();
        } catch (IOException | RuntimeException e) {
            // released with the channel below
        }
        closeQuietly(lockChannel);
    }

    private void dropOldest() throws IOException {
        Segment s = segments.firstEntry().getValue();
        if (s == active) {
            flushPending();
            active = null;
        }
        long dropped = 0;
        // records the cursor has handed out are the sender's until acknowledged; only unread ones are lost
        for (long q = Math.max(cursorSeq, s.firstSeq); q < s.endSeq; q++) {
            if (!s.isAcked(q)) {
                dropped++;
            }
        }
        if (dropped > 0) {
            counters.countDropped(DropReason.SPOOL_FULL_OLDEST, dropped);
            LOG.warn("spool {}: full ({} bytes); dropped the {} oldest unsent record(s) (seq {}..{})", config.dir(),
                    totalBytes, dropped, s.firstSeq, s.endSeq - 1);
        }
        if (cursorSeq < s.endSeq) {
            cursorSeq = s.endSeq;
        }
        delete(s);
    }

    private void delete(Segment s) {
        segments.remove(s.firstSeq);
        totalBytes -= s.bytes;
        counters.spooledBytes(totalBytes);
        if (cursorSeg == s) {
            cursorSeg = null;
        }
        if (readBufSeg == s) {
            readBufSeg = null;
        }
        if (ackSeg == s) {
            ackSeg = null;
        }
        closeQuietly(s.ch);
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            LOG.warn("spool {}: cannot delete {}: {}", config.dir(), s.path.getFileName(), e.toString());
        }
    }

    private void roll() throws IOException {
        if (active != null) {
            flushPending();
            if (config.fsync() != FsyncPolicy.NEVER) {
                active.ch.force(false);
            }
            Segment sealed = active;
            active = null;
            if (sealed.fullyAcked()) {
                delete(sealed);
            }
        }
        Path p = config.dir().resolve(segmentName(nextSeq));
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        active = new Segment(p, nextSeq, ch);
        segments.put(nextSeq, active);
    }

    private void flushPending() throws IOException {
        if (pending.position() == 0) {
            return;
        }
        pending.flip();
        long pos = active.bytes - pending.remaining();
        while (pending.hasRemaining()) {
            pos += active.ch.write(pending, pos);
        }
        pending.clear();
        unsynced = true;
        counters.countSpooled(pendingRecords); // "spooled" means written to the file (survives a process kill)
        pendingRecords = 0;
    }

    /**
     * Decides whether the data written so far must be forced to disk now, under the monitor. With
     * {@code always} it forces here (a record is on disk before the sender can read it); with
     * {@code interval} it returns the channel for the caller to force after releasing the monitor,
     * because an fsync of a second's writes can take tens of milliseconds and the sender and the
     * acknowledging I/O thread must not wait for it. Null when nothing is due.
     */
    private FileChannel fsyncDue() throws IOException {
        if (!unsynced || active == null) {
            return null;
        }
        long now = System.nanoTime();
        switch (config.fsync()) {
            case ALWAYS -> {
                active.ch.force(false);
                lastFsyncNanos = now;
                unsynced = false;
                return null;
            }
            case INTERVAL -> {
                if (now - lastFsyncNanos < config.fsyncIntervalMillis() * 1_000_000L) {
                    return null;
                }
                lastFsyncNanos = now;
                unsynced = false;
                return active.ch;
            }
            default -> {
                return null;
            }
        }
    }

    /** Forces a segment's data to disk; a segment deleted meanwhile (all acknowledged or dropped) needs none. */
    private void forceOutsideLock(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.force(false);
        } catch (java.nio.channels.ClosedChannelException e) {
            // the segment was deleted meanwhile: nothing left to protect
        } catch (IOException e) {
            LOG.error("spool {}: cannot fsync: {}", config.dir(), e.toString());
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("spool " + config.dir() + " is closed");
        }
    }

    static String segmentName(long firstSeq) {
        return String.format("%020d%s", firstSeq, SUFFIX);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException e) {
            LOG.warn("cannot close a spool file: {}", e.toString());
        }
    }

    /** One segment file and the acknowledgement state of its records. */
    private static final class Segment {
        final Path path;
        final long firstSeq;
        final FileChannel ch;
        final BitSet acked = new BitSet();
        long endSeq;
        long bytes;
        long ackedCount;

        Segment(Path path, long firstSeq, FileChannel ch) {
            this.path = path;
            this.firstSeq = firstSeq;
            this.endSeq = firstSeq;
            this.ch = ch;
        }

        boolean markAcked(long seq) {
            int i = (int) (seq - firstSeq);
            if (acked.get(i)) {
                return false;
            }
            acked.set(i);
            ackedCount++;
            return true;
        }

        boolean isAcked(long seq) {
            return acked.get((int) (seq - firstSeq));
        }

        boolean fullyAcked() {
            return ackedCount >= endSeq - firstSeq;
        }

        long firstUnacked() {
            int i = acked.nextClearBit(0);
            return firstSeq + i < endSeq ? firstSeq + i : -1;
        }
    }
}
