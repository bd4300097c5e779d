package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs host tools for the live-capture tests and fails (never skips) with the {@code apt-get
 * install} step when a tool is missing or the test is not root.
 */
public final class HostTools {
    private HostTools() {
    }

    /** Result of one command. */
    public record Result(int exitCode, String out, String err) {
    }

    /** Fails unless the tool is on the PATH; the message names the Debian package. */
    public static void require(String tool, String debianPackage) {
        if (which(tool) == null) {
            fail("this test needs '" + tool + "': apt-get install -y " + debianPackage);
        }
    }

    /**
     * Fails unless the system's Python ({@code /usr/bin/python3}, where Debian installs python3-*
     * packages; a {@code python3} of pyenv or a venv earlier on the PATH may lack them) imports the
     * module; the message names the Debian package.
     *
     * @return the path of that Python, to start scripts that use the module with
     */
    public static String requirePythonModule(String module, String debianPackage) {
        String python = "/usr/bin/python3";
        if (!Files.isExecutable(Path.of(python))) {
            fail("this test needs " + python + " with the Python module '" + module + "': apt-get install -y python3 "
                    + debianPackage);
        }
        Result r = run(30, python, "-c", "import " + module);
        if (r.exitCode() != 0) {
            fail("this test needs the Python module '" + module + "' in " + python + ": apt-get install -y "
                    + debianPackage + " (" + r.err().strip().lines().reduce((a, b) -> b).orElse("") + ")");
        }
        return python;
    }

    /** Fails unless the test runs as root (network namespaces, veth pairs and capture need it). */
    public static void requireRoot() {
        Result r = run(10, "id", "-u");
        if (!r.out().trim().equals("0")) {
            fail("this test creates network namespaces and veth pairs: run it as root "
                    + "(CI runs as root; locally: sudo mvn ...)");
        }
    }

    public static Path which(String tool) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin";
        for (String dir : path.split(":")) {
            Path p = Path.of(dir, tool);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs a command to its end (bounded by the timeout) and returns its output. */
    public static Result run(long timeoutSeconds, String... command) {
        return run(timeoutSeconds, List.of(command));
    }

    public static Result run(long timeoutSeconds, List<String> command) {
        return run(timeoutSeconds, command, null, null);
    }

    /**
     * As {@link #run(long, List)}, with one more environment variable (a synthetic password a client reads
     * from its environment, kept off the command line).
     */
    public static Result run(long timeoutSeconds, List<String> command, String envName, String envValue) {
        try {
            Path out = Files.createTempFile("umbra-cmd", ".out");
            Path err = Files.createTempFile("umbra-cmd", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(command);
                if (envName != null) {
                    pb.environment().put(envName, envValue);
                }
                Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                    return new Result(-1, Files.readString(out, StandardCharsets.UTF_8),
                            "timed out after " + timeoutSeconds + " s: " + String.join(" ", command));
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return new Result(-1, "", "cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "", "interrupted: " + command);
        }
    }

    /**
     * Starts {@code tcpdump} on {@code iface} writing {@code pcap} (BPF {@code filter}, its messages to
     * {@code log}) and returns once it listens. Each packet is handed over and written as it arrives
     * ({@code --immediate-mode -U}): without immediate mode, libpcap's TPACKET_V3 ring holds packets
     * until a block fills or its 1 s timer fires, and a tcpdump stopped by SIGTERM before then writes
     * none of them (a fast machine did a whole test's traffic inside one such second). Stop it with
     * {@link Process#destroy()} and wait for it before reading the file.
     */
    public static Process tcpdump(String iface, Path pcap, Path log, String filter) throws Exception {
        require("tcpdump", "tcpdump");
        Process p = new ProcessBuilder("tcpdump", "-i", iface, "--immediate-mode", "-U", "-n", "-s", "0", "-w",
                pcap.toString(), filter).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(log).contains("listening on")) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                fail("tcpdump on " + iface + " is not listening: " + Files.readString(log));
            }
            Thread.sleep(20);
        }
        return p;
    }

    /** Runs a command and fails the test when it does not exit 0. */
    public static Result check(long timeoutSeconds, String... command) {
        Result r = run(timeoutSeconds, command);
        if (r.exitCode() != 0) {
            fail(String.join(" ", command) + " exited " + r.exitCode() + ": " + r.err().trim());
        }
        return r;
    }

    /**
     * Writes a self-signed P-256 certificate for {@code CN=umbra-test}, valid a day, and its key to
     * {@code dir/cert.pem} and {@code dir/key.pem}, for an {@code openssl s_server} in a test.
     */
    public static void selfSignedCertificate(Path dir) {
        require("openssl", "openssl");
        check(30, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-subj", "/CN=umbra-test", "-days", "1", "-keyout", dir.resolve("key.pem").toString(), "-out",
                dir.resolve("cert.pem").toString());
    }

    /**
     * Makes the cgroup Docker would make for container {@code id} (64 hex digits): {@code docker-ID.scope}
     * on the cgroup v2 mount (the systemd driver's name), else {@code docker/ID} in cgroup v1's pids
     * hierarchy (the cgroupfs driver's). A process written to its {@code cgroup.procs} is, to the kernel
     * and to /proc/PID/cgroup, in that container. Remove it with {@link #removeCgroup} once its processes
     * have exited.
     */
    public static Path dockerCgroup(String id) {
        requireRoot();
        Path v2 = null;
        Path pids = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 3 && f[2].equals("cgroup2") && v2 == null) {
                    v2 = Path.of(f[1]);
                } else if (f.length > 3 && f[2].equals("cgroup") && f[3].contains("pids")) {
                    pids = Path.of(f[1]);
                }
            }
            Path dir = v2 != null && Files.isWritable(v2) ? v2.resolve("docker-" + id + ".scope")
                    : pids != null && Files.isWritable(pids) ? pids.resolve("docker").resolve(id) : null;
            if (dir == null) {
                fail("this test makes a cgroup: it needs a writable cgroup v2 mount or cgroup v1 pids hierarchy "
                        + "(root on a host or in a privileged container)");
            }
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            fail("cannot make a cgroup: " + e);
            return null;
        }
    }

    /** Removes a cgroup {@link #dockerCgroup} made, waiting up to 5 s for its processes to be gone. */
    public static void removeCgroup(Path dir) {
        for (int i = 0; i < 100 && Files.exists(dir); i++) {
            try {
                Files.delete(dir); // rmdir: refused while a process in it has not quite gone
            } catch (IOException e) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        if (dir.getParent().getFileName().toString().equals("docker")) {
            try {
                Files.deleteIfExists(dir.getParent());
            } catch (IOException e) {
                // another test's container is in it
            }
        }
    }

    /** The java launcher of this JVM and the test class path, to start a probe in a separate JVM. */
    public static List<String> javaCommand(String... jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        return cmd;
    }
}
