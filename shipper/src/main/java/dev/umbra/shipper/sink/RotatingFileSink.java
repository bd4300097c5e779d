package dev.umbra.shipper.sink;

import dev.umbra.shipper.DropReason;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.FindingSink;
import dev.umbra.shipper.ShipperCounters;
import dev.umbra.shipper.ocsf.OcsfMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Appends findings as OCSF JSON lines to a file, rotating it by size: {@code PATH} is the live
 * file, {@code PATH.1} the previous one, up to {@code PATH.<keep>}; older files are deleted. A line
 * is never split across files. Synchronous (writes on the caller's thread, buffered); an I/O error
 * drops the finding, counts it as {@code spool_io_error} and is logged once.
 */
public final class RotatingFileSink implements FindingSink {
    private static final Logger LOG = LogManager.getLogger(RotatingFileSink.class);
    /** Default size before rotation: 100 MiB. */
    public static final long DEFAULT_MAX_BYTES = 100L << 20;
    /** Default number of rotated files kept. */
    public static final int DEFAULT_KEEP = 5;

    private final Path path;
    private final long maxBytes;
    private final int keep;
    private final OcsfMapper mapper;
    private final ShipperCounters counters;
    private OutputStream out;
    private long size;
    private boolean errorLogged;

    /**
     * @param maxBytes rotate when the file would pass this size (at least 1024)
     * @param keep rotated files kept (at least 1)
     * @throws IOException if the file cannot be opened for appending
     */
    public RotatingFileSink(Path path, long maxBytes, int keep, OcsfMapper mapper, ShipperCounters counters)
            throws IOException {
        if (maxBytes < 1024) {
            throw new IllegalArgumentException("Invalid value " + maxBytes
                    + " for configuration file.max.bytes: must be at least 1024");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("Invalid value " + keep + " for configuration file.keep: must be at least 1");
        }
        this.path = Objects.requireNonNull(path, "path");
        this.maxBytes = maxBytes;
        this.keep = keep;
        this.mapper = mapper;
        this.counters = counters;
        open();
    }

    private void open() throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, StandardOpenOption.WRITE), 64 * 1024);
        size = Files.size(path);
    }

    @Override
    public synchronized boolean offer(Finding finding) {
        byte[] line = mapper.toJsonBytes(finding);
        try {
            if (out == null) {
                open();
            }
            if (size > 0 && size + line.length + 1 > maxBytes) {
                rotate();
            }
            out.write(line);
            out.write('\n');
            size += line.length + 1;
            return true;
        } catch (IOException e) {
            counters.countDropped(DropReason.SPOOL_IO_ERROR, 1);
            if (!errorLogged) {
                errorLogged = true;
                LOG.error("file output {}: cannot write: {}; findings are dropped and counted", path, e.toString());
            }
            return false;
        }
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(path, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    private Path rotated(int i) {
        return path.resolveSibling(path.getFileName() + "." + i);
    }

    @Override
    public synchronized void close() {
        if (out == null) {
            return;
        }
        try {
            out.close();
        } catch (IOException e) {
            LOG.error("file output {}: cannot write: {}", path, e.toString());
        }
        out = null;
    }
}
