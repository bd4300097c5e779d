package dev.umbra.sensor.attribution;

import java.util.List;

/*
 * Design notes.
 *
 * A container is a process tree in its own cgroup; the runtimes name the cgroup after the container's
 * 64-hex id (the id `docker ps`, `crictl ps` and `podman ps` show, shortened to 12). /proc/PID/cgroup
 * has one line per hierarchy, "ID:CONTROLLERS:PATH" (cgroup v2: "0::PATH"). The path's shapes:
 *
 *   cgroupfs driver           /docker/ID                         Docker
 *                             /kubepods/burstable/podUID/ID       Kubernetes (any CRI runtime)
 *                             /default/ID, /k8s.io/ID             containerd namespaces (nerdctl, ctr)
 *   systemd driver            .../docker-ID.scope                 Docker
 *                             .../cri-containerd-ID.scope         containerd
 *                             .../crio-ID.scope                   CRI-O
 *                             .../libpod-ID.scope[/container]     Podman
 *   LXC                       /lxc.payload.NAME, /lxc/NAME        LXC (named, no hex id)
 *
 * The id is the path component that is exactly 64 lowercase hex digits once the known prefix and the
 * .scope suffix are taken off; the runtime is the prefix's (or the parent's: docker, kubepods). Nothing
 * else is taken for a container: a host process in system.slice/ssh.service has none.
 */
/**
 * The container a process runs in, read from its {@code /proc/PID/cgroup}.
 *
 * @param runtime {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}, {@code lxc}, or
 *     {@code kubernetes} (a Kubernetes pod's container whose runtime the path does not say)
 * @param id the container's id (64 hex digits; LXC: its name)
 */
public record ContainerId(String runtime, String id) {
    private static final int MAX_LINES = 64;
    private static final int MAX_LINE = 4096;

    /** The container of a process, from the lines of its cgroup file, or null when it runs in none. */
    public static ContainerId fromCgroup(List<String> lines) {
        int n = Math.min(lines.size(), MAX_LINES);
        for (int i = 0; i < n; i++) {
            String line = lines.get(i);
            if (line.length() > MAX_LINE) {
                continue;
            }
            int second = line.indexOf(':', line.indexOf(':') + 1);
            if (second < 0) {
                continue;
            }
            ContainerId c = fromPath(line.substring(second + 1));
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** The container a cgroup path names, or null. */
    static ContainerId fromPath(String path) {
        String[] parts = path.split("/");
        String parent = "";
        boolean kubepods = false;
        for (String part : parts) {
            if (part.startsWith("kubepods")) {
                kubepods = true;
            }
            if (part.startsWith("lxc.payload.") && part.length() > 12) {
                return new ContainerId("lxc", part.substring(12));
            }
            if (parent.equals("lxc") && !part.isEmpty()) {
                return new ContainerId("lxc", part);
            }
            String runtime = null;
            String id = part;
            if (id.endsWith(".scope")) {
                id = id.substring(0, id.length() - 6);
            }
            if (id.startsWith("docker-")) {
                runtime = "docker";
                id = id.substring(7);
            } else if (id.startsWith("cri-containerd-")) {
                runtime = "containerd";
                id = id.substring(15);
            } else if (id.startsWith("crio-")) {
                runtime = "cri-o";
                id = id.substring(5);
            } else if (id.startsWith("libpod-")) {
                runtime = "podman";
                id = id.substring(7);
            } else if (parent.equals("docker")) {
                runtime = "docker";
            } else if (kubepods) {
                runtime = "kubernetes";
            } else if (parent.equals("default") || parent.equals("k8s.io")) {
                runtime = "containerd";
            }
            if (runtime != null && isHexId(id)) {
                return new ContainerId(runtime, id);
            }
            parent = part;
        }
        return null;
    }

    private static boolean isHexId(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** {@code runtime://id}, the form Kubernetes gives a container's id in a pod's status. */
    @Override
    public String toString() {
        return runtime + "://" + id;
    }
}
