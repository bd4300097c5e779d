package dev.umbra.sensor.bench;

import dev.umbra.sensor.AnomalyCounters;
import dev.umbra.sensor.capture.CaptureFileReader;
import dev.umbra.sensor.decode.PacketDecoder;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

/**
 * Reads and decodes a capture file N times on one thread and prints, per pass, packets/s by wall
 * clock, by the thread's CPU time and by the process's CPU time (which includes the garbage
 * collector), and bytes allocated per packet: a target for a profiler (JFR)
 * on the offline pipeline, and a before/after check that a loaded machine does not distort (CPU time
 * and allocation). Not the headline measurement: use CapturePipelineBenchmark for that.
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
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long self = Thread.currentThread().getId();
        for (int i = 0; i < passes; i++) {
            long start = System.nanoTime();
            long cpuStart = threads.getCurrentThreadCpuTime();
            long allocStart = threads.getThreadAllocatedBytes(self);
            long processStart = os.getProcessCpuTime();
            AnomalyCounters anomalies = new AnomalyCounters();
            PacketDecoder decoder = new PacketDecoder(file.toString(), o -> sink += o.hostname().length(), anomalies);
            long packets = CaptureFileReader.read(file, decoder, anomalies).packets();
            long nanos = System.nanoTime() - start;
            long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
            long alloc = threads.getThreadAllocatedBytes(self) - allocStart;
            long process = os.getProcessCpuTime() - processStart;
            System.out.printf("pass %d: %d packets in %.3f s, %.2f M packets/s wall, %.2f M packets/s thread CPU,"
                    + " %.2f M packets/s process CPU (with GC), %.0f B/packet allocated%n", i + 1, packets,
                    nanos / 1e9, packets * 1e3 / nanos, packets * 1e3 / cpu, packets * 1e3 / process,
                    (double) alloc / packets);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
