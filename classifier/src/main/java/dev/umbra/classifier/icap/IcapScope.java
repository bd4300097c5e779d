package dev.umbra.classifier.icap;

/**
 * Which requests the ICAP service classifies, decided from the encapsulated HTTP request headers
 * before any of the body is read. A request out of scope is answered 204 (or echoed when the proxy
 * does not allow 204) without its body being kept or classified, and is never blocked: a proxy
 * usually sends every outbound request of the organisation, and only those to AI services are
 * Umbra's business.
 */
@FunctionalInterface
public interface IcapScope {
    /** Every request is classified (the library default). */
    IcapScope ALL = (host, clientIp, user) -> true;

    /**
     * Whether to classify the request.
     *
     * @param host the request's host name without port (from the absolute-form or authority-form
     *     target, else the Host header), lowercase; null when the request names none
     * @param clientIp the {@code X-Client-IP} the proxy passed, or null
     * @param user the {@code X-Authenticated-User} the proxy passed (decoded when base64), or null
     * @return true to classify the body (and possibly block it), false to let the request through untouched
     */
    boolean covers(String host, String clientIp, String user);
}
