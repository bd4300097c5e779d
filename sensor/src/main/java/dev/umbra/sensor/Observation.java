package dev.umbra.sensor;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One sighting of a name on the wire or in a log.
 *
 * <p>"Client" is the side that asked (sent the DNS query, the ClientHello, the request); "server"
 * the side that was asked. For a DNS answer the client is the receiver of the response.
 *
 * @param time when it was seen (capture or log time)
 * @param kind what was seen
 * @param hostname the name (DNS question, SNI, Host header); never null
 * @param clientIp client address in text form, or {@code null} when unknown
 * @param clientPort client port, or 0 when unknown
 * @param serverIp server address in text form, or {@code null} when unknown
 * @param serverPort server port, or 0 when unknown
 * @param answers DNS answers (addresses and CNAME targets) for {@link ObservationKind#DNS_ANSWER};
 *     empty otherwise, never null
 * @param alpn ALPN protocols offered, empty when none; never null
 * @param ja4 JA4 fingerprint, or {@code null} when not computed
 * @param bytesOut bytes client to server, or -1 when unknown
 * @param bytesIn bytes server to client, or -1 when unknown
 * @param user user name, or {@code null} when unknown
 * @param process process name, or {@code null} when unknown
 * @param source the capture file, interface or log it came from
 * @param method request method ({@code GET}, {@code CONNECT}) of an HTTP or proxy request, or
 *     {@code null} when unknown
 * @param urlPath path of the requested URL without its query string (queries carry tokens and
 *     personal data), or {@code null} when unknown or a CONNECT
 * @param status response status code, or 0 when unknown
 * @param tlsVersion the highest TLS version a ClientHello offered ({@code "1.3"}, {@code "1.2"}, see
 *     {@link dev.umbra.sensor.tls.ClientHello#tlsVersion()}) for {@link ObservationKind#TLS_SNI} and
 *     {@link ObservationKind#QUIC_SNI}, or {@code null}
 * @param ech true when the ClientHello carried an encrypted_client_hello extension: the hostname is
 *     then the outer SNI, the public name of the ECH provider, and the real destination is encrypted
 *     (or, with ECH GREASE, which looks the same on the wire, the hostname is the real one); for
 *     {@link ObservationKind#DNS_ANSWER}, true when an HTTPS/SVCB answer carried an {@code ech}
 *     SvcParam (RFC 9460): clients that use it send only the public name in later ClientHellos
 * @param targetPort the port named in the request target of an HTTP {@code CONNECT host:port}, or the
 *     destination port of a SOCKS request (the server endpoint is then the proxy), or 0
 * @param container the container the client process runs in (local process attribution: its runtime
 *     and id, and its name, image and pod where the host's runtime files tell), or {@code null}
 * @param clientHostname the client device's own name, as its DHCP exchange gave it (a tap), or {@code null}
 */
public record Observation(
        Instant time,
        ObservationKind kind,
        String hostname,
        String clientIp,
        int clientPort,
        String serverIp,
        int serverPort,
        List<String> answers,
        List<String> alpn,
        String ja4,
        long bytesOut,
        long bytesIn,
        String user,
        String process,
        String source,
        String method,
        String urlPath,
        int status,
        String tlsVersion,
        boolean ech,
        int targetPort,
        Container container,
        String clientHostname) {

    public Observation {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(hostname, "hostname");
        answers = answers == null ? List.of() : List.copyOf(answers);
        alpn = alpn == null ? List.of() : List.copyOf(alpn);
    }

    /** An observation whose client's host name is not known (all but a tap's DHCP naming make these). */
    public Observation(Instant time, ObservationKind kind, String hostname, String clientIp, int clientPort,
            String serverIp, int serverPort, List<String> answers, List<String> alpn, String ja4, long bytesOut,
            long bytesIn, String user, String process, String source, String method, String urlPath, int status,
            String tlsVersion, boolean ech, int targetPort, Container container) {
        this(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, answers, alpn, ja4, bytesOut,
                bytesIn, user, process, source, method, urlPath, status, tlsVersion, ech, targetPort, container, null);
    }

    /** An observation of no container (all but local attribution make these). */
    public Observation(Instant time, ObservationKind kind, String hostname, String clientIp, int clientPort,
            String serverIp, int serverPort, List<String> answers, List<String> alpn, String ja4, long bytesOut,
            long bytesIn, String user, String process, String source, String method, String urlPath, int status,
            String tlsVersion, boolean ech, int targetPort) {
        this(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, answers, alpn, ja4, bytesOut,
                bytesIn, user, process, source, method, urlPath, status, tlsVersion, ech, targetPort, null, null);
    }

    /**
     * An observation without request details (method, path, status): the form every packet decoder
     * uses.
     */
    public Observation(Instant time, ObservationKind kind, String hostname, String clientIp, int clientPort,
            String serverIp, int serverPort, List<String> answers, List<String> alpn, String ja4, long bytesOut,
            long bytesIn, String user, String process, String source) {
        this(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, answers, alpn, ja4, bytesOut,
                bytesIn, user, process, source, null, null, 0, null, false, 0);
    }

    /** An observation with request details but no TLS details (the form of proxy and HTTP logs). */
    public Observation(Instant time, ObservationKind kind, String hostname, String clientIp, int clientPort,
            String serverIp, int serverPort, List<String> answers, List<String> alpn, String ja4, long bytesOut,
            long bytesIn, String user, String process, String source, String method, String urlPath, int status) {
        this(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, answers, alpn, ja4, bytesOut,
                bytesIn, user, process, source, method, urlPath, status, null, false, 0);
    }

    /** A network observation with no byte counts, user or process. */
    public static Observation network(Instant time, ObservationKind kind, String hostname,
            String clientIp, int clientPort, String serverIp, int serverPort, String source) {
        return new Observation(time, kind, hostname, clientIp, clientPort, serverIp, serverPort,
                List.of(), List.of(), null, -1, -1, null, null, source);
    }

    /**
     * A request seen in a proxy, HTTP or sensor log.
     *
     * @param user the authenticated user, or {@code null}
     * @param method the request method, or {@code null}
     * @param urlPath the URL path without query, or {@code null}
     * @param status the response status, or 0
     * @param bytesOut bytes uploaded (client to server), or -1
     * @param bytesIn bytes downloaded (server to client), or -1
     */
    public static Observation request(Instant time, ObservationKind kind, String hostname, String clientIp,
            int clientPort, String serverIp, int serverPort, String user, String method, String urlPath, int status,
            long bytesOut, long bytesIn, String source) {
        return new Observation(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, List.of(), List.of(),
                null, bytesOut, bytesIn, user, null, source, method, urlPath, status);
    }

    /**
     * A TLS ClientHello seen on the wire ({@link ObservationKind#TLS_SNI} or
     * {@link ObservationKind#QUIC_SNI}).
     *
     * @param alpn the ALPN protocols offered; never null
     * @param ja4 the JA4 fingerprint, or {@code null}
     * @param tlsVersion the highest version offered ({@code "1.3"}), or {@code null}
     * @param ech true when the hello carried encrypted_client_hello (hostname is the outer SNI)
     */
    public static Observation clientHello(Instant time, ObservationKind kind, String hostname, String clientIp,
            int clientPort, String serverIp, int serverPort, List<String> alpn, String ja4, String tlsVersion,
            boolean ech, String source) {
        return new Observation(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, List.of(), alpn, ja4,
                -1, -1, null, null, source, null, null, 0, tlsVersion, ech, 0);
    }

    /**
     * A plaintext HTTP/1.x request head seen on the wire ({@link ObservationKind#HTTP_REQUEST}).
     *
     * @param method the request method
     * @param urlPath the path without query, or {@code null} for a CONNECT
     * @param targetPort the port of a {@code CONNECT host:port}, or 0
     */
    public static Observation httpRequest(Instant time, String hostname, String clientIp, int clientPort,
            String serverIp, int serverPort, String method, String urlPath, int targetPort, String source) {
        return new Observation(time, ObservationKind.HTTP_REQUEST, hostname, clientIp, clientPort, serverIp,
                serverPort, List.of(), List.of(), null, -1, -1, null, null, source, method, urlPath, 0, null, false,
                targetPort);
    }

    /**
     * A SOCKS request seen on the wire ({@link ObservationKind#SOCKS_REQUEST}): the server endpoint is
     * the proxy, {@code hostname} and {@code targetPort} where the client asked it to connect.
     *
     * @param method the command ({@code CONNECT})
     */
    public static Observation socksRequest(Instant time, String hostname, String clientIp, int clientPort,
            String serverIp, int serverPort, String method, int targetPort, String source) {
        return new Observation(time, ObservationKind.SOCKS_REQUEST, hostname, clientIp, clientPort, serverIp,
                serverPort, List.of(), List.of(), null, -1, -1, null, null, source, method, null, 0, null, false,
                targetPort);
    }

    /**
     * This observation attributed to a user and process (local process attribution); every other
     * field is kept.
     *
     * @param user the user name, or {@code null}
     * @param process the process name, or {@code null}
     */
    public Observation withActor(String user, String process) {
        return withActor(user, process, container);
    }

    /**
     * This observation attributed to a user, a process and the container the process runs in; every
     * other field is kept.
     *
     * @param container the container, or {@code null}
     */
    public Observation withActor(String user, String process, Container container) {
        return new Observation(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, answers, alpn, ja4,
                bytesOut, bytesIn, user, process, source, method, urlPath, status, tlsVersion, ech, targetPort,
                container, clientHostname);
    }

    /** This observation with its client device's host name; every other field is kept. */
    public Observation withClientHostname(String name) {
        return new Observation(time, kind, hostname, clientIp, clientPort, serverIp, serverPort, answers, alpn, ja4,
                bytesOut, bytesIn, user, process, source, method, urlPath, status, tlsVersion, ech, targetPort,
                container, name);
    }
}
