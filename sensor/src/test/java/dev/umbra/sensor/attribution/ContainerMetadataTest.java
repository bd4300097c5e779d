package dev.umbra.sensor.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.umbra.sensor.Container;
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
 * CRI-O's OCI spec, the kubelet's log links); one test reads what a real Podman wrote.
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
                "var/lib/containers/storage/overlay-containers/" + ID + "/userdata/config.json");
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
            for (String runtime : List.of("docker", "podman", "cri-o", "containerd")) {
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

    private ContainerMetadata metadata() {
        return new ContainerMetadata(root);
    }

    private void write(String relative, String content) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
    }
}
