package dev.umbra.signatures;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/*
 * Design notes.
 *
 * A verdict is resolved in this order, first answer wins:
 *   1. exceptions, in file order: an exception applies when the client address is in one of its
 *      networks or the user is a member of one of its groups; it answers when it names the service,
 *      else the service's category;
 *   2. the policy's per-service verdicts;
 *   3. its per-category verdicts;
 *   4. its default (unknown when not given).
 * Steps 2-4 do not depend on the client, so the matcher stores their answer in every rule's Match;
 * only step 1 runs per lookup, and only on a hit. Which exceptions answer for a service does not
 * depend on the client either: ServiceVerdicts holds them per service, so a hit on a service no
 * exception names costs nothing more, and one that some exception names looks up the user's groups
 * or parses the client address only when such an exception needs it. Group membership is a bit mask
 * per user, computed when the policy is loaded (so at most 64 exceptions). IPv4 clients are parsed without allocating;
 * an IPv6 client allocates one 16-byte array on a hit.
 */

/**
 * An organisation's policy over the catalog: verdicts per service, per category and by default,
 * custom services and extra domains, and exceptions per client network or user group. The file
 * format is in docs/catalog.md. Immutable.
 */
public final class Policy {
    /** At most this many exceptions (user group membership is a 64-bit mask). */
    public static final int MAX_EXCEPTIONS = 64;
    private static final Set<String> FIELDS = Set.of("default", "categories", "services", "extra_domains",
            "groups", "exceptions");

    /** No policy: every service is {@link Verdict#UNKNOWN}. */
    public static final Policy NONE = new Policy("(no policy)", Verdict.UNKNOWN, Map.of(),
            new EnumMap<>(Category.class), List.of(), Map.of(), List.of(), Map.of());

    /** One exception: who it applies to and what it says. */
    record ExceptionRule(String name, List<Cidr> networks, Set<String> groups, Map<String, Verdict> services,
            Map<Category, Verdict> categories) {
    }

    private final String source;
    private final Verdict defaultVerdict;
    private final Map<String, Verdict> services;
    private final EnumMap<Category, Verdict> categories;
    private final List<AiService> customServices;
    private final Map<String, List<DomainPattern>> extraDomains;
    private final ExceptionRule[] exceptions;
    private final Map<String, Long> userMasks;

    private Policy(String source, Verdict defaultVerdict, Map<String, Verdict> services,
            EnumMap<Category, Verdict> categories, List<AiService> customServices,
            Map<String, List<DomainPattern>> extraDomains, List<ExceptionRule> exceptions, Map<String, Long> userMasks) {
        this.source = source;
        this.defaultVerdict = defaultVerdict;
        this.services = Map.copyOf(services);
        this.categories = categories;
        this.customServices = List.copyOf(customServices);
        this.extraDomains = Collections.unmodifiableMap(new LinkedHashMap<>(extraDomains));
        this.exceptions = exceptions.toArray(new ExceptionRule[0]);
        this.userMasks = Map.copyOf(userMasks);
    }

    /** The file the policy came from (for messages). */
    public String source() {
        return source;
    }

    /** The verdict for services nothing else names. */
    public Verdict defaultVerdict() {
        return defaultVerdict;
    }

    /** Services the organisation adds to the catalog. */
    public List<AiService> customServices() {
        return customServices;
    }

    /** Domains the organisation adds to catalog services, by service id. */
    public Map<String, List<DomainPattern>> extraDomains() {
        return extraDomains;
    }

    /** Ids the policy gives a verdict to (catalog or custom services). */
    public Set<String> serviceVerdictIds() {
        Set<String> ids = new LinkedHashSet<>(services.keySet());
        for (ExceptionRule e : exceptions) {
            ids.addAll(e.services().keySet());
        }
        return ids;
    }

    /** The verdict for a service regardless of who uses it (no exception applied). */
    public Verdict verdict(AiService service) {
        Verdict v = services.get(service.id());
        if (v == null) {
            v = categories.get(service.category());
        }
        return v == null ? defaultVerdict : v;
    }

    /**
     * The verdict for a service used by a client. It resolves the service's exceptions on every call;
     * a caller that looks up one service many times keeps {@link #verdicts(AiService)} instead.
     *
     * @param clientIp the client address as text (IPv4 or IPv6), or null when not known
     * @param user the user name, or null when not known
     */
    public Verdict verdict(AiService service, CharSequence clientIp, String user) {
        return exceptions.length == 0 ? verdict(service) : verdicts(service).verdict(clientIp, user);
    }

    /**
     * The verdicts of one service, resolved once: its verdict for everyone and the exceptions that
     * answer for it. The matcher keeps one per service, so a lookup runs only those exceptions.
     */
    public ServiceVerdicts verdicts(AiService service) {
        int n = 0;
        int[] indexes = new int[exceptions.length];
        Verdict[] answers = new Verdict[exceptions.length];
        for (int i = 0; i < exceptions.length; i++) {
            ExceptionRule e = exceptions[i];
            Verdict v = e.services().get(service.id());
            if (v == null) {
                v = e.categories().get(service.category());
            }
            if (v != null) {
                indexes[n] = i;
                answers[n++] = v;
            }
        }
        return new ServiceVerdicts(verdict(service), Arrays.copyOf(indexes, n), Arrays.copyOf(answers, n));
    }

    /**
     * One service's verdicts under this policy (from {@link #verdicts(AiService)}). Immutable. An
     * exception that applies to a client but says nothing of the service is not in it: the next one
     * in file order, or the service's verdict for everyone, answers instead.
     */
    public final class ServiceVerdicts {
        private final Verdict base;
        // the exceptions that answer for the service, in file order: their bit in the user masks,
        // whether they name groups, their networks, their answers
        private final long[] bits;
        private final boolean[] grouped;
        private final Cidr[][] networks;
        private final Verdict[] answers;

        private ServiceVerdicts(Verdict base, int[] indexes, Verdict[] answers) {
            this.base = base;
            this.answers = answers;
            this.bits = new long[indexes.length];
            this.grouped = new boolean[indexes.length];
            this.networks = new Cidr[indexes.length][];
            for (int k = 0; k < indexes.length; k++) {
                ExceptionRule e = exceptions[indexes[k]];
                bits[k] = 1L << indexes[k];
                grouped[k] = !e.groups().isEmpty();
                networks[k] = e.networks().toArray(new Cidr[0]);
            }
        }

        /** The verdict for everyone: per service, per category, default. */
        public Verdict base() {
            return base;
        }

        /** True when the verdict may depend on who uses the service. */
        public boolean dependsOnClient() {
            return answers.length > 0;
        }

        /**
         * The verdict for a client of the service.
         *
         * @param clientIp the client address as text (IPv4 or IPv6), or null when not known
         * @param user the user name, or null when not known
         */
        public Verdict verdict(CharSequence clientIp, String user) {
            // the user's groups and the address are looked at only when an exception asks
            boolean looked = false;
            long userMask = 0;
            boolean parsed = false;
            long v4 = -1;
            byte[] address = null;
            for (int k = 0; k < answers.length; k++) {
                if (grouped[k] && user != null) {
                    if (!looked) {
                        userMask = userMasks.getOrDefault(user, 0L);
                        looked = true;
                    }
                    if ((userMask & bits[k]) != 0) {
                        return answers[k];
                    }
                }
                Cidr[] nets = networks[k];
                if (nets.length > 0 && clientIp != null) {
                    if (!parsed) {
                        v4 = IpAddresses.parseV4(clientIp);
                        address = v4 < 0 ? IpAddresses.parse(clientIp) : null;
                        parsed = true;
                    }
                    for (Cidr net : nets) {
                        if (v4 >= 0 ? net.containsV4(v4) : address != null && net.contains(address)) {
                            return answers[k];
                        }
                    }
                }
            }
            return base;
        }
    }

    /**
     * Reads a policy file.
     *
     * @throws CatalogException naming the file, the line where known and the entry that is wrong
     */
    public static Policy load(Path file) throws CatalogException {
        try {
            return parse(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CatalogException(file + ": cannot read policy: " + e.getMessage(), e);
        }
    }

    /** Parses policy file content; {@code file} names it in messages. */
    public static Policy parse(String file, byte[] content) throws CatalogException {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> fields = new HashMap<>();
        List<EntryParser.Located> custom = EntryParser.readArray(file, content, "custom_services", FIELDS, fields, problems);
        if (custom == null) {
            throw new CatalogException(problems);
        }
        Verdict def = Verdict.UNKNOWN;
        JsonNode d = fields.get("default");
        if (d != null) {
            def = verdictOf(d, file + ": default", problems, Verdict.UNKNOWN);
        }
        Map<String, Verdict> services = serviceVerdicts(fields.get("services"), file + ": services", problems);
        EnumMap<Category, Verdict> categories = categoryVerdicts(fields.get("categories"), file + ": categories", problems);
        List<AiService> customServices = new ArrayList<>();
        for (EntryParser.Located entry : custom) {
            AiService s = EntryParser.parseService(file, entry, problems);
            if (s != null) {
                if (customServices.stream().anyMatch(c -> c.id().equals(s.id()))) {
                    problems.add(file + ":" + entry.line() + ": custom service " + s.id() + ": duplicate id");
                } else {
                    customServices.add(s);
                }
            }
        }
        Map<String, List<DomainPattern>> extra = new LinkedHashMap<>();
        JsonNode extraNode = fields.get("extra_domains");
        if (extraNode != null) {
            if (!extraNode.isObject()) {
                problems.add(file + ": extra_domains must be an object of service id to domain patterns");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = extraNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    List<DomainPattern> patterns = new ArrayList<>();
                    for (String text : strings(e.getValue(), file + ": extra_domains." + e.getKey(), problems)) {
                        try {
                            patterns.add(DomainPattern.parse(text));
                        } catch (IllegalArgumentException ex) {
                            problems.add(file + ": extra_domains." + e.getKey() + ": " + ex.getMessage());
                        }
                    }
                    extra.put(e.getKey(), patterns);
                }
            }
        }
        Map<String, Set<String>> groupMembers = new HashMap<>();
        JsonNode groupsNode = fields.get("groups");
        if (groupsNode != null) {
            if (!groupsNode.isObject()) {
                problems.add(file + ": groups must be an object of group name to user names");
            } else {
                for (Iterator<Map.Entry<String, JsonNode>> it = groupsNode.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    groupMembers.put(e.getKey(), new LinkedHashSet<>(strings(e.getValue(), file + ": groups." + e.getKey(), problems)));
                }
            }
        }
        List<ExceptionRule> exceptions = new ArrayList<>();
        Map<String, Long> userMasks = new HashMap<>();
        JsonNode exNode = fields.get("exceptions");
        if (exNode != null) {
            if (!exNode.isArray()) {
                problems.add(file + ": exceptions must be an array");
            } else if (exNode.size() > MAX_EXCEPTIONS) {
                problems.add(file + ": more than " + MAX_EXCEPTIONS + " exceptions: " + exNode.size());
            } else {
                int index = 0;
                for (JsonNode e : exNode) {
                    ExceptionRule ex = exception(file, index, e, groupMembers, problems);
                    if (ex != null) {
                        for (String g : ex.groups()) {
                            for (String user : groupMembers.getOrDefault(g, Set.of())) {
                                userMasks.merge(user, 1L << exceptions.size(), (a, b) -> a | b);
                            }
                        }
                        exceptions.add(ex);
                    }
                    index++;
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new CatalogException(problems);
        }
        return new Policy(file, def, services, categories, customServices, extra, exceptions, userMasks);
    }

    private static ExceptionRule exception(String file, int index, JsonNode e, Map<String, Set<String>> groupMembers,
            List<String> problems) {
        String name = e.path("name").asText("exceptions[" + index + "]");
        String where = file + ": exception " + name;
        if (!e.isObject()) {
            problems.add(where + ": must be an object");
            return null;
        }
        int before = problems.size();
        for (Iterator<String> it = e.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Set.of("name", "networks", "groups", "services", "categories").contains(f)) {
                problems.add(where + ": unknown field \"" + f + "\"");
            }
        }
        List<Cidr> networks = new ArrayList<>();
        for (String n : strings(e.get("networks"), where + ": networks", problems)) {
            try {
                networks.add(Cidr.parse(n));
            } catch (IllegalArgumentException ex) {
                problems.add(where + ": " + ex.getMessage());
            }
        }
        Set<String> groups = new LinkedHashSet<>(strings(e.get("groups"), where + ": groups", problems));
        for (String g : groups) {
            if (!groupMembers.containsKey(g)) {
                problems.add(where + ": group " + g + " is not defined under \"groups\"");
            }
        }
        if (networks.isEmpty() && groups.isEmpty() && problems.size() == before) {
            problems.add(where + ": needs \"networks\" or \"groups\" to say whom it applies to");
        }
        Map<String, Verdict> services = serviceVerdicts(e.get("services"), where + ": services", problems);
        EnumMap<Category, Verdict> categories = categoryVerdicts(e.get("categories"), where + ": categories", problems);
        if (services.isEmpty() && categories.isEmpty() && problems.size() == before) {
            problems.add(where + ": says nothing (add \"services\" or \"categories\")");
        }
        return problems.size() == before
                ? new ExceptionRule(name, List.copyOf(networks), Set.copyOf(groups), Map.copyOf(services), categories)
                : null;
    }

    private static Map<String, Verdict> serviceVerdicts(JsonNode node, String where, List<String> problems) {
        Map<String, Verdict> out = new LinkedHashMap<>();
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            problems.add(where + ": must be an object of service id to verdict");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Verdict v = verdictOf(e.getValue(), where + "." + e.getKey(), problems, null);
            if (v != null) {
                out.put(e.getKey(), v);
            }
        }
        return out;
    }

    private static EnumMap<Category, Verdict> categoryVerdicts(JsonNode node, String where, List<String> problems) {
        EnumMap<Category, Verdict> out = new EnumMap<>(Category.class);
        if (node == null) {
            return out;
        }
        if (!node.isObject()) {
            problems.add(where + ": must be an object of category id to verdict");
            return out;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            try {
                Category c = Category.fromId(e.getKey());
                Verdict v = verdictOf(e.getValue(), where + "." + e.getKey(), problems, null);
                if (v != null) {
                    out.put(c, v);
                }
            } catch (IllegalArgumentException ex) {
                problems.add(where + ": " + ex.getMessage());
            }
        }
        return out;
    }

    private static Verdict verdictOf(JsonNode node, String where, List<String> problems, Verdict fallback) {
        if (node == null || !node.isTextual()) {
            problems.add(where + ": verdict must be a string (sanctioned, tolerated, unsanctioned, unknown)");
            return fallback;
        }
        try {
            return Verdict.fromId(node.asText());
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage());
            return fallback;
        }
    }

    private static List<String> strings(JsonNode node, String where, List<String> problems) {
        List<String> out = new ArrayList<>();
        if (node == null) {
            return out;
        }
        if (!node.isArray()) {
            problems.add(where + ": must be an array of strings");
            return out;
        }
        for (JsonNode n : node) {
            if (n.isTextual()) {
                out.add(n.asText());
            } else {
                problems.add(where + ": must be an array of strings: " + n);
            }
        }
        return out;
    }
}
