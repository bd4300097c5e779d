package dev.umbra.classifier.engine;

import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import java.util.ArrayList;
import java.util.List;

/**
 * The state of one scan that detectors read and emit into: the text (bounded by the input cap),
 * helpers for whole-word context, and the candidate list. Not thread-safe; one per scan.
 */
public final class Scan {
    /** Cap on candidates per scan; beyond it candidates are counted and dropped. */
    public static final int MAX_CANDIDATES = 100_000;

    private final String text;
    private final char[] chars;
    private final int length;
    final List<Candidate> candidates = new ArrayList<>();
    int droppedCandidates;

    private final int[] skip = new int[4];

    Scan(String text, int length) {
        this.text = text;
        this.length = length;
        // one copy per scan: array reads are cheaper than String.charAt on the hot path
        this.chars = new char[length];
        text.getChars(0, length, chars, 0);
    }

    /** The text; only {@code [0, length())} is in scope. */
    public String text() {
        return text;
    }

    /** End of the scanned part of the text. */
    public int length() {
        return length;
    }

    /** The character at {@code i}, or 0 outside {@code [0, length())}. */
    public char at(int i) {
        return i >= 0 && i < length ? chars[i] : 0;
    }

    /** The scanned characters as an array, for whole-text passes; callers must not modify it. */
    public char[] chars() {
        return chars;
    }

    /**
     * A per-scan cursor a detector may use to skip triggers inside a span it has already
     * examined (slot 0: IPv6, 1: PEM, 2-3: free).
     */
    public int skipUntil(int slot) {
        return skip[slot];
    }

    /** Sets cursor {@code slot}; see {@link #skipUntil}. */
    public void skipUntil(int slot, int offset) {
        skip[slot] = offset;
    }

    /** Whether the character at {@code i} is an ASCII letter or digit (false outside the text). */
    public boolean alnumAt(int i) {
        char c = at(i);
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }

    /** Whether the character at {@code i} is an ASCII letter, digit or {@code _}. */
    public boolean wordCharAt(int i) {
        return alnumAt(i) || at(i) == '_';
    }

    /** Whether the character at {@code i} is an ASCII digit. */
    public boolean digitAt(int i) {
        char c = at(i);
        return c >= '0' && c <= '9';
    }

    /**
     * Emits a candidate; the engine later resolves overlaps, drops those below the threshold and
     * masks and hashes the survivors.
     *
     * @param generic whether a specific detector's candidate on the same span should win over this one
     */
    public void emit(String type, DetectionCategory category, Likelihood likelihood, int start, int end, Mask mask,
            boolean generic) {
        if (start < 0 || end > length || end <= start) {
            return;
        }
        if (candidates.size() >= MAX_CANDIDATES) {
            droppedCandidates++;
            return;
        }
        candidates.add(new Candidate(type, category, likelihood, start, end, mask, generic));
    }

    /** Emits a specific (non-generic) candidate. */
    public void emit(String type, DetectionCategory category, Likelihood likelihood, int start, int end, Mask mask) {
        emit(type, category, likelihood, start, end, mask, false);
    }

    /**
     * Whether one of {@code words} occurs as a whole word in the {@code window} characters before
     * {@code pos}. Words are runs of ASCII letters; '_' and case changes (camelCase) split words,
     * so {@code DB_PASSWORD} and {@code dbPassword} contain {@code password} but
     * {@code passwords} does not. Allocates nothing.
     */
    public boolean wordBefore(int pos, int window, WordSet words) {
        return hasWord(Math.max(0, pos - window), Math.min(pos, length), words);
    }

    /** Whether one of {@code words} occurs as a whole word in the {@code window} characters after {@code pos}. */
    public boolean wordAfter(int pos, int window, WordSet words) {
        return hasWord(Math.max(0, pos), Math.min(length, pos + window), words);
    }

    /** Whether one of {@code words} occurs before {@code start} or after {@code end} within the windows. */
    public boolean wordNear(int start, int end, int before, int after, WordSet words) {
        return wordBefore(start, before, words) || wordAfter(end, after, words);
    }

    private boolean hasWord(int from, int to, WordSet words) {
        final char[] t = chars;
        int i = from;
        // a word cut by the window start is not a whole word
        if (i > 0 && isLetter(at(i - 1))) {
            while (i < to && isLetter(t[i]) && !(isUpper(t[i]) && isLower(t[i - 1]))) {
                i++;
            }
        }
        while (i < to) {
            char c = t[i];
            if (!isLetter(c)) {
                i++;
                continue;
            }
            int ws = i;
            // the word's letters packed as they are read (WordSet.pack without the second walk)
            long key = c & 31;
            i++;
            while (i < length && i - ws <= WordSet.MAX_LENGTH && isLetter(t[i]) && !(isUpper(t[i]) && isLower(t[i - 1]))) {
                key = key << 5 | (t[i] & 31);
                i++;
            }
            if (i - ws <= WordSet.MAX_LENGTH && words.containsKey(key)) {
                return true;
            }
            while (i < length && i < to + WordSet.MAX_LENGTH && isLetter(t[i]) && !(isUpper(t[i]) && isLower(t[i - 1]))) {
                i++;
            }
        }
        return false;
    }

    private static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    private static boolean isUpper(char c) {
        return c >= 'A' && c <= 'Z';
    }

    private static boolean isLower(char c) {
        return c >= 'a' && c <= 'z';
    }

    /** A detection before overlap resolution; holds offsets only, never the value. */
    record Candidate(String type, DetectionCategory category, Likelihood likelihood, int start, int end, Mask mask,
            boolean generic) {
    }
}
