package dev.umbra.sensor.capture.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real mDNS responder (avahi-daemon, D-Bus off) on the host's end of a test's veth only, publishing the host
 * name it is given: on start it probes for the name and announces its addresses (RFC 6762 8), and on stop it
 * sends their goodbyes (TTL 0). Runs as root without chroot; its PID file is the system's
 * (/run/avahi-daemon/pid), so a host that already runs avahi-daemon cannot run this too.
 */
final class Avahi {
    private Avahi() {
    }

    /** Starts avahi-daemon on {@code ns}'s host end as {@code hostName}.local; returns once it has announced. */
    static HostDaemon start(Netns ns, Path dir, String hostName) throws IOException {
        HostTools.require("avahi-daemon", "avahi-daemon");
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/avahi-daemon"));
        Path conf = dir.resolve("avahi-daemon.conf");
        Files.writeString(conf, String.join("\n", "[server]", "host-name=" + hostName, "domain-name=local", "use-ipv4=yes",
                "use-ipv6=yes", "allow-interfaces=" + ns.hostIf, "enable-dbus=no", "[publish]", "publish-addresses=yes",
                "publish-hinfo=no", "publish-workstation=no", "[reflector]", "[rlimits]", ""));
        HostDaemon avahi = HostDaemon.start(List.of("avahi-daemon", "-f", conf.toString(), "--no-drop-root",
                "--no-chroot", "--no-rlimits"), dir.resolve("avahi.log"));
        avahi.awaitLog("Server startup complete");
        avahi.staysUpFor(1500); // its announcements follow the probes: the first at once, the second a second on
        return avahi;
    }
}
