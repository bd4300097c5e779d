package dev.umbra.signatures;

import java.net.IDN;
import java.util.Locale;

/** Host name normalisation shared by the catalog loader and the matcher's slow path. */
public final class HostNames {
    /** RFC 1035 section 2.3.4: a name is at most 255 octets on the wire, 253 characters as text. */
    public static final int MAX_NAME_LENGTH = 253;

    private HostNames() {
    }

    /**
     * Lowercases, strips one trailing dot and converts internationalised names to punycode.
     *
     * @return the normalised name, or {@code null} when the name cannot be converted
     */
    public static String normalize(CharSequence host) {
        if (host == null) {
            return null;
        }
        String s = host.toString().trim();
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.isEmpty() || s.length() > 4 * MAX_NAME_LENGTH) {
            return null;
        }
        boolean ascii = true;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                ascii = false;
                break;
            }
        }
        if (!ascii) {
            try {
                s = IDN.toASCII(s, IDN.ALLOW_UNASSIGNED);
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        s = s.toLowerCase(Locale.ROOT);
        return s.length() > MAX_NAME_LENGTH ? null : s;
    }

    /** True for a syntactically valid name: labels of 1..63 letters, digits, hyphens or underscores. */
    public static boolean isValidName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
            return false;
        }
        int labelLength = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '.') {
                if (labelLength == 0) {
                    return false;
                }
                labelLength = 0;
            } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_') {
                if (++labelLength > 63) {
                    return false;
                }
            } else {
                return false;
            }
        }
        return labelLength > 0;
    }
}
