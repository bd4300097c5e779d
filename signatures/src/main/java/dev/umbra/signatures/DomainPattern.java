package dev.umbra.signatures;

import java.util.Objects;

/**
 * A hostname rule of a catalog entry.
 *
 * <p>Catalog notation:
 * <ul>
 *   <li>{@code example.com}: example.com and every name below it, at a label boundary;
 *   <li>{@code =api.example.com}: that exact name only;
 *   <li>{@code bedrock-runtime.*.amazonaws.com}: a {@code *} label stands for any one label
 *       ({@code us-east-1}); {@code *-aiplatform.googleapis.com}: a label starting with {@code *}
 *       stands for any label ending in the rest ({@code us-central1-aiplatform}). Wildcard rules match
 *       subdomains too unless written with {@code =}. The two rightmost labels must be literal.
 * </ul>
 *
 * @param domain normalised (lowercase ASCII, punycode, no trailing dot) domain name, possibly with
 *     wildcard labels
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
        if (t.indexOf('*') >= 0) {
            String lower = t.toLowerCase(java.util.Locale.ROOT);
            String why = checkWildcard(lower);
            if (why != null) {
                throw new IllegalArgumentException("invalid domain pattern: " + text + " (" + why + ")");
            }
            return new DomainPattern(lower, exact);
        }
        String normalized = HostNames.normalize(t);
        if (normalized == null || !HostNames.isValidName(normalized)) {
            throw new IllegalArgumentException("invalid domain pattern: " + text);
        }
        return new DomainPattern(normalized, exact);
    }

    /** True when the pattern has a {@code *} label. */
    public boolean isWildcard() {
        return domain.indexOf('*') >= 0;
    }

    /** The literal part right of the rightmost wildcard label (the whole domain when there is none). */
    public String anchor() {
        int star = domain.lastIndexOf('*');
        return star < 0 ? domain : domain.substring(domain.indexOf('.', star) + 1);
    }

    /** Number of labels. */
    public int labelCount() {
        int n = 1;
        for (int i = 0; i < domain.length(); i++) {
            if (domain.charAt(i) == '.') {
                n++;
            }
        }
        return n;
    }

    private static String checkWildcard(String t) {
        String[] labels = t.split("\\.", -1);
        if (labels.length < 3) {
            return "a wildcard needs two literal labels to its right";
        }
        for (int i = 0; i < labels.length; i++) {
            String l = labels[i];
            if (l.isEmpty() || l.length() > 63) {
                return "empty or oversize label";
            }
            int star = l.indexOf('*');
            if (star > 0 || l.indexOf('*', star + 1) > 0) {
                return "* may only start a label";
            }
            if (star == 0 && i >= labels.length - 2) {
                return "the two rightmost labels must be literal";
            }
            String literal = star == 0 ? l.substring(1) : l;
            if (!literal.isEmpty() && !HostNames.isValidName(literal)) {
                return "invalid characters in label " + l;
            }
        }
        return null;
    }

    /** The catalog notation of this pattern. */
    @Override
    public String toString() {
        return exact ? "=" + domain : domain;
    }
}
