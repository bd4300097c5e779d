package dev.umbra.signatures.bench;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.HostMatcher;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Lookups per CPU-second of the matcher on {@link HostMatcherBenchmark#MIX}: the same mix as the JMH
 * benchmark, timed by the thread's own CPU time instead of the wall clock, so that the figure is
 * per core even when other processes share the machine (JMH's wall-clock throughput then drops
 * with the share of the CPU the benchmark gets). Run after {@code bin/bench signatures -l} has
 * compiled the test classes:
 *
 * <pre>
 * java -cp signatures/target/test-classes:signatures/target/classes:$(cat cp.txt) \
 *     dev.umbra.signatures.bench.HostMatcherCpuTime [seconds]
 * </pre>
 */
public final class HostMatcherCpuTime {
    private HostMatcherCpuTime() {
    }

    public static void main(String[] args) {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        HostMatcher m = Catalog.builtIn().matcher();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        String[] mix = HostMatcherBenchmark.MIX;
        long sink = 0;
        // warm-up: 2 CPU-seconds
        long warmEnd = threads.getCurrentThreadCpuTime() + 2_000_000_000L;
        while (threads.getCurrentThreadCpuTime() < warmEnd) {
            for (int r = 0; r < 1000; r++) {
                for (String h : mix) {
                    sink += m.match(h) == null ? 1 : 2;
                }
            }
        }
        for (int round = 1; round <= seconds; round++) {
            long lookups = 0;
            long start = threads.getCurrentThreadCpuTime();
            long end = start + 1_000_000_000L;
            long now;
            while ((now = threads.getCurrentThreadCpuTime()) < end) {
                for (int r = 0; r < 1000; r++) {
                    for (String h : mix) {
                        sink += m.match(h) == null ? 1 : 2;
                    }
                }
                lookups += 1000L * mix.length;
            }
            System.out.printf("round %d: %.1f M lookups per CPU-second%n", round, lookups / ((now - start) / 1e9) / 1e6);
        }
        System.out.println("(checksum " + sink + ")");
    }
}
