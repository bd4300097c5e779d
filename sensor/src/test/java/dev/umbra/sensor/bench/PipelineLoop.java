package dev.umbra.sensor.bench;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.decode.PacketDecoder;
import java.nio.file.Path;

/**
 * Reads and decodes a capture file N times on one thread and prints packets/s per pass: a target
 * for a profiler (JFR) on the offline pipeline. Not a measurement: use CapturePipelineBenchmark.
 *
 * <pre>java -XX:StartFlightRecording=delay=8s,filename=r.jfr,settings=profile -cp CP \
 *     dev.umbra.sensor.bench.PipelineLoop FILE 14</pre>
 */
public final class PipelineLoop {
    private static long sink;

    private PipelineLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int passes = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        for (int i = 0; i < passes; i++) {
            long start = System.nanoTime();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(file.toString(), o -> sink += o.hostname().length(), anomalies);
            long packets = CaptureFileReader.read(file, decoder, anomalies).packets();
            long nanos = System.nanoTime() - start;
            System.out.printf("pass %d: %d packets in %.3f s, %.2f M packets/s%n", i + 1, packets, nanos / 1e9,
                    packets * 1e3 / nanos);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
