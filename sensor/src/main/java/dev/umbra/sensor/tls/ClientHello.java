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

    /**
     * The highest TLS version the client offers, as JA4 reads it: the largest non-GREASE entry of
     * supported_versions (RFC 8446 4.2.1), else the legacy version field. Named {@code "1.3"},
     * {@code "1.2"}, {@code "1.1"}, {@code "1.0"}, {@code "ssl3"}, {@code "ssl2"},
     * {@code "1.3-draftNN"} for TLS 1.3 drafts (0x7fNN); anything else as four hex digits.
     */
    public String tlsVersion() {
        int version = -1;
        for (int v : supportedVersions) {
            if (!Ja4.grease(v) && v > version) {
                version = v;
            }
        }
        if (version < 0) {
            version = legacyVersion;
        }
        return switch (version) {
            case 0x0304 -> "1.3";
            case 0x0303 -> "1.2";
            case 0x0302 -> "1.1";
            case 0x0301 -> "1.0";
            case 0x0300 -> "ssl3";
            case 0x0002 -> "ssl2";
            default -> (version >> 8) == 0x7f ? "1.3-draft" + (version & 0xff)
                    : String.format(java.util.Locale.ROOT, "%04x", version & 0xffff);
        };
    }
}
