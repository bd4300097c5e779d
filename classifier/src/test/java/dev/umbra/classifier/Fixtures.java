package dev.umbra.classifier;

import java.util.List;
import java.util.stream.Collectors;

/** Shared helpers of the classifier tests. */
public final class Fixtures {
    /** A fixed test key, so hashes are stable within a run. */
    public static final String KEY_HEX = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    private static final Classifier DEFAULT = Classifier.create(ClassifierConfig.builder().hmacKeyHex(KEY_HEX).build());

    private Fixtures() {
    }

    /** The default classifier with the test key. */
    public static Classifier classifier() {
        return DEFAULT;
    }

    /** Detections of {@code text}. */
    public static List<Detection> scan(String text) {
        return DEFAULT.scan(text).detections();
    }

    /** The types detected in {@code text}, in order. */
    public static List<String> types(String text) {
        return scan(text).stream().map(Detection::type).collect(Collectors.toList());
    }

    /** The text covered by detections of {@code type} (for assertions on spans; never printed). */
    public static List<String> spans(String text, String type) {
        return scan(text).stream().filter(d -> d.type().equals(type)).map(d -> text.substring(d.start(), d.end()))
                .collect(Collectors.toList());
    }
}
