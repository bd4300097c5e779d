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
        try {
            Path out = Files.createTempFile("umbra-cmd", ".out");
            Path err = Files.createTempFile("umbra-cmd", ".err");
            try {
                Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
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
