package dev.umbra.sensor.tail;

import dev.umbra.sensor.proxylog.LogStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Properties;
import java.util.zip.CRC32C;

/*
 * Design notes.
 *
 * The tailer is polled (poll()); it holds the log open and remembers, for the file it reads, the
 * file key (device and inode), the offset just after the last complete line it handed on, and a
 * fingerprint: a CRC32C of the file's first bytes (up to FINGERPRINT_BYTES). Only complete,
 * LF-terminated lines are handed on; a partial last line is read again at the next poll.
 *
 * Rotation by rename: the path now names another file (other key) or none. The old file, still
 * open, is read to its end (its last line even without LF: nobody will finish it), then the new
 * file is read from 0.
 *
 * Copytruncate: same key, but the file is shorter than the offset or its fingerprint changed (it
 * was truncated and written again between polls). Lines written after the last poll and before the
 * copy are in the copy: a sibling (same directory, name starting with the log's name) with the old
 * fingerprint and at least offset bytes is read from the offset to its end. Then the log is read
 * from 0. (Lines written between the copy and the truncation are lost by copytruncate itself.)
 *
 * Restart: the state (key, offset, fingerprint) is written after every poll that moved, to a
 * temporary file renamed over the state file. On start, the same file (key and fingerprint match,
 * large enough) is read from the offset; otherwise the rotated file is looked for among the
 * siblings by key (rename) or fingerprint (copy), finished from the offset, and the new file is
 * read from 0. Lines are handed on before the state is written: a crash between the two repeats
 * the lines of one poll, never skips any.
 */

/**
 * Follows a growing log file through rename and copytruncate rotation and truncation, and across
 * restarts, handing every complete line to a {@link LogStream} exactly once. Not thread-safe: one
 * thread polls.
 */
public final class FileTailer implements AutoCloseable {
    /** Bytes of the file's start that identify it. */
    public static final int FINGERPRINT_BYTES = 1024;
    /** Bytes read per call to the channel. */
    private static final int CHUNK = 256 * 1024;
    /** Idle polls a renamed-away file is still read for before it is closed. */
    public static final int ROTATION_GRACE_POLLS = 2;
    /** Siblings looked at when searching a rotated file. */
    private static final int MAX_SIBLINGS = 256;

    private final Path path;
    private final Path stateFile;
    private final LogStream stream;
    private final int maxLineLength;
    private final ByteBuffer buffer;

    private FileChannel channel;
    // a renamed-away file still read for ROTATION_GRACE_POLLS idle polls
    private FileChannel previous;
    private long previousOffset;
    private boolean previousSkipping;
    private int previousIdlePolls;
    private String fileKey;
    private long offset;
    private int fingerprintLength;
    private long fingerprint;
    private boolean skipping; // inside a line longer than the cap
    private boolean started;
    private long linesHanded;
    private long rotations;
    private long truncations;

    /**
     * @param path the log file
     * @param stateFile where the position is kept across restarts
     * @param stream receives the lines
     * @param maxLineLength longest line handed on; longer ones are counted by the stream and skipped
     */
    public FileTailer(Path path, Path stateFile, LogStream stream, int maxLineLength) {
        this.path = Objects.requireNonNull(path, "path");
        this.stateFile = Objects.requireNonNull(stateFile, "stateFile");
        this.stream = Objects.requireNonNull(stream, "stream");
        if (maxLineLength < 1) {
            throw new IllegalArgumentException("max line length must be positive: " + maxLineLength);
        }
        this.maxLineLength = maxLineLength;
        this.buffer = ByteBuffer.allocate(Math.max(CHUNK, maxLineLength + 1));
    }

    /**
     * Reads what was written since the last poll, following rotation.
     *
     * @return the number of lines handed on
     * @throws IOException when the log or the state cannot be read or written
     */
    public long poll() throws IOException {
        long before = linesHanded;
        if (!started) {
            start();
        }
        if (channel == null) {
            openCurrent(0);
            if (channel == null) {
                return linesHanded - before;
            }
        }
        drainPrevious();
        BasicFileAttributes now = attributes(path);
        if (now == null || !key(now).equals(fileKey)) {
            // renamed away (and maybe replaced): read the old file to its end now, and keep reading
            // it for a few polls (a writer may not have reopened yet); then start the new one
            readToEnd(false);
            closePrevious(true);
            previous = channel;
            previousOffset = offset;
            previousSkipping = skipping;
            previousIdlePolls = 0;
            channel = null;
            rotations++;
            openCurrent(0);
            if (channel != null) {
                readToEnd(false);
            }
        } else {
            long size = channel.size();
            if (size < offset || !fingerprintMatches(channel, size)) {
                truncations++;
                finishFromCopy(path.getFileName().toString(), fingerprintLength, fingerprint, offset);
                offset = 0;
                skipping = false;
                fingerprintLength = 0;
            }
            readToEnd(false);
        }
        saveState();
        return linesHanded - before;
    }

    /** Lines handed on since this tailer was made. */
    public long lines() {
        return linesHanded;
    }

    /** Rename rotations seen. */
    public long rotations() {
        return rotations;
    }

    /** Truncations (copytruncate) seen. */
    public long truncations() {
        return truncations;
    }

    /** Offset in the current file after the last complete line handed on. */
    public long offset() {
        return offset;
    }

    /** Saves the state and closes the file. */
    @Override
    public void close() throws IOException {
        closePrevious(true);
        if (started) {
            saveState();
        }
        closeChannel();
    }

    /** Reads what a writer added to the renamed file since the last poll; closes it once idle. */
    private void drainPrevious() throws IOException {
        if (previous == null) {
            return;
        }
        long before = previousOffset;
        withPrevious(false);
        if (previousOffset == before && previous.size() == before) {
            previousIdlePolls++;
        } else {
            previousIdlePolls = 0;
        }
        if (previousIdlePolls >= ROTATION_GRACE_POLLS) {
            closePrevious(true);
        }
    }

    private void closePrevious(boolean finalRead) throws IOException {
        if (previous == null) {
            return;
        }
        if (finalRead) {
            withPrevious(true);
        }
        previous.close();
        previous = null;
    }

    private void withPrevious(boolean finalRead) throws IOException {
        FileChannel ch = channel;
        long off = offset;
        boolean skip = skipping;
        int fpLen = fingerprintLength;
        channel = previous;
        offset = previousOffset;
        skipping = previousSkipping;
        fingerprintLength = FINGERPRINT_BYTES; // the old file's fingerprint is no longer needed
        try {
            readToEnd(finalRead);
            previousOffset = offset;
            previousSkipping = skipping;
        } finally {
            channel = ch;
            offset = off;
            skipping = skip;
            fingerprintLength = fpLen;
        }
    }

    // ---- start and state ----

    private void start() throws IOException {
        started = true;
        Properties state = loadState();
        if (state == null) {
            return;
        }
        String key = state.getProperty("key");
        long savedOffset;
        int fpLen;
        long fp;
        try {
            savedOffset = Long.parseLong(state.getProperty("offset", "0"));
            fpLen = Integer.parseInt(state.getProperty("fingerprint.length", "0"));
            fp = Long.parseLong(state.getProperty("fingerprint", "0"));
        } catch (NumberFormatException e) {
            return; // an unreadable state: read the file from its start
        }
        if (savedOffset < 0 || fpLen < 0 || fpLen > FINGERPRINT_BYTES) {
            return;
        }
        boolean savedSkipping = Boolean.parseBoolean(state.getProperty("skipping", "false"));
        BasicFileAttributes now = attributes(path);
        if (now != null && key(now).equals(key)) {
            FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
            long size = ch.size();
            boolean same = size >= savedOffset && fingerprintOf(ch, fpLen, size) == fp;
            if (same) {
                adopt(ch, key, savedOffset, fpLen, fp, savedSkipping);
                return;
            }
            ch.close();
            // truncated while we were down: the rest of the old content may be in a copy
            truncations++;
            finishFromCopy(path.getFileName().toString(), fpLen, fp, savedOffset);
            return;
        }
        // rotated while we were down: find the old file by key, then by fingerprint
        Path old = findSibling(key, fpLen, fp, savedOffset);
        if (old != null) {
            rotations++;
            FileChannel ch = FileChannel.open(old, StandardOpenOption.READ);
            adopt(ch, key, savedOffset, fpLen, fp, savedSkipping);
            readToEnd(true);
            closeChannel();
        }
    }

    private void adopt(FileChannel ch, String key, long off, int fpLen, long fp, boolean skip) {
        channel = ch;
        fileKey = key;
        offset = off;
        fingerprintLength = fpLen;
        fingerprint = fp;
        skipping = skip;
    }

    private void openCurrent(long from) throws IOException {
        BasicFileAttributes a = attributes(path);
        if (a == null || !a.isRegularFile()) {
            return;
        }
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return;
        }
        fileKey = key(a);
        offset = from;
        skipping = false;
        fingerprintLength = 0;
        fingerprint = 0;
    }

    private Properties loadState() throws IOException {
        if (!Files.exists(stateFile)) {
            return null;
        }
        Properties p = new Properties();
        try (var in = Files.newInputStream(stateFile)) {
            p.load(in);
        }
        if (!path.toAbsolutePath().toString().equals(p.getProperty("path")) || p.getProperty("key") == null) {
            return null;
        }
        return p;
    }

    private void saveState() throws IOException {
        if (fileKey == null) {
            return;
        }
        Properties p = new Properties();
        p.setProperty("path", path.toAbsolutePath().toString());
        p.setProperty("key", fileKey);
        p.setProperty("offset", Long.toString(offset));
        p.setProperty("fingerprint.length", Integer.toString(fingerprintLength));
        p.setProperty("fingerprint", Long.toString(fingerprint));
        p.setProperty("skipping", Boolean.toString(skipping));
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.io.StringWriter w = new java.io.StringWriter();
            p.store(w, "umbra tail state");
            out.write(ByteBuffer.wrap(w.toString().getBytes(StandardCharsets.ISO_8859_1)));
            out.force(true);
        }
        try {
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    // ---- reading ----

    /**
     * Hands on every complete line from the offset to the end of the open file; with
     * {@code finalRead} also a last line without LF (the file will not grow any more).
     */
    private void readToEnd(boolean finalRead) throws IOException {
        while (true) {
            buffer.clear();
            int n = channel.read(buffer, offset);
            if (n <= 0) {
                break;
            }
            byte[] b = buffer.array();
            int s = 0;
            for (int i = 0; i < n; i++) {
                if (b[i] != '\n') {
                    continue;
                }
                if (skipping) {
                    skipping = false;
                } else if (i - s > maxLineLength) {
                    stream.lineTooLong();
                    linesHanded++;
                } else {
                    stream.line(b, s, i - s);
                    linesHanded++;
                }
                s = i + 1;
            }
            if (s == 0 && n >= maxLineLength + 1 && !skipping) {
                // no LF within the cap: count the line once, skip to its end
                stream.lineTooLong();
                linesHanded++;
                skipping = true;
                s = n;
            } else if (s == 0 && skipping) {
                s = n;
            }
            updateFingerprint();
            offset += s;
            if (s < n) {
                if (n < buffer.capacity()) {
                    // a partial last line at the end of the file
                    if (finalRead && !skipping) {
                        stream.line(b, s, n - s);
                        linesHanded++;
                        offset += n - s;
                    }
                    break;
                }
            }
        }
        updateFingerprint();
    }

    private void updateFingerprint() throws IOException {
        if (fingerprintLength >= FINGERPRINT_BYTES || channel == null) {
            return;
        }
        long size = channel.size();
        int len = (int) Math.min(FINGERPRINT_BYTES, Math.min(size, Math.max(offset, 0)));
        if (len > fingerprintLength) {
            fingerprint = fingerprintOf(channel, len, size);
            fingerprintLength = len;
        }
    }

    private boolean fingerprintMatches(FileChannel ch, long size) throws IOException {
        return fingerprintLength == 0 || (size >= fingerprintLength && fingerprintOf(ch, fingerprintLength, size) == fingerprint);
    }

    private static long fingerprintOf(FileChannel ch, int len, long size) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (size < len) {
            return -1;
        }
        ByteBuffer b = ByteBuffer.allocate(len);
        while (b.hasRemaining()) {
            if (ch.read(b, b.position()) < 0) {
                return -1;
            }
        }
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, len);
        return crc.getValue();
    }

    /** Reads the rest of the copy of a truncated file, if a sibling is that copy. */
    private void finishFromCopy(String name, int fpLen, long fp, long from) throws IOException {
        if (fpLen == 0) {
            return;
        }
        Path copy = findSibling(null, fpLen, fp, from);
        if (copy == null) {
            return;
        }
        FileChannel saved = channel;
        String savedKey = fileKey;
        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.READ)) {
            channel = ch;
            offset = from;
            int savedFpLen = fingerprintLength;
            fingerprintLength = FINGERPRINT_BYTES; // do not fingerprint the copy
            readToEnd(true);
            fingerprintLength = savedFpLen;
        } finally {
            channel = saved;
            fileKey = savedKey;
        }
    }

    /** A sibling of the log with the given key, or else with the given fingerprint and size. */
    private Path findSibling(String key, int fpLen, long fp, long minSize) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        String base = path.getFileName().toString();
        Path byFingerprint = null;
        int seen = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, base + "*")) {
            for (Path p : ds) {
                if (++seen > MAX_SIBLINGS) {
                    break;
                }
                if (p.getFileName().toString().equals(base) || p.equals(stateFile)
                        || p.getFileName().toString().endsWith(".gz")) {
                    continue;
                }
                BasicFileAttributes a = attributes(p);
                if (a == null || !a.isRegularFile()) {
                    continue;
                }
                if (key != null && key(a).equals(key)) {
                    return p;
                }
                if (byFingerprint == null && fpLen > 0 && a.size() >= minSize) {
                    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                        if (fingerprintOf(ch, fpLen, ch.size()) == fp) {
                            byFingerprint = p;
                        }
                    }
                }
            }
        }
        return byFingerprint;
    }

    private void closeChannel() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private static BasicFileAttributes attributes(Path p) throws IOException {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String key(BasicFileAttributes a) {
        Object k = a.fileKey();
        return k != null ? k.toString()
                : "created:" + HexFormat.of().toHexDigits(a.creationTime().toMillis());
    }
}
