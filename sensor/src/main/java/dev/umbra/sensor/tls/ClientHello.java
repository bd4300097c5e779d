package dev.umbra.sensor.tls;

import java.util.List;

/**
 * What Umbra keeps of a TLS ClientHello.
 *
 * @param legacyVersion the client_version field (0x0303 for TLS 1.2 and 1.3)
 * @param serverName the SNI host name, lowercase; {@code null} when absent
 * @param alpn ALPN protocol names offered, in order; never null
 * @param supportedVersions versions of the supported_versions extension, in order; never null
 * @param echPresent true when the encrypted_client_hello extension is present (the SNI is then the
 *     outer, public name)
 * @param complete false when the hello was cut off before its end (fields after the cut are missing)
 * @param ja4 the JA4 fingerprint for TLS over TCP ({@code t...}); {@code null} when the hello is
 *     incomplete, since a fingerprint of part of a hello would be wrong
 */
public record ClientHello(int legacyVersion, String serverName, List<String> alpn,
        List<Integer> supportedVersions, boolean echPresent, boolean complete, String ja4) {

    /** The JA4 fingerprint with the QUIC transport letter ({@code q...}), or {@code null}. */
    public String ja4Quic() {
        return ja4 == null ? null : "q" + ja4.substring(1);
    }
}
