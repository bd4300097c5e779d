package dev.umbra.classifier.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A case-insensitive (ASCII) Aho-Corasick automaton compiled to a dense DFA over a compressed
 * alphabet, so that the scanner advances one table lookup per character.
 *
 * <p>Design: the 128 ASCII characters are mapped to equivalence classes (one class per distinct
 * folded character used in a pattern, plus class 0 for everything else), and the full goto
 * function with failure links resolved is stored in one {@code int[]} indexed by
 * {@code state * classes + class}. Characters outside ASCII reset to the root. Each state keeps
 * the list of pattern ids that end there (its own and those inherited through failure links).
 * Build time and memory are linear in the total pattern length times the class count; matching
 * is one array read per character, whatever the input.
 */
public final class AhoCorasick {
    private final byte[] classOf = new byte[128];
    private final int classes;
    private final int[] delta;
    private final int[][] outputs;
    private final int[] patternLength;
    private final int maxPatternLength;
    // the same automaton for the hot loop: entries are row offsets (state * classes), with the sign
    // bit set when the target state has outputs, so a step is one load and no multiply
    private final int[] rows;

    /**
     * Compiles the patterns; they are matched case-insensitively and must be non-empty ASCII.
     *
     * @param patterns the keywords; the index in this list is the id reported on a match
     */
    public AhoCorasick(List<String> patterns) {
        patternLength = new int[patterns.size()];
        Map<Character, Integer> cls = new HashMap<>();
        for (String p : patterns) {
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty pattern");
            }
            for (char ch : p.toLowerCase(Locale.ROOT).toCharArray()) {
                if (ch >= 128) {
                    throw new IllegalArgumentException("pattern is not ASCII: " + p);
                }
                cls.computeIfAbsent(ch, k -> cls.size() + 1);
            }
        }
        if (cls.size() > 126) {
            throw new IllegalArgumentException("too many distinct pattern characters: " + cls.size());
        }
        for (int c = 0; c < 128; c++) {
            Integer k = cls.get(Character.toLowerCase((char) c));
            classOf[c] = k == null ? 0 : k.byteValue();
        }
        classes = cls.size() + 1;
        // trie
        List<int[]> go = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        go.add(new int[classes]);
        Arrays.fill(go.get(0), -1);
        out.add(new ArrayList<>());
        for (int id = 0; id < patterns.size(); id++) {
            String p = patterns.get(id).toLowerCase(Locale.ROOT);
            patternLength[id] = p.length();
            int s = 0;
            for (int i = 0; i < p.length(); i++) {
                int k = classOf[p.charAt(i)];
                if (go.get(s)[k] < 0) {
                    int[] row = new int[classes];
                    Arrays.fill(row, -1);
                    go.add(row);
                    out.add(new ArrayList<>());
                    go.get(s)[k] = go.size() - 1;
                }
                s = go.get(s)[k];
            }
            out.get(s).add(id);
        }
        int states = go.size();
        int[] fail = new int[states];
        delta = new int[states * classes];
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int k = 0; k < classes; k++) {
            int t = go.get(0)[k];
            if (t < 0 || k == 0) {
                delta[k] = 0;
            } else {
                delta[k] = t;
                fail[t] = 0;
                queue.add(t);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            out.get(s).addAll(out.get(fail[s]));
            for (int k = 0; k < classes; k++) {
                int t = go.get(s)[k];
                if (t < 0 || k == 0) {
                    delta[s * classes + k] = k == 0 ? 0 : delta[fail[s] * classes + k];
                } else {
                    delta[s * classes + k] = t;
                    fail[t] = delta[fail[s] * classes + k];
                    queue.add(t);
                }
            }
        }
        outputs = new int[states][];
        for (int s = 0; s < states; s++) {
            List<Integer> o = out.get(s);
            outputs[s] = o.isEmpty() ? null : o.stream().mapToInt(Integer::intValue).toArray();
        }
        int longest = 1;
        for (int len : patternLength) {
            longest = Math.max(longest, len);
        }
        maxPatternLength = longest;
        rows = new int[delta.length];
        for (int i = 0; i < delta.length; i++) {
            int t = delta[i];
            rows[i] = t * classes | (outputs[t] != null ? Integer.MIN_VALUE : 0);
        }
    }

    /** Receives the matches of {@link #forEachMatch}. */
    @FunctionalInterface
    public interface MatchSink {
        /** Pattern {@code id} ends just before offset {@code end}. */
        void match(int id, int end);
    }

    /**
     * Reports every match in {@code t[from, to)} in order of its end offset (one table read per
     * character; characters outside ASCII reset to the root).
     */
    public void forEachMatch(char[] t, int from, int to, MatchSink sink) {
        final int[] r = rows;
        final byte[] cls = classOf;
        int row = 0;
        for (int i = from; i < to; i++) {
            char c = t[i];
            if (c >= 128) {
                row = 0;
                continue;
            }
            int v = r[row + cls[c]];
            row = v & Integer.MAX_VALUE;
            if (v < 0) {
                for (int id : outputs[row / classes]) {
                    sink.match(id, i + 1);
                }
            }
        }
    }

    /**
     * Reports every match in {@code t[from, to)} exactly once, in no particular order: the range is
     * scanned as two halves at once (the second started from the root as many characters before the
     * middle as the longest pattern needs), two independent chains of table reads that together
     * take about the time of one.
     */
    public void forEachMatchUnordered(char[] t, int from, int to, MatchSink sink) {
        int mid = from + (to - from) / 2;
        int b = mid - (maxPatternLength - 1);
        if (to - from < 64 || b <= from) {
            forEachMatch(t, from, to, sink);
            return;
        }
        final int[] r = rows;
        final byte[] cls = classOf;
        int row1 = 0;
        int row2 = 0;
        int n = mid - from;
        for (int k = 0; k < n; k++) {
            char c1 = t[from + k];
            char c2 = t[b + k];
            if (c1 >= 128) {
                row1 = 0;
            } else {
                int v = r[row1 + cls[c1]];
                row1 = v & Integer.MAX_VALUE;
                if (v < 0) {
                    for (int id : outputs[row1 / classes]) {
                        sink.match(id, from + k + 1);
                    }
                }
            }
            if (c2 >= 128) {
                row2 = 0;
            } else {
                int v = r[row2 + cls[c2]];
                row2 = v & Integer.MAX_VALUE;
                if (v < 0 && b + k >= mid) {
                    for (int id : outputs[row2 / classes]) {
                        sink.match(id, b + k + 1);
                    }
                }
            }
        }
        for (int i = b + n; i < to; i++) {
            char c = t[i];
            if (c >= 128) {
                row2 = 0;
                continue;
            }
            int v = r[row2 + cls[c]];
            row2 = v & Integer.MAX_VALUE;
            if (v < 0 && i >= mid) {
                for (int id : outputs[row2 / classes]) {
                    sink.match(id, i + 1);
                }
            }
        }
    }

    /** Whether any pattern occurs in {@code t[from, to)}. */
    public boolean anyMatch(char[] t, int from, int to) {
        final int[] r = rows;
        final byte[] cls = classOf;
        int row = 0;
        for (int i = from; i < to; i++) {
            char c = t[i];
            if (c >= 128) {
                row = 0;
                continue;
            }
            int v = r[row + cls[c]];
            if (v < 0) {
                return true;
            }
            row = v;
        }
        return false;
    }

    /** The row-offset table of the hot loop (see the field comment); row 0 is the root. */
    int[] rowTable() {
        return rows;
    }

    /** The state after reading {@code c} in state {@code state}; the root is state 0. */
    public int next(int state, char c) {
        return c < 128 ? delta[state * classes + classOf[c]] : 0;
    }

    /** Pattern ids ending in {@code state}, or null when none does. */
    public int[] outputs(int state) {
        return outputs[state];
    }

    /** Length of pattern {@code id}. */
    public int patternLength(int id) {
        return patternLength[id];
    }

    /** Number of patterns. */
    public int patterns() {
        return patternLength.length;
    }

    /** Number of DFA states (for tests and sizing). */
    public int states() {
        return outputs.length;
    }

    int[][] outputsTable() {
        return outputs;
    }

    int classes() {
        return classes;
    }

    byte[] classTable() {
        return classOf;
    }

    int[] table() {
        return delta;
    }
}
