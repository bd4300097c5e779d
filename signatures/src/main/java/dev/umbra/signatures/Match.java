package dev.umbra.signatures;

/**
 * The outcome of matching a host name (or a request to a self-hosted runtime's port) against the catalog.
 *
 * @param service the matched service
 * @param pattern the domain rule that matched (the most specific one); {@code null} for a port match
 * @param verdict the policy verdict for the service
 * @param port the server port a self-hosted runtime was recognised by ({@link HostMatcher#matchRuntime}),
 *     else 0
 */
public record Match(AiService service, DomainPattern pattern, Verdict verdict, int port) {

    /** A match by a domain rule. */
    public Match(AiService service, DomainPattern pattern, Verdict verdict) {
        this(service, pattern, verdict, 0);
    }

    /** The rule that matched, as findings show it: the domain pattern, or {@code port N} (a runtime by port and path). */
    public String rule() {
        return pattern != null ? pattern.toString() : "port " + port;
    }
}
