package dev.umbra.cli;

import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.signatures.HostMatcher;
import dev.umbra.signatures.Match;

/**
 * What the catalog says of an observation: its host name first; for a plaintext HTTP request (seen on
 * the wire or in a proxy log) whose host name says nothing, the self-hosted runtime its server port and
 * URL path belong to (an Ollama server at {@code 10.0.0.5:11434}, {@code /api/chat}); the same for the
 * end of a flow that carried such a request (its byte counts; the flow keeps its first request's path).
 * The one place the audit and the daemon decide this.
 */
public final class ObservationMatch {
    private ObservationMatch() {
    }

    /**
     * @param user the user the verdict is for (the policy's exceptions per group); may be null
     * @return the match, or {@code null}
     */
    public static Match of(HostMatcher matcher, Observation o, String user) {
        Match m = matcher.match(o.hostname(), o.clientIp(), user);
        if (m == null && o.urlPath() != null && o.serverPort() > 0 && (o.kind() == ObservationKind.HTTP_REQUEST
                || o.kind() == ObservationKind.PROXY_REQUEST || o.kind() == ObservationKind.FLOW_END)) {
            m = matcher.matchRuntime(o.serverPort(), o.urlPath(), o.clientIp(), user);
        }
        return m;
    }
}
