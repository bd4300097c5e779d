package dev.umbra.signatures;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * An immutable set of AI services and the matcher over their domains.
 *
 * <p>Catalog files are JSON objects with a {@code services} array; each service has {@code id},
 * {@code name}, {@code vendor}, {@code category}, {@code domains} and optionally {@code risk} (an
 * object of attribute to value) and {@code risk_score} (0..100). The built-in catalog is the list
 * of files named in {@code catalog/index.txt} on the class path.
 */
public final class Catalog {
    private static final String BUILT_IN_DIR = "dev/umbra/signatures/catalog/";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final List<AiService> services;
    private final Map<String, AiService> byId;
    private final HostMatcher matcher;

    private Catalog(List<AiService> services) {
        this.services = List.copyOf(services);
        Map<String, AiService> ids = new LinkedHashMap<>();
        for (AiService s : services) {
            ids.put(s.id(), s);
        }
        this.byId = Collections.unmodifiableMap(ids);
        this.matcher = HostMatcher.of(this.services);
    }

    /** Every service, in file order. */
    public List<AiService> services() {
        return services;
    }

    /** The service with this id, or {@code null}. */
    public AiService service(String id) {
        return byId.get(id);
    }

    /** The matcher over every service's domains. */
    public HostMatcher matcher() {
        return matcher;
    }

    /** Loads the catalog shipped inside the jar. */
    public static Catalog builtIn() {
        try (InputStream index = resource("index.txt")) {
            String text = new String(index.readAllBytes(), StandardCharsets.UTF_8);
            Builder builder = new Builder();
            for (String line : text.split("\n")) {
                String file = line.trim();
                if (file.isEmpty() || file.startsWith("#")) {
                    continue;
                }
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

    /**
     * Loads every {@code *.json} file of a directory (sorted by name), or a single file.
     *
     * @throws CatalogException naming the file and entry that is wrong
     */
    public static Catalog load(Path path) throws CatalogException {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                list.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new CatalogException(path + ": cannot list directory: " + e.getMessage(), e);
            }
        } else {
            files.add(path);
        }
        Builder builder = new Builder();
        for (Path file : files) {
            try {
                builder.add(file.toString(), Files.readAllBytes(file));
            } catch (IOException e) {
                throw new CatalogException(file + ": cannot read: " + e.getMessage(), e);
            }
        }
        return builder.build();
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
        private final List<AiService> services = new ArrayList<>();

        void add(String file, byte[] content) throws CatalogException {
            JsonNode root;
            try {
                root = JSON.readTree(content);
            } catch (JsonProcessingException e) {
                throw new CatalogException(file + ": not valid JSON at line "
                        + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ": " + e.getOriginalMessage(), e);
            } catch (IOException e) {
                throw new CatalogException(file + ": cannot read: " + e.getMessage(), e);
            }
            JsonNode list = root == null ? null : root.get("services");
            if (list == null || !list.isArray()) {
                throw new CatalogException(file + ": expected an object with a \"services\" array");
            }
            int index = 0;
            for (JsonNode entry : list) {
                AiService service = parseService(file, index++, entry);
                String previous = fileOfId.putIfAbsent(service.id(), file);
                if (previous != null) {
                    throw new CatalogException(file + ": service " + service.id()
                            + ": duplicate id (first defined in " + previous + ")");
                }
                services.add(service);
            }
        }

        Catalog build() throws CatalogException {
            try {
                return new Catalog(services);
            } catch (IllegalArgumentException e) {
                throw new CatalogException("catalog: " + e.getMessage(), e);
            }
        }

        private static AiService parseService(String file, int index, JsonNode n) throws CatalogException {
            String where = file + ": services[" + index + "]";
            if (!n.isObject()) {
                throw new CatalogException(where + ": expected an object");
            }
            String id = text(n, "id", where);
            where = file + ": service " + id;
            if (!id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new CatalogException(where + ": id must be lowercase letters, digits and hyphens");
            }
            for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!List.of("id", "name", "vendor", "category", "domains", "risk", "risk_score").contains(field)) {
                    throw new CatalogException(where + ": unknown field \"" + field + "\"");
                }
            }
            Category category;
            try {
                category = Category.fromId(text(n, "category", where));
            } catch (IllegalArgumentException e) {
                throw new CatalogException(where + ": " + e.getMessage(), e);
            }
            JsonNode domainsNode = n.get("domains");
            if (domainsNode == null || !domainsNode.isArray() || domainsNode.isEmpty()) {
                throw new CatalogException(where + ": \"domains\" must be a non-empty array");
            }
            List<DomainPattern> domains = new ArrayList<>();
            for (JsonNode d : domainsNode) {
                try {
                    DomainPattern p = DomainPattern.parse(d.asText());
                    if (domains.contains(p)) {
                        throw new CatalogException(where + ": duplicate domain pattern " + p);
                    }
                    domains.add(p);
                } catch (IllegalArgumentException e) {
                    throw new CatalogException(where + ": " + e.getMessage(), e);
                }
            }
            Map<String, String> risk = new LinkedHashMap<>();
            JsonNode riskNode = n.get("risk");
            if (riskNode != null) {
                if (!riskNode.isObject()) {
                    throw new CatalogException(where + ": \"risk\" must be an object");
                }
                riskNode.fields().forEachRemaining(e -> risk.put(e.getKey(), e.getValue().asText()));
            }
            Integer score = null;
            JsonNode scoreNode = n.get("risk_score");
            if (scoreNode != null && !scoreNode.isNull()) {
                if (!scoreNode.isInt() || scoreNode.asInt() < 0 || scoreNode.asInt() > 100) {
                    throw new CatalogException(where + ": \"risk_score\" must be an integer 0..100");
                }
                score = scoreNode.asInt();
            }
            return new AiService(id, text(n, "name", where), text(n, "vendor", where), category,
                    domains, risk, score);
        }

        private static String text(JsonNode n, String field, String where) throws CatalogException {
            JsonNode v = n.get(field);
            if (v == null || !v.isTextual() || v.asText().isBlank()) {
                throw new CatalogException(where + ": \"" + field + "\" is required and must be a string");
            }
            return v.asText().trim();
        }
    }
}
