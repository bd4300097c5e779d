package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real containerd (Debian's, with its runc shim) for tests, with every path of its own under a host
 * root the test makes: {@code HOST/run/containerd} (state, the bundles the shim runs, the socket) and
 * {@code HOST/var/lib/containerd}. A reader given {@code HOST} as the host root then finds the bundles
 * where it would find them on a real host. Containers run from a root of empty directories with the
 * host's {@code /usr} and {@code /etc} mounted read-only, so no image is pulled; {@code ctr run}
 * stands in for nerdctl and the CRI plugin by giving the OCI annotations they give.
 */
public final class Containerd implements AutoCloseable {
    private final Path host;
    private final Path socket;
    private final Process daemon;
    private final List<String[]> started = new ArrayList<>();

    private Containerd(Path host, Path socket, Process daemon) {
        this.host = host;
        this.socket = socket;
        this.daemon = daemon;
    }

    /** Starts containerd under {@code host}; fails, naming the package, when it is not installed. */
    public static Containerd start(Path host) throws IOException, InterruptedException {
        HostTools.requireRoot();
        HostTools.require("containerd", "containerd");
        HostTools.require("ctr", "containerd");
        HostTools.require("runc", "runc");
        Path state = Files.createDirectories(host.resolve("run/containerd"));
        Path data = Files.createDirectories(host.resolve("var/lib/containerd"));
        Path socket = state.resolve("containerd.sock");
        Path config = host.resolve("containerd-test.toml");
        Files.writeString(config, """
                version = 2
                root = "%s"
                state = "%s"
                disabled_plugins = ["io.containerd.grpc.v1.cri"]
                [grpc]
                  address = "%s"
                [ttrpc]
                  address = "%s.ttrpc"
                """.formatted(data, state, socket, socket));
        Path log = host.resolve("containerd.log");
        Process p = new ProcessBuilder("containerd", "--config", config.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        Containerd c = new Containerd(host, socket, p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (HostTools.run(10, "ctr", "--address", socket.toString(), "version").exitCode() != 0) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                c.close();
                fail("containerd did not start within 30 s: " + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return c;
    }

    /**
     * Runs {@code sleep} in a new container {@code id} of {@code namespace} with the OCI annotations
     * given as {@code key=value}; returns the pid of its process on the host.
     */
    public long run(String namespace, String id, String... annotations) throws IOException {
        HostTools.check(60, command(namespace, id, true, null, List.of(annotations), "/usr/bin/sleep", "300"));
        String tasks = HostTools.check(30, "ctr", "--address", socket.toString(), "--namespace", namespace, "tasks",
                "ls").out();
        for (String line : tasks.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 2 && f[0].equals(id)) {
                return Long.parseLong(f[1]);
            }
        }
        return fail("ctr tasks ls does not list " + id + ": " + tasks);
    }

    /**
     * Runs {@code command} to its end in a new container {@code id} of {@code namespace}, in the
     * network namespace of {@code ns}, with the OCI annotations given as {@code key=value}.
     */
    public HostTools.Result runToEnd(String namespace, String id, Netns ns, List<String> annotations,
            String... command) throws IOException {
        return HostTools.run(120, command(namespace, id, false, ns, annotations, command));
    }

    private String[] command(String namespace, String id, boolean detach, Netns ns, List<String> annotations,
            String... command) throws IOException {
        Path rootfs = host.resolve("rootfs-" + id.substring(0, Math.min(12, id.length())));
        for (String dir : List.of("usr", "etc", "proc", "sys", "dev", "tmp", "run")) {
            Files.createDirectories(rootfs.resolve(dir));
        }
        for (String link : List.of("bin", "lib", "lib64", "sbin")) {
            if (!Files.isSymbolicLink(rootfs.resolve(link))) {
                Files.createSymbolicLink(rootfs.resolve(link), Path.of("usr", link));
            }
        }
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "--namespace", namespace,
                "run", "--env", "PATH=/usr/bin:/bin", "--rootfs",
                "--mount", "type=bind,src=/usr,dst=/usr,options=rbind:ro",
                "--mount", "type=bind,src=/etc,dst=/etc,options=rbind:ro"));
        if (detach) {
            cmd.add("-d");
        }
        if (ns != null) {
            cmd.addAll(List.of("--with-ns", "network:/run/netns/" + ns.name));
        }
        for (String a : annotations) {
            cmd.add("--annotation");
            cmd.add(a);
        }
        cmd.add(rootfs.toString());
        cmd.add(id);
        cmd.addAll(List.of(command));
        started.add(new String[] {namespace, id});
        return cmd.toArray(String[]::new);
    }

    /** Stops and removes the containers, then containerd. */
    @Override
    public void close() {
        for (String[] c : started) {
            String[] ctr = {"ctr", "--address", socket.toString(), "--namespace", c[0]};
            HostTools.run(30, concat(ctr, "tasks", "kill", "--signal", "SIGKILL", c[1]));
            HostTools.run(30, concat(ctr, "tasks", "rm", "--force", c[1]));
            HostTools.run(30, concat(ctr, "containers", "rm", c[1]));
        }
        daemon.destroy();
        try {
            if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                daemon.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
