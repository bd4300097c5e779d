package dev.umbra.sensor;

import java.util.List;
import java.util.Objects;

/**
 * The container a client process runs in, as far as the host tells: always its runtime and id (from
 * the process's cgroup), and, when the runtime's own files on the host name them, its name, image and
 * Kubernetes pod ({@link dev.umbra.sensor.attribution.ContainerMetadata}).
 *
 * @param runtime {@code docker}, {@code containerd}, {@code cri-o}, {@code podman}, {@code lxc} or
 *     {@code kubernetes}; never null
 * @param uid the container's id (64 hex digits; LXC: its name); never null
 * @param name the container's name ({@code docker ps}'s NAMES; in a Kubernetes pod, the container's name
 *     in the pod spec), or {@code null}
 * @param image the image it was started from, as the runtime records it ({@code python:3.12-slim}),
 *     or {@code null}
 * @param orchestrator {@code kubernetes} for a pod's container, else {@code null}
 * @param podUid the pod's uid, or {@code null}
 * @param labels {@code key=value} labels that place it: the pod's name and namespace ({@code
 *     io.kubernetes.pod.name}, {@code io.kubernetes.pod.namespace}) and a Compose project and service;
 *     never null
 */
public record Container(String runtime, String uid, String name, String image, String orchestrator, String podUid,
        List<String> labels) {

    public Container {
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(uid, "uid");
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    /** A container known only by its runtime and id. */
    public static Container of(String runtime, String uid) {
        return new Container(runtime, uid, null, null, null, null, List.of());
    }

    /** {@code runtime://id}, the form Kubernetes gives a container's id in a pod's status. */
    @Override
    public String toString() {
        return runtime + "://" + uid;
    }
}
