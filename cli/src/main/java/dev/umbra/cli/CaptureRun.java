package dev.umbra.cli;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.capture.CaptureSummary;
import dev.umbra.sensor.capture.GzipInput;
import dev.umbra.sensor.decode.PacketDecoder;
import dev.umbra.sensor.proxylog.LogAnomaly;
import dev.umbra.sensor.proxylog.LogContext;
import dev.umbra.sensor.proxylog.LogFiles;
import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import dev.umbra.sensor.proxylog.LogStats;
import dev.umbra.sensor.proxylog.LogStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import java.util.function.Predicate;

/**
 * Reads the input files of a command, captures and logs in any mix, and feeds their observations
 * to a consumer. A file whose first bytes are a pcap or pcapng magic number (also inside gzip) is a
 * capture; any other file is a log whose format is given or detected. Problems with a file are reported as one line
 * naming the file; reading goes on with the next file. Bad log lines are counted and reported as
 * one warning per file, never fatal.
 */
final class CaptureRun {
    /** The input name that means standard input. */
    static final String STANDARD_INPUT = "-";

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
    private IntPredicate wantedRequestPorts;
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
        if (files.stream().filter(CaptureRun::isStandardInput).count() > 1) {
            throw UmbraException.badInput("-: standard input can be read only once");
        }
        for (Path f : files) {
            if (isStandardInput(f)) {
                continue;
            }
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
     * With {@link #onlyNames}: HTTP requests to the server ports {@code ports} accepts are observed
     * whatever their host (see {@link PacketDecoder#alsoRequestsTo}).
     */
    void alsoRequestsTo(IntPredicate ports) {
        this.wantedRequestPorts = ports;
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

    /** Whether an input names standard input ({@code -}). */
    static boolean isStandardInput(Path file) {
        return file.toString().equals(STANDARD_INPUT);
    }

    /**
     * Reads standard input as a file is read: a capture or a log, gzip-compressed or not, told apart by
     * their first bytes ({@code tcpdump -w - | umbra observe -}, {@code zcat old.pcap.gz | umbra audit -}).
     */
    private void readStandardInput(InputStream stdin, Consumer<Observation> sink) {
        GzipInput gzip = null;
        try {
            BufferedInputStream raw = new BufferedInputStream(stdin, 1 << 16);
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            BufferedInputStream data = raw;
            if (CaptureFileReader.isGzipMagic(b0, b1)) {
                gzip = new GzipInput(raw);
                data = new BufferedInputStream(gzip, 1 << 16);
            }
            data.mark(4);
            byte[] magic = data.readNBytes(4);
            data.reset();
            if (!CaptureFileReader.isCaptureMagic(magic, magic.length)) {
                BufferedInputStream lines = data;
                readLog(STANDARD_INPUT, stats -> LogFiles.read(lines, logOptions,
                        new LogContext(STANDARD_INPUT, sink, stats)));
                if (gzip != null && gzip.failure() != null) {
                    err.println("umbra: warning: " + STANDARD_INPUT + ": " + gzip.failure()
                            + "; the lines before it were read");
                }
                return;
            }
            PacketDecoder decoder = decoder(STANDARD_INPUT, sink);
            CaptureSummary summary = CaptureFileReader.read(Channels.newChannel(data), decoder, anomalies);
            captureRead(STANDARD_INPUT, decoder, gzip == null ? summary : gzip.summarize(summary));
        } catch (CaptureFormatException e) {
            failed(STANDARD_INPUT, e.getMessage());
        } catch (IOException e) {
            failed(STANDARD_INPUT, "cannot read: " + e.getMessage());
        }
    }

    private void read(Path file, Consumer<Observation> sink) {
        if (isStandardInput(file)) {
            readStandardInput(System.in, sink);
            return;
        }
        try {
            if (!isCapture(file)) {
                readLog(file, sink);
                return;
            }
        } catch (IOException e) {
            failed(file, "cannot read: " + e.getMessage());
            return;
        }
        PacketDecoder decoder = decoder(file.toString(), sink);
        try {
            captureRead(file.toString(), decoder, CaptureFileReader.read(file, decoder, anomalies));
        } catch (CaptureFormatException e) {
            failed(file, e.getMessage());
        } catch (IOException e) {
            failed(file, "cannot read: " + e.getMessage());
        }
    }

    /** Counts an input that could not be read and says why, in one line naming it. */
    private void failed(Object source, String why) {
        filesFailed++;
        err.println("umbra: " + source + ": " + why);
    }

    /** A decoder for one capture, set up as this run's command asked. */
    private PacketDecoder decoder(String source, Consumer<Observation> sink) {
        PacketDecoder decoder = new PacketDecoder(source, sink, anomalies);
        decoder.nameClientsAsTap();
        if (wantedNames != null) {
            decoder.onlyNames(wantedNames);
        }
        if (wantedRequestPorts != null) {
            decoder.alsoRequestsTo(wantedRequestPorts);
        }
        if (bodies != null) {
            decoder.onHttpBodies(maxBodyBytes, bodies);
        }
        return decoder;
    }

    /** Ends a capture's decoding and counts it, warning when it stopped early. */
    private void captureRead(String source, PacketDecoder decoder, CaptureSummary summary) {
        decoder.finish(); // hellos still in reassembly buffers, flows still open
        packets += summary.packets();
        filesRead++;
        if (!summary.complete()) {
            err.println("umbra: warning: " + source + ": " + summary.stopReason() + " at byte offset "
                    + summary.stoppedAtOffset() + "; the " + summary.packets() + " packets before it were read");
        }
    }

    /** Opens a log for reading into a stream of observations. */
    @FunctionalInterface
    private interface LogReader {
        LogStream read(LogStats stats) throws IOException;
    }

    private void readLog(Path file, Consumer<Observation> sink) {
        readLog(file.toString(),
                stats -> LogFiles.read(file, logOptions, new LogContext(file.toString(), sink, stats)));
    }

    private void readLog(String source, LogReader reader) {
        LogStats stats = new LogStats();
        LogStream stream;
        try {
            stream = reader.read(stats);
        } catch (IOException e) {
            failed(source, "cannot read: " + e.getMessage());
            return;
        }
        merge(stats);
        if (stream.format() == null) {
            failed(source, "not a pcap or pcapng capture, and not a log of a known format (" + LogFormat.ids()
                    + "); name it with --log-format");
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
            err.println("umbra: warning: " + source + " (" + stream.format().id() + "): " + bad + " of " + stats.lines()
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
