package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Real Podman containers for tests (Debian's podman, run as root with runc), from an image the test
 * makes itself: no registry is reachable, so the image is an empty root (directories and the
 * merged-/usr links) imported with {@code podman import}, and the host's {@code /usr} and {@code /etc}
 * are mounted into it read-only. Whatever runs in it is then the host's own {@code curl} or {@code
 * sh}, in a real container: its own cgroup ({@code libpod-ID}), PID and mount namespaces, and the
 * network namespace the test gives it.
 *
 * <p>runc rather than crun: Debian 12's crun refuses hosts with cgroup v1 and v2 controllers mixed.
 * The file and process limits are set low because podman's defaults (a million files) are above what
 * root may raise to without CAP_SYS_RESOURCE, which sandboxes such as CI's do not grant.
 */
public final class Podman {
    /** The image every test container starts from. */
    public static final String IMAGE = "localhost/umbra-test:rootfs";

    private Podman() {
    }

    /** Fails, naming the packages, unless podman and runc are installed; then makes {@link #IMAGE} if missing. */
    public static void require(Path work) {
        HostTools.requireRoot();
        HostTools.require("podman", "podman runc");
        HostTools.require("runc", "runc");
        if (HostTools.run(60, "podman", "image", "exists", IMAGE).exitCode() == 0) {
            return;
        }
        Path root = emptyRoot(work);
        Path tar = work.resolve("rootfs.tar");
        HostTools.check(60, "tar", "-C", root.toString(), "-cf", tar.toString(), ".");
        HostTools.check(120, "podman", "import", tar.toString(), IMAGE);
    }

    /** The image's root: empty directories and the merged-/usr links, under {@code work}. */
    private static Path emptyRoot(Path work) {
        Path root = work.resolve("rootfs");
        try {
            for (String dir : List.of("usr", "etc", "proc", "sys", "dev", "tmp", "run", "var")) {
                Files.createDirectories(root.resolve(dir));
            }
            for (String link : List.of("bin", "lib", "lib64", "sbin")) {
                if (!Files.isSymbolicLink(root.resolve(link))) {
                    Files.createSymbolicLink(root.resolve(link), Path.of("usr", link));
                }
            }
        } catch (IOException e) {
            fail("cannot make the test image's root in " + root + ": " + e);
        }
        return root;
    }

    /** A container name no other test run uses. */
    public static String name() {
        return "umbra-test-" + Integer.toString(ThreadLocalRandom.current().nextInt(1 << 30), 36);
    }

    /**
     * The {@code podman run} command for {@code command} in a container called {@code name}, in the
     * network namespace of {@code ns}, removed when it exits.
     */
    public static List<String> run(String name, Netns ns, String... command) {
        List<String> cmd = new ArrayList<>(List.of("podman", "--runtime", "runc", "run", "--rm", "--name", name,
                "--network", "ns:/run/netns/" + ns.name, "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
                "-v", "/usr:/usr:ro", "-v", "/etc:/etc:ro", IMAGE));
        cmd.addAll(List.of(command));
        return cmd;
    }

    /** Creates (does not start) a container called {@code name}; returns its 64-hex id. */
    public static String create(String name) {
        return HostTools.check(60, "podman", "--runtime", "runc", "create", "--name", name, "--ulimit",
                "nofile=1024:1024", "--ulimit", "nproc=1024:1024", IMAGE, "true").out().strip();
    }

    /** Removes the container, whatever its state (nothing when there is none). */
    public static void remove(String name) {
        HostTools.run(60, "podman", "rm", "-f", "--ignore", name);
    }

    /**
     * The user whose rootless Podman the tests drive. Made on first use ({@code useradd -m}, with
     * the subordinate ids Debian's useradd gives) and kept, so later runs reuse its store.
     */
    public static final String ROOTLESS_USER = "umbra-test-rootless";

    /**
     * Fails, naming the packages, unless rootless Podman can be run as {@link #ROOTLESS_USER}; makes
     * the user and {@link #IMAGE} in its own store when missing. Returns the user's home.
     */
    public static Path requireRootless(Path work) {
        require(work);
        HostTools.require("newuidmap", "uidmap");
        if (HostTools.run(10, "id", "-u", ROOTLESS_USER).exitCode() != 0) {
            HostTools.check(60, "useradd", "--create-home", "--shell", "/bin/sh", ROOTLESS_USER);
        }
        try {
            if (!Files.readString(Path.of("/etc/subuid")).contains(ROOTLESS_USER + ":")) {
                HostTools.check(60, "usermod", "--add-subuids", "300000-365535", "--add-subgids", "300000-365535",
                        ROOTLESS_USER);
            }
        } catch (IOException e) {
            fail("cannot read /etc/subuid: " + e);
        }
        Path home = Path.of(HostTools.check(10, "getent", "passwd", ROOTLESS_USER).out().strip().split(":")[5]);
        if (rootless("image", "exists", IMAGE).exitCode() == 0) {
            return home;
        }
        // the user cannot read the test's own directory: the image goes through a file it can
        Path tar = null;
        try {
            tar = Files.createTempFile(Path.of("/tmp"), "umbra-rootless", ".tar");
            HostTools.check(60, "tar", "-C", emptyRoot(work).toString(), "-cf", tar.toString(), ".");
            Files.setPosixFilePermissions(tar, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            HostTools.Result r = rootless("import", tar.toString(), IMAGE);
            if (r.exitCode() != 0) {
                fail("rootless podman import as " + ROOTLESS_USER + " failed: " + r.err());
            }
        } catch (IOException e) {
            fail("cannot make the rootless test image: " + e);
        } finally {
            if (tar != null) {
                try {
                    Files.deleteIfExists(tar);
                } catch (IOException ignored) {
                    // a leftover file in /tmp
                }
            }
        }
        return home;
    }

    /** Runs {@code podman ARGS} as {@link #ROOTLESS_USER}, in its home. */
    public static HostTools.Result rootless(String... args) {
        List<String> cmd = new ArrayList<>(List.of("runuser", "-u", ROOTLESS_USER, "--", "sh", "-c",
                "cd && exec podman --runtime runc \"$@\"", "podman"));
        cmd.addAll(List.of(args));
        return HostTools.run(120, cmd);
    }
}
