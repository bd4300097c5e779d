package dev.umbra.signatures;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of the AI service catalog.
 *
 * @param id stable identifier, lowercase with hyphens ({@code openai-chatgpt})
 * @param name display name
 * @param vendor company behind the service
 * @param category what kind of service it is
 * @param domains host name rules; empty only for a self-hosted runtime known by its ports and paths
 * @param paths URL path rules for proxy logs, longest prefix first; may be empty, never null
 * @param ports TCP ports that identify a self-hosted runtime (Ollama's 11434); may be empty
 * @param facts risk facts by name ({@link RiskScore#FACTS}); missing ones are unknown; never null
 * @param riskScore risk score 0..100 computed from the facts by {@link RiskScore#of}, or
 *     {@code null} when the entry is not scored
 */
public record AiService(
        String id,
        String name,
        String vendor,
        Category category,
        List<DomainPattern> domains,
        List<PathRule> paths,
        List<Integer> ports,
        Map<String, RiskFact> facts,
        Integer riskScore) {

    public AiService {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(category, "category");
        domains = List.copyOf(domains);
        paths = paths == null ? List.of() : List.copyOf(paths);
        ports = ports == null ? List.of() : List.copyOf(ports);
        facts = facts == null ? Map.of() : Map.copyOf(facts);
        if (domains.isEmpty() && (ports.isEmpty() || paths.isEmpty())) {
            throw new IllegalArgumentException("service " + id + " has no domains, nor ports and paths");
        }
        if (riskScore != null && (riskScore < 0 || riskScore > 100)) {
            throw new IllegalArgumentException("risk score of " + id + " must be 0..100: " + riskScore);
        }
    }

    /** A service with domains and risk facts only; its score is computed from the facts. */
    public static AiService of(String id, String name, String vendor, Category category,
            List<DomainPattern> domains, Map<String, RiskFact> facts) {
        return new AiService(id, name, vendor, category, domains, List.of(), List.of(), facts,
                RiskScore.of(facts == null ? Map.of() : facts));
    }

    /** Fact values by name (every fact of {@link RiskScore#FACTS}, {@code unknown} when not known). */
    public Map<String, String> risk() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String f : RiskScore.FACTS) {
            out.put(f, facts.getOrDefault(f, RiskFact.UNKNOWN_FACT).value());
        }
        return out;
    }

    /**
     * What a request path does on this service, from its {@link #paths()} rules.
     *
     * @param path a URL path (may carry a query); may be null
     * @return the function of the longest matching prefix, or {@code null}
     */
    public String functionOf(CharSequence path) {
        if (path == null) {
            return null;
        }
        PathRule best = null;
        for (PathRule r : paths) {
            String p = r.prefix();
            if (p.length() <= path.length() && (best == null || p.length() > best.prefix().length())
                    && startsWith(path, p)) {
                best = r;
            }
        }
        return best == null ? null : best.function();
    }

    /** This service with more domains (an organisation's own). */
    public AiService withExtraDomains(List<DomainPattern> extra) {
        List<DomainPattern> all = new java.util.ArrayList<>(domains);
        all.addAll(extra);
        return new AiService(id, name, vendor, category, all, paths, ports, facts, riskScore);
    }

    private static boolean startsWith(CharSequence s, String prefix) {
        for (int i = 0; i < prefix.length(); i++) {
            if (s.charAt(i) != prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
