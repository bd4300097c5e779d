package dev.umbra.signatures;

import java.util.Collection;

/**
 * Matches host names against the domain rules of a set of AI services.
 *
 * <p>Rules match at label boundaries only ({@code ws.amazon.com} never matches
 * {@code aws.amazon.com}), the most specific rule wins (the one whose match covers the most of the
 * name; at a tie exact before suffix before wildcard), an exact rule only matches the name itself, a
 * wildcard label ({@code bedrock-runtime.*.amazonaws.com}) matches any one label. Case and one
 * trailing dot are ignored; internationalised names are compared in punycode. A lookup that finds
 * nothing allocates nothing. Implementations are immutable and safe to share between threads.
 */
public interface HostMatcher {

    /**
     * Finds the service a host name belongs to; the match carries the policy's verdict for the
     * service regardless of who uses it.
     *
     * @param host a host name as seen on the wire or in a log; may be null
     * @return the match, or {@code null} when no rule matches
     */
    Match match(CharSequence host);

    /**
     * Finds the service a host name belongs to, with the verdict for this client and user (the
     * policy's exceptions per network and group applied).
     *
     * @param host a host name; may be null
     * @param clientIp the client address (IPv4 or IPv6 text); may be null
     * @param user the user name; may be null
     * @return the match, or {@code null} when no rule matches
     */
    default Match match(CharSequence host, CharSequence clientIp, String user) {
        return match(host);
    }

    /**
     * Finds the self-hosted runtime a plaintext HTTP request belongs to when its host name says nothing
     * (a GPU box on the LAN, {@code 127.0.0.1}): a service whose catalog entry lists the request's server
     * port ({@code ports}) and has a path rule matching the request path ({@code paths}). Both are
     * required: a port alone (1234, 8188) is used by other software too.
     *
     * @param port the server port
     * @param path the request's URL path; may be null (then nothing matches)
     * @param clientIp the client address, for the policy's exceptions; may be null
     * @param user the user name, for the policy's exceptions; may be null
     * @return the match ({@link Match#pattern()} null, {@link Match#port()} the port), or {@code null}
     *     (abstract, not a default: a delegating matcher that forgot it would find no runtime at all)
     */
    Match matchRuntime(int port, CharSequence path, CharSequence clientIp, String user);

    /** Whether some self-hosted runtime of the catalog listens on this port ({@link #matchRuntime} may match). */
    boolean isRuntimePort(int port);

    /**
     * Builds a matcher over the given services, every match carrying {@link Verdict#UNKNOWN}.
     *
     * @throws IllegalArgumentException when two services claim the same rule
     */
    static HostMatcher of(Collection<AiService> services) {
        return new SuffixHashHostMatcher(services, Policy.NONE);
    }

    /**
     * Builds a matcher over the given services whose matches carry the policy's verdicts. The
     * policy's custom services and extra domains are not added here: see
     * {@link Catalog#withPolicy(Policy)}.
     *
     * @throws IllegalArgumentException when two services claim the same rule
     */
    static HostMatcher of(Collection<AiService> services, Policy policy) {
        return new SuffixHashHostMatcher(services, policy);
    }
}
