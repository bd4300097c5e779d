package dev.umbra.sensor.attribution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.sensor.Container;
import dev.umbra.sensor.capture.live.Containerd;
import dev.umbra.sensor.capture.live.HostTools;
import dev.umbra.sensor.capture.live.Podman;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Naming containers from their runtimes' files. Unit tests build a host root of their own with each
 * runtime's files as the runtime writes them (Docker's config.v2.json, containers/storage's index,
 * CRI-O's and containerd's OCI specs, the kubelet's log links); others read what a real Podman (as
 * root and rootless) and a real containerd wrote.
 */
class ContainerMetadataTest {
    private static final String ID = "4b1d9e3a".repeat(8);
    private static final String SECRET = "sk-SYNTHETIC-env-secret-0000";

    @TempDir
    Path root;

    @Test
    void describe_docker_nameImageAndComposeLabels_nothingOfTheEnvironment() throws IOException {
        write("var/lib/docker/containers/" + ID + "/config.v2.json", """
                {"ID":"%s","Name":"/rag-worker-1","Config":{"Hostname":"4b1d9e3a4b1d","Env":["OPENAI_API_KEY=%s"],
                 "Image":"python:3.12-slim","Labels":{"com.docker.compose.project":"rag",
                 "com.docker.compose.service":"worker","org.opencontainers.image.version":"1.0"}},
                 "Image":"sha256:%s","State":{"Running":true,"Pid":4242}}""".formatted(ID, SECRET, ID));
        Container c = metadata().describe(new ContainerId("docker", ID));
        assertThat(c).isEqualTo(new Container("docker", ID, "rag-worker-1", "python:3.12-slim", null, null,
                List.of("com.docker.compose.project=rag", "com.docker.compose.service=worker")));
        assertThat(c.toString()).doesNotContain(SECRET);
    }

    @Test
    void describe_dockerWithAnotherDataRoot_readsWhereDaemonJsonSays() throws IOException {
        write("etc/docker/daemon.json", "{\"data-root\": \"/srv/docker\", \"log-driver\": \"json-file\"}");
        write("srv/docker/containers/" + ID + "/config.v2.json", "{\"Name\":\"/ollama\",\"Config\":{\"Image\":\"ollama/ollama\"}}");
        assertThat(metadata().describe(new ContainerId("docker", ID)).name()).isEqualTo("ollama");
    }

    @Test
    void describe_dockerUnderCriDockerd_theKubernetesNamesFromItsLabels() throws IOException {
        write("var/lib/docker/containers/" + ID + "/config.v2.json", """
                {"Name":"/k8s_notebook_notebook-0_data-science_5b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b_0",
                 "Config":{"Image":"jupyter/base","Labels":{"io.kubernetes.container.name":"notebook",
                 "io.kubernetes.pod.name":"notebook-0","io.kubernetes.pod.namespace":"data-science",
                 "io.kubernetes.pod.uid":"5b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b"}}}""");
        assertThat(metadata().describe(new ContainerId("docker", ID))).isEqualTo(new Container("docker", ID, "notebook",
                "jupyter/base", "kubernetes", "5b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b",
                List.of("io.kubernetes.pod.name=notebook-0", "io.kubernetes.pod.namespace=data-science")));
    }

    @Test
    void describe_podman_nameAndImageFromTheStorageIndex() throws IOException {
        String other = "a".repeat(64);
        write("var/lib/containers/storage/overlay-containers/containers.json", """
                [{"id":"%s","names":["other"],"image":"x","metadata":"{\\"image-name\\":\\"docker.io/library/alpine:3\\"}"},
                 {"id":"%s","names":["llm-gateway","alias"],"image":"3b4e99","layer":"6741ce",
                  "metadata":"{\\"image-name\\":\\"localhost/gateway:1\\",\\"image-id\\":\\"3b4e99\\",\\"name\\":\\"llm-gateway\\"}",
                  "created":"2026-11-22T03:47:45Z","flags":{"MountLabel":"","ProcessLabel":""}}]""".formatted(other, ID));
        ContainerMetadata m = metadata();
        assertThat(m.describe(new ContainerId("podman", ID))).isEqualTo(
                new Container("podman", ID, "llm-gateway", "localhost/gateway:1", null, null, List.of()));
        assertThat(m.describe(new ContainerId("podman", other)).image()).isEqualTo("docker.io/library/alpine:3");
        assertThat(m.counters()).containsEntry("named", 2L).containsEntry("unreadable", 0L);
    }

    @Test
    void describe_podmanWithAnotherGraphroot_readsWhereStorageConfSays() throws IOException {
        write("etc/containers/storage.conf", "[storage]\ndriver = \"overlay\"\n  graphroot = \"/data/containers\"\n");
        write("data/containers/overlay-containers/containers.json", "[{\"id\":\"" + ID + "\",\"names\":[\"vllm\"]}]");
        assertThat(metadata().describe(new ContainerId("podman", ID)).name()).isEqualTo("vllm");
    }

    @Test
    void describe_podmanWithAnotherStorageDriver_readsThatDriversIndex() throws IOException {
        write("var/lib/containers/storage/vfs-containers/containers.json", "[{\"id\":\"" + ID + "\",\"names\":[\"vfs-box\"]}]");
        write("var/lib/containers/storage/overlay-containers/containers.json", "[]");
        assertThat(metadata().describe(new ContainerId("podman", ID)).name()).isEqualTo("vfs-box");
    }

    @Test
    void describe_rootlessPodman_theUsersOwnStoreUnderItsHome() throws IOException {
        write("etc/passwd", """
                root:x:0:0:root:/root:/bin/bash
                daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
                alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash
                bob:x:1001:1001::/srv/users/bob:/bin/bash
                broken line
                """);
        write("root/.local/share/containers/storage/overlay-containers/containers.json",
                "[{\"id\":\"" + ID + "\",\"names\":[\"not-roots-own\"]}]");
        String bobs = "b0b".repeat(21) + "b";
        write("home/alice/.local/share/containers/storage/overlay-containers/containers.json", """
                [{"id":"%s","names":["notebook"],"metadata":"{\\"image-name\\":\\"quay.io/jupyter/base:1\\"}"}]"""
                .formatted(ID));
        write("srv/users/bob/.local/share/containers/storage/vfs-containers/containers.json",
                "[{\"id\":\"" + bobs + "\",\"names\":[\"agent\"]}]");
        ContainerMetadata m = metadata();
        assertThat(m.describe(new ContainerId("podman", ID)))
                .isEqualTo(new Container("podman", ID, "notebook", "quay.io/jupyter/base:1", null, null, List.of()));
        assertThat(m.describe(new ContainerId("podman", bobs)).name()).isEqualTo("agent");
        assertThat(m.counters()).containsEntry("named", 2L).containsEntry("unreadable", 0L);
    }

    @Test
    void describe_rootlessPodman_storeWhereTheUsersOrTheSystemsStorageConfSays() throws IOException {
        write("etc/passwd", "alice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n");
        write("etc/containers/storage.conf", "[storage]\ndriver = \"overlay\"\n"
                + "# rootless_storage_path = \"/nowhere\"\nrootless_storage_path = \"/scratch/$USER-$UID/store\"\n");
        write("home/alice/.config/containers/storage.conf", "[storage]\ngraphroot = \"$HOME/fast/containers\"\n");
        write("home/alice/fast/containers/overlay-containers/containers.json",
                "[{\"id\":\"" + ID + "\",\"names\":[\"alices\"]}]");
        String bobs = "b".repeat(64);
        Files.createDirectories(root.resolve("home/bob"));
        write("scratch/bob-1001/store/overlay-containers/containers.json", "[{\"id\":\"" + bobs + "\",\"names\":[\"bobs\"]}]");
        ContainerMetadata m = metadata();
        assertThat(m.describe(new ContainerId("podman", ID)).name()).isEqualTo("alices");
        assertThat(m.describe(new ContainerId("podman", bobs)).name()).isEqualTo("bobs");
    }

    /**
     * A user makes what is under the home: a link to another file is not followed, a FIFO (which
     * would block an open for good) costs at most the wait once, and neither keeps another user's
     * containers from being named.
     */
    @Test
    void describe_rootlessStoreWithALinkOrAFifo_notFollowedNotBlockedOthersStillNamed() throws IOException {
        write("etc/passwd", "eve:x:1000:1000::/home/eve:/bin/sh\nmallory:x:1001:1001::/home/mallory:/bin/sh\n"
                + "alice:x:1002:1002::/home/alice:/bin/sh\n");
        String secretId = "5".repeat(64);
        write("var/lib/secret/containers.json", "[{\"id\":\"" + secretId + "\",\"names\":[\"never-read\"]}]");
        Path eves = Files.createDirectories(root.resolve("home/eve/.local/share/containers/storage/overlay-containers"));
        Files.createSymbolicLink(eves.resolve("containers.json"), root.resolve("var/lib/secret/containers.json"));
        Path mallorys = Files.createDirectories(root.resolve("home/mallory/.local/share/containers/storage/vfs-containers"));
        HostTools.check(10, "mkfifo", mallorys.resolve("containers.json").toString());
        write("home/alice/.local/share/containers/storage/overlay-containers/containers.json",
                "[{\"id\":\"" + ID + "\",\"names\":[\"alices\"]}]");
        ContainerMetadata m = metadata();
        long start = System.nanoTime();
        assertThat(m.describe(new ContainerId("podman", ID)).name()).isEqualTo("alices");
        assertThat(m.describe(new ContainerId("podman", secretId)).name()).isNull();
        assertThat(m.describe(new ContainerId("podman", "6".repeat(64))).name()).isNull();
        long millis = (System.nanoTime() - start) / 1_000_000;
        // the FIFO is not a regular file: not opened at all, so nothing waited
        assertThat(millis).as("lookups beside a FIFO").isLessThan(ContainerMetadata.UNTRUSTED_WAIT_MILLIS);
        assertThat(m.counters()).containsEntry("named", 1L).containsEntry("unreadable", 2L);
    }

    @Test
    void describe_crio_thePodFromTheSpecsAnnotations() throws IOException {
        write("var/lib/containers/storage/overlay-containers/" + ID + "/userdata/config.json", """
                {"ociVersion":"1.0.2","process":{"env":["HF_TOKEN=%s"]},"annotations":{
                 "io.kubernetes.container.name":"embedder","io.kubernetes.pod.name":"embedder-7d9f",
                 "io.kubernetes.pod.namespace":"ml","io.kubernetes.pod.uid":"0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                 "io.kubernetes.cri-o.ImageName":"quay.io/example/embedder:2"}}""".formatted(SECRET));
        Container c = metadata().describe(new ContainerId("cri-o", ID));
        assertThat(c).isEqualTo(new Container("cri-o", ID, "embedder", "quay.io/example/embedder:2", "kubernetes",
                "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                List.of("io.kubernetes.pod.name=embedder-7d9f", "io.kubernetes.pod.namespace=ml")));
        assertThat(c.toString()).doesNotContain(SECRET);
    }

    @Test
    void describe_containerdOnANode_thePodFromTheKubeletsLogLink() throws IOException {
        Path pods = root.resolve("var/log/pods/ml_chat-ui-5c8d_7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d/ui");
        Files.createDirectories(pods);
        Files.writeString(pods.resolve("0.log"), "");
        Path links = Files.createDirectories(root.resolve("var/log/containers"));
        Files.createSymbolicLink(links.resolve("kube-proxy-x7_kube-system_kube-proxy-" + "f".repeat(64) + ".log"),
                Path.of("/var/log/pods/kube-system_kube-proxy-x7_1/kube-proxy/0.log"));
        Files.createSymbolicLink(links.resolve("chat-ui-5c8d_ml_ui-" + ID + ".log"),
                Path.of("/var/log/pods/ml_chat-ui-5c8d_7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d/ui/0.log"));
        for (String runtime : List.of("containerd", "kubernetes")) {
            assertThat(metadata().describe(new ContainerId(runtime, ID))).isEqualTo(new Container(runtime, ID, "ui", null,
                    "kubernetes", "7a6b5c4d-3e2f-1a0b-9c8d-7e6f5a4b3c2d",
                    List.of("io.kubernetes.pod.name=chat-ui-5c8d", "io.kubernetes.pod.namespace=ml")));
        }
        // a link whose target does not match its name still names the pod, without a uid
        Files.delete(links.resolve("chat-ui-5c8d_ml_ui-" + ID + ".log"));
        Files.createSymbolicLink(links.resolve("chat-ui-5c8d_ml_ui-" + ID + ".log"), Path.of("/elsewhere/0.log"));
        assertThat(metadata().describe(new ContainerId("containerd", ID)).podUid()).isNull();
        assertThat(metadata().describe(new ContainerId("containerd", ID)).name()).isEqualTo("ui");
    }

    /**
     * The open itself, for a file swapped for a FIFO after its check: the lookup waits at most the
     * wait, the file is not opened again, and the next file gets a reader thread of its own.
     */
    @Test
    void readAside_aFifo_givesUpAfterTheWaitOnceThenAtOnce() throws Exception {
        Path fifo = root.resolve("swapped.json");
        HostTools.check(10, "mkfifo", fifo.toString());
        Path plain = root.resolve("plain.json");
        Files.writeString(plain, "[]");
        ContainerMetadata m = metadata();
        long start = System.nanoTime();
        assertThatThrownBy(() -> m.readAside(fifo, 100, in -> in.readAllBytes()))
                .isInstanceOf(IOException.class).hasMessageContaining("did not open within");
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertThat(waited).isBetween(ContainerMetadata.UNTRUSTED_WAIT_MILLIS, 10 * ContainerMetadata.UNTRUSTED_WAIT_MILLIS);
        start = System.nanoTime();
        assertThatThrownBy(() -> m.readAside(fifo, 100, in -> in.readAllBytes()))
                .isInstanceOf(IOException.class).hasMessageContaining("blocked an earlier read");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(ContainerMetadata.UNTRUSTED_WAIT_MILLIS);
        String read = m.readAside(plain, 100, in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
        assertThat(read).isEqualTo("[]");
        // a writer lets the stuck thread's open return, so it ends with the test; the thread, given up on, may
        // close its end before the byte is written (a broken pipe here)
        try (var out = Files.newOutputStream(fifo)) {
            out.write('x');
        } catch (IOException closedFirst) {
            assertThat(closedFirst).hasMessageContaining("Broken pipe");
        }
    }

    @Test
    void describe_containerdUnderNerdctl_nameAndComposeLabelsFromTheBundlesAnnotations() throws IOException {
        write("run/containerd/io.containerd.runtime.v2.task/default/" + ID + "/config.json", """
                {"ociVersion":"1.0.2-dev","process":{"env":["OPENAI_API_KEY=%s"]},"annotations":{
                 "nerdctl/name":"rag-worker-1","nerdctl/namespace":"default","nerdctl/hostname":"4b1d9e3a4b1d",
                 "com.docker.compose.project":"rag","com.docker.compose.service":"worker",
                 "nerdctl/state-dir":"/var/lib/nerdctl/1935db59/containers/default/%s"}}""".formatted(SECRET, ID));
        Container c = metadata().describe(new ContainerId("containerd", ID));
        assertThat(c).isEqualTo(new Container("containerd", ID, "rag-worker-1", null, null, null,
                List.of("com.docker.compose.project=rag", "com.docker.compose.service=worker")));
        assertThat(c.toString()).doesNotContain(SECRET);
    }

    @Test
    void describe_containerdUnderKubernetes_thePodFromTheCriAnnotationsWithoutAnyLogLink() throws IOException {
        write("run/containerd/io.containerd.runtime.v2.task/k8s.io/" + ID + "/config.json", """
                {"annotations":{"io.kubernetes.cri.container-type":"container",
                 "io.kubernetes.cri.container-name":"embedder","io.kubernetes.cri.image-name":"quay.io/example/embedder:2",
                 "io.kubernetes.cri.sandbox-id":"%s","io.kubernetes.cri.sandbox-name":"embedder-7d9f",
                 "io.kubernetes.cri.sandbox-namespace":"ml","io.kubernetes.cri.sandbox-uid":"0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"}}"""
                .formatted("c".repeat(64)));
        // cri-containerd-ID.scope (systemd driver) and kubepods/.../ID (cgroupfs driver)
        for (String runtime : List.of("containerd", "kubernetes")) {
            assertThat(metadata().describe(new ContainerId(runtime, ID))).isEqualTo(new Container(runtime, ID, "embedder",
                    "quay.io/example/embedder:2", "kubernetes", "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                    List.of("io.kubernetes.pod.name=embedder-7d9f", "io.kubernetes.pod.namespace=ml")));
        }
    }

    @Test
    void describe_containerdElsewhere_readsWhereConfigTomlSaysAndK3sOwn() throws IOException {
        write("etc/containerd/config.toml", """
                version = 2
                root = "/data/containerd"
                state = "/data/run/containerd"
                [plugins."io.containerd.grpc.v1.cri"]
                  state = "/not/this/one"
                """);
        write("data/run/containerd/io.containerd.runtime.v2.task/default/" + ID + "/config.json",
                "{\"annotations\":{\"nerdctl/name\":\"configured\"}}");
        String k3s = "3".repeat(64);
        write("run/k3s/containerd/io.containerd.runtime.v2.task/k8s.io/" + k3s + "/config.json",
                "{\"annotations\":{\"io.kubernetes.cri.container-name\":\"traefik\"}}");
        ContainerMetadata m = metadata();
        assertThat(m.describe(new ContainerId("containerd", ID)).name()).isEqualTo("configured");
        assertThat(m.describe(new ContainerId("containerd", k3s)).name()).isEqualTo("traefik");
    }

    @Test
    void describe_lxc_theIdIsTheName() {
        assertThat(metadata().describe(new ContainerId("lxc", "build-box")).name()).isEqualTo("build-box");
    }

    @Test
    void describe_nothingOnTheHost_runtimeAndIdOnly() {
        ContainerMetadata m = metadata();
        assertThat(m.describe(new ContainerId("docker", ID))).isEqualTo(Container.of("docker", ID));
        assertThat(m.describe(new ContainerId("podman", ID))).isEqualTo(Container.of("podman", ID));
        assertThat(m.describe(null)).isNull();
        assertThat(m.counters()).containsEntry("unnamed", 2L).containsEntry("unreadable", 0L);
    }

    @Test
    void describe_malformedTruncatedOrOversizedFiles_runtimeAndIdAndCountedUnreadable() throws IOException {
        Path config = root.resolve("var/lib/docker/containers/" + ID + "/config.v2.json");
        Path index = root.resolve("var/lib/containers/storage/overlay-containers/containers.json");
        String good = "{\"Name\":\"/x\",\"Config\":{\"Image\":\"y\"}}";
        List<String> bad = List.of(good.substring(0, 17), "{\"Name\":", "[1,2", "\u0000\u0001", "{\"Name\":{\"a\":[]}}");
        for (String content : bad) {
            write(root.relativize(config).toString(), content);
            write(root.relativize(index).toString(), content);
            ContainerMetadata m = metadata();
            assertThat(m.describe(new ContainerId("docker", ID)).name()).as(content).isNull();
            assertThat(m.describe(new ContainerId("podman", ID)).name()).as(content).isNull();
        }
        // over the caps: not read at all
        write(root.relativize(config).toString(), "{\"Name\":\"/big\",\"Pad\":\""
                + "x".repeat((int) ContainerMetadata.MAX_CONFIG_BYTES) + "\"}");
        ContainerMetadata m = metadata();
        assertThat(m.describe(new ContainerId("docker", ID))).isEqualTo(Container.of("docker", ID));
        assertThat(m.counters()).containsEntry("unreadable", 1L);
    }

    @Test
    void describe_randomBytesInEveryFile_neverThrows() throws IOException {
        Random random = new Random(20261122);
        List<String> files = List.of("etc/docker/daemon.json", "var/lib/docker/containers/" + ID + "/config.v2.json",
                "etc/containers/storage.conf", "var/lib/containers/storage/overlay-containers/containers.json",
                "var/lib/containers/storage/overlay-containers/" + ID + "/userdata/config.json",
                "etc/containerd/config.toml", "run/containerd/io.containerd.runtime.v2.task/default/" + ID + "/config.json",
                "etc/passwd", "home/u/.config/containers/storage.conf",
                "home/u/.local/share/containers/storage/vfs-containers/containers.json");
        for (int round = 0; round < 300; round++) {
            for (String file : files) {
                byte[] bytes = new byte[random.nextInt(400)];
                random.nextBytes(bytes);
                if (random.nextBoolean()) {
                    // mostly JSON-ish: structure characters and quotes among the noise
                    String s = new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("[^\\[\\]{}\":,a-z0-9 ]", "\"");
                    bytes = s.getBytes(StandardCharsets.ISO_8859_1);
                }
                Path p = root.resolve(file);
                Files.createDirectories(p.getParent());
                Files.write(p, bytes);
            }
            ContainerMetadata m = metadata();
            if (round % 2 == 0) {
                // a passwd that names the home, so the rootless store is read too
                Files.writeString(root.resolve("etc/passwd"), "u:x:1000:1000::/home/u:/bin/sh\n");
            }
            for (String runtime : List.of("docker", "podman", "cri-o", "containerd", "kubernetes")) {
                Container c = m.describe(new ContainerId(runtime, ID));
                assertThat(c.uid()).isEqualTo(ID);
                assertThat(c.runtime()).isEqualTo(runtime);
            }
        }
    }

    @Test
    void clean_controlCharactersOutBlankNullLongCut() {
        assertThat(ContainerMetadata.clean("web\u0000-1\n")).isEqualTo("web-1");
        assertThat(ContainerMetadata.clean("  ")).isNull();
        assertThat(ContainerMetadata.clean("n".repeat(1000))).hasSize(ContainerMetadata.MAX_VALUE_CHARS);
    }

    /** What a real Podman (as root, runc) writes for a container it created, read from the host. */
    @Test
    void describe_realPodmanContainer_itsNameAndImage() {
        Podman.require(root);
        String name = Podman.name();
        try {
            String id = Podman.create(name);
            assertThat(id).matches("[0-9a-f]{64}");
            assertThat(ContainerMetadata.system().describe(new ContainerId("podman", id)))
                    .isEqualTo(new Container("podman", id, name, Podman.IMAGE, null, null, List.of()));
            // renamed: a new reader (a minute later, the same one) sees the new name
            String renamed = name + "-renamed";
            HostTools.check(60, "podman", "rename", name, renamed);
            name = renamed;
            assertThat(ContainerMetadata.system().describe(new ContainerId("podman", id)).name()).isEqualTo(renamed);
        } finally {
            Podman.remove(name);
        }
    }

    /** What a real rootless Podman writes under its user's home for a container it created. */
    @Test
    void describe_realRootlessPodmanContainer_itsNameAndImageFromTheUsersStore() {
        Podman.requireRootless(root);
        String name = Podman.name();
        try {
            HostTools.Result created = Podman.rootless("create", "--name", name, Podman.IMAGE, "/usr/bin/true");
            assertThat(created.exitCode()).as(created.err()).isZero();
            String id = created.out().strip();
            assertThat(id).matches("[0-9a-f]{64}");
            assertThat(ContainerMetadata.system().describe(new ContainerId("podman", id)))
                    .isEqualTo(new Container("podman", id, name, Podman.IMAGE, null, null, List.of()));
        } finally {
            Podman.rootless("rm", "-f", "--ignore", name);
        }
    }

    /**
     * A real containerd runs two containers, one annotated as nerdctl annotates and one as the CRI
     * plugin does; each is found from its process's own cgroup, then named from the bundle the shim
     * runs.
     */
    @Test
    void describe_realContainerdContainers_namedFromTheRunningBundles() throws Exception {
        String nerdctlId = "c0de".repeat(16);
        String criId = "c21e".repeat(16);
        try (Containerd containerd = Containerd.start(root)) {
            long nerdctl = containerd.run("default", nerdctlId, "nerdctl/name=llm-proxy",
                    "com.docker.compose.project=ai", "com.docker.compose.service=proxy");
            long cri = containerd.run("k8s.io", criId, "io.kubernetes.cri.container-type=container",
                    "io.kubernetes.cri.container-name=embedder", "io.kubernetes.cri.image-name=quay.io/example/embedder:2",
                    "io.kubernetes.cri.sandbox-name=embedder-7d9f", "io.kubernetes.cri.sandbox-namespace=ml",
                    "io.kubernetes.cri.sandbox-uid=0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b");
            ContainerId first = ContainerId.fromCgroup(Files.readAllLines(Path.of("/proc/" + nerdctl + "/cgroup")));
            ContainerId second = ContainerId.fromCgroup(Files.readAllLines(Path.of("/proc/" + cri + "/cgroup")));
            assertThat(first).isEqualTo(new ContainerId("containerd", nerdctlId));
            assertThat(second).isEqualTo(new ContainerId("containerd", criId));
            ContainerMetadata m = new ContainerMetadata(root);
            assertThat(m.describe(first)).isEqualTo(new Container("containerd", nerdctlId, "llm-proxy", null, null, null,
                    List.of("com.docker.compose.project=ai", "com.docker.compose.service=proxy")));
            assertThat(m.describe(second)).isEqualTo(new Container("containerd", criId, "embedder",
                    "quay.io/example/embedder:2", "kubernetes", "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
                    List.of("io.kubernetes.pod.name=embedder-7d9f", "io.kubernetes.pod.namespace=ml")));
        }
    }

    private ContainerMetadata metadata() {
        return new ContainerMetadata(root);
    }

    private void write(String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }
}
