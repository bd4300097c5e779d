package dev.umbra.classifier.code;

import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.engine.Detector;
import dev.umbra.classifier.engine.Mask;
import dev.umbra.classifier.engine.Scan;
import dev.umbra.classifier.engine.WordSet;

/*
 * Design: the text is cut into blocks (runs of non-blank lines; Markdown code fences also cut).
 * Each line contributes language-agnostic features in one pass over its characters: code line
 * endings (; { } ) , : [), indentation, density of code punctuation, programming keywords as
 * whole words, identifier shapes (camelCase, snake_case, a.b( calls), and prose signals (a
 * sentence ending in '.' with many plain words). A block of at least three lines whose weighted
 * score passes the threshold is code; adjacent code blocks separated only by blank lines merge.
 * The language is guessed on the first 2 KiB of a code block from weighted marker strings for
 * 15 languages.
 */
/** Scores blocks of text as source code and guesses their language. */
public final class SourceCodeDetector implements Detector {
    /** Minimum lines of a code block. */
    public static final int MIN_LINES = 3;
    private static final double THRESHOLD = 0.5;
    // programming keywords that ordinary prose and data rarely use as whole lower-case words
    private static final WordSet KEYWORDS = WordSet.of("def", "elif", "fn", "func", "const", "var", "let", "void",
            "public", "private", "protected", "static", "return", "import", "nullptr", "println", "printf",
            "namespace", "impl", "struct", "lambda", "async", "await", "class", "function", "package", "include",
            "else", "elsif", "while", "try", "catch", "except", "finally", "throw", "throws", "raise", "interface",
            "enum", "extends", "implements", "mut", "pub", "using", "int", "bool", "boolean", "self", "this",
            "typedef", "template", "echo", "fi", "esac", "foreach", "require", "module", "export", "yield", "switch",
            "break", "continue", "val", "fun", "guard", "defer", "chan", "trait", "unsafe", "sizeof", "malloc",
            "std", "cout", "console", "puts", "elseif", "instanceof", "typeof", "undefined", "override", "end");
    // SQL keywords count only in upper case
    private static final WordSet SQL_KEYWORDS = WordSet.of("SELECT", "FROM", "WHERE", "JOIN", "GROUP", "ORDER",
            "INSERT", "UPDATE", "DELETE", "CREATE", "TABLE", "VALUES", "LIMIT", "HAVING", "ALTER", "INTO");

    @Override
    public void onText(Scan s) {
        char[] t = s.chars();
        String text = s.text();
        int n = s.length();
        int i = 0;
        Block cur = new Block();
        CodeRun run = new CodeRun();
        boolean inFence = false;
        int blankRun = 0;
        while (i < n) {
            int ls = i;
            // String.indexOf is a vectorised intrinsic: the newline search costs little per character
            int le = text.indexOf('\n', i);
            if (le < 0 || le > n) {
                le = n;
            }
            i = le + 1;
            int fns0 = firstNonSpace(t, ls, le);
            boolean fence = fns0 + 3 <= le && t[fns0] == '`' && t[fns0 + 1] == '`' && t[fns0 + 2] == '`';
            boolean blank = fns0 >= le;
            if (fence || blank && !inFence) {
                if (cur.lines > 0) {
                    // close the block
                    if (accepted(cur)) {
                        run.take(s, cur, blankRun);
                    } else {
                        run.flush(s);
                    }
                    blankRun = 0;
                    cur = new Block();
                }
                if (fence) {
                    inFence = !inFence;
                    cur.fenced = inFence;
                    blankRun = 0;
                } else {
                    blankRun++;
                }
                continue;
            }
            cur.add(t, ls, le, fns0);
        }
        if (accepted(cur)) {
            run.take(s, cur, blankRun);
        }
        run.flush(s);
    }

    /** A closed block counts as code: enough lines scoring high enough, or a fenced block a little lower. */
    private static boolean accepted(Block b) {
        return b.lines > 0 && (b.lines >= MIN_LINES && b.score() >= THRESHOLD
                || b.fenced && b.score() >= THRESHOLD - 0.15);
    }

    /** Code blocks separated by at most two blank lines, reported as one detection. */
    private static final class CodeRun {
        int start = -1;
        int end = -1;
        int lines;

        /** Extends the run with an accepted block, or reports the run and starts a new one. */
        void take(Scan s, Block b, int blankRun) {
            if (start >= 0 && blankRun <= 2) {
                end = b.end;
                lines += b.lines;
            } else {
                flush(s);
                start = b.start;
                end = b.end;
                lines = b.lines;
            }
        }

        /** Reports the run, if any, and forgets it. */
        void flush(Scan s) {
            report(s, start, end, lines);
            start = -1;
        }
    }

    private static void report(Scan s, int start, int end, int lines) {
        if (start < 0 || end <= start) {
            return;
        }
        String lang = Languages.guess(s.chars(), start, Math.min(end, start + 2048));
        Likelihood l = lines >= 8 ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
        s.emit("source_code", DetectionCategory.SOURCE_CODE, l, start, end,
                Mask.label("[source code: " + lang + ", " + lines + " lines]"));
    }

    static int firstNonSpace(char[] t, int from, int to) {
        int i = from;
        while (i < to && (t[i] == ' ' || t[i] == '\t' || t[i] == '\r')) {
            i++;
        }
        return i;
    }

    // character classes of the per-line feature loop
    private static final int UP = 1;
    private static final int LO = 2;
    private static final int DI = 4;
    private static final int US = 8;
    private static final int PU = 16;
    private static final int SP = 32;
    private static final int HASH = 64;
    // a letter outside ASCII: a letter for the identifier shapes, never part of a keyword
    private static final int NON_ASCII_LETTER = LO | 128;
    private static final byte[] CC = new byte[128];

    static {
        for (int c = 'A'; c <= 'Z'; c++) {
            CC[c] = UP;
        }
        for (int c = 'a'; c <= 'z'; c++) {
            CC[c] = LO;
        }
        for (int c = '0'; c <= '9'; c++) {
            CC[c] = DI;
        }
        CC['_'] = US;
        CC['#'] = HASH;
        CC[' '] = SP;
        CC['\t'] = SP;
        for (char c : "{}()[];=<>".toCharArray()) {
            CC[c] = PU;
        }
    }

    private static boolean letter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 128 && Character.isLetter(c);
    }

    private static final String[] BLOCK_WORDS = {"then", "do", "done", "fi", "esac", "else", "end"};

    private static boolean hasColon(char[] t, int from, int to) {
        for (int i = from; i < to; i++) {
            if (t[i] == ':') {
                return true;
            }
        }
        return false;
    }

    private static boolean regionIs(char[] t, int at, String w) {
        for (int k = 0; k < w.length(); k++) {
            if (t[at + k] != w.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the line ends with a shell or Ruby block word ({@code then}, {@code do}, {@code fi}, {@code end} ...). */
    static boolean blockWordEnding(char[] t, int ls, int e) {
        char l = e > ls ? t[e - 1] : ' ';
        if (l != 'n' && l != 'o' && l != 'e' && l != 'i' && l != 'c' && l != 'd') {
            return false;
        }
        for (String w : BLOCK_WORDS) {
            int st = e - w.length();
            if (st >= ls && regionIs(t, st, w) && (st == ls || !Character.isLetterOrDigit(t[st - 1]))) {
                return true;
            }
        }
        return false;
    }

    /** Feature counts of one block. */
    static final class Block {
        int start = -1;
        int end;
        int lines;
        boolean fenced;
        int codeEndings;
        int indented;
        int punct;
        int chars;
        int keywordLines;
        int identLines;
        int proseLines;
        int longLines;
        int dataLines;
        int[] lineStart = new int[16];
        int[] lineEnd = new int[16];
        int lineCount;
        char[] text;
        boolean detailed;
        // set when the detail stopped early because the outcome was already certain
        boolean decided;
        double decidedScore;

        /** Adds the line {@code t[ls, le)} whose first character other than a blank is at {@code fns}. */
        void add(char[] t, int ls, int le, int fns) {
            if (start < 0) {
                start = fns;
            }
            int e = le;
            while (e > ls && (t[e - 1] == ' ' || t[e - 1] == '\r' || t[e - 1] == '\t')) {
                e--;
            }
            end = e;
            lines++;
            if (le - ls > 400) {
                longLines++;
            }
            char first = t[ls];
            char lead = t[fns];
            if (lead == '"' || lead == '\'' && hasColon(t, fns, le) || lead == '-' && fns + 1 < le && t[fns + 1] == ' ') {
                dataLines++;
            }
            if (first == '\t' || first == ' ' && ls + 1 < le && t[ls + 1] == ' ') {
                indented++;
            }
            char last = e > ls ? t[e - 1] : ' ';
            int kw0 = fns;
            while (kw0 < e && kw0 - fns < 8 && t[kw0] >= 'A' && t[kw0] <= 'Z') {
                kw0++;
            }
            boolean sqlLine = kw0 > fns && (kw0 == e || t[kw0] == ' ') && SQL_KEYWORDS.containsExact(t, fns, kw0, true);
            if (";{}),:([".indexOf(last) >= 0 || last == '\\' || sqlLine || blockWordEnding(t, ls, e)) {
                codeEndings++;
            }
            if (lineCount == lineStart.length) {
                lineStart = java.util.Arrays.copyOf(lineStart, lineCount * 2);
                lineEnd = java.util.Arrays.copyOf(lineEnd, lineCount * 2);
            }
            lineStart[lineCount] = ls;
            lineEnd[lineCount++] = e;
            text = t;
        }

        /** The costly per-character features of one line (punctuation, keywords, identifiers, prose). */
        void addDetail(char[] t, int ls, int e) {
            char last = e > ls ? t[e - 1] : ' ';
            int words = 0;
            boolean kw = false;
            boolean ident = false;
            int scanEnd = Math.min(e, ls + 400);
            int i = ls;
            while (i < scanEnd) {
                char c = t[i];
                int k = c < 128 ? CC[c] : NON_ASCII_LETTER;
                if ((k & SP) != 0) {
                    i++;
                    continue;
                }
                chars++;
                if ((k & PU) != 0) {
                    punct++;
                }
                if ((k & (UP | LO | US | HASH)) != 0) {
                    int ws = i;
                    boolean lower = false;
                    boolean camel = false;
                    boolean snake = false;
                    // the kinds seen in the word and its letters packed as for WordSet, so that
                    // the keyword lookups below need no second walk over the word
                    int seen = k;
                    long key = c & 31;
                    i++;
                    while (i < scanEnd) {
                        char d = t[i];
                        int kd = d < 128 ? CC[d] : NON_ASCII_LETTER;
                        if ((kd & (UP | LO | DI | US)) == 0) {
                            break;
                        }
                        if ((kd & UP) != 0 && lower) {
                            camel = true;
                        }
                        if ((kd & US) != 0 && i + 1 < scanEnd && letter(t[i + 1])) {
                            snake = true;
                        }
                        lower = (kd & LO) != 0;
                        seen |= kd;
                        key = key << 5 | (d & 31);
                        i++;
                    }
                    words++;
                    int wl = i - ws;
                    boolean lowerStart = t[ws] >= 'a' && t[ws] <= 'z';
                    // keywords open statements: only the first words of a line are looked up; a
                    // keyword is all lower-case ASCII letters, an SQL keyword all upper-case
                    if (words <= 3 && !kw && wl <= WordSet.MAX_LENGTH
                            && (seen == LO && KEYWORDS.containsKey(key) || seen == UP && SQL_KEYWORDS.containsKey(key))) {
                        kw = true;
                    }
                    if (camel && lowerStart || snake) {
                        ident = true;
                    }
                    if (i < scanEnd && (t[i] == '(' || t[i] == '.' && i + 1 < scanEnd && letter(t[i + 1]) && lowerStart
                            && lower)) {
                        ident |= t[i] == '(' || words > 0;
                    }
                    continue;
                }
                i++;
            }
            if (kw) {
                keywordLines++;
            }
            if (ident) {
                identLines++;
            }
            if ((last == '.' || last == '?' || last == '!') && words >= 6) {
                proseLines++;
            } else if (words >= 12 && punct * 30 < chars) {
                proseLines++;
            }
        }

        /** The least the detail terms of {@link #score} can be once {@code rest} more lines of at most {@code restChars} characters are read. */
        private double detailLowerBound(int rest, int restChars) {
            double fPunct = chars + restChars == 0 ? 0 : (double) punct / (chars + restChars);
            double d = 0.23 * Math.min(1, fPunct / 0.07) + 0.25 * Math.min(1, (double) keywordLines / lines * 1.6)
                    + 0.15 * Math.min(1, (double) identLines / lines * 1.5) - 0.5 * (proseLines + rest) / lines;
            return keywordLines == 0 && identLines == 0 ? d - 0.3 : d;
        }

        /** The most the detail terms of {@link #score} can be once {@code rest} more lines of at most {@code restChars} characters are read. */
        private double detailUpperBound(int rest, int restChars) {
            double fPunct = chars + restChars == 0 ? 0 : (double) (punct + restChars) / (chars + restChars);
            return 0.23 * Math.min(1, fPunct / 0.07) + 0.25 * Math.min(1, (double) (keywordLines + rest) / lines * 1.6)
                    + 0.15 * Math.min(1, (double) (identLines + rest) / lines * 1.5) - 0.5 * proseLines / lines;
        }

        double score() {
            if (lines == 0) {
                return 0;
            }
            if (!detailed) {
                // an upper bound from the cheap features: the costly ones can add at most 0.63
                double bound = 0.25 * Math.min(1, (double) codeEndings / lines * 1.5) + 0.12 * indented / lines + 0.63
                        - 0.6 * dataLines / lines - (codeEndings + indented < 2 ? 0.3 : 0) - (longLines * 2 > lines ? 0.3 : 0);
                if (bound < THRESHOLD - 0.15) {
                    return bound;
                }
                if (decided) {
                    return decidedScore;
                }
                // the detail is read line by line; every few lines, bounds on what the remaining
                // lines can still add say whether the block's fate is already sealed (code is
                // usually clear after about half its lines), and the rest is skipped
                double cheap = 0.25 * Math.min(1, (double) codeEndings / lines * 1.5) + 0.12 * indented / lines
                        - 0.6 * dataLines / lines - (codeEndings + indented < 2 ? 0.3 : 0) - (longLines * 2 > lines ? 0.3 : 0);
                double need = fenced ? THRESHOLD - 0.15 : THRESHOLD;
                int remainingChars = 0;
                for (int k = 0; k < lineCount; k++) {
                    remainingChars += Math.min(400, lineEnd[k] - lineStart[k]);
                }
                for (int k = 0; k < lineCount; k++) {
                    addDetail(text, lineStart[k], lineEnd[k]);
                    remainingChars -= Math.min(400, lineEnd[k] - lineStart[k]);
                    int rest = lineCount - k - 1;
                    if ((k & 3) == 3 && rest > 0) {
                        double low = cheap + detailLowerBound(rest, remainingChars);
                        double high = cheap + detailUpperBound(rest, remainingChars);
                        if (low >= need + 1e-9 || high < need - 1e-9) {
                            decided = true;
                            decidedScore = low >= need + 1e-9 ? low : high;
                            return decidedScore;
                        }
                    }
                }
                detailed = true;
            }
            double fEnd = (double) codeEndings / lines;
            double fIndent = (double) indented / lines;
            double fPunct = chars == 0 ? 0 : (double) punct / chars;
            double fKw = (double) keywordLines / lines;
            double fIdent = (double) identLines / lines;
            double fProse = (double) proseLines / lines;
            double score = 0.25 * Math.min(1, fEnd * 1.5) + 0.12 * fIndent + 0.23 * Math.min(1, fPunct / 0.07)
                    + 0.25 * Math.min(1, fKw * 1.6) + 0.15 * Math.min(1, fIdent * 1.5) - 0.5 * fProse;
            if (keywordLines == 0 && identLines == 0) {
                score -= 0.3;
            }
            // JSON and YAML data, and text without any code-shaped line, are not source code
            score -= 0.6 * dataLines / lines;
            if (codeEndings + indented < 2) {
                score -= 0.3;
            }
            if (longLines * 2 > lines) {
                score -= 0.3;
            }
            return score;
        }
    }
}
