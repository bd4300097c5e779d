package dev.umbra.sensor.capture.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real NetBIOS name server (Samba's {@code nmbd}, Debian's samba) on the host's end of a test's veth only
 * ({@code bind interfaces only}), as a Windows host's own name service: on start it registers its NetBIOS
 * names by broadcast (its workstation name &lt;00&gt;, server &lt;20&gt;, messenger &lt;03&gt;, and its workgroup's
 * group names). Its directories are the test's; it runs in a session of its own, made by setsid (Samba's
 * daemons signal their process group when they stop; nmbd's own attempt would fail inside it).
 */
public final class Nmbd {
    private Nmbd() {
    }

    /** Starts nmbd on {@code ns}'s host end as {@code name}; returns once it has broadcast its registrations. */
    public static HostDaemon start(Netns ns, Path dir, String name) throws IOException {
        HostTools.requireRoot();
        HostTools.require("nmbd", "samba");
        HostTools.require("setsid", "util-linux");
        for (String d : new String[] {"private", "lock", "state", "cache", "pid", "ncalrpc"}) {
            Files.createDirectories(dir.resolve(d));
        }
        Path conf = dir.resolve("smb.conf");
        Files.writeString(conf, String.join("\n", "[global]", "  workgroup = UMBRATEST", "  netbios name = " + name,
                "  server role = standalone server", "  interfaces = " + ns.hostIf, "  bind interfaces only = yes",
                "  local master = no", "  domain master = no", "  preferred master = no",
                "  private dir = " + dir.resolve("private"), "  lock directory = " + dir.resolve("lock"),
                "  state directory = " + dir.resolve("state"), "  cache directory = " + dir.resolve("cache"),
                "  pid directory = " + dir.resolve("pid"), "  ncalrpc dir = " + dir.resolve("ncalrpc"),
                "  log file = " + dir.resolve("nmbd.log"), ""));
        HostDaemon nmbd = HostDaemon.start(List.of("setsid", "nmbd", "--foreground", "--no-process-group",
                "--debug-stdout", "-d", "2", "-s", conf.toString()), dir.resolve("nmbd.out"));
        // it broadcasts its registrations as it starts (a B-node sends each three times, then holds the name); no
        // log line says when the first has gone, so it is given 1.5 s
        nmbd.staysUpFor(1500);
        return nmbd;
    }
}
