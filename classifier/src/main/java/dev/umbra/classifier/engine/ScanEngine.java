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
import java.util.Arrays;
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
    // per thread, the two chains' lists of flagged characters (offset, entry), grown as needed and reused
    private final ThreadLocal<int[][]> eventBuffers = ThreadLocal.withInitial(() -> new int[][] {new int[512], new int[512]});

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

    /*
     * The pass runs the prefilter DFA as two chains at once: one over the first half of the text,
     * one over the second half, started from the root (anchor length - 1) characters before the
     * middle, which is as far back as the automaton's state depends on. A DFA step is a chain of
     * dependent loads, so the two independent chains take about the time of one. Each chain only
     * records the characters whose entry is flagged SLOW; those are then handled in text order
     * (the first chain's, then the second chain's from the middle on), exactly as a single chain
     * would have handled them.
     */
    private void pass(Scan s, String t, int n) {
        final int[] table = prefilter.table();
        final byte[] cls = prefilter.classTable();
        final int rootAfterWord = prefilter.rootAfterWord();
        final char[] chars = s.chars();
        int mid = n / 2;
        int b = mid - (prefilter.maxAnchorLength() - 1);
        if (n < 64 || b <= 0) {
            mid = n;
            b = n;
        }
        int[][] buffers = eventBuffers.get();
        int[] ev1 = buffers[0];
        int[] ev2 = buffers[1];
        int e1 = 0;
        int e2 = 0;
        int row1 = 0;
        int row2 = b > 0 && b < n && Prefilter.wordChar(chars[b - 1]) ? rootAfterWord : 0;
        int both = Math.min(mid, n - b);
        for (int k = 0; k < both; k++) {
            char c1 = chars[k];
            char c2 = chars[b + k];
            if (c1 >= 128) {
                row1 = Character.isLetterOrDigit(c1) ? rootAfterWord : 0;
            } else {
                int v = table[row1 + cls[c1]];
                row1 = v & Prefilter.ROW;
                if (v < 0) {
                    if (e1 + 2 > ev1.length) {
                        ev1 = Arrays.copyOf(ev1, ev1.length * 2);
                    }
                    ev1[e1++] = k;
                    ev1[e1++] = v;
                }
            }
            if (c2 >= 128) {
                row2 = Character.isLetterOrDigit(c2) ? rootAfterWord : 0;
            } else {
                int v = table[row2 + cls[c2]];
                row2 = v & Prefilter.ROW;
                if (v < 0 && b + k >= mid) {
                    if (e2 + 2 > ev2.length) {
                        ev2 = Arrays.copyOf(ev2, ev2.length * 2);
                    }
                    ev2[e2++] = b + k;
                    ev2[e2++] = v;
                }
            }
        }
        // the rest of the longer chain
        int row = both < mid ? row1 : row2;
        int from = both < mid ? both : b + both;
        int to = both < mid ? mid : n;
        int[] ev = both < mid ? ev1 : ev2;
        int e = both < mid ? e1 : e2;
        for (int i = from; i < to; i++) {
            char c = chars[i];
            if (c >= 128) {
                row = Character.isLetterOrDigit(c) ? rootAfterWord : 0;
                continue;
            }
            int v = table[row + cls[c]];
            row = v & Prefilter.ROW;
            if (v < 0 && i >= (both < mid ? 0 : mid)) {
                if (e + 2 > ev.length) {
                    ev = Arrays.copyOf(ev, ev.length * 2);
                }
                ev[e++] = i;
                ev[e++] = v;
            }
        }
        if (both < mid) {
            ev1 = ev;
            e1 = e;
        } else {
            ev2 = ev;
            e2 = e;
        }
        buffers[0] = ev1;
        buffers[1] = ev2;
        DigitRun run = new DigitRun();
        int numberEnd = handle(s, t, n, ev1, e1, run, -1);
        handle(s, t, n, ev2, e2, run, numberEnd);
    }

    /** Handles the flagged characters {@code (offset, entry)} pairs in {@code ev[0, count)}; returns the number cursor. */
    private int handle(Scan s, String t, int n, int[] ev, int count, DigitRun run, int numberEnd) {
        final char[] chars = s.chars();
        for (int x = 0; x < count; x += 2) {
            int i = ev[x];
            int v = ev[x + 1];
            char c = chars[i];
            if ((v & Prefilter.ANCHOR) != 0) {
                for (int id : prefilter.anchorsAt(v & Prefilter.ROW)) {
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
        return numberEnd;
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
