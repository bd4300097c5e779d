package dev.umbra.classifier.engine;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.ScanResult;
import dev.umbra.classifier.code.SourceCodeDetector;
import dev.umbra.classifier.custom.CustomDetector;
import dev.umbra.classifier.phi.PhiDetectors;
import dev.umbra.classifier.pii.PiiDetectors;
import dev.umbra.classifier.secrets.SecretDetectors;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/*
 * Design: one left-to-right pass over the text. Per character the loop does one DFA step of the
 * Aho-Corasick automaton that holds every detector's keyword anchors (case-folded ASCII, compressed
 * alphabet), and one table lookup of the character's kind to notice token starts (digit or upper
 * case after a non-word character), '@' and ':'. Only at those points does a detector run, and it
 * reads a bounded window (each detector names its cap), so the total work is O(n) plus O(window)
 * per trigger; triggers are at most one per character, and a run of digit groups is parsed once
 * (DigitRun, capped at 24 groups of 20 digits) and skipped by the trigger logic afterwards.
 * Whole-text detectors (source code, custom patterns) make one more linear pass each.
 *
 * Candidates carry offsets only. After the pass, overlaps are resolved (a specific detector beats
 * a generic one, then the higher likelihood, then the longer span; source code and custom
 * keywords are exempt), the threshold applies, and only then is the span masked and HMAC'd.
 */
/** The single-pass {@link Classifier}: a multi-pattern prefilter plus confirming detectors. */
public final class ScanEngine implements Classifier {
    private static final String URL_CREDENTIAL = "credential_in_url";
    private final ClassifierConfig config;
    private final List<Detector> detectors;
    private final Prefilter prefilter;
    private final Detector[] anchorDetector;
    private final int[] anchorLocal;
    private final Detector[] digitStart;
    private final Detector[] upperStart;
    private final Detector[] atSign;
    private final Detector[] colon;
    private final Detector[] numbers;
    private final Detector[] whole;
    private final ValueHasher hasher;

    /** An engine with every built-in detector and the custom rules of {@code config}. */
    public ScanEngine(ClassifierConfig config) {
        this(config, builtIn(config));
    }

    /** An engine with exactly these detectors (for tests and benchmarks). */
    public ScanEngine(ClassifierConfig config, List<Detector> detectors) {
        this.config = config;
        this.detectors = List.copyOf(detectors);
        List<String> words = new ArrayList<>();
        List<Detector> owner = new ArrayList<>();
        List<Integer> local = new ArrayList<>();
        for (Detector d : detectors) {
            List<String> a = d.anchors();
            for (int i = 0; i < a.size(); i++) {
                words.add(a.get(i));
                owner.add(d);
                local.add(i);
            }
        }
        if (words.isEmpty()) {
            words.add("\u007f\u007f");
            owner.add(new Detector() { });
            local.add(0);
        }
        prefilter = new Prefilter(new AhoCorasick(words));
        anchorDetector = owner.toArray(new Detector[0]);
        anchorLocal = local.stream().mapToInt(Integer::intValue).toArray();
        digitStart = withTrigger(Detector.DIGIT_START);
        upperStart = withTrigger(Detector.UPPER_START);
        atSign = withTrigger(Detector.AT);
        colon = withTrigger(Detector.COLON);
        numbers = detectors.stream().filter(Detector::wantsNumbers).toArray(Detector[]::new);
        whole = detectors.toArray(new Detector[0]);
        hasher = new ValueHasher(config.hmacKey());
    }

    /** The built-in detectors plus the custom ones configured. */
    public static List<Detector> builtIn(ClassifierConfig config) {
        List<Detector> all = new ArrayList<>();
        all.addAll(PiiDetectors.all());
        all.addAll(PhiDetectors.all());
        all.addAll(SecretDetectors.all());
        all.add(new SourceCodeDetector());
        if (!config.customKeywords().isEmpty() || !config.customPatterns().isEmpty()) {
            all.add(new CustomDetector(config.customKeywords(), config.customPatterns()));
        }
        return all;
    }

    private Detector[] withTrigger(int t) {
        return detectors.stream().filter(d -> (d.triggers() & t) != 0).toArray(Detector[]::new);
    }

    @Override
    public ScanResult scan(String text) {
        int n = Math.min(text.length(), config.maxInputChars());
        Scan s = new Scan(text, n);
        pass(s, text, n);
        for (Detector d : whole) {
            d.onText(s);
        }
        return new ScanResult(resolve(s), n, n < text.length());
    }

    private void pass(Scan s, String t, int n) {
        final int[] table = prefilter.table();
        final byte[] cls = prefilter.classTable();
        final int rootAfterWord = prefilter.rootAfterWord();
        final char[] chars = s.chars();
        DigitRun run = new DigitRun();
        int row = 0;
        int numberEnd = -1;
        for (int i = 0; i < n; i++) {
            char c = chars[i];
            if (c >= 128) {
                row = Character.isLetterOrDigit(c) ? rootAfterWord : 0;
                continue;
            }
            int v = table[row + cls[c]];
            row = v & Prefilter.ROW;
            if (v >= 0) {
                // the common case: nothing starts or ends here
                continue;
            }
            if ((v & Prefilter.ANCHOR) != 0) {
                for (int id : prefilter.anchorsAt(row)) {
                    int len = prefilter.anchorLength(id);
                    anchorDetector[id].onAnchor(s, anchorLocal[id], i + 1 - len, i + 1);
                }
            }
            boolean prevWord = i > 0 && Prefilter.wordChar(chars[i - 1]);
            switch (Prefilter.KIND[c]) {
                case Prefilter.DIGIT:
                    if (!prevWord) {
                        for (Detector d : digitStart) {
                            d.onTrigger(s, Detector.DIGIT_START, i);
                        }
                        if (i >= numberEnd) {
                            numberEnd = run.parse(t, i, n);
                            for (Detector d : numbers) {
                                d.onNumber(s, run);
                            }
                        }
                    }
                    break;
                case Prefilter.UPPER:
                    // the detectors woken here (IBAN, DEA) need a second upper-case letter or digit
                    if (!prevWord && i + 1 < n && chars[i + 1] < 128 && (Prefilter.KIND[chars[i + 1]] == Prefilter.UPPER
                            || Prefilter.KIND[chars[i + 1]] == Prefilter.DIGIT)) {
                        for (Detector d : upperStart) {
                            d.onTrigger(s, Detector.UPPER_START, i);
                        }
                    }
                    break;
                case Prefilter.AT:
                    for (Detector d : atSign) {
                        d.onTrigger(s, Detector.AT, i);
                    }
                    break;
                case Prefilter.COLON:
                    for (Detector d : colon) {
                        d.onTrigger(s, Detector.COLON, i);
                    }
                    break;
                default:
                    break;
            }
        }
    }

    private List<Detection> resolve(Scan s) {
        List<Scan.Candidate> c = s.candidates;
        c.sort(Comparator.comparingInt(Scan.Candidate::start).thenComparingInt(x -> -x.end()));
        List<Scan.Candidate> kept = new ArrayList<>();
        List<Scan.Candidate> exempt = new ArrayList<>();
        // a URL with credentials contains a host (IP, email-like user@host) and may contain a token:
        // it suppresses the PII and generic candidates inside it but keeps specific secrets
        int[] urlStart = new int[16];
        int[] urlEnd = new int[16];
        int urls = 0;
        for (Scan.Candidate x : c) {
            if (x.type().equals(URL_CREDENTIAL)) {
                if (urls == urlStart.length) {
                    urlStart = java.util.Arrays.copyOf(urlStart, urls * 2);
                    urlEnd = java.util.Arrays.copyOf(urlEnd, urls * 2);
                }
                urlStart[urls] = x.start();
                urlEnd[urls++] = x.end();
            }
        }
        for (Scan.Candidate x : c) {
            if (x.category() == DetectionCategory.SOURCE_CODE || x.category() == DetectionCategory.CUSTOM
                    || x.type().equals(URL_CREDENTIAL)) {
                exempt.add(x);
                continue;
            }
            if (urls > 0 && insideUrl(urlStart, urlEnd, urls, x)) {
                if (x.category() != DetectionCategory.SECRET || x.generic()) {
                    continue;
                }
                exempt.add(x);
                continue;
            }
            boolean placed = false;
            for (int k = kept.size() - 1; k >= 0 && k >= kept.size() - 8; k--) {
                Scan.Candidate y = kept.get(k);
                if (x.start() < y.end() && y.start() < x.end()) {
                    if (better(x, y)) {
                        kept.set(k, x);
                        // x may now overlap with earlier survivors too; drop those it beats
                        for (int j = k - 1; j >= 0 && j >= k - 8; j--) {
                            Scan.Candidate z = kept.get(j);
                            if (z.end() > x.start() && better(x, z)) {
                                kept.remove(j);
                                k--;
                            }
                        }
                    }
                    placed = true;
                    break;
                }
            }
            if (!placed) {
                kept.add(x);
            }
        }
        kept.addAll(exempt);
        kept.sort(Comparator.comparingInt(Scan.Candidate::start).thenComparingInt(Scan.Candidate::end));
        List<Detection> out = new ArrayList<>(kept.size());
        String t = s.text();
        for (Scan.Candidate x : kept) {
            if (x.likelihood().compareTo(config.minLikelihood()) < 0 || config.disabledTypes().contains(x.type())) {
                continue;
            }
            out.add(new Detection(x.type(), x.category(), x.likelihood(), x.start(), x.end(),
                    Masker.mask(t, x.start(), x.end(), x.mask()), hasher.hmac(t, x.start(), x.end())));
        }
        return out;
    }

    private static boolean insideUrl(int[] starts, int[] ends, int n, Scan.Candidate x) {
        // starts are sorted (candidates are sorted by start); find the last URL starting before x ends
        int lo = 0;
        int hi = n - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (starts[mid] < x.end()) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && ends[found] > x.start();
    }

    private static boolean better(Scan.Candidate x, Scan.Candidate y) {
        if (x.generic() != y.generic()) {
            return !x.generic();
        }
        int l = x.likelihood().compareTo(y.likelihood());
        if (l != 0) {
            return l > 0;
        }
        return x.end() - x.start() > y.end() - y.start();
    }
}
