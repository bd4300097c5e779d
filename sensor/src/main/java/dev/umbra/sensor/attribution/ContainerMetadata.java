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
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 *   podman      GRAPHROOT/DRIVER-containers/containers.json (containers/storage's index, one per
 *               storage driver: overlay, vfs, btrfs, ...): "names", and "metadata", a JSON string whose
 *               "image-name" is the image. GRAPHROOT is /var/lib/containers/storage, or "graphroot" of
 *               /etc/containers/storage.conf. Rootless Podman keeps each user's own storage under the
 *               user's home: "graphroot" of ~/.config/containers/storage.conf, else
 *               "rootless_storage_path" of /etc/containers/storage.conf ($HOME, $UID, $USER expanded),
 *               else ~/.local/share/containers/storage; homes come from /etc/passwd.
 *   cri-o       GRAPHROOT/DRIVER-containers/ID/userdata/config.json: the OCI spec, whose annotations
 *               carry the Kubernetes container, pod, namespace, pod uid and image.
 *   containerd  STATE/io.containerd.runtime.v2.task/NAMESPACE/ID/config.json, the bundle the shim runs
 *               (v1.linux for the old shim): the OCI spec, whose annotations carry nerdctl's name and
 *               Compose labels (nerdctl passes its labels on as annotations) or, for the CRI plugin,
 *               io.kubernetes.cri.{container-name,sandbox-name,sandbox-namespace,sandbox-uid,
 *               image-name}. STATE is /run/containerd, or "state" of /etc/containerd/config.toml; k3s's
 *               and MicroK8s's are looked at too. The bundle exists while the container runs.
 *   any, on a   /var/log/containers/POD_NAMESPACE_CONTAINER-ID.log, the kubelet's link to the log of
 *   node        each running container; the link points into /var/log/pods/NAMESPACE_POD_PODUID/
 *               CONTAINER/, which gives the pod's uid. Used when the runtime's files named nothing.
 *   lxc         the id is the name.
 *
 * config.v2.json and config.json hold the container's environment, secrets included: only the fields
 * above are read out, nothing of these files is logged, and a file over its cap is not read. The
 * Podman indexes are read with a streaming parser (they list every container) and kept until their
 * size or modification time changes. Results are cached per container (Caffeine, 4 096, 60 s: a rename
 * shows within a minute). A file that is there but cannot be read or parsed is counted as unreadable
 * and the container reported by runtime and id, as when nothing names it.
 *
 * Files under a user's home are the user's to make, and the daemon that reads them runs as root. Such
 * files are opened without following a link at their last step, only when they are regular files
 * within the size cap, and on a reader thread the lookup waits on for at most two seconds: a FIFO
 * swapped in between the check and the open would otherwise block the lookup for good. A file that
 * timed out is not opened again.
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
    static final int MAX_DRIVERS = 16;
    static final int MAX_NAMESPACES = 256;
    static final int MAX_USERS = 65_536;
    static final int MAX_INDEXES = 1_024;
    static final int MAX_BLOCKED = 1_024;
    static final long UNTRUSTED_WAIT_MILLIS = 2_000;
    private static final long ROOTLESS_RELIST_NANOS = 60_000_000_000L;
    private static final Pattern GRAPHROOT = Pattern.compile("(?m)^\\s*graphroot\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern ROOTLESS_PATH = Pattern.compile("(?m)^\\s*rootless_storage_path\\s*=\\s*\"([^\"]+)\"");
    private static final Pattern CONTAINERD_STATE = Pattern.compile("(?m)^\\s*state\\s*=\\s*[\"']([^\"']+)[\"']");
    private static final List<String> CONTAINERD_SHIMS = List.of("io.containerd.runtime.v2.task",
            "io.containerd.runtime.v1.linux");
    private static final String NERDCTL_NAME = "nerdctl/name";
    private static final String CRI_CONTAINER = "io.kubernetes.cri.container-name";
    private static final String CRI_POD = "io.kubernetes.cri.sandbox-name";
    private static final String CRI_NAMESPACE = "io.kubernetes.cri.sandbox-namespace";
    private static final String CRI_POD_UID = "io.kubernetes.cri.sandbox-uid";
    private static final String CRI_IMAGE = "io.kubernetes.cri.image-name";

    private final Path root;
    private final ObjectMapper json = new ObjectMapper();
    private final Cache<ContainerId, Container> cache;
    private final AtomicLong named = new AtomicLong();
    private final AtomicLong unnamed = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final Object indexLock = new Object();
    private final Map<Path, PodmanIndex> indexes = new HashMap<>();
    private List<Path> rootless;
    private long rootlessListed;
    private final Set<Path> blocked = new HashSet<>();
    private ExecutorService readerThread;
    private volatile Path dockerRoot;
    private volatile Path graphRoot;
    private volatile List<Path> containerdStates;

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
                case "containerd" -> containerd(id.id(), f);
                case "kubernetes" -> {
                    // a pod's container under the cgroupfs driver: containerd's or CRI-O's
                    containerd(id.id(), f);
                    if (f.name == null) {
                        crio(id.id(), f);
                    }
                }
                case "lxc" -> f.name = id.id();
                default -> {
                    // nothing else names its containers in files
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
        }
        if (f.name == null) {
            // a pod's container the runtime's own files did not name (a stopped containerd bundle, say)
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
        PodmanIndex.Entry e = lookUp(graphRoot(), id, false);
        IOException failed = null;
        if (e == null) {
            // one user's unreadable store must not keep the others' containers unnamed
            for (Path store : rootlessStores()) {
                try {
                    e = lookUp(store, id, true);
                } catch (IOException | RuntimeException x) {
                    failed = x instanceof IOException io ? io : new IOException(x);
                }
                if (e != null) {
                    break;
                }
            }
        }
        if (e != null) {
            f.name = e.name;
            f.image = e.image;
        } else if (failed != null) {
            throw failed;
        }
    }

    /** The container in any of the store's driver indexes, or null. */
    private PodmanIndex.Entry lookUp(Path store, String id, boolean untrusted) throws IOException {
        for (Path dir : driverDirs(store)) {
            PodmanIndex.Entry e = index(dir.resolve("containers.json"), untrusted).entries.get(id);
            if (e != null) {
                return e;
            }
        }
        return null;
    }

    /** GRAPHROOT/DRIVER-containers: one per storage driver the store has used. */
    private static List<Path> driverDirs(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return List.of();
        }
        List<Path> dirs = new ArrayList<>(2);
        int seen = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(store, "*-containers")) {
            for (Path dir : entries) {
                if (++seen > MAX_DRIVERS) {
                    break;
                }
                if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    dirs.add(dir);
                }
            }
        }
        return dirs;
    }

    private void crio(String id, Found f) throws IOException {
        for (Path dir : driverDirs(graphRoot())) {
            JsonNode spec = readJson(dir.resolve(id).resolve("userdata").resolve("config.json"));
            JsonNode a = spec == null ? null : spec.get("annotations");
            if (a != null && a.isObject()) {
                f.image = clean(text(a.get(CRIO_IMAGE)));
                kubernetesKeys(a, f);
                return;
            }
        }
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
            try {
                configured = tomlKey(readText(under("/etc/containers/storage.conf"), false), GRAPHROOT);
            } catch (IOException | RuntimeException e) {
                unreadable.incrementAndGet();
            }
            p = under(configured != null && configured.startsWith("/") ? configured : "/var/lib/containers/storage");
            graphRoot = p;
        }
        return p;
    }

    /** Each user's rootless store that exists, from /etc/passwd; listed again after a minute. */
    private List<Path> rootlessStores() throws IOException {
        synchronized (indexLock) {
            long now = System.nanoTime();
            if (rootless != null && now - rootlessListed < ROOTLESS_RELIST_NANOS) {
                return rootless;
            }
            String systemWide = tomlKey(readText(under("/etc/containers/storage.conf"), false), ROOTLESS_PATH);
            String passwd = readText(under("/etc/passwd"), false);
            List<Path> stores = new ArrayList<>();
            if (passwd != null) {
                int users = 0;
                for (String line : passwd.split("\n")) {
                    String[] u = line.split(":", -1);
                    if (u.length < 7 || ++users > MAX_USERS) {
                        continue;
                    }
                    String home = u[5];
                    if (u[2].equals("0") || !home.startsWith("/") || home.equals("/")) {
                        continue; // root's store is the system one; system users without a home
                    }
                    Path store = rootlessStore(u[0], u[2], home, systemWide);
                    if (store != null && Files.isDirectory(store)) {
                        stores.add(store);
                    }
                }
            }
            rootless = List.copyOf(stores);
            rootlessListed = now;
            return rootless;
        }
    }

    /** Where containers/storage keeps a rootless user's store. */
    private Path rootlessStore(String user, String uid, String home, String systemWide) {
        Path homeDir = under(home);
        if (!Files.isDirectory(homeDir)) {
            return null;
        }
        String configured = null;
        try {
            configured = tomlKey(readText(homeDir.resolve(".config/containers/storage.conf"), true), GRAPHROOT);
        } catch (IOException | RuntimeException e) {
            unreadable.incrementAndGet();
        }
        if (configured == null) {
            configured = systemWide;
        }
        if (configured != null) {
            configured = configured.replace("$HOME", home).replace("$UID", uid).replace("$USER", user);
            return configured.startsWith("/") ? under(configured) : null;
        }
        return homeDir.resolve(".local/share/containers/storage");
    }

    /** A containers.json, parsed again when its size or modification time changes. */
    private PodmanIndex index(Path file, boolean untrusted) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return PodmanIndex.EMPTY;
        }
        synchronized (indexLock) {
            PodmanIndex cached = indexes.get(file);
            if (cached != null && cached.size == attrs.size() && cached.modified == attrs.lastModifiedTime().toMillis()) {
                return cached;
            }
            Map<String, PodmanIndex.Entry> entries = read(file, MAX_INDEX_BYTES, untrusted, in -> {
                Map<String, PodmanIndex.Entry> m = new HashMap<>();
                try (JsonParser p = json.getFactory().createParser(in)) {
                    if (p.nextToken() != JsonToken.START_ARRAY) {
                        throw new IOException("containers.json is not an array");
                    }
                    while (p.nextToken() == JsonToken.START_OBJECT && m.size() < MAX_INDEX_ENTRIES) {
                        indexEntry(p, m);
                    }
                }
                return m;
            });
            PodmanIndex index = new PodmanIndex(attrs.size(), attrs.lastModifiedTime().toMillis(),
                    entries == null ? Map.of() : entries);
            if (indexes.size() >= MAX_INDEXES) {
                indexes.clear();
            }
            indexes.put(file, index);
            return index;
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

    // --- containerd: the running bundle's OCI spec

    private void containerd(String id, Found f) throws IOException {
        for (Path state : containerdStates()) {
            for (String shim : CONTAINERD_SHIMS) {
                Path dir = state.resolve(shim);
                if (!Files.isDirectory(dir)) {
                    continue;
                }
                int seen = 0;
                try (DirectoryStream<Path> namespaces = Files.newDirectoryStream(dir)) {
                    for (Path namespace : namespaces) {
                        if (++seen > MAX_NAMESPACES) {
                            break;
                        }
                        JsonNode spec = readJson(namespace.resolve(id).resolve("config.json"));
                        if (spec != null) {
                            containerdAnnotations(spec.get("annotations"), f);
                            return;
                        }
                    }
                }
            }
        }
    }

    private static void containerdAnnotations(JsonNode a, Found f) {
        if (a == null || !a.isObject()) {
            return;
        }
        f.image = clean(text(a.get(CRI_IMAGE)));
        f.kubernetes(clean(text(a.get(CRI_CONTAINER))), clean(text(a.get(CRI_POD))),
                clean(text(a.get(CRI_NAMESPACE))), clean(text(a.get(CRI_POD_UID))));
        if (f.name == null) {
            f.name = clean(text(a.get(NERDCTL_NAME)));
        }
        for (String key : List.of(COMPOSE_PROJECT, COMPOSE_SERVICE)) {
            String v = clean(text(a.get(key)));
            if (v != null) {
                f.labels.put(key, v);
            }
        }
    }

    /** containerd's state directories: the configured one (or /run/containerd), k3s's, MicroK8s's. */
    private List<Path> containerdStates() {
        List<Path> p = containerdStates;
        if (p == null) {
            String configured = null;
            try {
                String toml = readText(under("/etc/containerd/config.toml"), false);
                // a top-level key: only the lines before the first [table]
                configured = toml == null ? null : tomlKey(toml.split("(?m)^\\s*\\[", 2)[0], CONTAINERD_STATE);
            } catch (IOException | RuntimeException e) {
                unreadable.incrementAndGet();
            }
            List<Path> states = new ArrayList<>(3);
            states.add(under(configured != null && configured.startsWith("/") ? configured : "/run/containerd"));
            states.add(under("/run/k3s/containerd"));
            states.add(under("/var/snap/microk8s/common/run/containerd"));
            p = List.copyOf(states);
            containerdStates = p;
        }
        return p;
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
        return read(file, MAX_CONFIG_BYTES, false, json::readTree);
    }

    /** A small text file, or null when there is no such file. */
    private String readText(Path file, boolean untrusted) throws IOException {
        return read(file, MAX_CONFIG_BYTES, untrusted, in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** The first {@code key = "value"} line's value, or null. */
    private static String tomlKey(String toml, Pattern key) {
        if (toml == null) {
            return null;
        }
        Matcher m = key.matcher(toml);
        return m.find() ? m.group(1) : null;
    }

    /** Reads an input stream into a result. */
    @FunctionalInterface
    interface Reader<T> {
        T read(InputStream in) throws IOException;
    }

    /**
     * Reads a regular file of at most {@code cap} bytes; null when there is none (or something else is
     * there: a link, a directory, a device). An untrusted file (under a user's home) is opened without
     * following a link and on the reader thread, waited for at most {@link #UNTRUSTED_WAIT_MILLIS}.
     */
    private <T> T read(Path file, long cap, boolean untrusted, Reader<T> reader) throws IOException {
        BasicFileAttributes attrs;
        try {
            attrs = untrusted ? Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                    : Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!attrs.isRegularFile()) {
            if (untrusted && !attrs.isDirectory()) {
                throw new IOException(file.getFileName() + " is not a regular file");
            }
            return null;
        }
        if (attrs.size() > cap) {
            throw new IOException(file.getFileName() + " over " + cap + " bytes");
        }
        if (!untrusted) {
            try (InputStream in = Files.newInputStream(file)) {
                return reader.read(in);
            }
        }
        return readAside(file, cap, reader);
    }

    /** Opens and reads the file on the reader thread, waiting at most the untrusted wait. */
    <T> T readAside(Path file, long cap, Reader<T> reader) throws IOException {
        Future<T> result;
        synchronized (blocked) {
            if (blocked.contains(file)) {
                throw new IOException(file.getFileName() + " blocked an earlier read");
            }
            if (readerThread == null) {
                readerThread = Executors.newSingleThreadExecutor(r -> {
                    Thread t = new Thread(r, "umbra-container-files");
                    t.setDaemon(true);
                    return t;
                });
            }
            result = readerThread.submit(() -> {
                try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ,
                        LinkOption.NOFOLLOW_LINKS)) {
                    if (ch.size() > cap) {
                        throw new IOException(file.getFileName() + " over " + cap + " bytes");
                    }
                    return reader.read(Channels.newInputStream(ch));
                }
            });
        }
        try {
            return result.get(UNTRUSTED_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            synchronized (blocked) {
                // the thread stays stuck in open(2); the next read gets a new one
                if (blocked.size() < MAX_BLOCKED) {
                    blocked.add(file);
                }
                readerThread.shutdownNow();
                readerThread = null;
            }
            throw new IOException(file.getFileName() + " did not open within " + UNTRUSTED_WAIT_MILLIS + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException(file.getFileName() + ": " + cause, cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted reading " + file.getFileName(), e);
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
