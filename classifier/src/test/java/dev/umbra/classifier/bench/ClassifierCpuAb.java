package dev.umbra.classifier.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A before/after comparison of two builds of the classifier on a shared machine: both builds are
 * loaded in one JVM (each in its own class loader), scan the same inputs as
 * {@link ClassifierBenchmark} in interleaved rounds, and are timed by the scanning thread's CPU
 * time; the best round after the first third counts. Interleaving means both builds see the same
 * load, which JMH runs minutes apart do not.
 *
 * <pre>
 * java -Dumbra.repo.root=$PWD -cp classifier/target/test-classes:$(cat classifier/cp.txt) \
 *     dev.umbra.classifier.bench.ClassifierCpuAb BEFORE_CLASSES_DIR classifier/target/classes [rounds]
 * </pre>
 *
 * where {@code BEFORE_CLASSES_DIR} holds the compiled main classes of the older commit and
 * {@code classifier/cp.txt} the module's dependency class path (see docs/benchmarks.md).
 */
public final class ClassifierCpuAb {
    private ClassifierCpuAb() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: ClassifierCpuAb BEFORE_CLASSES NEW_CLASSES [rounds]");
            System.exit(2);
        }
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 150;
        Map<String, List<String>> sets = ClassifierBenchmark.inputSets();
        // the dependencies (not the classifier itself) come from this JVM's class path
        List<URL> deps = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.endsWith(".jar")) {
                deps.add(Path.of(e).toUri().toURL());
            }
        }
        Object[] classifier = new Object[2];
        MethodHandle[] scan = new MethodHandle[2];
        for (int k = 0; k < 2; k++) {
            List<URL> urls = new ArrayList<>();
            urls.add(Path.of(args[k]).toAbsolutePath().toUri().toURL());
            urls.addAll(deps);
            ClassLoader l = new URLClassLoader(urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
            Class<?> config = Class.forName("dev.umbra.classifier.ClassifierConfig", true, l);
            Class<?> api = Class.forName("dev.umbra.classifier.Classifier", true, l);
            Class<?> result = Class.forName("dev.umbra.classifier.ScanResult", true, l);
            classifier[k] = api.getMethod("create", config).invoke(null, config.getMethod("defaults").invoke(null));
            scan[k] = MethodHandles.publicLookup().findVirtual(api, "scan", MethodType.methodType(result, String.class))
                    .asType(MethodType.methodType(Object.class, Object.class, String.class));
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        double[][] best = new double[2][sets.size()];
        for (double[] b : best) {
            Arrays.fill(b, Double.MAX_VALUE);
        }
        for (int round = 0; round < rounds; round++) {
            for (int j = 0; j < 2; j++) {
                int k = (round + j) % 2;
                int set = 0;
                for (List<String> requests : sets.values()) {
                    long chars = 0;
                    long t0 = mx.getCurrentThreadCpuTime();
                    for (String r : requests) {
                        scan[k].invoke(classifier[k], r);
                        chars += r.length();
                    }
                    double ns = (mx.getCurrentThreadCpuTime() - t0) / (double) chars;
                    if (round >= rounds / 3) {
                        best[k][set] = Math.min(best[k][set], ns);
                    }
                    set++;
                }
            }
        }
        int set = 0;
        for (String name : sets.keySet()) {
            System.out.printf(Locale.ROOT, "%-26s before %6.2f ns/char %6.1f MB/s   after %6.2f ns/char %6.1f MB/s   x%.2f%n",
                    name, best[0][set], 1000 / best[0][set], best[1][set], 1000 / best[1][set], best[0][set] / best[1][set]);
            set++;
        }
    }
}
