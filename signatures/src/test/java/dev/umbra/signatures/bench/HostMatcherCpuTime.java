package dev.umbra.signatures.bench;

import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.CatalogException;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Lookups per CPU-second of the matcher on {@link HostMatcherBenchmark#MIX}: the same mix as the JMH
 * benchmark, timed by the thread's own CPU time instead of the wall clock, so that the figure is
 * per core even when other processes share the machine (JMH's wall-clock throughput then drops
 * with the share of the CPU the benchmark gets). Each round times the plain lookup and then the
 * policy-aware one ({@link HostMatcherBenchmark#policy()}, a client address and user with every
 * lookup), so both see the same load. Run after {@code bin/bench signatures -l} has compiled the
 * test classes:
 *
 * <pre>
 * java -cp signatures/target/test-classes:signatures/target/classes:$(cat cp.txt) \
 *     dev.umbra.signatures.bench.HostMatcherCpuTime [rounds]
 * </pre>
 */
public final class HostMatcherCpuTime {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final String[] MIX = HostMatcherBenchmark.MIX;
    private static final String[] CLIENTS = HostMatcherBenchmark.CLIENTS;
    private static final String[] USERS = HostMatcherBenchmark.USERS;

    private static long sink;

    private HostMatcherCpuTime() {
    }

    public static void main(String[] args) throws CatalogException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        HostMatcher plain = Catalog.builtIn().matcher();
        HostMatcher withPolicy = Catalog.builtIn().withPolicy(HostMatcherBenchmark.policy()).matcher();
        // warm-up: 2 CPU-seconds each
        time(plain, false, 2_000_000_000L);
        time(withPolicy, true, 2_000_000_000L);
        for (int round = 1; round <= rounds; round++) {
            double a = time(plain, false, 1_000_000_000L);
            double b = time(withPolicy, true, 1_000_000_000L);
            System.out.printf("round %d: %.1f M lookups per CPU-second, %.1f M with the policy%n", round, a, b);
        }
        System.out.println("(checksum " + sink + ")");
    }

    /**
     * Runs the mix for {@code cpuNanos} of this thread's CPU time; returns millions of lookups per
     * CPU-second. Plain and policy-aware lookups have a loop each, so that the JIT compiles each on its
     * own (one loop with a branch measured the policy-aware lookup 15 % slower for the same work).
     */
    private static double time(HostMatcher m, boolean policy, long cpuNanos) {
        long lookups = 0;
        long start = THREADS.getCurrentThreadCpuTime();
        long end = start + cpuNanos;
        long now;
        while ((now = THREADS.getCurrentThreadCpuTime()) < end) {
            if (policy) {
                policyLookups(m);
            } else {
                plainLookups(m);
            }
            lookups += 1000L * MIX.length;
        }
        return lookups / ((now - start) / 1e9) / 1e6;
    }

    private static void plainLookups(HostMatcher m) {
        for (int r = 0; r < 1000; r++) {
            for (int i = 0; i < MIX.length; i++) {
                Match match = m.match(MIX[i]);
                sink += match == null ? 1 : match.verdict().ordinal() + 2;
            }
        }
    }

    private static void policyLookups(HostMatcher m) {
        for (int r = 0; r < 1000; r++) {
            for (int i = 0; i < MIX.length; i++) {
                Match match = m.match(MIX[i], CLIENTS[i & 3], USERS[i & 3]);
                sink += match == null ? 1 : match.verdict().ordinal() + 2;
            }
        }
    }
}
