package dev.umbra.sensor.bench;

import java.lang.management.ManagementFactory;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/*
 * Design notes.
 *
 * On the shared build machine the same build measures up to 15 % apart in runs a few minutes apart
 * (other tenants' load comes and goes), which hides the few per cent a change to the decoder makes.
 * Alternating whole JVMs (bin/bench-pipeline-ab run) narrows that but not enough. Here every build
 * runs in the same JVM, each in its own class loader (its classes and its own copies of the
 * dependencies, so no JIT profile is shared), and their passes alternate: A B C, C B A, A B C...
 * Whatever the machine does, each build gets its share of it, and the medians compare. The garbage
 * collector is shared: a pass pays for the collections that happen during it, which follow what it
 * allocates.
 *
 * Only reflection and java.* types cross between this class and the builds, so this class may come
 * from any build's test classes.
 */
/**
 * Reads and decodes one capture with several builds of the sensor, their passes interleaved in one
 * JVM, and prints per build the median and quartiles of packets/s (wall clock and the thread's CPU
 * time) and bytes allocated per packet. {@code bin/bench-pipeline-ab interleave} runs it.
 *
 * <pre>java -Xmx256m -XX:+UseSerialGC -cp TEST_CLASSES:DEPS dev.umbra.sensor.bench.InterleavedPipeline \
 *     FILE ROUNDS DEPS BUILD_CLASSES_1 BUILD_CLASSES_2 ...</pre>
 */
public final class InterleavedPipeline {
    // observations are stored here so that the decoder cannot be compiled into not making them
    private static volatile Object last;

    private InterleavedPipeline() {
    }

    /** One build of the sensor: the reader's entry point and the decoder's constructor in its own loader. */
    private record Build(String name, Constructor<?> anomalies, Constructor<?> decoder, Method read) {
        static Build load(String classes, URL[] dependencies) throws Exception {
            URL[] urls = Arrays.copyOf(dependencies, dependencies.length + 1);
            urls[dependencies.length] = Path.of(classes).toUri().toURL();
            ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
            Class<?> counters = loader.loadClass("dev.umbra.sensor.AnomalyCounters");
            Class<?> decoder = loader.loadClass("dev.umbra.sensor.decode.PacketDecoder");
            Class<?> handler = loader.loadClass("dev.umbra.sensor.capture.PacketHandler");
            Class<?> reader = loader.loadClass("dev.umbra.sensor.capture.CaptureFileReader");
            return new Build(classes, counters.getConstructor(),
                    decoder.getConstructor(String.class, Consumer.class, counters),
                    reader.getMethod("read", Path.class, handler, counters));
        }

        /** One pass; returns the packets read. */
        long pass(Path file) throws Exception {
            Object counters = anomalies.newInstance();
            Consumer<Object> sink = o -> last = o;
            Object d = decoder.newInstance("bench", sink, counters);
            Object summary;
            try {
                summary = read.invoke(null, file, d, counters);
            } catch (InvocationTargetException e) {
                throw new IllegalStateException(name + " failed", e.getCause());
            }
            return (long) summary.getClass().getMethod("packets").invoke(summary);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: InterleavedPipeline FILE ROUNDS DEPENDENCY_CLASSPATH BUILD_CLASSES...");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        List<URL> deps = new ArrayList<>();
        for (String entry : args[2].split(":")) {
            if (!entry.isEmpty()) {
                deps.add(Path.of(entry).toUri().toURL());
            }
        }
        int n = args.length - 3;
        Build[] builds = new Build[n];
        for (int i = 0; i < n; i++) {
            builds[i] = Build.load(args[3 + i], deps.toArray(new URL[0]));
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        int warmup = rounds / 3;
        double[][] wall = new double[n][rounds - warmup];
        double[][] cpu = new double[n][rounds - warmup];
        double[][] alloc = new double[n][rounds - warmup];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < n; k++) {
                int i = r % 2 == 0 ? k : n - 1 - k; // A B C, then C B A: no build always follows the same one
                long start = System.nanoTime();
                long cpuStart = threads.getCurrentThreadCpuTime();
                long allocStart = threads.getThreadAllocatedBytes(self);
                long packets = builds[i].pass(file);
                long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStart;
                long nanos = System.nanoTime() - start;
                long bytes = threads.getThreadAllocatedBytes(self) - allocStart;
                if (r >= warmup) {
                    wall[i][r - warmup] = packets * 1e3 / nanos;
                    cpu[i][r - warmup] = packets * 1e3 / cpuNanos;
                    alloc[i][r - warmup] = (double) bytes / packets;
                }
            }
        }
        System.out.printf("%d rounds, the first %d not counted; M packets/s as median (25th-75th percentile)%n",
                rounds, warmup);
        for (int i = 0; i < n; i++) {
            System.out.printf("%-40s wall %s  thread CPU %s  %.0f B/packet%n", builds[i].name(), quartiles(wall[i]),
                    quartiles(cpu[i]), quartile(alloc[i], 2));
        }
        if (last == null) {
            System.out.println("(no observation was made)");
        }
    }

    private static String quartiles(double[] v) {
        return String.format("%.2f (%.2f-%.2f)", quartile(v, 2), quartile(v, 1), quartile(v, 3));
    }

    private static double quartile(double[] v, int q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, s.length * q / 4)];
    }
}
