package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real mDNS responder (avahi-daemon, D-Bus off) on the host's end of a test's veth only, publishing the host
 * name it is given: on start it probes for the name and announces its addresses (RFC 6762 8), and on stop it
 * sends their goodbyes (TTL 0). Runs as root without chroot; its PID file is the system's
 * (/run/avahi-daemon/pid), so a host that already runs avahi-daemon cannot run this too.
 */
final class Avahi implements AutoCloseable {
    private final Process process;
    private final Path log;

    private Avahi(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts avahi-daemon on {@code ns}'s host end as {@code hostName}.local; returns once it has announced. */
    static Avahi start(Netns ns, Path dir, String hostName) throws IOException {
        HostTools.require("avahi-daemon", "avahi-daemon");
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/avahi-daemon"));
        Path conf = dir.resolve("avahi-daemon.conf");
        Files.writeString(conf, String.join("\n", "[server]", "host-name=" + hostName, "domain-name=local", "use-ipv4=yes",
                "use-ipv6=yes", "allow-interfaces=" + ns.hostIf, "enable-dbus=no", "[publish]", "publish-addresses=yes",
                "publish-hinfo=no", "publish-workstation=no", "[reflector]", "[rlimits]", ""));
        Path log = dir.resolve("avahi.log");
        Process p = new ProcessBuilder(List.of("avahi-daemon", "-f", conf.toString(), "--no-drop-root", "--no-chroot",
                "--no-rlimits")).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        Avahi avahi = new Avahi(p, log);
        for (int i = 0; i < 100; i++) {
            String out = Netns.readQuietly(log);
            if (out.contains("Server startup complete")) {
                Netns.sleep(1500); // its announcements follow the probes: the first at once, the second a second on
                return avahi;
            }
            if (!p.isAlive()) {
                break;
            }
            Netns.sleep(100);
        }
        avahi.close();
        throw new AssertionError("avahi-daemon did not start: " + Netns.readQuietly(log));
    }

    /** Stops it (SIGTERM): it sends its goodbyes first. */
    @Override
    public void close() {
        process.destroy();
        try {
            assertThat(process.waitFor(10, TimeUnit.SECONDS)).as("avahi-daemon stops: %s", Netns.readQuietly(log))
                    .isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
