package dev.umbra.classifier;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Settings of a {@link Classifier}. Build one with {@link #builder()} or from properties with
 * {@link #fromProperties(Properties)}; every value is validated when it is set.
 *
 * <table>
 * <caption>Configuration keys</caption>
 * <tr><th>key</th><th>type</th><th>default</th><th>doc</th></tr>
 * <tr><td>classifier.max.input.chars</td><td>int &ge; 1024</td><td>8388608</td><td>characters scanned per text; the rest is counted, not scanned</td></tr>
 * <tr><td>classifier.min.likelihood</td><td>likelihood</td><td>possible</td><td>detections below this are dropped</td></tr>
 * <tr><td>classifier.hmac.key</td><td>hex, &ge; 32 digits</td><td>random per process</td><td>the per-deployment key of the value HMAC</td></tr>
 * <tr><td>classifier.disabled.types</td><td>list</td><td>empty</td><td>detector types not to report</td></tr>
 * <tr><td>classifier.custom.keywords.NAME</td><td>list</td><td>-</td><td>whole-word, case-insensitive keywords reported as type NAME</td></tr>
 * <tr><td>classifier.custom.pattern.NAME</td><td>regex</td><td>-</td><td>a pattern reported as type NAME, matched line by line</td></tr>
 * </table>
 */
public final class ClassifierConfig {
    /** Key of the input cap. */
    public static final String MAX_INPUT_CHARS = "classifier.max.input.chars";
    /** Key of the reporting threshold. */
    public static final String MIN_LIKELIHOOD = "classifier.min.likelihood";
    /** Key of the HMAC key (hex). */
    public static final String HMAC_KEY = "classifier.hmac.key";
    /** Key of the list of disabled types. */
    public static final String DISABLED_TYPES = "classifier.disabled.types";
    /** Prefix of custom keyword lists. */
    public static final String CUSTOM_KEYWORDS_PREFIX = "classifier.custom.keywords.";
    /** Prefix of custom patterns. */
    public static final String CUSTOM_PATTERN_PREFIX = "classifier.custom.pattern.";

    /** Default input cap: 8 Mi characters. */
    public static final int DEFAULT_MAX_INPUT_CHARS = 8 * 1024 * 1024;
    private static final Pattern TYPE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    // a quantified group that itself contains a quantifier: the shape of catastrophic backtracking
    private static final Pattern NESTED_QUANTIFIER = Pattern.compile("\\((?:[^()\\\\]|\\\\.)*[*+}](?:[^()\\\\]|\\\\.)*\\)[*+{?]");

    private final int maxInputChars;
    private final Likelihood minLikelihood;
    private final byte[] hmacKey;
    private final Set<String> disabledTypes;
    private final Map<String, List<String>> customKeywords;
    private final Map<String, Pattern> customPatterns;

    private ClassifierConfig(Builder b) {
        maxInputChars = b.maxInputChars;
        minLikelihood = b.minLikelihood;
        hmacKey = b.hmacKey != null ? b.hmacKey.clone() : randomKey();
        disabledTypes = Set.copyOf(b.disabledTypes);
        customKeywords = Map.copyOf(b.customKeywords);
        customPatterns = Map.copyOf(b.customPatterns);
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, with a random HMAC key. */
    public static ClassifierConfig defaults() {
        return builder().build();
    }

    /**
     * Reads the keys of the table above from {@code p}; unknown {@code classifier.*} keys are refused.
     *
     * @throws IllegalArgumentException naming the key and the rule when a value is invalid
     */
    public static ClassifierConfig fromProperties(Properties p) {
        Builder b = builder();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            String v = p.getProperty(key).trim();
            if (key.equals(MAX_INPUT_CHARS)) {
                try {
                    b.maxInputChars(Integer.parseInt(v));
                } catch (NumberFormatException e) {
                    throw invalid(v, key, "must be an integer");
                }
            } else if (key.equals(MIN_LIKELIHOOD)) {
                try {
                    b.minLikelihood(Likelihood.fromId(v));
                } catch (IllegalArgumentException e) {
                    throw invalid(v, key, "must be one of " + Arrays.toString(Likelihood.values()).toLowerCase(Locale.ROOT));
                }
            } else if (key.equals(HMAC_KEY)) {
                b.hmacKeyHex(v);
            } else if (key.equals(DISABLED_TYPES)) {
                b.disabledTypes(split(v));
            } else if (key.startsWith(CUSTOM_KEYWORDS_PREFIX)) {
                b.customKeywords(key.substring(CUSTOM_KEYWORDS_PREFIX.length()), split(v));
            } else if (key.startsWith(CUSTOM_PATTERN_PREFIX)) {
                b.customPattern(key.substring(CUSTOM_PATTERN_PREFIX.length()), v);
            } else if (key.startsWith("classifier.")) {
                throw invalid(v, key, "unknown key");
            }
        }
        return b.build();
    }

    private static List<String> split(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    static IllegalArgumentException invalid(Object value, String key, String rule) {
        return new IllegalArgumentException("Invalid value " + value + " for configuration " + key + ": " + rule);
    }

    private static byte[] randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }

    /** Characters scanned per text. */
    public int maxInputChars() {
        return maxInputChars;
    }

    /** Detections below this likelihood are dropped. */
    public Likelihood minLikelihood() {
        return minLikelihood;
    }

    /** A copy of the HMAC key. */
    public byte[] hmacKey() {
        return hmacKey.clone();
    }

    /** Types not reported. */
    public Set<String> disabledTypes() {
        return disabledTypes;
    }

    /** Custom keyword lists by type name. */
    public Map<String, List<String>> customKeywords() {
        return customKeywords;
    }

    /** Custom patterns by type name. */
    public Map<String, Pattern> customPatterns() {
        return customPatterns;
    }

    @Override
    public String toString() {
        return "ClassifierConfig[maxInputChars=" + maxInputChars + ", minLikelihood=" + minLikelihood.id()
                + ", hmacKey=(hidden), disabledTypes=" + disabledTypes + ", customKeywords=" + customKeywords.keySet()
                + ", customPatterns=" + customPatterns.keySet() + "]";
    }

    /** Builds a {@link ClassifierConfig}; each setter validates its value. */
    public static final class Builder {
        private int maxInputChars = DEFAULT_MAX_INPUT_CHARS;
        private Likelihood minLikelihood = Likelihood.POSSIBLE;
        private byte[] hmacKey;
        private Set<String> disabledTypes = Set.of();
        private final Map<String, List<String>> customKeywords = new LinkedHashMap<>();
        private final Map<String, Pattern> customPatterns = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder maxInputChars(int n) {
            if (n < 1024) {
                throw invalid(n, MAX_INPUT_CHARS, "must be at least 1024");
            }
            maxInputChars = n;
            return this;
        }

        public Builder minLikelihood(Likelihood l) {
            minLikelihood = java.util.Objects.requireNonNull(l, "likelihood");
            return this;
        }

        public Builder hmacKey(byte[] key) {
            if (key == null || key.length < 16) {
                throw invalid(key == null ? "null" : key.length + " bytes", HMAC_KEY, "must be at least 16 bytes");
            }
            hmacKey = key.clone();
            return this;
        }

        public Builder hmacKeyHex(String hex) {
            byte[] k;
            try {
                k = HexFormat.of().parseHex(hex);
            } catch (IllegalArgumentException e) {
                throw invalid("(hidden)", HMAC_KEY, "must be hex digits");
            }
            if (k.length < 16) {
                throw invalid("(hidden)", HMAC_KEY, "must be at least 32 hex digits (16 bytes)");
            }
            hmacKey = k;
            return this;
        }

        public Builder disabledTypes(List<String> types) {
            disabledTypes = Set.copyOf(types);
            return this;
        }

        public Builder customKeywords(String type, List<String> keywords) {
            checkType(type, CUSTOM_KEYWORDS_PREFIX + type);
            if (keywords.isEmpty()) {
                throw invalid("(empty)", CUSTOM_KEYWORDS_PREFIX + type, "needs at least one keyword");
            }
            for (String k : keywords) {
                if (k.length() < 2 || k.length() > 100 || !k.chars().allMatch(c -> c >= 32 && c < 127)) {
                    throw invalid(k, CUSTOM_KEYWORDS_PREFIX + type, "keywords are 2 to 100 printable ASCII characters");
                }
            }
            customKeywords.put(type, List.copyOf(keywords));
            return this;
        }

        public Builder customPattern(String type, String regex) {
            String key = CUSTOM_PATTERN_PREFIX + type;
            checkType(type, key);
            if (NESTED_QUANTIFIER.matcher(regex).find() || regex.contains("\\1")) {
                throw invalid(regex, key, "nested quantifiers and back-references are not allowed (they can take "
                        + "exponential time). Rewrite without a repeated group that itself repeats");
            }
            try {
                customPatterns.put(type, Pattern.compile(regex));
            } catch (PatternSyntaxException e) {
                throw invalid(regex, key, "not a regular expression: " + e.getDescription());
            }
            return this;
        }

        private static void checkType(String type, String key) {
            if (!TYPE_NAME.matcher(type).matches()) {
                throw invalid(type, key, "a custom type name is lowercase snake_case, at most 48 characters");
            }
        }

        public ClassifierConfig build() {
            return new ClassifierConfig(this);
        }
    }
}
