package dev.umbra.classifier.custom;

import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.engine.Detector;
import dev.umbra.classifier.engine.Mask;
import dev.umbra.classifier.engine.Scan;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Organisation-defined rules: keyword lists (whole words, case-insensitive, matched by the
 * engine's prefilter like every other anchor) and regular expressions. Patterns are matched line
 * by line over windows of at most {@link #WINDOW} characters, so a costly pattern costs at most a
 * constant per window and the scan stays linear in the input; the configuration refuses nested
 * quantifiers and back-references.
 */
public final class CustomDetector implements Detector {
    /** Longest text a custom pattern is matched against at once. */
    public static final int WINDOW = 4096;
    private static final int OVERLAP = 256;

    private final List<String> keywords = new ArrayList<>();
    private final List<String> keywordType = new ArrayList<>();
    private final Map<String, Pattern> patterns;

    /** A detector for these keyword lists and patterns (type name to rule). */
    public CustomDetector(Map<String, List<String>> keywordLists, Map<String, Pattern> patterns) {
        keywordLists.forEach((type, list) -> {
            for (String k : list) {
                keywords.add(k.toLowerCase(Locale.ROOT));
                keywordType.add(type);
            }
        });
        this.patterns = Map.copyOf(patterns);
    }

    @Override
    public List<String> anchors() {
        return keywords;
    }

    @Override
    public void onAnchor(Scan s, int anchor, int start, int end) {
        if (s.alnumAt(start - 1) && s.alnumAt(start) || s.alnumAt(end) && s.alnumAt(end - 1)) {
            return;
        }
        s.emit(keywordType.get(anchor), DetectionCategory.CUSTOM, Likelihood.LIKELY, start, end, Mask.keep(2, 1));
    }

    @Override
    public void onText(Scan s) {
        if (patterns.isEmpty()) {
            return;
        }
        String t = s.text();
        int n = s.length();
        int ls = 0;
        while (ls < n) {
            int le = t.indexOf('\n', ls);
            if (le < 0 || le > n) {
                le = n;
            }
            for (int ws = ls; ws < le; ws += WINDOW - OVERLAP) {
                int we = Math.min(le, ws + WINDOW);
                int acceptFrom = ws == ls ? ws : ws + OVERLAP;
                for (Map.Entry<String, Pattern> p : patterns.entrySet()) {
                    Matcher m = p.getValue().matcher(t).region(ws, we);
                    int found = 0;
                    while (m.find() && found++ < 1000) {
                        if (m.end() > m.start() && m.start() >= acceptFrom) {
                            s.emit(p.getKey(), DetectionCategory.CUSTOM, Likelihood.LIKELY, m.start(), m.end(),
                                    Mask.keep(2, 1));
                        }
                    }
                }
                if (we == le) {
                    break;
                }
            }
            ls = le + 1;
        }
    }
}
