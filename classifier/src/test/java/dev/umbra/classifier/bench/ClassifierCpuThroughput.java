package dev.umbra.classifier.bench;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.engine.Adversarial;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cross-check of {@link ClassifierBenchmark} on a shared machine: the same inputs, timed by the
 * scanning thread's CPU time (not wall time), best of several rounds after warm-up. JMH's wall
 * time counts the time the thread waited for a core; this does not.
 *
 * <pre>java -cp "$(cat cp.txt)" dev.umbra.classifier.bench.ClassifierCpuThroughput [rounds, default 150]</pre>
 */
public final class ClassifierCpuThroughput {
    private ClassifierCpuThroughput() {
    }

    public static void main(String[] args) throws Exception {
        // the scan needs about 100 rounds of these inputs to reach JMH's steady state (fewer read low:
        // C2 is still compiling, and on a shared machine the best round is a quiet moment)
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 150;
        Map<String, List<String>> sets = ClassifierBenchmark.inputSets();
        Classifier c = Classifier.create(ClassifierConfig.defaults());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Double> best = new LinkedHashMap<>();
        Map<String, Long> size = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Map.Entry<String, List<String>> e : sets.entrySet()) {
                long chars = 0;
                long t0 = mx.getCurrentThreadCpuTime();
                for (String r : e.getValue()) {
                    c.scan(r);
                    chars += r.length();
                }
                double mbs = chars / ((mx.getCurrentThreadCpuTime() - t0) / 1e9) / 1e6;
                size.put(e.getKey(), chars);
                if (round >= rounds / 3) {
                    best.merge(e.getKey(), mbs, Math::max);
                }
            }
        }
        best.forEach((k, v) -> System.out.printf(Locale.ROOT, "%-28s %9d chars  %7.1f MB/s per core (thread CPU time)%n",
                k, size.get(k), v));
        // worst cases at 1 and 4 MiB: linear time means a ratio near 4
        for (String kind : List.of("digits", "groupedDigits", "base64", "anchors", "deepJson")) {
            double[] t = new double[2];
            int k = 0;
            for (int n : new int[] {1 << 20, 1 << 22}) {
                String in = switch (kind) {
                    case "digits" -> Adversarial.digits(n);
                    case "groupedDigits" -> Adversarial.groupedDigits(n);
                    case "base64" -> Adversarial.base64(n);
                    case "deepJson" -> Adversarial.deepJsonText(n);
                    default -> "eyJ a@b.co -----BEGIN ://x password= AKIA DOB 1:2 ".repeat(n / 50 + 1).substring(0, n);
                };
                double fastest = Double.MAX_VALUE;
                for (int r = 0; r < 6; r++) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    c.scan(in);
                    fastest = Math.min(fastest, (mx.getCurrentThreadCpuTime() - t0) / 1e6);
                }
                t[k++] = fastest;
            }
            System.out.printf(Locale.ROOT, "worst case %-14s 1 MiB %7.1f ms   4 MiB %7.1f ms   ratio %.2f%n", kind, t[0], t[1],
                    t[1] / t[0]);
        }
    }
}
