package dev.umbra.signatures;

import dev.umbra.signatures.integrity.CatalogTrust;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * An immutable set of AI services, an organisation's policy over them, and the matcher over their
 * domains.
 *
 * <p>Catalog files are JSON objects with a {@code services} array; the schema is in
 * docs/catalog.md. The built-in catalog is the list of files named in {@code catalog/index.txt} on
 * the class path. A catalog from disk is a directory of {@code *.json} files, verified against its
 * signed manifest by {@link #load(Path, CatalogTrust)}.
 */
public final class Catalog {
    private static final String BUILT_IN_DIR = "dev/umbra/signatures/catalog/";

    private final List<AiService> services;
    private final Map<String, AiService> byId;
    private final Map<Integer, List<AiService>> byPort;
    private final Policy policy;
    private final HostMatcher matcher;

    private Catalog(List<AiService> services, Policy policy) {
        this.services = List.copyOf(services);
        Map<String, AiService> ids = new LinkedHashMap<>();
        Map<Integer, List<AiService>> ports = new HashMap<>();
        for (AiService s : services) {
            ids.put(s.id(), s);
            for (int port : s.ports()) {
                ports.computeIfAbsent(port, p -> new ArrayList<>()).add(s);
            }
        }
        this.byId = Collections.unmodifiableMap(ids);
        ports.replaceAll((k, v) -> List.copyOf(v));
        this.byPort = Map.copyOf(ports);
        this.policy = policy;
        this.matcher = new SuffixHashHostMatcher(this.services, policy);
    }

    /** Every service, in file order (the policy's custom services last). */
    public List<AiService> services() {
        return services;
    }

    /** The service with this id, or {@code null}. */
    public AiService service(String id) {
        return byId.get(id);
    }

    /** Self-hosted runtimes known to listen on this TCP port; empty when none. */
    public List<AiService> servicesOnPort(int port) {
        return byPort.getOrDefault(port, List.of());
    }

    /** The policy applied to this catalog ({@link Policy#NONE} unless {@link #withPolicy} was used). */
    public Policy policy() {
        return policy;
    }

    /** The matcher over every service's domains; its matches carry the policy's verdicts. */
    public HostMatcher matcher() {
        return matcher;
    }

    /**
     * This catalog under an organisation's policy: its custom services and domains added, every match
     * carrying the policy's verdict.
     *
     * @throws CatalogException when the policy names a service the catalog lacks, or its domains clash
     *     with the catalog's
     */
    public Catalog withPolicy(Policy policy) throws CatalogException {
        List<String> problems = new ArrayList<>();
        List<AiService> all = new ArrayList<>();
        Map<String, List<DomainPattern>> extra = policy.extraDomains();
        for (String id : extra.keySet()) {
            if (!byId.containsKey(id)) {
                problems.add(policy.source() + ": extra_domains: no catalog service " + id);
            }
        }
        for (String id : policy.serviceVerdictIds()) {
            if (!byId.containsKey(id) && policy.customServices().stream().noneMatch(s -> s.id().equals(id))) {
                problems.add(policy.source() + ": services: no catalog or custom service " + id);
            }
        }
        for (AiService s : services) {
            List<DomainPattern> more = extra.get(s.id());
            all.add(more == null ? s : s.withExtraDomains(more));
        }
        Map<String, String> where = new HashMap<>();
        for (String id : extra.keySet()) {
            where.put(id, policy.source() + " (extra_domains)");
        }
        for (AiService s : policy.customServices()) {
            if (byId.containsKey(s.id())) {
                problems.add(policy.source() + ": custom service " + s.id() + ": duplicate id (already in the catalog)");
            }
            where.put(s.id(), policy.source() + " (custom_services)");
            all.add(s);
        }
        Builder.checkPatterns(all, where, problems);
        if (!problems.isEmpty()) {
            throw new CatalogException(problems);
        }
        return new Catalog(all, policy);
    }

    /** Loads the catalog shipped inside the jar. */
    public static Catalog builtIn() {
        try {
            Builder builder = new Builder();
            for (String file : builtInFiles()) {
                try (InputStream in = resource(file)) {
                    builder.add(file, in.readAllBytes());
                }
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("built-in catalog unreadable", e);
        } catch (CatalogException e) {
            throw new IllegalStateException("built-in catalog is invalid: " + e.getMessage(), e);
        }
    }

    /** Names of the built-in catalog's files, in load order. */
    public static List<String> builtInFiles() throws IOException {
        try (InputStream index = resource("index.txt")) {
            List<String> files = new ArrayList<>();
            for (String line : new String(index.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String file = line.trim();
                if (!file.isEmpty() && !file.startsWith("#")) {
                    files.add(file);
                }
            }
            return files;
        }
    }

    /** The bytes of one built-in catalog file. */
    public static byte[] builtInFile(String name) throws IOException {
        try (InputStream in = resource(name)) {
            return in.readAllBytes();
        }
    }

    /**
     * Loads a catalog release directory after checking its manifest and signature against the trusted
     * keys.
     *
     * @throws CatalogException when the release is unsigned, tampered with or invalid (unless the
     *     trust allows unverified catalogs), naming the file and entry that is wrong
     */
    public static Catalog load(Path dir, CatalogTrust trust) throws CatalogException {
        trust.verify(dir);
        return parse(dir);
    }

    /**
     * Parses every {@code *.json} file of a directory (sorted by name), or a single file, without any
     * integrity check: for validation and tests; daemons use {@link #load(Path, CatalogTrust)}.
     *
     * @throws CatalogException naming the file and entry that is wrong (every problem found)
     */
    public static Catalog parse(Path path) throws CatalogException {
        Builder builder = new Builder();
        for (Path file : catalogFiles(path)) {
            try {
                builder.add(file.toString(), Files.readAllBytes(file));
            } catch (IOException e) {
                throw new CatalogException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    /** The catalog files of a directory ({@code *.json}, sorted) or the file itself. */
    public static List<Path> catalogFiles(Path path) throws CatalogException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                list.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                        .sorted().forEach(files::add);
            } catch (IOException e) {
                throw new CatalogException(path + ": cannot list directory: " + e.getMessage(), e);
            }
            if (files.isEmpty()) {
                throw new CatalogException(path + ": no *.json catalog files in the directory");
            }
        } else if (Files.isRegularFile(path)) {
            files.add(path);
        } else {
            throw new CatalogException(path + ": no such file or directory");
        }
        return files;
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = Catalog.class.getClassLoader().getResourceAsStream(BUILT_IN_DIR + name);
        if (in == null) {
            throw new IOException("missing class path resource " + BUILT_IN_DIR + name);
        }
        return in;
    }

    /** Collects services from several files and checks them across files. */
    static final class Builder {
        private final Map<String, String> fileOfId = new LinkedHashMap<>();
        private final Map<String, String> whereOfId = new HashMap<>();
        private final List<AiService> services = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();

        void add(String file, byte[] content) {
            List<EntryParser.Located> entries = EntryParser.readArray(file, content, "services", Set.of(),
                    new HashMap<>(), problems);
            if (entries == null) {
                return;
            }
            for (EntryParser.Located entry : entries) {
                AiService service = EntryParser.parseService(file, entry, problems);
                if (service == null) {
                    continue;
                }
                String previous = fileOfId.putIfAbsent(service.id(), file);
                if (previous != null) {
                    problems.add(file + ":" + entry.line() + ": service " + service.id()
                            + ": duplicate id (first defined in " + whereOfId.get(service.id()) + ")");
                    continue;
                }
                whereOfId.put(service.id(), file + ":" + entry.line());
                services.add(service);
            }
        }

        /** Every problem found so far. */
        List<String> problems() {
            List<String> all = new ArrayList<>(problems);
            checkPatterns(services, whereOfId, all);
            return all;
        }

        Catalog build() throws CatalogException {
            List<String> all = problems();
            if (!all.isEmpty()) {
                throw new CatalogException(all);
            }
            return new Catalog(services, Policy.NONE);
        }

        /**
         * Duplicate patterns across services (an error: the matcher could not choose) and patterns a
         * service's own broader pattern already covers (shadowed: never the most specific of their
         * service, so they only mislead a reader). A narrower pattern of another service is a deliberate
         * carve-out ({@code =api.openai.com} inside {@code openai.com}) and is allowed.
         */
        static void checkPatterns(List<AiService> services, Map<String, String> whereOfId, List<String> problems) {
            Map<String, String> owner = new HashMap<>();
            for (AiService s : services) {
                String where = whereOfId.getOrDefault(s.id(), "catalog") + ": service " + s.id();
                for (DomainPattern p : s.domains()) {
                    String previous = owner.putIfAbsent(p.toString(), s.id());
                    if (previous != null && !previous.equals(s.id())) {
                        problems.add(where + ": domain pattern " + p + " is also claimed by service " + previous);
                    }
                    for (DomainPattern q : s.domains()) {
                        if (q != p && !q.exact() && !q.isWildcard() && covers(q.domain(), p)) {
                            problems.add(where + ": domain pattern " + p + " is shadowed by " + q
                                    + " of the same service (remove it)");
                        }
                    }
                }
            }
        }

        private static boolean covers(String suffix, DomainPattern p) {
            String d = p.domain();
            return d.equals(suffix) ? p.exact() : d.endsWith("." + suffix);
        }
    }
}
