package dev.umbra.signatures;

import java.util.Collection;

/**
 * Matches host names against the domain rules of a set of AI services.
 *
 * <p>Rules match at label boundaries only ({@code ws.amazon.com} never matches
 * {@code aws.amazon.com}), the most specific (longest) rule wins, an exact rule only matches the
 * name itself. Case and one trailing dot are ignored; internationalised names are compared in
 * punycode. Implementations are immutable and safe to share between threads.
 */
public interface HostMatcher {

    /**
     * Finds the service a host name belongs to.
     *
     * @param host a host name as seen on the wire or in a log; may be null
     * @return the match, or {@code null} when no rule matches
     */
    Match match(CharSequence host);

    /**
     * Builds a matcher over the given services, every match carrying {@link Verdict#UNKNOWN}.
     *
     * @throws IllegalArgumentException when two services claim the same rule
     */
    static HostMatcher of(Collection<AiService> services) {
        return new SuffixHashHostMatcher(services, service -> Verdict.UNKNOWN);
    }
}
