package dev.umbra.cli.bench;

import dev.umbra.cli.AuditPipeline;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * Passes of {@code umbra audit}'s pipeline over one capture in one JVM, timed each by wall and by the
 * thread's CPU, for profiling next to AuditPipelineBenchmark (which gives the figure):
 * {@code java -cp ... dev.umbra.cli.bench.AuditLoop CAPTURE PASSES}.
 */
public final class AuditLoop {
    private AuditLoop() {
    }

    public static void main(String[] args) {
        Path capture = Path.of(args[0]);
        int passes = Integer.parseInt(args[1]);
        HostMatcher matcher = Catalog.builtIn().matcher();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 1; i <= passes; i++) {
            long wall = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            AuditPipeline.Result r = AuditPipeline.run(capture, matcher);
            cpu = threads.getCurrentThreadCpuTime() - cpu;
            wall = System.nanoTime() - wall;
            System.out.printf("pass %d: %d packets, %d report rows in %.3f s, %.2f M packets/s wall, %.2f M packets/s"
                    + " thread CPU%n", i, r.packets(), r.rows(), wall / 1e9, r.packets() * 1e3 / wall,
                    r.packets() * 1e3 / cpu);
        }
    }
}
