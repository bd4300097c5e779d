package dev.umbra.signatures;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads catalog entries (in catalog files and in a policy's {@code custom_services}), collecting
 * every problem as {@code file:line: service ID: message} instead of stopping at the first.
 */
final class EntryParser {
    static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> FIELDS = Set.of("id", "name", "vendor", "category", "domains", "paths",
            "ports", "risk");
    /** Caps so that a hostile file cannot make the loader allocate without bound. */
    static final int MAX_DOMAINS_PER_SERVICE = 256;
    static final int MAX_PATHS_PER_SERVICE = 64;

    private EntryParser() {
    }

    /** An object of a JSON array together with the line it starts on. */
    record Located(JsonNode node, int line) {
    }

    /**
     * Reads a JSON document whose top level is an object, remembering the start line of every element
     * of the array under {@code arrayField}.
     *
     * @param otherFields top-level fields (besides the array) the caller reads; they are returned too
     * @return the array elements, or {@code null} when the document is unusable (the problem is added)
     */
    static List<Located> readArray(String file, byte[] content, String arrayField, Set<String> otherFields,
            Map<String, JsonNode> others, List<String> problems) {
        JsonFactory factory = JSON.getFactory();
        List<Located> out = new ArrayList<>();
        try (JsonParser p = factory.createParser(content)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                problems.add(file + ":" + line(p.currentTokenLocation()) + ": expected a JSON object");
                return null;
            }
            boolean seen = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(arrayField)) {
                    seen = true;
                    if (value != JsonToken.START_ARRAY) {
                        problems.add(file + ":" + line(p.currentTokenLocation()) + ": \"" + arrayField + "\" must be an array");
                        return null;
                    }
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        int line = line(p.currentTokenLocation());
                        JsonNode node = JSON.readTree(p);
                        out.add(new Located(node, line));
                    }
                } else if (otherFields.contains(field)) {
                    others.put(field, JSON.readTree(p));
                } else {
                    problems.add(file + ":" + line(p.currentTokenLocation()) + ": unknown field \"" + field + "\"");
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
                problems.add(file + ":" + line(p.currentTokenLocation()) + ": unexpected content after the top-level object");
            }
            if (!seen && arrayField.equals("services") && otherFields.isEmpty()) {
                problems.add(file + ": expected an object with a \"services\" array");
                return null;
            }
        } catch (JsonProcessingException e) {
            problems.add(file + ":" + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
                    + ": not valid JSON at line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
                    + ": " + e.getOriginalMessage());
            return null;
        } catch (IOException e) {
            problems.add(file + ": cannot read: " + e.getMessage());
            return null;
        }
        return out;
    }

    private static int line(JsonLocation l) {
        return l == null ? 0 : l.getLineNr();
    }

    /**
     * Parses one service entry.
     *
     * @return the service, or {@code null} when it has problems (they are added to {@code problems})
     */
    static AiService parseService(String file, Located entry, List<String> problems) {
        JsonNode n = entry.node();
        String at = file + ":" + entry.line();
        if (!n.isObject()) {
            problems.add(at + ": expected a service object");
            return null;
        }
        int before = problems.size();
        JsonNode idNode = n.get("id");
        String id = idNode != null && idNode.isTextual() ? idNode.asText().trim() : null;
        String where = at + ": service " + (id == null ? "(no id)" : id);
        if (id == null || id.isEmpty()) {
            problems.add(where + ": \"id\" is required and must be a string");
        } else if (!id.matches("[a-z0-9]+(-[a-z0-9]+)*") || id.length() > 64) {
            problems.add(where + ": id must be lowercase letters, digits and hyphens (at most 64)");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                problems.add(where + ": unknown field \"" + field + "\"");
            }
        }
        String name = text(n, "name", where, problems);
        String vendor = text(n, "vendor", where, problems);
        String categoryText = text(n, "category", where, problems);
        Category category = null;
        if (categoryText != null) {
            try {
                category = Category.fromId(categoryText);
            } catch (IllegalArgumentException e) {
                problems.add(where + ": " + e.getMessage());
            }
        }
        List<DomainPattern> domains = new ArrayList<>();
        JsonNode domainsNode = n.get("domains");
        if (domainsNode == null || !domainsNode.isArray()) {
            problems.add(where + ": \"domains\" must be an array");
        } else if (domainsNode.size() > MAX_DOMAINS_PER_SERVICE) {
            problems.add(where + ": more than " + MAX_DOMAINS_PER_SERVICE + " domains: " + domainsNode.size());
        } else {
            for (JsonNode d : domainsNode) {
                if (!d.isTextual()) {
                    problems.add(where + ": domain patterns must be strings: " + d);
                    continue;
                }
                try {
                    DomainPattern p = DomainPattern.parse(d.asText());
                    if (domains.contains(p)) {
                        problems.add(where + ": duplicate domain pattern " + p);
                    } else {
                        domains.add(p);
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(where + ": " + e.getMessage());
                }
            }
        }
        List<PathRule> paths = new ArrayList<>();
        JsonNode pathsNode = n.get("paths");
        if (pathsNode != null) {
            if (!pathsNode.isArray() || pathsNode.size() > MAX_PATHS_PER_SERVICE) {
                problems.add(where + ": \"paths\" must be an array of at most " + MAX_PATHS_PER_SERVICE + " rules");
            } else {
                for (JsonNode p : pathsNode) {
                    JsonNode prefix = p.get("prefix");
                    JsonNode function = p.get("function");
                    if (!p.isObject() || prefix == null || !prefix.isTextual() || function == null
                            || !function.isTextual() || p.size() != 2) {
                        problems.add(where + ": a path rule is {\"prefix\": \"/...\", \"function\": \"name\"}: " + p);
                        continue;
                    }
                    try {
                        paths.add(new PathRule(prefix.asText(), function.asText()));
                    } catch (IllegalArgumentException e) {
                        problems.add(where + ": " + e.getMessage());
                    }
                }
            }
        }
        List<Integer> ports = new ArrayList<>();
        JsonNode portsNode = n.get("ports");
        if (portsNode != null) {
            if (!portsNode.isArray()) {
                problems.add(where + ": \"ports\" must be an array of TCP ports");
            } else {
                for (JsonNode p : portsNode) {
                    if (!p.isInt() || p.asInt() < 1 || p.asInt() > 65535) {
                        problems.add(where + ": invalid port " + p + " (1..65535)");
                    } else {
                        ports.add(p.asInt());
                    }
                }
            }
        }
        // a runtime that has no site of its own (an inference server reached on a LAN) is known by
        // port and path alone; every other service needs a domain
        if (domainsNode != null && domainsNode.isArray() && domainsNode.isEmpty()
                && (ports.isEmpty() || paths.isEmpty())) {
            problems.add(where + ": \"domains\" must not be empty unless the service has \"ports\" and \"paths\"");
        }
        Map<String, RiskFact> facts = parseRisk(n.get("risk"), where, problems);
        if (problems.size() > before || id == null || category == null || name == null || vendor == null) {
            return null;
        }
        return new AiService(id, name, vendor, category, domains, paths, ports, facts, RiskScore.of(facts));
    }

    private static Map<String, RiskFact> parseRisk(JsonNode risk, String where, List<String> problems) {
        Map<String, RiskFact> facts = new LinkedHashMap<>();
        if (risk == null) {
            return facts;
        }
        if (!risk.isObject()) {
            problems.add(where + ": \"risk\" must be an object of fact name to {value, source, reviewed}");
            return facts;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = risk.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String fact = e.getKey();
            JsonNode v = e.getValue();
            if (!RiskScore.FACTS.contains(fact)) {
                problems.add(where + ": unknown risk fact \"" + fact + "\" (one of " + String.join(", ", RiskScore.FACTS) + ")");
                continue;
            }
            if (v.isTextual()) {
                if (v.asText().equals(RiskFact.UNKNOWN)) {
                    facts.put(fact, RiskFact.UNKNOWN_FACT);
                } else {
                    problems.add(where + ": risk fact " + fact + " = " + v.asText()
                            + " has no source: write {\"value\": ..., \"source\": \"https://...\", \"reviewed\": \"YYYY-MM-DD\"}");
                }
                continue;
            }
            JsonNode value = v.get("value");
            JsonNode source = v.get("source");
            JsonNode reviewed = v.get("reviewed");
            if (!v.isObject() || value == null || !value.isTextual()) {
                problems.add(where + ": risk fact " + fact + " must be \"unknown\" or {\"value\", \"source\", \"reviewed\"}");
                continue;
            }
            String why = RiskScore.checkValue(fact, value.asText());
            if (why != null) {
                problems.add(where + ": " + why);
                continue;
            }
            if (value.asText().equals(RiskFact.UNKNOWN)) {
                facts.put(fact, RiskFact.UNKNOWN_FACT);
                continue;
            }
            if (source == null || !source.isTextual() || !source.asText().startsWith("https://")) {
                problems.add(where + ": risk fact " + fact + " needs a \"source\" https:// URL");
                continue;
            }
            LocalDate date = null;
            try {
                date = reviewed != null && reviewed.isTextual() ? LocalDate.parse(reviewed.asText()) : null;
            } catch (DateTimeParseException ignored) {
                date = null;
            }
            if (date == null) {
                problems.add(where + ": risk fact " + fact + " needs a \"reviewed\" date (YYYY-MM-DD)");
                continue;
            }
            for (Iterator<String> f = v.fieldNames(); f.hasNext(); ) {
                String k = f.next();
                if (!Set.of("value", "source", "reviewed").contains(k)) {
                    problems.add(where + ": risk fact " + fact + ": unknown field \"" + k + "\"");
                }
            }
            facts.put(fact, new RiskFact(value.asText(), source.asText(), date));
        }
        return facts;
    }

    private static String text(JsonNode n, String field, String where, List<String> problems) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            problems.add(where + ": \"" + field + "\" is required and must be a string");
            return null;
        }
        return v.asText().trim();
    }
}
