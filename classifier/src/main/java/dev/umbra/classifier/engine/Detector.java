package dev.umbra.classifier.engine;

import java.util.List;

/**
 * One family of detectors plugged into the {@link ScanEngine}'s single pass. A detector says which
 * keyword anchors and which character triggers wake it, and then confirms a candidate by reading a
 * bounded window of the text around the trigger (never an unbounded scan), emitting through
 * {@link Scan#emit}. Implementations are stateless and thread-safe.
 */
public interface Detector {
    /** Triggered at a digit that starts a token (the previous character is not a letter, digit or '_'). */
    int DIGIT_START = 1;
    /**
     * Triggered at an upper-case ASCII letter that starts a token and is followed by an upper-case
     * letter or a digit.
     */
    int UPPER_START = 2;
    /** Triggered at every '@'. */
    int AT = 4;
    /** Triggered at ':' between hex digits or colons. */
    int COLON = 8;

    /** Lower-case ASCII keywords that wake {@link #onAnchor}; matched case-insensitively anywhere. */
    default List<String> anchors() {
        return List.of();
    }

    /** A bit set of the character triggers above. */
    default int triggers() {
        return 0;
    }

    /** Whether {@link #onNumber} wants the digit runs of the text. */
    default boolean wantsNumbers() {
        return false;
    }

    /**
     * Called when anchor {@code anchor} (its index in {@link #anchors()}) was seen at
     * {@code [start, end)}.
     */
    default void onAnchor(Scan s, int anchor, int start, int end) {
    }

    /** Called at a character trigger. */
    default void onTrigger(Scan s, int trigger, int pos) {
    }

    /** Called once per run of digit groups (see {@link DigitRun}). */
    default void onNumber(Scan s, DigitRun run) {
    }

    /** Called once per text after the pass, for detectors that look at whole blocks (linear in the text). */
    default void onText(Scan s) {
    }
}
