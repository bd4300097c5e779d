package dev.umbra.classifier.pii;

import static dev.umbra.classifier.DetectionCategory.PII;

import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.engine.Checks;
import dev.umbra.classifier.engine.Detector;
import dev.umbra.classifier.engine.DigitRun;
import dev.umbra.classifier.engine.Mask;
import dev.umbra.classifier.engine.Scan;
import dev.umbra.classifier.engine.WordSet;
import java.util.List;
import java.util.Map;

/**
 * Personal data: email, phone, US SSN, payment card, IBAN, IPv4/IPv6, date of birth and passport
 * number. Every detector reads a bounded window around its trigger.
 */
public final class PiiDetectors {
    private PiiDetectors() {
    }

    /** The PII detectors. */
    public static List<Detector> all() {
        return List.of(new Email(), new Numbers(), new Iban(), new Ipv6(), new DateOfBirth(), new Passport());
    }

    static final WordSet NEGATIVE = WordSet.of("order", "invoice", "tracking", "ticket", "ref", "reference", "sku",
            "imei", "serial", "isbn", "build", "version", "release", "txn", "transaction", "id", "timestamp", "port");

    static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static int value(Scan s, int start, int end) {
        int v = 0;
        for (int i = start; i < end; i++) {
            v = v * 10 + (s.at(i) - '0');
        }
        return v;
    }

    /** Email addresses (RFC 5321 local part, dotted domain with an alphabetic TLD). */
    static final class Email implements Detector {
        private static final WordSet CONTEXT = WordSet.of("email", "mail", "contact", "address", "e", "reach");

        @Override
        public int triggers() {
            return AT;
        }

        static boolean localChar(char c) {
            return isLetter(c) || isDigit(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
        }

        @Override
        public void onTrigger(Scan s, int trigger, int at) {
            int ls = at;
            while (ls > 0 && at - ls < 64 && localChar(s.at(ls - 1))) {
                ls--;
            }
            if (ls == at || localChar(s.at(ls - 1)) || s.at(ls) == '.' || s.at(at - 1) == '.') {
                return;
            }
            char before = s.at(ls - 1);
            boolean mailto = before == ':' && s.text().regionMatches(true, ls - 7, "mailto:", 0, 7);
            if ((before == ':' || before == '/' || before == '@') && !mailto) {
                return;
            }
            if (at - ls == 3 && s.text().startsWith("git", ls)) {
                return;
            }
            int i = at + 1;
            int labels = 0;
            int lastLabelStart = -1;
            boolean lastAlpha = false;
            int end = -1;
            while (i < s.length() && i - at < 255) {
                int lsx = i;
                boolean alpha = true;
                while (i < s.length() && i - at < 255 && (isLetter(s.at(i)) || isDigit(s.at(i)) || s.at(i) == '-')) {
                    alpha &= isLetter(s.at(i));
                    i++;
                }
                if (i == lsx || s.at(lsx) == '-' || s.at(i - 1) == '-') {
                    break;
                }
                labels++;
                lastLabelStart = lsx;
                lastAlpha = alpha;
                end = i;
                if (s.at(i) == '.' && (isLetter(s.at(i + 1)) || isDigit(s.at(i + 1)))) {
                    i++;
                } else {
                    break;
                }
            }
            if (labels < 2 || !lastAlpha || end - lastLabelStart < 2 || end - lastLabelStart > 24 || s.alnumAt(end)
                    || s.at(end) == '@') {
                return;
            }
            Likelihood l = s.wordBefore(ls, 40, CONTEXT) ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
            s.emit("email", PII, l, ls, end, Mask.email());
        }
    }

    /** Numeric PII on digit runs: payment card, US SSN, phone numbers, IPv4. */
    static final class Numbers implements Detector {
        private static final WordSet CARD_CONTEXT = WordSet.of("card", "credit", "debit", "visa", "mastercard", "amex",
                "cc", "payment", "pay", "cvv", "expiry", "exp", "pan", "discover", "jcb");
        private static final WordSet SSN_CONTEXT = WordSet.of("ssn", "social", "security", "ss", "taxpayer", "tin");
        private static final WordSet PHONE_CONTEXT = WordSet.of("phone", "tel", "telephone", "call", "mobile", "cell",
                "fax", "contact", "text", "whatsapp", "reach", "ring", "landline", "sms");
        private static final WordSet VERSION = WordSet.of("version", "v", "ver", "release", "build", "firmware");

        @Override
        public boolean wantsNumbers() {
            return true;
        }

        @Override
        public void onNumber(Scan s, DigitRun r) {
            if (r.overlong()) {
                return;
            }
            int n = r.groups();
            for (int g = 0; g < n; g++) {
                boolean leftClean = g == 0 ? leftBoundary(s, r.start(0)) : r.sep(g) == ' ' || r.sep(g) == '/';
                if (!leftClean && !(g > 0 && r.sep(g) == '(')) {
                    continue;
                }
                if (leftClean) {
                    card(s, r, g);
                    ssn(s, r, g);
                    ipv4(s, r, g);
                }
                phone(s, r, g);
            }
        }

        private static boolean leftBoundary(Scan s, int start) {
            char b = s.at(start - 1);
            if (s.alnumAt(start - 1) || b == '.' || b == '_') {
                return false;
            }
            // "-" or "/" glued to a preceding digit/letter belongs to a longer token (ORD-2024-..., a/b)
            return !((b == '-' || b == '/' || b == ':') && s.alnumAt(start - 2));
        }

        private static boolean rightBoundary(Scan s, DigitRun r, int g) {
            int e = r.end(g);
            char c = s.at(e);
            if (s.alnumAt(e) || c == '_') {
                return false;
            }
            if ((c == '.' || c == '-' || c == ':' || c == '/') && s.alnumAt(e + 1)) {
                return false;
            }
            return !(g + 1 < r.groups() && r.sep(g + 1) != ' ' && r.sep(g + 1) != '/');
        }

        // ---- payment cards ----
        private void card(Scan s, DigitRun r, int g0) {
            if (r.length(g0) != 4 && (r.length(g0) < 13 || r.length(g0) > 19)) {
                return;
            }
            int digits = 0;
            for (int g = g0; g < r.groups(); g++) {
                if (g > g0) {
                    char sep = r.sep(g);
                    if (sep != ' ' && sep != '-' || g > g0 + 1 && sep != r.sep(g0 + 1)) {
                        return;
                    }
                    if (r.length(g) < 2 || r.length(g) > 6 || r.length(g0) != 4) {
                        return;
                    }
                }
                digits += r.length(g);
                if (digits > 19) {
                    return;
                }
                if (digits >= 13 && (g + 1 == r.groups() || r.sep(g + 1) != r.sep(Math.min(g + 1, r.groups() - 1))
                        || cardEnds(r, g))) {
                    int start = r.start(g0);
                    int end = r.end(g);
                    if (issuer(s, start, digits) && Checks.luhn(s.text(), start, end) && rightBoundary(s, r, g)
                            && !allSame(s, start, end)) {
                        boolean grouped = g > g0;
                        Likelihood l = grouped ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
                        if (s.wordBefore(start, 50, CARD_CONTEXT)) {
                            l = Likelihood.VERY_LIKELY;
                        } else if (s.wordBefore(start, 30, NEGATIVE)) {
                            l = l.shift(-2);
                        }
                        s.emit("credit_card", PII, l, start, end, Mask.keep(4, 4));
                        return;
                    }
                }
            }
        }

        private static boolean cardEnds(DigitRun r, int g) {
            // a grouped card ends where the next group would exceed 19 digits or the grouping breaks
            return g + 1 >= r.groups() || r.length(g + 1) > 6;
        }

        private static boolean allSame(Scan s, int start, int end) {
            char first = s.at(start);
            for (int i = start; i < end; i++) {
                char c = s.at(i);
                if (isDigit(c) && c != first) {
                    return false;
                }
            }
            return true;
        }

        /** Issuer identification number ranges and lengths (ISO/IEC 7812; network published ranges). */
        static boolean issuer(Scan s, int start, int len) {
            int p6 = 0;
            int got = 0;
            for (int i = start; got < 6; i++) {
                char c = s.at(i);
                if (isDigit(c)) {
                    p6 = p6 * 10 + (c - '0');
                    got++;
                } else if (c == 0) {
                    return false;
                }
            }
            int p1 = p6 / 100000;
            int p2 = p6 / 10000;
            int p3 = p6 / 1000;
            int p4 = p6 / 100;
            if (p1 == 4) {
                return len == 13 || len == 16 || len == 19; // Visa
            }
            if (p2 >= 51 && p2 <= 55 || p4 >= 2221 && p4 <= 2720) {
                return len == 16; // Mastercard
            }
            if (p2 == 34 || p2 == 37) {
                return len == 15; // American Express
            }
            if (p4 == 6011 || p3 >= 644 && p3 <= 649 || p2 == 65 || p6 >= 622126 && p6 <= 622925) {
                return len >= 16 && len <= 19; // Discover
            }
            if (p4 >= 3528 && p4 <= 3589) {
                return len >= 16 && len <= 19; // JCB
            }
            if (p3 >= 300 && p3 <= 305 || p2 == 36 || p2 == 38 || p2 == 39) {
                return len >= 14 && len <= 19; // Diners Club
            }
            if (p2 == 62) {
                return len >= 16 && len <= 19; // UnionPay
            }
            return false;
        }

        // ---- US Social Security numbers ----
        private void ssn(Scan s, DigitRun r, int g) {
            int start = r.start(g);
            boolean dashed = g + 2 < r.groups() && r.length(g) == 3 && r.length(g + 1) == 2 && r.length(g + 2) == 4
                    && (r.sep(g + 1) == '-' || r.sep(g + 1) == ' ') && r.sep(g + 2) == r.sep(g + 1);
            int last = dashed ? g + 2 : g;
            if (!dashed && r.length(g) != 9) {
                return;
            }
            if (!rightBoundary(s, r, last)) {
                return;
            }
            int end = r.end(last);
            int area = dashed ? value(s, start, start + 3) : value(s, start, start + 3);
            int group = dashed ? value(s, r.start(g + 1), r.end(g + 1)) : value(s, start + 3, start + 5);
            int serial = dashed ? value(s, r.start(g + 2), r.end(g + 2)) : value(s, start + 5, start + 9);
            if (area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0) {
                return;
            }
            // numbers published as examples (SSA, Woolworth wallet card) and the obvious sequence
            if (area == 78 && group == 5 && serial == 1120 || area == 219 && group == 9 && serial == 9999
                    || area == 123 && group == 45 && serial == 6789) {
                return;
            }
            boolean ctx = s.wordBefore(start, 50, SSN_CONTEXT);
            Likelihood l;
            if (dashed && r.sep(g + 1) == '-') {
                l = ctx ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
            } else if (ctx) {
                l = Likelihood.LIKELY;
            } else {
                return;
            }
            if (!ctx && s.wordBefore(start, 30, NEGATIVE)) {
                l = l.shift(-2);
            }
            s.emit("us_ssn", PII, l, start, end, Mask.keep(0, 4));
        }

        // ---- IPv4 ----
        private void ipv4(Scan s, DigitRun r, int g) {
            if (g + 3 >= r.groups()) {
                return;
            }
            for (int k = g; k <= g + 3; k++) {
                if (k > g && r.sep(k) != '.' || r.length(k) > 3 || r.length(k) > 1 && s.at(r.start(k)) == '0'
                        || value(s, r.start(k), r.end(k)) > 255) {
                    return;
                }
            }
            if (g + 4 < r.groups() && r.sep(g + 4) == '.' || g > 0 && r.sep(g) == '.') {
                return;
            }
            int start = r.start(g);
            int end = r.end(g + 3);
            char after = s.at(end);
            if (s.alnumAt(end) || after == '.' && s.alnumAt(end + 1) || after == '-' && s.alnumAt(end + 1)) {
                return;
            }
            Likelihood l = Likelihood.LIKELY;
            if (s.wordBefore(start, 24, VERSION) || s.at(start - 1) == 'v') {
                l = Likelihood.UNLIKELY;
            }
            s.emit("ip_address", PII, l, start, end, Mask.keep(0, 0));
        }

        // ---- phone numbers ----
        private void phone(Scan s, DigitRun r, int g0) {
            int start = r.start(g0);
            boolean plus = g0 == 0 && s.at(start - 1) == '+' && !s.alnumAt(start - 2);
            boolean paren = s.at(start - 1) == '(' && (g0 == 0 || r.sep(g0) == '(');
            if (g0 > 0 && !paren && r.sep(g0) != ' ') {
                return;
            }
            if (g0 == 0 && !plus && !paren && !leftBoundary(s, start)) {
                return;
            }
            int ctxStart = plus ? start - 1 : paren ? start - 1 : start;
            int digits = 0;
            int best = -1;
            Likelihood bestL = null;
            for (int g = g0; g < r.groups() && g < g0 + 7; g++) {
                if (g > g0 && r.length(g) < 2 && !(plus && g == g0 + 1)) {
                    break;
                }
                digits += r.length(g);
                if (digits > 15) {
                    break;
                }
                if (!rightBoundaryPhone(s, r, g)) {
                    continue;
                }
                Likelihood l = null;
                if (plus) {
                    if (digits >= 8 && s.at(start) != '0' && mixedOk(r, g0, g)) {
                        l = digits >= 10 ? Likelihood.LIKELY : Likelihood.POSSIBLE;
                    }
                } else if (digits == 10 && nanp(s, r, g0, g, paren)) {
                    l = r.sep(g0 + 1 <= g ? g0 + 1 : g0) == ' ' && !paren ? Likelihood.POSSIBLE : Likelihood.LIKELY;
                } else if (digits == 11 && r.length(g0) == 1 && s.at(start) == '1' && g > g0
                        && nanp(s, r, g0 + 1, g, s.at(r.start(g0 + 1) - 1) == '(')) {
                    l = Likelihood.LIKELY;
                } else if ((digits == 10 || digits == 11) && s.at(start) == '0' && trunk(r, g0, g, paren)
                        && (g + 1 == r.groups() || r.sep(g + 1) != r.sep(g))) {
                    // a national number is the whole run: "04 11 23 35 42 48" is not one
                    l = Likelihood.POSSIBLE;
                } else if ((digits == 10 || digits == 11) && g == g0 && s.wordBefore(ctxStart, 40, PHONE_CONTEXT)) {
                    l = Likelihood.POSSIBLE;
                }
                if (l != null) {
                    best = g;
                    bestL = l;
                }
            }
            if (best < 0) {
                return;
            }
            // context only for a structural match: most digit runs are not phone numbers
            boolean ctx = s.wordBefore(ctxStart, 40, PHONE_CONTEXT);
            boolean negative = s.wordBefore(ctxStart, 30, NEGATIVE);
            if (ctx) {
                bestL = bestL.shift(1);
            }
            if (negative) {
                bestL = bestL.shift(-2);
            }
            int s0 = plus || paren ? start - 1 : start;
            s.emit("phone_number", PII, bestL, s0, r.end(best), Mask.keep(0, 2));
        }

        private static boolean rightBoundaryPhone(Scan s, DigitRun r, int g) {
            int e = r.end(g);
            if (s.alnumAt(e) || s.at(e) == '_' || (s.at(e) == '.' || s.at(e) == '-') && s.digitAt(e + 1)) {
                return false;
            }
            // the run goes on with a group glued by '-', '.', ')': this is not the end of the number
            return !(g + 1 < r.groups() && (r.sep(g + 1) == '-' || r.sep(g + 1) == '.' || r.sep(g + 1) == ')'));
        }

        private static boolean mixedOk(DigitRun r, int g0, int g) {
            for (int k = g0 + 1; k <= g; k++) {
                if (r.sep(k) == '/') {
                    return false;
                }
            }
            return true;
        }

        /** North American Numbering Plan: NXX NXX XXXX in 3-3-4 groups, or 10 digits with context handled elsewhere. */
        private static boolean nanp(Scan s, DigitRun r, int g0, int g, boolean paren) {
            if (g != g0 + 2 || r.length(g0) != 3 || r.length(g0 + 1) != 3 || r.length(g0 + 2) != 4) {
                return false;
            }
            char s1 = r.sep(g0 + 1);
            char s2 = r.sep(g0 + 2);
            boolean ok = paren ? s1 == ')' && (s2 == '-' || s2 == ' ' || s2 == '.') : s1 == s2 && (s1 == '-' || s1 == '.' || s1 == ' ');
            if (!ok) {
                return false;
            }
            char a = s.at(r.start(g0));
            char x = s.at(r.start(g0 + 1));
            return a >= '2' && x >= '2' && !(s.at(r.start(g0) + 1) == '9' && s.at(r.start(g0) + 2) == '9');
        }

        /** National formats with a trunk '0' (UK, DE, FR, ...): 2-5 digit first group, consistent separator. */
        private static boolean trunk(DigitRun r, int g0, int g, boolean paren) {
            if (g == g0 || r.length(g0) < 2 || r.length(g0) > 5) {
                return false;
            }
            char sep = r.sep(g0 + 1);
            if (!(sep == ' ' || sep == '-' || paren && sep == ')')) {
                return false;
            }
            for (int k = g0 + 2; k <= g; k++) {
                if (r.sep(k) != (paren ? r.sep(g0 + 2) : sep) || r.length(k) < 2) {
                    return false;
                }
            }
            return true;
        }
    }

    /** IBAN: country code, two check digits, the country's BBAN length; ISO 7064 mod 97-10. */
    static final class Iban implements Detector {
        // ISO 13616 registry: total IBAN length per country
        static final Map<String, Integer> LENGTH = Map.ofEntries(
                Map.entry("AD", 24), Map.entry("AE", 23), Map.entry("AL", 28), Map.entry("AT", 20), Map.entry("AZ", 28),
                Map.entry("BA", 20), Map.entry("BE", 16), Map.entry("BG", 22), Map.entry("BH", 22), Map.entry("BR", 29),
                Map.entry("CH", 21), Map.entry("CR", 22), Map.entry("CY", 28), Map.entry("CZ", 24), Map.entry("DE", 22),
                Map.entry("DK", 18), Map.entry("DO", 28), Map.entry("EE", 20), Map.entry("EG", 29), Map.entry("ES", 24),
                Map.entry("FI", 18), Map.entry("FO", 18), Map.entry("FR", 27), Map.entry("GB", 22), Map.entry("GE", 22),
                Map.entry("GI", 23), Map.entry("GL", 18), Map.entry("GR", 27), Map.entry("GT", 28), Map.entry("HR", 21),
                Map.entry("HU", 28), Map.entry("IE", 22), Map.entry("IL", 23), Map.entry("IS", 26), Map.entry("IT", 27),
                Map.entry("JO", 30), Map.entry("KW", 30), Map.entry("KZ", 20), Map.entry("LB", 28), Map.entry("LI", 21),
                Map.entry("LT", 20), Map.entry("LU", 20), Map.entry("LV", 21), Map.entry("MC", 27), Map.entry("MD", 24),
                Map.entry("ME", 22), Map.entry("MK", 19), Map.entry("MR", 27), Map.entry("MT", 31), Map.entry("MU", 30),
                Map.entry("NL", 18), Map.entry("NO", 15), Map.entry("PK", 24), Map.entry("PL", 28), Map.entry("PS", 29),
                Map.entry("PT", 25), Map.entry("QA", 29), Map.entry("RO", 24), Map.entry("RS", 22), Map.entry("SA", 24),
                Map.entry("SE", 24), Map.entry("SI", 19), Map.entry("SK", 24), Map.entry("SM", 27), Map.entry("TN", 24),
                Map.entry("TR", 26), Map.entry("UA", 29), Map.entry("VG", 24), Map.entry("XK", 20));
        private static final WordSet CONTEXT = WordSet.of("iban", "bank", "account", "transfer", "sepa", "wire");
        private static final byte[] BY_CODE = new byte[26 * 26];

        static {
            LENGTH.forEach((cc, len) -> BY_CODE[(cc.charAt(0) - 'A') * 26 + (cc.charAt(1) - 'A')] = len.byteValue());
        }

        @Override
        public int triggers() {
            return UPPER_START;
        }

        @Override
        public void onTrigger(Scan s, int trigger, int p) {
            char c1 = s.at(p + 1);
            if (!(c1 >= 'A' && c1 <= 'Z') || !s.digitAt(p + 2) || !s.digitAt(p + 3)) {
                return;
            }
            char c0 = s.at(p);
            int want = BY_CODE[(c0 - 'A') * 26 + (c1 - 'A')];
            if (want == 0) {
                return;
            }
            int i = p;
            int n = 0;
            boolean spaced = s.at(p + 4) == ' ';
            while (n < want && i < s.length()) {
                char c = s.at(i);
                if (c >= 'A' && c <= 'Z' || isDigit(c)) {
                    n++;
                    i++;
                } else if (c == ' ' && spaced && n % 4 == 0 && s.alnumAt(i + 1)) {
                    i++;
                } else {
                    break;
                }
            }
            if (n != want || s.alnumAt(i) || !Checks.iban(s.text(), p, i)) {
                return;
            }
            Likelihood l = s.wordBefore(p, 40, CONTEXT) ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
            s.emit("iban", PII, l, p, i, Mask.keep(2, 4));
        }
    }

    /** IPv6 addresses (RFC 4291 section 2.2 text forms). */
    static final class Ipv6 implements Detector {
        @Override
        public int triggers() {
            return COLON;
        }

        static boolean hex(char c) {
            return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
        }

        @Override
        public void onTrigger(Scan s, int trigger, int p) {
            if (p < s.skipUntil(0)) {
                return;
            }
            char b = s.at(p - 1);
            char a = s.at(p + 1);
            if (!(hex(b) || b == ':') || !(hex(a) || a == ':')) {
                return;
            }
            int start = p;
            while (start > 0 && p - start < 40 && (hex(s.at(start - 1)) || s.at(start - 1) == ':')) {
                start--;
            }
            char before = s.at(start - 1);
            if (s.alnumAt(start - 1) || before == '.' || before == '_' || before == '-') {
                s.skipUntil(0, p + 1);
                return;
            }
            int end = start;
            while (end < s.length() && end - start < 45 && (hex(s.at(end)) || s.at(end) == ':' || s.at(end) == '.')) {
                end++;
            }
            while (end > start && (s.at(end - 1) == '.' || s.at(end - 1) == ':' && s.at(end - 2) != ':')) {
                end--;
            }
            s.skipUntil(0, end);
            if (s.alnumAt(end) || s.at(end) == '_' || !valid(s, start, end)) {
                return;
            }
            s.emit("ip_address", PII, Likelihood.LIKELY, start, end, Mask.keep(0, 0));
        }

        static boolean valid(Scan s, int start, int end) {
            int groups = 0;
            int nonEmpty = 0;
            boolean compressed = false;
            boolean digit = false;
            int i = start;
            if (s.at(i) == ':') {
                if (s.at(i + 1) != ':') {
                    return false;
                }
                compressed = true;
                i += 2;
            }
            while (i < end) {
                int gs = i;
                while (i < end && hex(s.at(i))) {
                    digit |= isDigit(s.at(i));
                    i++;
                }
                if (i < end && s.at(i) == '.') {
                    // embedded IPv4 in the last 32 bits
                    int dots = 0;
                    i = gs;
                    int octet = 0;
                    int len = 0;
                    while (i < end) {
                        char c = s.at(i);
                        if (isDigit(c)) {
                            octet = octet * 10 + (c - '0');
                            len++;
                            if (octet > 255 || len > 3) {
                                return false;
                            }
                        } else if (c == '.' && len > 0) {
                            dots++;
                            octet = 0;
                            len = 0;
                        } else {
                            return false;
                        }
                        i++;
                    }
                    if (dots != 3 || len == 0) {
                        return false;
                    }
                    groups += 2;
                    nonEmpty += 2;
                    break;
                }
                int len = i - gs;
                if (len == 0 || len > 4) {
                    return false;
                }
                groups++;
                nonEmpty++;
                if (i == end) {
                    break;
                }
                // s.at(i) == ':'
                if (s.at(i + 1) == ':') {
                    if (compressed) {
                        return false;
                    }
                    compressed = true;
                    i += 2;
                } else {
                    i++;
                    if (i == end) {
                        return false;
                    }
                }
            }
            if (compressed) {
                return groups <= 7 && (nonEmpty >= 3 || nonEmpty == 2 && digit);
            }
            return groups == 8;
        }
    }

    /** Dates of birth: a date within a short window after "DOB", "born", "date of birth", "birthday". */
    static final class DateOfBirth implements Detector {
        private static final List<String> ANCHORS = List.of("dob", "birth", "born", "birthday", "d.o.b");
        static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (isLetter(s.at(start - 1)) || isLetter(s.at(end))) {
                return;
            }
            for (int i = end; i < Math.min(s.length(), end + 40); i++) {
                char c = s.at(i);
                if (s.alnumAt(i - 1)) {
                    continue;
                }
                int e = isDigit(c) ? Math.max(numericDate(s, i), dayFirst(s, i)) : isLetter(c) ? wordDate(s, i) : -1;
                if (e > 0) {
                    s.emit("date_of_birth", PII, Likelihood.LIKELY, i, e, Mask.keep(0, 0));
                    return;
                }
            }
        }

        static boolean year(int y) {
            return y >= 1900 && y <= 2030;
        }

        /** YYYY-MM-DD, YYYY/MM/DD, MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY, DD-MM-YYYY; returns the end or -1. */
        static int numericDate(Scan s, int i) {
            int[] part = new int[3];
            int[] len = new int[3];
            int p = i;
            char sep = 0;
            for (int k = 0; k < 3; k++) {
                int st = p;
                while (s.digitAt(p) && p - st < 4) {
                    part[k] = part[k] * 10 + (s.at(p) - '0');
                    p++;
                }
                len[k] = p - st;
                if (len[k] == 0) {
                    return -1;
                }
                if (k < 2) {
                    char c = s.at(p);
                    if (!(c == '-' || c == '/' || c == '.') || k == 1 && c != sep) {
                        return -1;
                    }
                    sep = c;
                    p++;
                }
            }
            if (s.alnumAt(p)) {
                return -1;
            }
            if (len[0] == 4 && year(part[0])) {
                return month(part[1]) && day(part[2]) ? p : -1;
            }
            if (len[2] == 4 && year(part[2])) {
                boolean md = month(part[0]) && day(part[1]);
                boolean dm = month(part[1]) && day(part[0]);
                return md || dm ? p : -1;
            }
            return -1;
        }

        static boolean month(int m) {
            return m >= 1 && m <= 12;
        }

        static boolean day(int d) {
            return d >= 1 && d <= 31;
        }

        /** "March 12, 1985", "12 March 1985", "12 Mar 1985"; returns the end or -1. */
        static int wordDate(Scan s, int i) {
            int m = monthAt(s, i);
            if (m < 0) {
                return -1;
            }
            int p = i;
            while (isLetter(s.at(p))) {
                p++;
            }
            if (s.at(p) == '.') {
                p++;
            }
            if (s.at(p) != ' ') {
                return -1;
            }
            p++;
            int ds = p;
            while (s.digitAt(p) && p - ds < 2) {
                p++;
            }
            if (p == ds) {
                return -1;
            }
            if (s.text().startsWith("st", p) || s.text().startsWith("nd", p) || s.text().startsWith("rd", p)
                    || s.text().startsWith("th", p)) {
                p += 2;
            }
            if (s.at(p) == ',') {
                p++;
            }
            if (s.at(p) != ' ') {
                return -1;
            }
            p++;
            return yearAt(s, p);
        }

        private static int yearAt(Scan s, int p) {
            int y = 0;
            for (int k = 0; k < 4; k++) {
                if (!s.digitAt(p + k)) {
                    return -1;
                }
                y = y * 10 + (s.at(p + k) - '0');
            }
            return year(y) && !s.alnumAt(p + 4) ? p + 4 : -1;
        }

        static int monthAt(Scan s, int i) {
            if (!isLetter(s.at(i)) || !isLetter(s.at(i + 1)) || !isLetter(s.at(i + 2))) {
                return -1;
            }
            String three = s.text().substring(i, i + 3).toLowerCase(java.util.Locale.ROOT);
            for (int k = 0; k < MONTHS.length; k++) {
                if (MONTHS[k].equals(three)) {
                    return k;
                }
            }
            return -1;
        }

        /** Day-first word dates: "12 March 1985". */
        static int dayFirst(Scan s, int i) {
            int p = i;
            while (s.digitAt(p) && p - i < 2) {
                p++;
            }
            if (p == i || s.at(p) != ' ') {
                return -1;
            }
            p++;
            int m = monthAt(s, p);
            if (m < 0) {
                return -1;
            }
            while (isLetter(s.at(p))) {
                p++;
            }
            if (s.at(p) != ' ') {
                return -1;
            }
            return yearAt(s, p + 1);
        }
    }

    /** Passport numbers: 6 to 9 letters and digits (at least 6 digits) shortly after "passport". */
    static final class Passport implements Detector {
        @Override
        public List<String> anchors() {
            return List.of("passport");
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (isLetter(s.at(start - 1))) {
                return;
            }
            for (int i = end; i < Math.min(s.length(), end + 40); i++) {
                if (!s.alnumAt(i) || s.alnumAt(i - 1)) {
                    continue;
                }
                int e = i;
                int digits = 0;
                int letters = 0;
                while (s.alnumAt(e) && e - i < 12) {
                    char c = s.at(e);
                    if (isDigit(c)) {
                        digits++;
                    } else if (c >= 'A' && c <= 'Z' && digits == 0) {
                        letters++;
                    } else {
                        letters = 99;
                    }
                    e++;
                }
                int len = e - i;
                if (len >= 6 && len <= 9 && digits >= 6 && letters <= 2 && !s.alnumAt(e) && s.at(e) != '-') {
                    s.emit("passport_number", PII, Likelihood.LIKELY, i, e, Mask.keep(0, 3));
                    return;
                }
            }
        }
    }
}
