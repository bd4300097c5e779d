package dev.umbra.cli;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.capture.CaptureSummary;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.proxylog.LogAnomaly;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogFiles;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * Reads the input files of a command, captures and logs in any mix, and feeds their observations
 * to a consumer. A file whose first bytes are a pcap or pcapng magic number (also inside gzip) is a
 * capture; any other file is a log whose format is given or detected. Problems with a file are reported as one line
 * naming the file; reading goes on with the next file. Bad log lines are counted and reported as
 * one warning per file, never fatal.
 */
final class CaptureRun {
    private final PrintWriter err;
    private final LogOptions logOptions;
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private final Map<LogAnomaly, Long> logAnomalies = new java.util.EnumMap<>(LogAnomaly.class);
    private long packets;
    private int filesRead;
    private int filesFailed;
    private int logFiles;
    // the names the capture decoders make observations of; null: every name
    private Predicate<String> wantedNames;
    private PacketDecoder.BodyListener bodies;
    private int maxBodyBytes;

    CaptureRun(PrintWriter err) {
        this(err, LogOptions.defaults());
    }

    CaptureRun(PrintWriter err, LogOptions logOptions) {
        this.err = err;
        this.logOptions = logOptions;
    }

    /** Whether a file starts with a pcap or pcapng magic number (also gzip-compressed). */
    static boolean isCapture(Path file) throws IOException {
        return CaptureFileReader.isCapture(file);
    }

    /**
     * Checks that every input names a readable regular file before anything is read.
     *
     * @throws UmbraException (exit 2) naming the first bad file
     */
    static void checkInputs(List<Path> files) {
        for (Path f : files) {
            if (!Files.exists(f)) {
                throw UmbraException.badInput(f + ": no such file");
            }
            if (Files.isDirectory(f)) {
                throw UmbraException.badInput(f + ": is a directory, not a capture or log file");
            }
            if (!Files.isReadable(f)) {
                throw UmbraException.badInput(f + ": permission denied");
            }
        }
    }

    /**
     * Makes the capture decoders observe only the names {@code wanted} accepts (see
     * {@link PacketDecoder#onlyNames}); logs are read whole.
     */
    void onlyNames(Predicate<String> wanted) {
        this.wantedNames = wanted;
    }

    /**
     * Hands the plaintext HTTP request bodies of the captures to {@code listener} (see
     * {@link PacketDecoder#onHttpBodies}), at most {@code maxBytes} of each.
     */
    void onHttpBodies(int maxBytes, PacketDecoder.BodyListener listener) {
        this.maxBodyBytes = maxBytes;
        this.bodies = listener;
    }

    /** Reads every file in order. */
    void readAll(List<Path> files, Consumer<Observation> sink) {
        for (Path file : files) {
            read(file, sink);
        }
    }

    private void read(Path file, Consumer<Observation> sink) {
        try {
            if (!isCapture(file)) {
                readLog(file, sink);
                return;
            }
        } catch (IOException e) {
            filesFailed++;
            err.println("umbra: " + file + ": cannot read: " + e.getMessage());
            return;
        }
        PacketDecoder decoder = new PacketDecoder(file.toString(), sink, anomalies);
        if (wantedNames != null) {
            decoder.onlyNames(wantedNames);
        }
        if (bodies != null) {
            decoder.onHttpBodies(maxBodyBytes, bodies);
        }
        try {
            CaptureSummary summary = CaptureFileReader.read(file, decoder, anomalies);
            decoder.finish(); // hellos still in reassembly buffers, flows still open
            packets += summary.packets();
            filesRead++;
            if (!summary.complete()) {
                err.println("umbra: warning: " + file + ": " + summary.stopReason() + " at byte offset "
                        + summary.stoppedAtOffset() + "; the " + summary.packets()
                        + " packets before it were read");
            }
        } catch (CaptureFormatException e) {
            filesFailed++;
            err.println("umbra: " + file + ": " + e.getMessage());
        } catch (IOException e) {
            filesFailed++;
            err.println("umbra: " + file + ": cannot read: " + e.getMessage());
        }
    }

    private void readLog(Path file, Consumer<Observation> sink) {
        LogStats stats = new LogStats();
        LogStream stream;
        try {
            stream = LogFiles.read(file, logOptions, new LogContext(file.toString(), sink, stats));
        } catch (IOException e) {
            filesFailed++;
            err.println("umbra: " + file + ": cannot read: " + e.getMessage());
            return;
        }
        merge(stats);
        if (stream.format() == null) {
            filesFailed++;
            err.println("umbra: " + file + ": not a pcap or pcapng capture, and not a log of a known format ("
                    + LogFormat.ids() + "); name it with --log-format");
            return;
        }
        filesRead++;
        logFiles++;
        long bad = stats.badLines();
        if (bad > 0) {
            StringJoiner kinds = new StringJoiner(", ");
            stats.nonZero().forEach((k, v) -> kinds.add(k.code() + " " + v));
            List<String> first = new ArrayList<>();
            stats.firstBadLines().forEach(b -> first.add(Long.toString(b.lineNumber())));
            err.println("umbra: warning: " + file + " (" + stream.format().id() + "): " + bad + " of " + stats.lines()
                    + " lines not read (" + kinds + "); first at line(s) " + String.join(", ", first));
        }
    }

    private void merge(LogStats stats) {
        stats.nonZero().forEach((k, v) -> logAnomalies.merge(k, v, Long::sum));
        logLines += stats.lines();
        logObservations += stats.observations();
    }

    private long logLines;
    private long logObservations;

    /** Prints packet, line and anomaly counts (for -v). */
    void printStatistics() {
        err.println("umbra: read " + packets + " packets and " + logLines + " log lines (" + logObservations
                + " requests) from " + filesRead + " file(s)");
        Map<Anomaly, Long> counts = anomalies.nonZero();
        for (Map.Entry<Anomaly, Long> e : counts.entrySet()) {
            err.println("umbra: anomaly " + e.getKey().code() + ": " + e.getValue());
        }
        for (Map.Entry<LogAnomaly, Long> e : logAnomalies.entrySet()) {
            err.println("umbra: anomaly " + e.getKey().code() + ": " + e.getValue());
        }
    }

    /** Log lines read. */
    long logLines() {
        return logLines;
    }

    /** Log files read. */
    int logFiles() {
        return logFiles;
    }

    long packets() {
        return packets;
    }

    int filesFailed() {
        return filesFailed;
    }

    AnomalyCounters anomalies() {
        return anomalies;
    }
}
