package dev.umbra.classifier.phi;

import static dev.umbra.classifier.DetectionCategory.PHI;

import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.engine.Checks;
import dev.umbra.classifier.engine.Detector;
import dev.umbra.classifier.engine.DigitRun;
import dev.umbra.classifier.engine.Mask;
import dev.umbra.classifier.engine.Scan;
import dev.umbra.classifier.engine.WordSet;
import java.util.List;

/**
 * Health data: US NPI, Medicare MBI, UK NHS number, DEA registration number, ICD-10 codes and
 * medical record numbers. Numbers that a check digit alone cannot tell from any other number
 * (NPI, NHS, DEA) are reported only next to their context word.
 */
public final class PhiDetectors {
    private PhiDetectors() {
    }

    /** The PHI detectors. */
    public static List<Detector> all() {
        return List.of(new NumberIds(), new Mbi(), new Dea(), new Icd10(), new Mrn());
    }

    static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    /** NPI (10 digits, Luhn over 80840 + NPI) and NHS numbers (10 digits, mod 11), with context. */
    static final class NumberIds implements Detector {
        private static final WordSet NPI_CONTEXT = WordSet.of("npi", "provider", "prescriber", "physician",
                "practitioner", "doctor", "clinician");
        private static final WordSet NHS_CONTEXT = WordSet.of("nhs");
        // Luhn contribution of the prefix 80840 in front of the ten NPI digits
        private static final int NPI_PREFIX_SUM = 24;

        @Override
        public boolean wantsNumbers() {
            return true;
        }

        @Override
        public void onNumber(Scan s, DigitRun r) {
            if (r.overlong() || s.alnumAt(r.start(0) - 1) || s.at(r.start(0) - 1) == '.') {
                return;
            }
            int start = r.start(0);
            if (r.length(0) == 10 && endsClean(s, r, 0)) {
                char first = s.at(start);
                if ((first == '1' || first == '2') && Checks.luhnSum(s.text(), start, r.end(0), NPI_PREFIX_SUM) % 10 == 0
                        && s.wordBefore(start, 40, NPI_CONTEXT)) {
                    s.emit("us_npi", PHI, Likelihood.VERY_LIKELY, start, r.end(0), Mask.keep(0, 3));
                }
                if (nhs(s, start, r.end(0)) && s.wordBefore(start, 40, NHS_CONTEXT)) {
                    s.emit("uk_nhs_number", PHI, Likelihood.VERY_LIKELY, start, r.end(0), Mask.keep(0, 3));
                }
            }
            if (r.groups() >= 3 && r.length(0) == 3 && r.length(1) == 3 && r.length(2) == 4
                    && (r.sep(1) == ' ' || r.sep(1) == '-') && r.sep(2) == r.sep(1) && endsClean(s, r, 2)
                    && nhs(s, start, r.end(2)) && s.wordBefore(start, 40, NHS_CONTEXT)) {
                s.emit("uk_nhs_number", PHI, Likelihood.VERY_LIKELY, start, r.end(2), Mask.keep(0, 3));
            }
        }

        private static boolean endsClean(Scan s, DigitRun r, int g) {
            int e = r.end(g);
            return !s.alnumAt(e) && !(g + 1 < r.groups() && r.sep(g + 1) != ' ')
                    && !((s.at(e) == '.' || s.at(e) == '-') && s.digitAt(e + 1));
        }

        /** NHS number check digit: weights 10..2 over the first nine digits, 11 - sum mod 11. */
        static boolean nhs(Scan s, int start, int end) {
            int[] d = new int[10];
            int n = 0;
            for (int i = start; i < end && n < 10; i++) {
                char c = s.at(i);
                if (c >= '0' && c <= '9') {
                    d[n++] = c - '0';
                }
            }
            if (n != 10) {
                return false;
            }
            int sum = 0;
            for (int k = 0; k < 9; k++) {
                sum += d[k] * (10 - k);
            }
            int check = 11 - sum % 11;
            if (check == 11) {
                check = 0;
            }
            return check != 10 && check == d[9];
        }
    }

    /** Medicare Beneficiary Identifier (CMS MBI format: 11 characters, optional dashes after 4 and 7). */
    static final class Mbi implements Detector {
        private static final WordSet CONTEXT = WordSet.of("medicare", "mbi", "beneficiary", "cms", "hicn");
        // position classes: N = 1-9, n = 0-9, A = letter (no S L O I B Z), C = A or n
        private static final String SHAPE = "NACnACnAAnn";

        @Override
        public int triggers() {
            return DIGIT_START;
        }

        static boolean letter(char c) {
            return c >= 'A' && c <= 'Z' && "SLOIBZ".indexOf(c) < 0;
        }

        @Override
        public void onTrigger(Scan s, int trigger, int p) {
            if (!letter(s.at(p + 1))) {
                return;
            }
            int i = p;
            boolean dashed = s.at(p + 4) == '-';
            for (int k = 0; k < 11; k++) {
                if (dashed && (k == 4 || k == 7)) {
                    if (s.at(i) != '-') {
                        return;
                    }
                    i++;
                }
                char c = s.at(i);
                boolean ok = switch (SHAPE.charAt(k)) {
                    case 'N' -> c >= '1' && c <= '9';
                    case 'n' -> c >= '0' && c <= '9';
                    case 'A' -> letter(c);
                    default -> letter(c) || c >= '0' && c <= '9';
                };
                if (!ok) {
                    return;
                }
                i++;
            }
            if (s.alnumAt(i) || s.at(i) == '_' || s.at(i) == '-' && s.alnumAt(i + 1)) {
                return;
            }
            Likelihood l = s.wordBefore(p, 40, CONTEXT) ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
            s.emit("us_mbi", PHI, l, p, i, Mask.keep(0, 2));
        }
    }

    /** DEA registration numbers: two letters and seven digits with the DEA check digit, next to "DEA". */
    static final class Dea implements Detector {
        private static final WordSet CONTEXT = WordSet.of("dea", "registration", "prescriber");

        @Override
        public int triggers() {
            return UPPER_START;
        }

        @Override
        public void onTrigger(Scan s, int trigger, int p) {
            char a = s.at(p);
            char b = s.at(p + 1);
            if (!(b >= 'A' && b <= 'Z' || b == '9') || !s.digitAt(p + 2) || "ABCDEFGHJKLMPRSTUX".indexOf(a) < 0) {
                return;
            }
            // digits 1, 3, 5 plus twice digits 2, 4, 6: the last digit of the sum is the seventh digit
            int sum = 0;
            for (int k = 0; k < 7; k++) {
                char c = s.at(p + 2 + k);
                if (c < '0' || c > '9') {
                    return;
                }
                if (k < 6) {
                    sum += (k % 2 == 0 ? 1 : 2) * (c - '0');
                }
            }
            int end = p + 9;
            if (s.alnumAt(end) || s.at(end) == '_') {
                return;
            }
            if (sum % 10 != s.at(p + 8) - '0') {
                return;
            }
            Likelihood l = s.wordBefore(p, 40, CONTEXT) ? Likelihood.VERY_LIKELY : Likelihood.UNLIKELY;
            s.emit("us_dea_number", PHI, l, p, end, Mask.keep(2, 2));
        }
    }

    /** ICD-10 codes within a window after a medical context word (icd, diagnosis, dx). */
    static final class Icd10 implements Detector {
        private static final List<String> ANCHORS = List.of("icd", "diagnos", "dx");
        private static final int WINDOW = 120;

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (isLetter(s.at(start - 1)) || anchor != 1 && isLetter(s.at(end))) {
                return;
            }
            if (end < s.skipUntil(2)) {
                return;
            }
            int stop = Math.min(s.length(), end + WINDOW);
            s.skipUntil(2, stop);
            for (int i = end; i < stop; i++) {
                char c = s.at(i);
                if (!(c >= 'A' && c <= 'Z') || s.alnumAt(i - 1) || s.at(i - 1) == '-') {
                    continue;
                }
                int e = code(s, i, anchor == 0);
                if (e > 0) {
                    s.emit("icd10_code", PHI, Likelihood.LIKELY, i, e, Mask.keep(1, 0));
                    i = e;
                }
            }
        }

        /** A{digit}{digit|A|B}[.{1-4 alnum}]; the 3-character form only after "ICD". */
        static int code(Scan s, int i, boolean bare) {
            char c2 = s.at(i + 2);
            if (!s.digitAt(i + 1) || !(c2 >= '0' && c2 <= '9' || c2 == 'A' || c2 == 'B')) {
                return -1;
            }
            int e = i + 3;
            if (s.at(e) == '.' && (s.digitAt(e + 1) || s.at(e + 1) >= 'A' && s.at(e + 1) <= 'Z')) {
                int f = e + 1;
                while (f < e + 5 && (s.digitAt(f) || s.at(f) >= 'A' && s.at(f) <= 'Z')) {
                    f++;
                }
                e = f;
            } else if (!bare) {
                return -1;
            }
            if (s.alnumAt(e) || s.at(e) == '.' && s.alnumAt(e + 1) || s.at(e) == '-' && s.alnumAt(e + 1)) {
                return -1;
            }
            return e;
        }
    }

    /** Medical record numbers: 6 to 12 letters and digits (at least 5 digits) after "MRN" or "medical record". */
    static final class Mrn implements Detector {
        private static final List<String> ANCHORS = List.of("mrn", "medical record", "patient id", "chart number",
                "patient number");

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (isLetter(s.at(start - 1)) || isLetter(s.at(end)) && s.at(end) != 's') {
                return;
            }
            for (int i = end; i < Math.min(s.length(), end + 32); i++) {
                if (!s.alnumAt(i) || s.alnumAt(i - 1)) {
                    continue;
                }
                int e = i;
                int digits = 0;
                while ((s.alnumAt(e) || s.at(e) == '-' && s.alnumAt(e + 1)) && e - i < 16) {
                    if (s.digitAt(e)) {
                        digits++;
                    }
                    e++;
                }
                if (digits >= 5 && e - i >= 6 && e - i <= 14 && !s.alnumAt(e)) {
                    s.emit("medical_record_number", PHI, Likelihood.LIKELY, i, e, Mask.keep(0, 2));
                    return;
                }
                if (digits == 0 && e - i > 12) {
                    return;
                }
            }
        }
    }
}
