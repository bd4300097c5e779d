package dev.umbra.signatures;

/**
 * The outcome of matching a host name against the catalog.
 *
 * @param service the matched service
 * @param pattern the rule that matched (the most specific one)
 * @param verdict the policy verdict for the service
 */
public record Match(AiService service, DomainPattern pattern, Verdict verdict) {
}
