package dev.umbra.signatures;

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
 * @param domains host name rules; never empty
 * @param risk risk attributes by name (for example {@code trains_on_inputs -> yes}); may be empty,
 *     never null
 * @param riskScore risk score 0..100, or {@code null} when the catalog does not score the service
 */
public record AiService(
        String id,
        String name,
        String vendor,
        Category category,
        List<DomainPattern> domains,
        Map<String, String> risk,
        Integer riskScore) {

    public AiService {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(category, "category");
        domains = List.copyOf(domains);
        risk = risk == null ? Map.of() : Map.copyOf(risk);
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("service " + id + " has no domains");
        }
        if (riskScore != null && (riskScore < 0 || riskScore > 100)) {
            throw new IllegalArgumentException("risk score of " + id + " must be 0..100: " + riskScore);
        }
    }
}
