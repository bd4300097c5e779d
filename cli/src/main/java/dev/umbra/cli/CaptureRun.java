package dev.umbra.cli;

import dev.umbra.sensor.Anomaly;
import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.capture.CaptureFormatException;
import dev.umbra.sensor.capture.CaptureSummary;
import dev.umbra.sensor.decode.PacketDecoder;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Reads the input files of a command and feeds their observations to a consumer. Problems with a
 * file are reported as one line naming the file; reading goes on with the next file.
 */
final class CaptureRun {
    private final PrintWriter err;
    private final AnomalyCounters anomalies = new AnomalyCounters();
    private long packets;
    private int filesRead;
    private int filesFailed;

    CaptureRun(PrintWriter err) {
        this.err = err;
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

    /** Reads every file in order. */
    void readAll(List<Path> files, Consumer<Observation> sink) {
        for (Path file : files) {
            read(file, sink);
        }
    }

    private void read(Path file, Consumer<Observation> sink) {
        PacketDecoder decoder = new PacketDecoder(file.toString(), sink, anomalies);
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

    /** Prints packet and anomaly counts (for -v). */
    void printStatistics() {
        err.println("umbra: read " + packets + " packets from " + filesRead + " file(s)");
        Map<Anomaly, Long> counts = anomalies.nonZero();
        for (Map.Entry<Anomaly, Long> e : counts.entrySet()) {
            err.println("umbra: anomaly " + e.getKey().code() + ": " + e.getValue());
        }
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
