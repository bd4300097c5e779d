package dev.umbra.classifier.engine;

import java.util.HashMap;
import java.util.Map;

/*
 * Design: the engine's per-character work is one step of this DFA. Its states are pairs (state of
 * the anchor automaton, whether the previous character was a word character); its alphabet is the
 * ASCII characters grouped into classes that agree both on the anchor automaton's class and on the
 * character's kind (digit, upper case, lower case or '_', '@', ':', other). A table entry is the
 * row offset of the target state (state * classes) with two flag bits: SLOW when the engine has
 * anything to do at this character (an anchor ends here, a digit or upper-case letter starts a
 * token, an '@' or ':'), and ANCHOR when an anchor ends here. So in the common case a character
 * costs one table read and one rarely taken branch, whatever the number of detectors. Characters
 * outside ASCII do not enter the table (the engine resets to the root, as the anchor automaton does).
 */
/** The engine's single-pass prefilter: anchor matching and token-start triggers in one DFA. */
final class Prefilter {
    /** Set on an entry when the engine must look at the character. */
    static final int SLOW = Integer.MIN_VALUE;
    /** Set on an entry when an anchor ends at the character. */
    static final int ANCHOR = 0x4000_0000;
    /** The row offset of the target state. */
    static final int ROW = 0x3FFF_FFFF;

    static final byte OTHER = 0;
    static final byte DIGIT = 1;
    static final byte UPPER = 2;
    static final byte LOWER = 3;
    static final byte AT = 4;
    static final byte COLON = 5;
    /** The kind of each ASCII character; '_' counts as a lower-case letter (a word character). */
    static final byte[] KIND = new byte[128];

    static {
        for (int c = '0'; c <= '9'; c++) {
            KIND[c] = DIGIT;
        }
        for (int c = 'A'; c <= 'Z'; c++) {
            KIND[c] = UPPER;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            KIND[c] = LOWER;
        }
        KIND['_'] = LOWER;
        KIND['@'] = AT;
        KIND[':'] = COLON;
    }

    private final AhoCorasick anchors;
    private final byte[] classOf = new byte[128];
    private final int classes;
    private final int[] table;
    private final int maxAnchorLength;

    Prefilter(AhoCorasick anchors) {
        this.anchors = anchors;
        byte[] acClass = anchors.classTable();
        int acClasses = anchors.classes();
        int[] delta = anchors.table();
        Map<Integer, Integer> ids = new HashMap<>();
        int[] acClassOf = new int[128];
        int[] kindOf = new int[128];
        for (int c = 0; c < 128; c++) {
            int key = acClass[c] * 8 + KIND[c];
            Integer id = ids.get(key);
            if (id == null) {
                id = ids.size();
                ids.put(key, id);
                acClassOf[id] = acClass[c];
                kindOf[id] = KIND[c];
            }
            classOf[c] = id.byteValue();
        }
        classes = ids.size();
        int longest = 1;
        for (int id = 0; id < anchors.patterns(); id++) {
            longest = Math.max(longest, anchors.patternLength(id));
        }
        maxAnchorLength = longest;
        int states = anchors.states();
        if ((long) states * 2 * classes > ROW) {
            throw new IllegalArgumentException("too many anchor states: " + states);
        }
        table = new int[states * 2 * classes];
        for (int s = 0; s < states; s++) {
            for (int w = 0; w < 2; w++) {
                for (int k = 0; k < classes; k++) {
                    int to = delta[s * acClasses + acClassOf[k]];
                    int kind = kindOf[k];
                    boolean word = kind == DIGIT || kind == UPPER || kind == LOWER;
                    boolean anchor = anchors.outputs(to) != null;
                    boolean trigger = kind == AT || kind == COLON || w == 0 && (kind == DIGIT || kind == UPPER);
                    table[(s * 2 + w) * classes + k] = (to * 2 + (word ? 1 : 0)) * classes
                            | (anchor ? ANCHOR : 0) | (anchor || trigger ? SLOW : 0);
                }
            }
        }
    }

    /** The transition table (see the design note); row 0 is the root after a non-word character. */
    int[] table() {
        return table;
    }

    /** The class of each ASCII character. */
    byte[] classTable() {
        return classOf;
    }

    /** The row of the root after a word character (a letter or digit outside ASCII). */
    int rootAfterWord() {
        return classes;
    }

    /** Ids of the anchors that end when the automaton enters the state at row offset {@code row}. */
    int[] anchorsAt(int row) {
        return anchors.outputs(row / classes >> 1);
    }

    /** Length of the longest anchor: the automaton's state depends on at most this many characters minus one. */
    int maxAnchorLength() {
        return maxAnchorLength;
    }

    /** Length of anchor {@code id}. */
    int anchorLength(int id) {
        return anchors.patternLength(id);
    }

    /** Whether {@code c} is a word character: an ASCII letter, digit or '_', or a letter or digit outside ASCII. */
    static boolean wordChar(char c) {
        return c < 128 ? KIND[c] == DIGIT || KIND[c] == UPPER || KIND[c] == LOWER : Character.isLetterOrDigit(c);
    }
}
