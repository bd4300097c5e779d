package dev.umbra.sensor.attribution;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.umbra.sensor.Container;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Design notes.
 *
 * A cgroup path gives a container's runtime and id (ContainerId); what a security team searches by is
 * its name, its image and, on a Kubernetes node, its pod. No runtime API is called (no Docker socket,
 * no CRI socket: both are root-equivalent to hold); the runtimes' own files on the host say it:
 *
 *   docker      DATA_ROOT/containers/ID/config.v2.json: "Name" ("/web-1"), "Config"."Image", and
 *               "Config"."Labels" (Compose project and service; io.kubernetes.* under cri-dockerd).
 *               DATA_ROOT is /var/lib/docker, or "data-root" of /etc/docker/daemon.json.
 *   podman      GRAPHROOT/overlay-containers/containers.json (containers/storage's index): "names",
 *               and "metadata", a JSON string whose "image-name" is the image. GRAPHROOT is
 *               /var/lib/containers/storage, or "graphroot" of /etc/containers/storage.conf.
 *   cri-o       GRAPHROOT/overlay-containers/ID/userdata/config.json: the OCI spec, whose annotations
 *               carry the Kubernetes container, pod, namespace, pod uid and image.
 *   any, on a   /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log, the kubelet's link to the log of
 *   node        each running container (containerd has no file that names its containers); the link
 *               points into /var/log/pods/NAMESPACE_POD_PODUID/CONTAINER/, which gives the pod's uid.
 *   lxc         the id is the name.
 *
 * config.v2.json and config.json hold the container's environment, secrets included: only the fields
 * above are read out, nothing of these files is logged, and a file over its cap is not read. The
 * Podman index is read with a streaming parser (it lists every container) and kept until its size or
 * modification time changes. Results are cached per container (Caffeine, 4 096, 60 s: a rename shows
 * within a minute). A file that is there but cannot be read or parsed is counted as unreadable and the
 * container reported by runtime and id, as when nothing names it.
 *
 * All paths are under a host root, "/" for a daemon on the host, or where a containerised daemon has
 * the host's root mounted (a Kubernetes DaemonSet's hostPath).
 */
/**
 * Names a container from its runtime's files on the host: name, image, Kubernetes pod. Thread-safe.
 */
public final class ContainerMetadata {
    /** Labels that place a container, kept as {@code key=value} in {@link Container#labels()}. */
    public static final String POD_NAME = "io.kubernetes.pod.name";
    public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
    static final String POD_UID = "io.kubernetes.pod.uid";
    static final String CONTAINER_NAME = "io.kubernetes.container.name";
    static final String COMPOSE_PROJECT = "com.docker.compose.project";
    static final String COMPOSE_SERVICE = "com.docker.compose.service";
    private static final String CRIO_IMAGE = "io.kubernetes.cri-o.ImageName";

    static final long MAX_CONFIG_BYTES = 4 << 20;
    static final long MAX_INDEX_BYTES = 32 << 20;
    static final int MAX_INDEX_ENTRIES = 65_536;
    static final int MAX_LOG_LINKS = 100_000;
    static final int MAX_VALUE_CHARS = 253;
    private static final Pattern GRAPHROOT = Pattern.compile("^\\s*graphroot\\s*=\\s*\"([^\"]+)\"");

    private final Path root;
    private final ObjectMapper json = new ObjectMapper();
    private final Cache<ContainerId, Container> cache;
    private final AtomicLong named = new AtomicLong();
    private final AtomicLong unnamed = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final Object indexLock = new Object();
    private PodmanIndex podmanIndex;
    private volatile Path dockerRoot;
    private volatile Path graphRoot;

    /**
     * @param hostRoot where the host's root file system is ({@code /} on the host)
     */
    public ContainerMetadata(Path hostRoot) {
        this.root = hostRoot;
        this.cache = Caffeine.newBuilder().maximumSize(4_096).expireAfterWrite(Duration.ofSeconds(60)).build();
    }

    /** Reads the host's own files. */
    public static ContainerMetadata system() {
        return new ContainerMetadata(Path.of("/"));
    }

    /**
     * The container, named as far as its runtime's files tell; never throws. {@code null} only for a
     * {@code null} id.
     */
    public Container describe(ContainerId id) {
        if (id == null) {
            return null;
        }
        return cache.get(id, this::read);
    }

    /** Lookups that read the files, by outcome: {@code named}, {@code unnamed}, {@code unreadable}. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("named", named.get());
        m.put("unnamed", unnamed.get());
        m.put("unreadable", unreadable.get());
        return m;
    }

    private Container read(ContainerId id) {
        Found f = new Found();
        boolean failed = false;
        try {
            switch (id.runtime()) {
                case "docker" -> docker(id.id(), f);
                case "podman" -> podman(id.id(), f);
                case "cri-o" -> crio(id.id(), f);
                case "lxc" -> f.name = id.id();
                default -> {
                    // containerd and a pod's container of unnamed runtime: only the kubelet's links say
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
        }
        if (f.name == null) {
            // a pod's container the runtime's own files did not name (containerd's, say)
            try {
                kubeletLink(id.id(), f);
            } catch (IOException | RuntimeException e) {
                failed = true;
            }
        }
        if (failed) {
            unreadable.incrementAndGet();
        } else if (f.name != null) {
            named.incrementAndGet();
        } else {
            unnamed.incrementAndGet();
        }
        List<String> labels = new ArrayList<>(4);
        f.labels.forEach((k, v) -> labels.add(k + "=" + v));
        String orchestrator = f.podUid != null || f.labels.containsKey(POD_NAME) ? "kubernetes" : null;
        return new Container(id.runtime(), id.id(), f.name, f.image, orchestrator, f.podUid, labels);
    }

    /** What was found of one container. */
    private static final class Found {
        String name;
        String image;
        String podUid;
        final Map<String, String> labels = new LinkedHashMap<>();

        void kubernetes(String container, String pod, String namespace, String uid) {
            if (container != null) {
                name = container;
            }
            if (pod != null) {
                labels.put(POD_NAME, pod);
            }
            if (namespace != null) {
                labels.put(POD_NAMESPACE, namespace);
            }
            if (uid != null) {
                podUid = uid;
            }
        }
    }

    // --- Docker

    private void docker(String id, Found f) throws IOException {
        JsonNode config = readJson(dockerRoot().resolve("containers").resolve(id).resolve("config.v2.json"));
        if (config == null) {
            return;
        }
        String name = text(config.get("Name"));
        if (name != null && name.startsWith("/")) {
            name = name.substring(1);
        }
        f.name = clean(name);
        JsonNode c = config.get("Config");
        if (c == null) {
            return;
        }
        f.image = clean(text(c.get("Image")));
        JsonNode labels = c.get("Labels");
        if (labels != null && labels.isObject()) {
            String project = clean(text(labels.get(COMPOSE_PROJECT)));
            String service = clean(text(labels.get(COMPOSE_SERVICE)));
            if (project != null) {
                f.labels.put(COMPOSE_PROJECT, project);
            }
            if (service != null) {
                f.labels.put(COMPOSE_SERVICE, service);
            }
            // cri-dockerd: the Docker name is k8s_CONTAINER_POD_..., the labels say it plainly
            kubernetesKeys(labels, f);
        }
    }

    private Path dockerRoot() {
        Path p = dockerRoot;
        if (p == null) {
            String dataRoot = null;
            try {
                JsonNode daemon = readJson(under("/etc/docker/daemon.json"));
                dataRoot = daemon == null ? null : text(daemon.get("data-root"));
            } catch (IOException | RuntimeException e) {
                unreadable.incrementAndGet();
            }
            p = under(dataRoot != null && dataRoot.startsWith("/") ? dataRoot : "/var/lib/docker");
            dockerRoot = p;
        }
        return p;
    }

    // --- Podman and CRI-O (containers/storage)

    private void podman(String id, Found f) throws IOException {
        PodmanIndex.Entry e = podmanIndex().entries.get(id);
        if (e != null) {
            f.name = e.name;
            f.image = e.image;
        }
    }

    private void crio(String id, Found f) throws IOException {
        JsonNode spec = readJson(graphRoot().resolve("overlay-containers").resolve(id).resolve("userdata")
                .resolve("config.json"));
        JsonNode a = spec == null ? null : spec.get("annotations");
        if (a == null || !a.isObject()) {
            return;
        }
        f.image = clean(text(a.get(CRIO_IMAGE)));
        kubernetesKeys(a, f);
    }

    /** The io.kubernetes.* keys Docker labels (cri-dockerd) and OCI annotations (CRI-O) carry alike. */
    private static void kubernetesKeys(JsonNode keys, Found f) {
        f.kubernetes(clean(text(keys.get(CONTAINER_NAME))), clean(text(keys.get(POD_NAME))),
                clean(text(keys.get(POD_NAMESPACE))), clean(text(keys.get(POD_UID))));
    }

    private Path graphRoot() {
        Path p = graphRoot;
        if (p == null) {
            String configured = null;
            Path conf = under("/etc/containers/storage.conf");
            try {
                if (Files.isRegularFile(conf) && Files.size(conf) <= MAX_CONFIG_BYTES) {
                    for (String line : Files.readAllLines(conf)) {
                        Matcher m = GRAPHROOT.matcher(line);
                        if (m.find()) {
                            configured = m.group(1);
                            break;
                        }
                    }
                }
            } catch (IOException | RuntimeException e) {
                unreadable.incrementAndGet();
            }
            p = under(configured != null && configured.startsWith("/") ? configured : "/var/lib/containers/storage");
            graphRoot = p;
        }
        return p;
    }

    /** containers.json, parsed again when its size or modification time changes. */
    private PodmanIndex podmanIndex() throws IOException {
        Path file = graphRoot().resolve("overlay-containers").resolve("containers.json");
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return PodmanIndex.EMPTY;
        }
        synchronized (indexLock) {
            PodmanIndex cached = podmanIndex;
            if (cached != null && cached.size == attrs.size() && cached.modified == attrs.lastModifiedTime().toMillis()) {
                return cached;
            }
            if (attrs.size() > MAX_INDEX_BYTES) {
                throw new IOException("containers.json over " + MAX_INDEX_BYTES + " bytes");
            }
            Map<String, PodmanIndex.Entry> entries = new HashMap<>();
            try (InputStream in = Files.newInputStream(file); JsonParser p = json.getFactory().createParser(in)) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    throw new IOException("containers.json is not an array");
                }
                while (p.nextToken() == JsonToken.START_OBJECT && entries.size() < MAX_INDEX_ENTRIES) {
                    indexEntry(p, entries);
                }
            }
            podmanIndex = new PodmanIndex(attrs.size(), attrs.lastModifiedTime().toMillis(), entries);
            return podmanIndex;
        }
    }

    /** One container of the index: its id, first name and the image-name inside its metadata string. */
    private void indexEntry(JsonParser p, Map<String, PodmanIndex.Entry> entries) throws IOException {
        String id = null;
        String name = null;
        String image = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if ("id".equals(field) && value == JsonToken.VALUE_STRING) {
                id = p.getText();
            } else if ("names".equals(field) && value == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (name == null && p.currentToken() == JsonToken.VALUE_STRING) {
                        name = clean(p.getText());
                    } else {
                        p.skipChildren();
                    }
                }
            } else if ("metadata".equals(field) && value == JsonToken.VALUE_STRING
                    && p.getTextLength() <= MAX_CONFIG_BYTES) {
                image = metadataImage(p.getText());
            } else {
                p.skipChildren();
            }
        }
        if (id != null) {
            entries.put(id, new PodmanIndex.Entry(name, image));
        }
    }

    private String metadataImage(String metadata) {
        try {
            JsonNode m = json.readTree(metadata);
            return m == null ? null : clean(text(m.get("image-name")));
        } catch (IOException e) {
            return null;
        }
    }

    private record PodmanIndex(long size, long modified, Map<String, Entry> entries) {
        static final PodmanIndex EMPTY = new PodmanIndex(-1, -1, Map.of());

        record Entry(String name, String image) {
        }
    }

    // --- Kubernetes: the kubelet's log links

    private void kubeletLink(String id, Found f) throws IOException {
        Path dir = under("/var/log/containers");
        if (!Files.isDirectory(dir)) {
            return;
        }
        String suffix = "-" + id + ".log";
        int seen = 0;
        try (DirectoryStream<Path> links = Files.newDirectoryStream(dir)) {
            for (Path link : links) {
                if (++seen > MAX_LOG_LINKS) {
                    return;
                }
                String file = link.getFileName().toString();
                if (!file.endsWith(suffix)) {
                    continue;
                }
                // POD_NAMESPACE_CONTAINER: none of the three may hold '_' (DNS names)
                String[] parts = file.substring(0, file.length() - suffix.length()).split("_", -1);
                if (parts.length != 3) {
                    continue;
                }
                String uid = null;
                if (Files.isSymbolicLink(link)) {
                    // /var/log/pods/NAMESPACE_POD_PODUID/CONTAINER/N.log
                    Path target = Files.readSymbolicLink(link);
                    Path podDir = target.getNameCount() >= 3 ? target.getParent().getParent().getFileName() : null;
                    String[] pod = podDir == null ? new String[0] : podDir.toString().split("_", -1);
                    if (pod.length == 3 && pod[0].equals(parts[1]) && pod[1].equals(parts[0])) {
                        uid = clean(pod[2]);
                    }
                }
                f.kubernetes(clean(parts[2]), clean(parts[0]), clean(parts[1]), uid);
                return;
            }
        }
    }

    // --- helpers

    private Path under(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    /** The file's JSON, or null when there is no such file; over the cap or malformed: IOException. */
    private JsonNode readJson(Path file) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!attrs.isRegularFile()) {
            return null;
        }
        if (attrs.size() > MAX_CONFIG_BYTES) {
            throw new IOException(file.getFileName() + " over " + MAX_CONFIG_BYTES + " bytes");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return json.readTree(in);
        }
    }

    private static String text(JsonNode n) {
        return n != null && n.isTextual() ? n.asText() : null;
    }

    /** Null for blank; control characters out; at most a DNS name's length. */
    static String clean(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_VALUE_CHARS));
        for (int i = 0; i < s.length() && b.length() < MAX_VALUE_CHARS; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != 0x7f) {
                b.append(c);
            }
        }
        String out = b.toString().strip();
        return out.isEmpty() ? null : out;
    }
}
