package dev.umbra.signatures;

/**
 * Parses textual IP addresses without a name lookup (never {@code InetAddress.getByName}, which
 * resolves anything that is not a literal).
 */
final class IpAddresses {
    private IpAddresses() {
    }

    /**
     * Parses a dotted-quad IPv4 address without allocating.
     *
     * @return the address as an unsigned 32-bit value, or -1 when the text is not an IPv4 literal
     */
    static long parseV4(CharSequence s) {
        if (s == null) {
            return -1;
        }
        int n = s.length();
        long value = 0;
        int octets = 0;
        int i = 0;
        while (i < n && octets < 4) {
            int octet = 0;
            int digits = 0;
            while (i < n && digits < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                octet = octet * 10 + (s.charAt(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 3 || octet > 255) {
                return -1;
            }
            value = (value << 8) | octet;
            octets++;
            if (octets < 4) {
                if (i >= n || s.charAt(i) != '.') {
                    return -1;
                }
                i++;
            }
        }
        return octets == 4 && i == n ? value : -1;
    }

    /**
     * Parses an IPv4 or IPv6 literal (IPv6 may be bracketed, carry a zone id and end in a dotted
     * quad).
     *
     * @return 4 or 16 bytes, or {@code null} when the text is not an IP literal
     */
    static byte[] parse(CharSequence text) {
        if (text == null) {
            return null;
        }
        String s = text.toString().trim();
        long v4 = parseV4(s);
        if (v4 >= 0) {
            return new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        }
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        if (s.indexOf(':') < 0 || s.length() > 45) {
            return null;
        }
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        String head = gap >= 0 ? s.substring(0, gap) : s;
        String tail = gap >= 0 ? s.substring(gap + 2) : "";
        int[] h = groups(head);
        int[] t = groups(tail);
        if (h == null || t == null) {
            return null;
        }
        int total = h.length + t.length;
        if (gap < 0 ? total != 8 : total > 7) {
            return null;
        }
        byte[] out = new byte[16];
        for (int k = 0; k < h.length; k++) {
            out[2 * k] = (byte) (h[k] >>> 8);
            out[2 * k + 1] = (byte) h[k];
        }
        for (int k = 0; k < t.length; k++) {
            int pos = 8 - t.length + k;
            out[2 * pos] = (byte) (t[k] >>> 8);
            out[2 * pos + 1] = (byte) t[k];
        }
        return out;
    }

    /** 16-bit groups of one side of "::"; a trailing dotted quad counts as two groups. */
    private static int[] groups(String side) {
        if (side.isEmpty()) {
            return new int[0];
        }
        String[] parts = side.split(":", -1);
        int extra = 0;
        long v4 = -1;
        if (parts[parts.length - 1].indexOf('.') >= 0) {
            v4 = parseV4(parts[parts.length - 1]);
            if (v4 < 0) {
                return null;
            }
            extra = 1;
        }
        int[] out = new int[parts.length + extra];
        for (int k = 0; k < parts.length - extra; k++) {
            String p = parts[k];
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int c = 0; c < p.length(); c++) {
                int d = Character.digit(p.charAt(c), 16);
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            out[k] = v;
        }
        if (extra == 1) {
            out[parts.length - 1] = (int) (v4 >>> 16);
            out[parts.length] = (int) (v4 & 0xffff);
        }
        return out;
    }
}
