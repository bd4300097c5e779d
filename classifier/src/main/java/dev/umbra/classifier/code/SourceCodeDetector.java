package dev.umbra.classifier.code;

import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.engine.Detector;
import dev.umbra.classifier.engine.Mask;
import dev.umbra.classifier.engine.Scan;
import java.util.Set;

/*
 * Design: the text is cut into blocks (runs of non-blank lines; Markdown code fences also cut).
 * Each line contributes language-agnostic features in one pass over its characters: code line
 * endings (; { } ) , : [), indentation, density of code punctuation, programming keywords as
 * whole words, identifier shapes (camelCase, snake_case, a.b( calls), and prose signals (a
 * sentence ending in '.' with many plain words). A block of at least three lines whose weighted
 * score passes the threshold is code; adjacent code blocks separated only by blank lines merge.
 * The language is guessed on the first 8 KiB of a code block from weighted marker strings for
 * 15 languages.
 */
/** Scores blocks of text as source code and guesses their language. */
public final class SourceCodeDetector implements Detector {
    /** Minimum lines of a code block. */
    public static final int MIN_LINES = 3;
    private static final double THRESHOLD = 0.5;
    // programming keywords that ordinary prose and data rarely use as whole lower-case words
    private static final Set<String> KEYWORDS = Set.of("def", "elif", "fn", "func", "const", "var", "let", "void",
            "public", "private", "protected", "static", "return", "import", "nullptr", "println", "printf",
            "namespace", "impl", "struct", "lambda", "async", "await", "class", "function", "package", "include",
            "else", "elsif", "while", "try", "catch", "except", "finally", "throw", "throws", "raise", "interface",
            "enum", "extends", "implements", "mut", "pub", "using", "int", "bool", "boolean", "self", "this",
            "typedef", "template", "echo", "fi", "esac", "foreach", "require", "module", "export", "yield", "switch",
            "break", "continue", "val", "fun", "guard", "defer", "chan", "trait", "unsafe", "sizeof", "malloc",
            "std", "cout", "console", "puts", "elseif", "instanceof", "typeof", "undefined", "override", "end");
    // SQL keywords count only in upper case
    private static final Set<String> SQL_KEYWORDS = Set.of("SELECT", "FROM", "WHERE", "JOIN", "GROUP", "ORDER",
            "INSERT", "UPDATE", "DELETE", "CREATE", "TABLE", "VALUES", "LIMIT", "HAVING", "ALTER", "INTO");

    @Override
    public void onText(Scan s) {
        String t = s.text();
        int n = s.length();
        int i = 0;
        Block cur = new Block();
        int codeStart = -1;
        int codeEnd = -1;
        int codeLines = 0;
        boolean inFence = false;
        int blankRun = 0;
        while (i < n) {
            int ls = i;
            int le = t.indexOf('\n', i);
            if (le < 0 || le > n) {
                le = n;
            }
            i = le + 1;
            boolean fence = t.startsWith("```", firstNonSpace(t, ls, le));
            boolean blank = firstNonSpace(t, ls, le) >= le;
            if (fence || blank && !inFence) {
                if (cur.lines > 0) {
                    // close the block
                    if (cur.lines >= MIN_LINES && cur.score() >= THRESHOLD || cur.fenced && cur.lines >= 1
                            && cur.score() >= THRESHOLD - 0.15) {
                        if (codeStart >= 0 && blankRun <= 2) {
                            codeEnd = cur.end;
                            codeLines += cur.lines;
                        } else {
                            flush(s, codeStart, codeEnd, codeLines);
                            codeStart = cur.start;
                            codeEnd = cur.end;
                            codeLines = cur.lines;
                        }
                    } else {
                        flush(s, codeStart, codeEnd, codeLines);
                        codeStart = -1;
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
            cur.add(t, ls, le);
        }
        if (cur.lines > 0 && (cur.lines >= MIN_LINES && cur.score() >= THRESHOLD
                || cur.fenced && cur.score() >= THRESHOLD - 0.15)) {
            if (codeStart >= 0 && blankRun <= 2) {
                codeEnd = cur.end;
                codeLines += cur.lines;
            } else {
                flush(s, codeStart, codeEnd, codeLines);
                codeStart = cur.start;
                codeEnd = cur.end;
                codeLines = cur.lines;
            }
        }
        flush(s, codeStart, codeEnd, codeLines);
    }

    private static void flush(Scan s, int start, int end, int lines) {
        if (start < 0 || end <= start) {
            return;
        }
        String lang = Languages.guess(s.text(), start, Math.min(end, start + 8192));
        Likelihood l = lines >= 8 ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
        s.emit("source_code", DetectionCategory.SOURCE_CODE, l, start, end,
                Mask.label("[source code: " + lang + ", " + lines + " lines]"));
    }

    static int firstNonSpace(String t, int from, int to) {
        int i = from;
        while (i < to && (t.charAt(i) == ' ' || t.charAt(i) == '\t' || t.charAt(i) == '\r')) {
            i++;
        }
        return i;
    }

    private static final String[] BLOCK_WORDS = {"then", "do", "done", "fi", "esac", "else", "end"};

    /** Whether the line ends with a shell or Ruby block word ({@code then}, {@code do}, {@code fi}, {@code end} ...). */
    static boolean blockWordEnding(String t, int ls, int e) {
        for (String w : BLOCK_WORDS) {
            int st = e - w.length();
            if (st >= ls && t.startsWith(w, st) && (st == ls || !Character.isLetterOrDigit(t.charAt(st - 1)))) {
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

        void add(String t, int ls, int le) {
            if (start < 0) {
                start = firstNonSpace(t, ls, le);
            }
            int e = le;
            while (e > ls && (t.charAt(e - 1) == ' ' || t.charAt(e - 1) == '\r' || t.charAt(e - 1) == '\t')) {
                e--;
            }
            end = e;
            lines++;
            if (le - ls > 400) {
                longLines++;
            }
            char first = t.charAt(ls);
            int fns = firstNonSpace(t, ls, le);
            char lead = t.charAt(fns);
            if (lead == '"' || lead == '\'' && t.indexOf(':', fns) > 0 || lead == '-' && fns + 1 < le && t.charAt(fns + 1) == ' ') {
                dataLines++;
            }
            if (first == '\t' || first == ' ' && ls + 1 < le && t.charAt(ls + 1) == ' ') {
                indented++;
            }
            char last = e > ls ? t.charAt(e - 1) : ' ';
            int kw0 = fns;
            while (kw0 < e && kw0 - fns < 8 && t.charAt(kw0) >= 'A' && t.charAt(kw0) <= 'Z') {
                kw0++;
            }
            boolean sqlLine = kw0 > fns && (kw0 == e || t.charAt(kw0) == ' ') && SQL_KEYWORDS.contains(t.substring(fns, kw0));
            if (";{}),:([".indexOf(last) >= 0 || last == '\\' || sqlLine || blockWordEnding(t, ls, e)) {
                codeEndings++;
            }
            int words = 0;
            boolean kw = false;
            boolean ident = false;
            int scanEnd = Math.min(e, ls + 400);
            int i = ls;
            while (i < scanEnd) {
                char c = t.charAt(i);
                if (c == ' ' || c == '\t') {
                    i++;
                    continue;
                }
                chars++;
                if ("{}()[];=<>".indexOf(c) >= 0) {
                    punct++;
                }
                if (Character.isLetter(c) || c == '_' || c == '#') {
                    int ws = i;
                    boolean lower = false;
                    boolean camel = false;
                    boolean snake = false;
                    i++;
                    while (i < scanEnd && (Character.isLetterOrDigit(t.charAt(i)) || t.charAt(i) == '_')) {
                        char d = t.charAt(i);
                        if (Character.isUpperCase(d) && lower) {
                            camel = true;
                        }
                        if (d == '_' && i + 1 < scanEnd && Character.isLetter(t.charAt(i + 1)) && i > ws) {
                            snake = true;
                        }
                        lower = Character.isLowerCase(d);
                        i++;
                    }
                    words++;
                    int wl = i - ws;
                    if (wl <= 12 && t.charAt(ws) != '#') {
                        String w = t.substring(ws, i);
                        if (KEYWORDS.contains(w) || SQL_KEYWORDS.contains(w)) {
                            kw = true;
                        }
                    }
                    if (camel && Character.isLowerCase(t.charAt(ws)) || snake) {
                        ident = true;
                    }
                    if (i < scanEnd && (t.charAt(i) == '(' || t.charAt(i) == '.' && i + 1 < scanEnd
                            && Character.isLetter(t.charAt(i + 1)) && Character.isLowerCase(t.charAt(ws)) && lower)) {
                        ident |= t.charAt(i) == '(' || words > 0;
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

        double score() {
            if (lines == 0) {
                return 0;
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
