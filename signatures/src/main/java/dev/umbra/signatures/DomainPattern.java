package dev.umbra.signatures;

import java.util.Objects;

/**
 * A hostname rule of a catalog entry.
 *
 * <p>In catalog files a pattern is written {@code example.com} for "example.com and every name
 * below it, at a label boundary", or {@code =api.example.com} for that exact name only.
 *
 * @param domain normalised (lowercase ASCII, punycode, no trailing dot) domain name
 * @param exact {@code true} when only the name itself matches, not its subdomains
 */
public record DomainPattern(String domain, boolean exact) {

    public DomainPattern {
        Objects.requireNonNull(domain, "domain");
    }

    /**
     * Parses the catalog notation.
     *
     * @throws IllegalArgumentException when the text is not a valid host name pattern
     */
    public static DomainPattern parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty domain pattern");
        }
        String t = text.trim();
        boolean exact = t.startsWith("=");
        if (exact) {
            t = t.substring(1);
        }
        String normalized = HostNames.normalize(t);
        if (normalized == null || !HostNames.isValidName(normalized)) {
            throw new IllegalArgumentException("invalid domain pattern: " + text);
        }
        return new DomainPattern(normalized, exact);
    }

    /** The catalog notation of this pattern. */
    @Override
    public String toString() {
        return exact ? "=" + domain : domain;
    }
}
