package dev.umbra.classifier.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.Detection;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Precision, recall and F1 per detector type over a labelled JSONL corpus (one sample per line:
 * {@code text} and {@code labels} of {@code type, start, end}). A detection is a true positive
 * when it overlaps a label of the same type; each label counts once.
 */
public final class Evaluation {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Counts of one type. */
    public static final class Counts {
        int tp;
        int fp;
        int fn;

        /** True positives. */
        public int tp() {
            return tp;
        }

        /** False positives. */
        public int fp() {
            return fp;
        }

        /** False negatives. */
        public int fn() {
            return fn;
        }

        /** Precision, 1 when nothing was detected. */
        public double precision() {
            return tp + fp == 0 ? 1.0 : (double) tp / (tp + fp);
        }

        /** Recall, 1 when nothing was labelled. */
        public double recall() {
            return tp + fn == 0 ? 1.0 : (double) tp / (tp + fn);
        }

        /** Harmonic mean of precision and recall. */
        public double f1() {
            double p = precision();
            double r = recall();
            return p + r == 0 ? 0 : 2 * p * r / (p + r);
        }
    }

    /**
     * The result.
     *
     * @param samples samples read
     * @param byType counts per type, sorted by type
     * @param languageHits source-code labels whose language the detector guessed right
     * @param languageTotal source-code labels that carry a language and were detected
     * @param errors identifiers of samples that produced a false positive or negative (at most 50)
     */
    public record Result(int samples, Map<String, Counts> byType, int languageHits, int languageTotal,
            List<String> errors) {
    }

    private Evaluation() {
    }

    /** Runs {@code classifier} over every sample of {@code corpus}. */
    public static Result run(Classifier classifier, Path corpus) throws IOException {
        Map<String, Counts> byType = new TreeMap<>();
        List<String> errors = new ArrayList<>();
        int samples = 0;
        int langHits = 0;
        int langTotal = 0;
        try (BufferedReader in = Files.newBufferedReader(corpus, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode s = JSON.readTree(line);
                samples++;
                String text = s.path("text").asText("");
                List<Detection> found = classifier.scan(text).detections();
                boolean[] used = new boolean[found.size()];
                boolean wrong = false;
                for (JsonNode label : s.path("labels")) {
                    String type = label.path("type").asText();
                    int ls = label.path("start").asInt();
                    int le = label.path("end").asInt();
                    Counts c = byType.computeIfAbsent(type, k -> new Counts());
                    int hit = -1;
                    for (int i = 0; i < found.size(); i++) {
                        Detection d = found.get(i);
                        if (d.type().equals(type) && d.start() < le && ls < d.end()) {
                            if (hit < 0) {
                                hit = i;
                            }
                            used[i] = true;
                        }
                    }
                    if (hit >= 0) {
                        c.tp++;
                        String lang = label.path("language").asText(null);
                        if (lang != null) {
                            langTotal++;
                            if (found.get(hit).masked().startsWith("[source code: " + lang + ",")) {
                                langHits++;
                            }
                        }
                    } else {
                        c.fn++;
                        wrong = true;
                    }
                }
                for (int i = 0; i < found.size(); i++) {
                    if (!used[i]) {
                        byType.computeIfAbsent(found.get(i).type(), k -> new Counts()).fp++;
                        wrong = true;
                    }
                }
                if (wrong && errors.size() < 50) {
                    errors.add(s.path("id").asText("?"));
                }
            }
        }
        return new Result(samples, byType, langHits, langTotal, errors);
    }
}
