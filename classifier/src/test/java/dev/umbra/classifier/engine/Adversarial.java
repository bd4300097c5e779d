package dev.umbra.classifier.engine;

import java.util.List;
import java.util.Random;

/** Worst-case inputs for the engine: long runs that trigger detectors at every position. */
public final class Adversarial {
    private Adversarial() {
    }

    /** Each adversarial input, {@code size} characters long. */
    public static List<String> all(int size) {
        return List.of(digits(size), groupedDigits(size), base64(size), repeat("eyJ", size), repeat("-----BEGIN ", size),
                repeat("a@", size), repeat("://", size), repeat("password=", size), repeat("1:", size),
                repeat("AKIA", size), deepJsonText(size), repeat("DOB ", size));
    }

    static String repeat(String unit, int size) {
        return unit.repeat(size / unit.length() + 1).substring(0, size);
    }

    /** One run of digits. */
    public static String digits(int size) {
        return repeat("4111111111111111", size);
    }

    /** Digit groups separated by single spaces: every group starts a token. */
    public static String groupedDigits(int size) {
        return repeat("4111 ", size);
    }

    /** Random base64 without separators. */
    public static String base64(int size) {
        Random r = new Random(5);
        String a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder sb = new StringBuilder(size);
        for (int i = 0; i < size; i++) {
            sb.append(a.charAt(r.nextInt(a.length())));
        }
        return sb.toString();
    }

    /** Deeply nested JSON arrays, as text. */
    public static String deepJsonText(int size) {
        return "[".repeat(size / 2) + "]".repeat(size / 2);
    }
}
