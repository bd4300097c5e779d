package dev.umbra.classifier.engine;

/** Renders the masked evidence of a detection from the text span; the raw value is never returned. */
final class Masker {
    private Masker() {
    }

    static String mask(String t, int start, int end, Mask m) {
        int len = end - start;
        switch (m.kind()) {
            case LABEL:
                return m.label();
            case EMAIL: {
                int at = t.lastIndexOf('@', end - 1);
                if (at < start) {
                    return stars(len);
                }
                return t.charAt(start) + "***" + t.substring(at, end);
            }
            case URL: {
                int scheme = t.indexOf("://", start);
                int at = t.lastIndexOf('@', end - 1);
                if (scheme < 0 || scheme >= end || at < scheme) {
                    return stars(len);
                }
                int colon = t.indexOf(':', scheme + 3);
                String user = colon > 0 && colon < at ? t.substring(scheme + 3, colon) : t.substring(scheme + 3, at);
                String shownUser = user.isEmpty() ? "" : user.charAt(0) + "***";
                return t.substring(start, scheme + 3) + shownUser + ":****" + t.substring(at, end);
            }
            case TOKEN: {
                int first = Math.min(m.keepFirst(), len / 3);
                int last = len >= 16 ? Math.min(m.keepLast(), 4) : 0;
                return t.substring(start, start + first) + "****..." + t.substring(end - last, end);
            }
            case KEEP:
            default: {
                int alnum = 0;
                for (int i = start; i < end; i++) {
                    if (Character.isLetterOrDigit(t.charAt(i))) {
                        alnum++;
                    }
                }
                int keepFirst = m.keepFirst();
                int keepLast = m.keepLast();
                // never show more than half of the value
                while (keepFirst + keepLast > alnum / 2 && (keepFirst > 0 || keepLast > 0)) {
                    if (keepFirst > 0) {
                        keepFirst--;
                    } else {
                        keepLast--;
                    }
                }
                StringBuilder sb = new StringBuilder(len);
                int k = 0;
                for (int i = start; i < end; i++) {
                    char c = t.charAt(i);
                    if (Character.isLetterOrDigit(c)) {
                        sb.append(k < keepFirst || k >= alnum - keepLast ? c : '*');
                        k++;
                    } else {
                        sb.append(c);
                    }
                }
                return sb.toString();
            }
        }
    }

    private static String stars(int n) {
        return "*".repeat(Math.min(n, 16));
    }
}
