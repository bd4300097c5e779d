package dev.umbra.classifier.engine;

/**
 * A run of digit groups joined by single separators ({@code ' ' - . /}, {@code ' ('}, or {@code ')'} with an
 * optional space), as in {@code 4111 1111 1111 1111}, {@code 415-555-0132}, {@code 192.168.0.1}
 * or {@code (020) 7946 0958}. The engine parses each run once and hands it to every numeric
 * detector. At most {@link #MAX_GROUPS} groups of at most {@link #MAX_GROUP} digits are read; a
 * longer group ends the run and marks it {@link #overlong()}.
 */
public final class DigitRun {
    /** Cap on groups per run. */
    public static final int MAX_GROUPS = 24;
    /** Cap on digits per group. */
    public static final int MAX_GROUP = 20;

    final int[] groupStart = new int[MAX_GROUPS];
    final int[] groupEnd = new int[MAX_GROUPS];
    final char[] sepBefore = new char[MAX_GROUPS];
    int groups;
    boolean overlong;

    /** Parses the run starting at {@code start} (a digit) and returns the offset after it. */
    int parse(String t, int start, int limit) {
        groups = 0;
        overlong = false;
        int i = start;
        char sep = 0;
        while (groups < MAX_GROUPS) {
            int gs = i;
            while (i < limit && isDigit(t.charAt(i)) && i - gs <= MAX_GROUP) {
                i++;
            }
            if (i - gs > MAX_GROUP) {
                overlong = true;
                // swallow the rest of the overlong digits so the caller skips them
                while (i < limit && isDigit(t.charAt(i))) {
                    i++;
                }
                return i;
            }
            groupStart[groups] = gs;
            groupEnd[groups] = i;
            sepBefore[groups] = sep;
            groups++;
            if (i >= limit) {
                break;
            }
            char c = t.charAt(i);
            int next;
            if (c == ' ' && i + 2 < limit && t.charAt(i + 1) == '(') {
                // "+1 (415) 555-0132": the separator is " ("
                c = '(';
                next = i + 2;
            } else if (c == ' ' || c == '-' || c == '.' || c == '/') {
                next = i + 1;
            } else if (c == ')') {
                next = i + 1 < limit && t.charAt(i + 1) == ' ' ? i + 2 : i + 1;
            } else {
                break;
            }
            if (next >= limit || !isDigit(t.charAt(next))) {
                break;
            }
            sep = c;
            i = next;
        }
        return groupEnd[groups - 1];
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Number of groups. */
    public int groups() {
        return groups;
    }

    /** Offset of group {@code g}'s first digit. */
    public int start(int g) {
        return groupStart[g];
    }

    /** Offset after group {@code g}'s last digit. */
    public int end(int g) {
        return groupEnd[g];
    }

    /** Digits in group {@code g}. */
    public int length(int g) {
        return groupEnd[g] - groupStart[g];
    }

    /** The separator before group {@code g} (0 for the first group). */
    public char sep(int g) {
        return sepBefore[g];
    }

    /** Whether the run ended on a group longer than {@link #MAX_GROUP}. */
    public boolean overlong() {
        return overlong;
    }

    /** Total digits of groups {@code [from, to)}. */
    public int digits(int from, int to) {
        int n = 0;
        for (int g = from; g < to; g++) {
            n += groupEnd[g] - groupStart[g];
        }
        return n;
    }

    /** Whether groups {@code (from, to)} are all joined by the same separator as group {@code from + 1}. */
    public boolean sameSeparators(int from, int to) {
        for (int g = from + 2; g < to; g++) {
            if (sepBefore[g] != sepBefore[from + 1]) {
                return false;
            }
        }
        return true;
    }
}
