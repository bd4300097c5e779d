package dev.umbra.classifier.secrets;

import static dev.umbra.classifier.DetectionCategory.SECRET;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.engine.AhoCorasick;
import dev.umbra.classifier.engine.Checks;
import dev.umbra.classifier.engine.Detector;
import dev.umbra.classifier.engine.Mask;
import dev.umbra.classifier.engine.Scan;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Credentials: cloud keys, code-hosting and SaaS tokens, AI provider keys, PEM private keys, JWTs,
 * credentials in URLs and generic secrets assigned to secret-like names. Formats are taken from
 * the providers' published token formats; checksums are verified where published (GitHub CRC32,
 * JWT structure).
 */
public final class SecretDetectors {
    private SecretDetectors() {
    }

    /** The secret detectors. */
    public static List<Detector> all() {
        return List.of(new AwsKeyId(), new AwsSecret(), new PrefixedTokens(), new ServiceTokens(), new AzureClientSecret(),
                new PrivateKey(), new Jwt(), new UrlCredentials(), new GenericSecret());
    }

    static boolean isLetter(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }

    static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    static boolean alnum(char c) {
        return isLetter(c) || isDigit(c);
    }

    static boolean urlSafe(char c) {
        return alnum(c) || c == '_' || c == '-';
    }

    static boolean base64(char c) {
        return alnum(c) || c == '+' || c == '/';
    }

    /** Offset after the run of characters accepted by {@code k} starting at {@code i}, at most {@code max} long. */
    static int run(Scan s, int i, int max, CharClass k) {
        char[] t = s.chars();
        int limit = Math.min(s.length(), i + max);
        int e = i;
        while (e < limit && e >= 0 && k.test(t[e])) {
            e++;
        }
        return e;
    }

    /**
     * A set of ASCII characters as a 128-bit mask: a final class, so that the test inlines in the
     * per-character loop of {@link #run} (a lambda per character class made that call megamorphic).
     */
    static final class CharClass {
        private final long lo;
        private final long hi;

        private CharClass(IntPredicate p) {
            long l = 0;
            long h = 0;
            for (int c = 0; c < 64; c++) {
                l |= p.test(c) ? 1L << c : 0;
                h |= p.test(c + 64) ? 1L << c : 0;
            }
            lo = l;
            hi = h;
        }

        static CharClass of(IntPredicate p) {
            return new CharClass(p);
        }

        boolean test(char c) {
            return c < 64 ? (lo & 1L << c) != 0 : c < 128 && (hi & 1L << c) != 0;
        }
    }

    static final CharClass ALNUM = CharClass.of(c -> alnum((char) c));
    static final CharClass URL_SAFE = CharClass.of(c -> urlSafe((char) c));
    static final CharClass BASE64 = CharClass.of(c -> base64((char) c));
    static final CharClass BASE32_UPPER = CharClass.of(c -> c >= 'A' && c <= 'Z' || c >= '2' && c <= '7');
    static final CharClass URL_SAFE_DOT = CharClass.of(c -> urlSafe((char) c) || c == '.');
    static final CharClass ALNUM_SLASH = CharClass.of(c -> alnum((char) c) || c == '/');
    static final CharClass BASE64_PAD = CharClass.of(c -> base64((char) c) || c == '=');
    static final CharClass ALNUM_DASH = CharClass.of(c -> alnum((char) c) || c == '-');
    static final CharClass HOST = CharClass.of(c -> alnum((char) c) || c == '.' || c == '-' || c == ':' || c == '_');
    static final CharClass BEARER_TOKEN = CharClass.of(c -> urlSafe((char) c) || c == '.' || c == '~' || c == '+'
            || c == '/' || c == '=');

    static boolean startsWith(Scan s, int i, String exact) {
        return s.text().startsWith(exact, i);
    }

    /** AWS access key ids: a four-letter type prefix and 16 base32 characters. */
    static final class AwsKeyId implements Detector {
        private static final List<String> PREFIXES = List.of("akia", "asia", "abia", "acca", "agpa", "aida", "aroa",
                "aipa", "anpa", "anva", "apka");

        @Override
        public List<String> anchors() {
            return PREFIXES;
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (s.alnumAt(start - 1) || !startsWith(s, start, PREFIXES.get(anchor).toUpperCase(Locale.ROOT))) {
                return;
            }
            int e = run(s, end, 17, BASE32_UPPER);
            if (e - end != 16 || s.alnumAt(e)) {
                return;
            }
            Likelihood l = anchor <= 1 ? Likelihood.VERY_LIKELY : Likelihood.LIKELY;
            if (s.text().regionMatches(e - 7, "EXAMPLE", 0, 7)) {
                l = Likelihood.UNLIKELY;
            }
            s.emit("aws_access_key_id", SECRET, l, start, e, Mask.token(4, 2));
        }
    }

    /** AWS secret access keys: 40 base64 characters shortly after a secret-access-key name. */
    static final class AwsSecret implements Detector {
        private static final List<String> ANCHORS = List.of("secret_access_key", "secretaccesskey", "aws_secret",
                "secret access key", "aws secret key", "aws-secret");

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            for (int i = end; i < Math.min(s.length(), end + 120); i++) {
                if (!base64(s.at(i)) || base64(s.at(i - 1))) {
                    continue;
                }
                int e = run(s, i, 41, BASE64);
                if (e - i == 40 && !base64(s.at(e)) && s.at(e) != '=' && Checks.charClasses(s.text(), i, e) >= 3
                        && Checks.entropy(s.text(), i, e) >= 4.0) {
                    s.emit("aws_secret_access_key", SECRET, Likelihood.VERY_LIKELY, i, e, Mask.token(2, 2));
                    return;
                }
                i = e;
            }
        }
    }

    /**
     * Tokens with a published prefix: GitHub (with CRC32 check), GitLab, Slack, Stripe, OpenAI,
     * Anthropic, Google API keys, Azure storage keys.
     */
    static final class PrefixedTokens implements Detector {
        private static final List<String> ANCHORS = List.of(
                /* 0-4 */ "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
                /* 5 */ "github_pat_",
                /* 6-10 */ "glpat-", "gldt-", "glrt-", "glptt-", "glcbt-",
                /* 11-17 */ "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-",
                /* 18 */ "hooks.slack.com/services/",
                /* 19-22 */ "sk_live_", "sk_test_", "rk_live_", "rk_test_",
                /* 23 */ "sk-",
                /* 24 */ "sk-ant-",
                /* 25 */ "aiza",
                /* 26-27 */ "accountkey=", "sharedaccesskey=");

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        @Override
        public void onAnchor(Scan s, int a, int start, int end) {
            String prefix = ANCHORS.get(a);
            boolean caseExact = a >= 25 || startsWith(s, start, prefix);
            if (!caseExact || a != 18 && (s.alnumAt(start - 1) || s.at(start - 1) == '_' || s.at(start - 1) == '-')) {
                return;
            }
            if (a <= 4) {
                int e = run(s, end, 37, ALNUM);
                if (e - end == 36 && !urlSafe(s.at(e)) && Checks.githubChecksum(s.text(), end, end + 30)) {
                    s.emit("github_token", SECRET, Likelihood.VERY_LIKELY, start, e, Mask.token(4, 2));
                }
            } else if (a == 5) {
                int e1 = run(s, end, 23, ALNUM);
                if (e1 - end == 22 && s.at(e1) == '_') {
                    int e = run(s, e1 + 1, 60, ALNUM);
                    if (e - e1 - 1 == 59 && !urlSafe(s.at(e))) {
                        s.emit("github_token", SECRET, Likelihood.VERY_LIKELY, start, e, Mask.token(11, 2));
                    }
                }
            } else if (a <= 10) {
                int e = run(s, end, 65, URL_SAFE_DOT);
                while (e > end && s.at(e - 1) == '.') {
                    e--;
                }
                int len = e - end;
                if (len >= 20 && len <= 64 && !urlSafe(s.at(e)) && Checks.charClasses(s.text(), end, e) >= 2) {
                    s.emit("gitlab_token", SECRET, len == 20 ? Likelihood.VERY_LIKELY : Likelihood.LIKELY, start, e,
                            Mask.token(prefix.length(), 2));
                }
            } else if (a <= 17) {
                slack(s, start, end, prefix);
            } else if (a == 18) {
                int e = run(s, end, 80, ALNUM_SLASH);
                int t = end;
                if (e - end >= 40 && s.at(t) == 'T' && slackWebhookParts(s, t, e)) {
                    int st = s.text().regionMatches(start - 8, "https://", 0, 8) ? start - 8 : start;
                    s.emit("slack_webhook", SECRET, Likelihood.VERY_LIKELY, st, e, Mask.token(st == start ? 25 : 33, 2));
                }
            } else if (a <= 22) {
                int e = run(s, end, 100, ALNUM);
                if (e - end >= 24 && !urlSafe(s.at(e)) && Checks.charClasses(s.text(), end, e) >= 2) {
                    s.emit("stripe_key", SECRET, a == 19 || a == 21 ? Likelihood.VERY_LIKELY : Likelihood.LIKELY, start, e,
                            Mask.token(prefix.length(), 2));
                }
            } else if (a == 23) {
                openAi(s, start, end);
            } else if (a == 24) {
                int e = run(s, end, 200, URL_SAFE);
                int len = e - start;
                boolean canonical = (startsWith(s, end, "api03-") || startsWith(s, end, "admin01-"))
                        && s.at(e - 1) == 'A' && s.at(e - 2) == 'A' && (len == 108 || len == 109);
                if (canonical || len >= 50 && Checks.entropy(s.text(), end, e) > 4.0) {
                    s.emit("anthropic_api_key", SECRET, canonical ? Likelihood.VERY_LIKELY : Likelihood.LIKELY, start, e,
                            Mask.token(14, 2));
                }
            } else if (a == 25) {
                if (!startsWith(s, start, "AIza")) {
                    return;
                }
                int e = run(s, end, 36, URL_SAFE);
                if (e - end == 35 && !urlSafe(s.at(e))) {
                    s.emit("gcp_api_key", SECRET, Likelihood.VERY_LIKELY, start, e, Mask.token(4, 2));
                }
            } else {
                int e = run(s, end, 120, BASE64_PAD);
                if (e - end >= 40 && Checks.entropy(s.text(), end, e) >= 4.0) {
                    s.emit("azure_storage_key", SECRET, Likelihood.VERY_LIKELY, end, e, Mask.token(2, 2));
                }
            }
        }

        private static boolean slackWebhookParts(Scan s, int t, int e) {
            int slash1 = s.text().indexOf('/', t);
            if (slash1 < 0 || slash1 >= e || slash1 - t < 9 || s.at(slash1 + 1) != 'B') {
                return false;
            }
            int slash2 = s.text().indexOf('/', slash1 + 1);
            return slash2 > 0 && slash2 < e && slash2 - slash1 >= 9 && e - slash2 - 1 >= 20;
        }

        /** Slack tokens: xox?-digits-digits[-digits]-secret, xapp-digit-ID-digits-hex. */
        private static void slack(Scan s, int start, int end, String prefix) {
            int e = run(s, end, 160, ALNUM_DASH);
            while (e > end && s.at(e - 1) == '-') {
                e--;
            }
            int parts = 1;
            int numeric = 0;
            int partStart = end;
            boolean allDigits = true;
            int lastLen = 0;
            for (int i = end; i <= e; i++) {
                if (i == e || s.at(i) == '-') {
                    if (i == partStart) {
                        return;
                    }
                    if (allDigits) {
                        numeric++;
                    }
                    lastLen = i - partStart;
                    if (i < e) {
                        parts++;
                    }
                    partStart = i + 1;
                    allDigits = true;
                } else if (!isDigit(s.at(i))) {
                    allDigits = false;
                }
            }
            if (parts >= 3 && numeric >= 2 && lastLen >= 20 && !urlSafe(s.at(e))) {
                s.emit("slack_token", SECRET, Likelihood.VERY_LIKELY, start, e, Mask.token(prefix.length(), 2));
            }
        }

        /** OpenAI keys: sk-[proj|svcacct|admin-]... with the "T3BlbkFJ" marker, or legacy sk-{48}. */
        private static void openAi(Scan s, int start, int end) {
            if (startsWith(s, end, "ant-")) {
                return;
            }
            int e = run(s, end, 260, URL_SAFE);
            int marker = e - end >= 48 ? s.text().indexOf("T3BlbkFJ", end) : -1;
            if (marker >= e) {
                marker = -1;
            }
            boolean hasMarker = marker >= 0 && marker + 8 <= e && marker - end >= 20 && e - marker - 8 >= 20;
            boolean project = startsWith(s, end, "proj-") || startsWith(s, end, "svcacct-") || startsWith(s, end, "admin-");
            int len = e - end;
            if (hasMarker && !urlSafe(s.at(e))) {
                s.emit("openai_api_key", SECRET, Likelihood.VERY_LIKELY, start, e, Mask.token(project ? 8 : 3, 2));
            } else if (project && len >= 50 && !urlSafe(s.at(e)) && Checks.entropy(s.text(), end, e) > 4.0) {
                s.emit("openai_api_key", SECRET, Likelihood.LIKELY, start, e, Mask.token(8, 2));
            }
        }
    }

    /**
     * Tokens of AI model platforms and of the package and cloud platforms code pasted into prompts
     * carries, each a published prefix and a fixed shape: Hugging Face (user {@code hf_} and organisation
     * {@code api_org_}, 34 letters), Groq ({@code gsk_}, 52 alphanumerics; {@code WGdyb3FY} at 20 makes it
     * very likely), Perplexity ({@code pplx-}, 48), Replicate ({@code r8_}, 37), Amazon Bedrock API keys
     * (long-term: {@code ABSK} and the base64 of {@code BedrockAPIKey-}; short-term: {@code bedrock-api-key-}
     * and the base64 of {@code bedrock.amazonaws.com}), npm ({@code npm_}, 36), PyPI ({@code pypi-} and the
     * base64 of the macaroon's {@code pypi.org} location), Databricks ({@code dapi}, 32 lower-case hex,
     * an optional {@code -digit}), DigitalOcean ({@code dop_v1_}, {@code doo_v1_}, {@code dor_v1_}, 64
     * lower-case hex).
     */
    static final class ServiceTokens implements Detector {
        /** Anchor (as the matcher lower-cases it), exact prefix, type, characters after it, length range. */
        private record Shape(String anchor, String exact, String type, CharClass chars, int min, int max) {
        }

        private static final CharClass LETTERS = CharClass.of(c -> isLetter((char) c));
        private static final CharClass HEX_LOWER = CharClass.of(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
        private static final CharClass ANY_BASE64 = CharClass.of(c -> base64((char) c) || c == '=' || c == '-' || c == '_');
        private static final List<Shape> SHAPES = List.of(
                new Shape("hf_", "hf_", "huggingface_token", LETTERS, 34, 34),
                new Shape("api_org_", "api_org_", "huggingface_token", LETTERS, 34, 34),
                new Shape("gsk_", "gsk_", "groq_api_key", ALNUM, 52, 52),
                new Shape("pplx-", "pplx-", "perplexity_api_key", ALNUM, 48, 48),
                new Shape("r8_", "r8_", "replicate_api_token", ALNUM, 37, 37),
                new Shape("absk", "ABSKQmVkcm9ja0FQSUtleS", "aws_bedrock_api_key", BASE64_PAD, 40, 400),
                new Shape("bedrock-api-key-", "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t", "aws_bedrock_api_key",
                        ANY_BASE64, 20, 4000),
                new Shape("npm_", "npm_", "npm_token", ALNUM, 36, 36),
                new Shape("pypi-", "pypi-AgEIcHlwaS5vcmc", "pypi_token", URL_SAFE, 50, 1000),
                new Shape("dapi", "dapi", "databricks_token", HEX_LOWER, 32, 32),
                new Shape("dop_v1_", "dop_v1_", "digitalocean_token", HEX_LOWER, 64, 64),
                new Shape("doo_v1_", "doo_v1_", "digitalocean_token", HEX_LOWER, 64, 64),
                new Shape("dor_v1_", "dor_v1_", "digitalocean_token", HEX_LOWER, 64, 64));
        private static final List<String> ANCHORS = SHAPES.stream().map(Shape::anchor).toList();

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        @Override
        public void onAnchor(Scan s, int a, int start, int end) {
            Shape shape = SHAPES.get(a);
            if (!startsWith(s, start, shape.exact()) || urlSafe(s.at(start - 1))) {
                return;
            }
            int from = start + shape.exact().length();
            int e = run(s, from, shape.max() + 1, shape.chars());
            int len = e - from;
            if (len < shape.min() || len > shape.max()) {
                return;
            }
            Likelihood l = Likelihood.VERY_LIKELY;
            switch (shape.type()) {
                case "huggingface_token", "npm_token", "perplexity_api_key", "replicate_api_token" -> {
                    if (urlSafe(s.at(e)) || Checks.charClasses(s.text(), from, e) < 2) {
                        return; // a longer identifier, or one word in one case
                    }
                }
                case "groq_api_key" -> {
                    if (urlSafe(s.at(e)) || Checks.charClasses(s.text(), from, e) < 2) {
                        return;
                    }
                    if (!s.text().startsWith("WGdyb3FY", from + 20)) {
                        l = Likelihood.LIKELY;
                    }
                }
                case "databricks_token" -> {
                    if (s.at(e) == '-' && isDigit(s.at(e + 1)) && !urlSafe(s.at(e + 2))) {
                        e += 2;
                    } else if (urlSafe(s.at(e))) {
                        return;
                    }
                    if (Checks.charClasses(s.text(), from, from + 32) < 2) {
                        return; // hex with letters and digits, not a run of one
                    }
                }
                case "digitalocean_token" -> {
                    if (urlSafe(s.at(e))) {
                        return;
                    }
                }
                default -> {
                    // the long-lived and short-lived Bedrock keys and PyPI tokens: their fixed prefix decodes to
                    // the service's name; what follows runs to the end of the token
                }
            }
            s.emit(shape.type(), SECRET, l, start, e, Mask.token(Math.min(shape.exact().length(), 8), 2));
        }
    }

    /** Azure AD (Entra ID) client secrets: three characters, a digit, "Q~", then 31 to 34 characters. */
    static final class AzureClientSecret implements Detector {
        @Override
        public List<String> anchors() {
            return List.of("q~");
        }

        static final CharClass SECRET_CHAR = CharClass.of(c -> secretChar((char) c));

        static boolean secretChar(char c) {
            return alnum(c) || c == '_' || c == '~' || c == '.' || c == '-';
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            int st = start - 4;
            if (s.at(start) != 'Q' || st < 0 || !isDigit(s.at(start - 1)) || secretChar(s.at(st - 1))) {
                return;
            }
            for (int i = st; i < start - 1; i++) {
                if (!secretChar(s.at(i))) {
                    return;
                }
            }
            int e = run(s, end, 35, AzureClientSecret.SECRET_CHAR);
            int len = e - end;
            if (len >= 31 && len <= 34 && !secretChar(s.at(e)) && Checks.charClasses(s.text(), end, e) >= 3) {
                s.emit("azure_client_secret", SECRET, Likelihood.VERY_LIKELY, st, e, Mask.token(6, 2));
            }
        }
    }

    /** PEM-armoured private keys (RFC 7468): BEGIN line, base64 body, END line within 16 KiB. */
    static final class PrivateKey implements Detector {
        private static final int MAX_BLOCK = 16 * 1024;

        @Override
        public List<String> anchors() {
            return List.of("-----begin ");
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (start < s.skipUntil(1)) {
                return;
            }
            int close = -1;
            for (int i = end; i < Math.min(s.length(), end + 48); i++) {
                if (startsWith(s, i, "-----")) {
                    close = i;
                    break;
                }
            }
            if (close < 0 || !s.text().regionMatches(close - 11, "PRIVATE KEY", 0, 11)) {
                return;
            }
            String label = s.text().substring(start, close + 5);
            int body = close + 5;
            int limit = Math.min(s.length(), body + MAX_BLOCK);
            int b64 = 0;
            int stop = -1;
            for (int i = body; i < limit; i++) {
                char c = s.at(i);
                if (c == '-' && startsWith(s, i, "-----END ")) {
                    stop = i;
                    break;
                }
                if (base64(c) || c == '=') {
                    b64++;
                }
            }
            int e;
            Likelihood l;
            if (stop > 0) {
                int lineEnd = stop + 9;
                while (lineEnd < limit && lineEnd - stop < 60 && s.at(lineEnd) != '\n') {
                    if (startsWith(s, lineEnd, "-----")) {
                        lineEnd += 5;
                        break;
                    }
                    lineEnd++;
                }
                e = lineEnd;
                l = b64 >= 64 ? Likelihood.VERY_LIKELY : Likelihood.POSSIBLE;
            } else {
                if (b64 < 64) {
                    return;
                }
                e = body;
                while (e < limit && (base64(s.at(e)) || s.at(e) == '=' || s.at(e) == '\n' || s.at(e) == '\r'
                        || s.at(e) == '\\' || s.at(e) == ' ')) {
                    e++;
                }
                l = Likelihood.LIKELY;
            }
            s.skipUntil(1, e);
            s.emit("private_key", SECRET, l, start, e, Mask.label(label + " [" + (e - start) + " chars redacted]"));
        }
    }

    /** JSON Web Tokens (RFC 7519): three base64url parts whose header and payload decode to JSON objects. */
    static final class Jwt implements Detector {
        private static final JsonFactory JSON = new JsonFactory();
        private static final int MAX_PART = 8192;

        @Override
        public List<String> anchors() {
            return List.of("eyj");
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            if (!startsWith(s, start, "eyJ") || urlSafe(s.at(start - 1))) {
                return;
            }
            int h = run(s, start, MAX_PART, URL_SAFE);
            if (s.at(h) != '.') {
                return;
            }
            int p = run(s, h + 1, MAX_PART, URL_SAFE);
            if (p == h + 1 || s.at(p) != '.') {
                return;
            }
            int sig = run(s, p + 1, MAX_PART, URL_SAFE);
            if (sig - p - 1 < 16 || s.at(sig) == '.' && urlSafe(s.at(sig + 1))) {
                return;
            }
            if (!jsonObject(s.text(), start, h, true) || !jsonObject(s.text(), h + 1, p, false)) {
                return;
            }
            s.emit("jwt", SECRET, Likelihood.VERY_LIKELY, start, sig, Mask.token(3, 2));
        }

        static boolean jsonObject(String t, int start, int end, boolean header) {
            byte[] raw;
            try {
                raw = Base64.getUrlDecoder().decode(t.substring(start, end));
            } catch (IllegalArgumentException e) {
                return false;
            }
            boolean alg = false;
            try (JsonParser parser = JSON.createParser(raw)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return false;
                }
                int depth = 1;
                int tokens = 0;
                while (depth > 0 && tokens++ < 10_000) {
                    JsonToken tk = parser.nextToken();
                    if (tk == null) {
                        return false;
                    }
                    if (tk == JsonToken.START_OBJECT || tk == JsonToken.START_ARRAY) {
                        depth++;
                    } else if (tk == JsonToken.END_OBJECT || tk == JsonToken.END_ARRAY) {
                        depth--;
                    } else if (tk == JsonToken.FIELD_NAME && depth == 1 && "alg".equals(parser.currentName())) {
                        alg = true;
                    }
                }
                return depth == 0 && parser.nextToken() == null && (alg || !header);
            } catch (IOException e) {
                return false;
            }
        }
    }

    /** Credentials in URLs and connection strings: {@code scheme://user:password@host} (RFC 3986 section 3.2.1). */
    static final class UrlCredentials implements Detector {
        private static final Set<String> PLACEHOLDERS = Set.of("password", "pass", "passwd", "pwd", "secret", "user",
                "username", "token", "changeme", "example", "placeholder", "xxx", "redacted");

        @Override
        public List<String> anchors() {
            return List.of("://");
        }

        @Override
        public void onAnchor(Scan s, int anchor, int start, int end) {
            int sch = start;
            while (sch > 0 && start - sch < 24 && (alnum(s.at(sch - 1)) || s.at(sch - 1) == '+' || s.at(sch - 1) == '.'
                    || s.at(sch - 1) == '-')) {
                sch--;
            }
            if (sch == start || !isLetter(s.at(sch))) {
                return;
            }
            int at = -1;
            int colon = -1;
            for (int i = end; i < Math.min(s.length(), end + 200); i++) {
                char c = s.at(i);
                if (c == '@') {
                    at = i;
                    break;
                }
                if (c == ':' && colon < 0) {
                    colon = i;
                }
                if (c <= ' ' || c == '/' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`') {
                    return;
                }
            }
            if (at < 0 || colon < 0 || colon == end || at - colon < 2 || !alnum(s.at(at + 1))) {
                return;
            }
            String pw = s.text().substring(colon + 1, at);
            if (placeholder(pw)) {
                return;
            }
            int host = run(s, at + 1, 255, HOST);
            while (host > at + 1 && (s.at(host - 1) == '.' || s.at(host - 1) == ':')) {
                host--;
            }
            s.emit("credential_in_url", SECRET, Likelihood.VERY_LIKELY, sch, host, Mask.url());
        }

        static boolean placeholder(String pw) {
            String l = pw.toLowerCase(Locale.ROOT);
            if (PLACEHOLDERS.contains(l) || l.contains("your") || l.contains("example") || l.startsWith("$")
                    || l.startsWith("<") || l.startsWith("{") || l.startsWith("%") || l.startsWith("[")) {
                return true;
            }
            return l.chars().allMatch(c -> c == '*' || c == 'x' || c == '.');
        }
    }

    /**
     * Generic secrets: a value assigned to a secret-like name ({@code password}, {@code secret},
     * {@code token}, {@code api_key} ...) in code, configuration, JSON, headers or prose ("my
     * password is ..."), filtered by name suffixes and value stop-words (references, placeholders,
     * templating) and an entropy floor; reported as generic so that a specific detector on the
     * same span wins.
     */
    static final class GenericSecret implements Detector {
        private static final List<String> ANCHORS = List.of(
                /* 0-2 password-like */ "password", "passwd", "pwd",
                /* 3.. key-like */ "secret", "token", "api_key", "apikey", "api-key", "access_key", "accesskey",
                "private_key", "credential", "auth_key", "passphrase",
                /* last */ "bearer ");
        private static final int BEARER = ANCHORS.size() - 1;
        private static final String[] NAME_SUFFIX_OK = array("", "s", "key", "_key", "-key", "_value", "value",
                "_str", "_string", "_access_key", "accesskey", "_b64", "_base64", "_token", "token", "_secret",
                "secret", "_1", "_2", "_hash");
        private static final List<String> NAME_STOPS = List.of("page", "next", "cursor", "continuation", "csrf",
                "xsrf", "max", "num", "total", "input", "output", "prompt", "completion", "cache", "sync", "reset",
                "forgot", "length", "count", "type", "url", "uri", "path", "file", "name", "field", "label", "hint",
                "policy", "expir", "ttl", "timeout", "header", "format", "regex", "pattern", "enabled", "required",
                "min", "limit", "budget", "usage", "tokeniz", "endpoint", "rotation", "validator", "dialog", "strength");
        private static final String[] VALUE_EXACT = array("null", "none", "nil", "true", "false", "undefined",
                "empty", "string", "required", "optional", "password", "secret", "token", "bearer", "basic", "hidden",
                "str", "bool", "int", "number", "object", "default");
        private static final List<String> VALUE_CONTAINS = List.of("example", "placeholder", "changeme", "your",
                "xxxx", "****", "redacted", "dummy", "sample", "replace", "${", "{{", "%s", "%(", "...", "todo",
                "insert", "<", ">", "here", "secret_key_base", "fake", "test123", "lorem", "mask");
        private static final AhoCorasick STOP_WORDS = new AhoCorasick(VALUE_CONTAINS);
        private static final AhoCorasick NAME_STOP_WORDS = new AhoCorasick(NAME_STOPS);
        private static final String[] VALUE_PREFIX = array("process.env", "os.environ", "os.getenv", "getenv",
                "env.", "env[", "config", "settings", "self.", "this.", "$", "vault:", "secrets.",
                "request.", "req.", "args.", "input(", "params", "props.", "options.", "opts.", "http://", "https://",
                "get", "read", "load", "new ", "function", "lambda", "async", "await", "none", "null");

        // the first letters of VALUE_PREFIX, either case: a value starting otherwise skips that list
        private static final CharClass PREFIX_START = CharClass.of(c -> {
            for (String p : VALUE_PREFIX) {
                if (Character.toLowerCase(p.charAt(0)) == Character.toLowerCase((char) c)) {
                    return true;
                }
            }
            return false;
        });

        private static String[] array(String... words) {
            return words;
        }

        @Override
        public List<String> anchors() {
            return ANCHORS;
        }

        static boolean nameChar(char c) {
            return alnum(c) || c == '_' || c == '-' || c == '.';
        }

        @Override
        public void onAnchor(Scan s, int a, int start, int end) {
            if (a == BEARER) {
                bearer(s, start, end);
                return;
            }
            int ns = start;
            while (ns > 0 && start - ns < 40 && nameChar(s.at(ns - 1))) {
                ns--;
            }
            int ne = end;
            while (ne < s.length() && ne - end < 40 && (alnum(s.at(ne)) || s.at(ne) == '_' || s.at(ne) == '-')) {
                ne++;
            }
            // the cheap test first: is there an assignment after the name at all?
            int p = ne;
            boolean xml = s.at(ns - 1) == '<';
            char q0 = s.at(p);
            if (q0 == '"' || q0 == '\'' || q0 == ']') {
                p++;
            }
            int spaces = 0;
            while ((s.at(p) == ' ' || s.at(p) == '\t') && spaces++ < 4) {
                p++;
            }
            char c = s.at(p);
            boolean prose = false;
            if (xml && c == '>') {
                p++;
            } else if (c == '=' && s.at(p + 1) != '=' || c == ':' && s.at(p + 1) != ':') {
                p++;
                if (s.at(p) == '=' || s.at(p) == '>') {
                    p++;
                }
            } else if (c == '?' && s.at(p + 1) == '=') {
                p += 2;
            } else if (a <= 2 && startsWith(s, p, "is ") && s.at(p - 1) == ' ') {
                p += 3;
                prose = true;
            } else {
                return;
            }
            if (!suffixOk(s.text(), end, ne) || NAME_STOP_WORDS.anyMatch(s.chars(), ns, ne)) {
                return;
            }
            spaces = 0;
            while ((s.at(p) == ' ' || s.at(p) == '\t') && spaces++ < 4) {
                p++;
            }
            char q = s.at(p);
            boolean quoted = q == '"' || q == '\'' || q == '`';
            int vs = quoted ? p + 1 : p;
            boolean query = s.at(ns - 1) == '?' || s.at(ns - 1) == '&';
            int ve = vs;
            while (ve < s.length() && ve - vs <= 256) {
                char v = s.at(ve);
                if (quoted ? v == q || v == '\n' : v <= ' ' || v == ',' || v == ';' || v == ')' || v == '}'
                        || v == ']' || v == '&' && query || v == '"' || v == '\'' || v == '<' || v == '>' || v == '`') {
                    break;
                }
                ve++;
            }
            if (quoted && s.at(ve) != q) {
                return;
            }
            if (prose) {
                while (ve > vs && (s.at(ve - 1) == '.' || s.at(ve - 1) == ',' || s.at(ve - 1) == '!')) {
                    ve--;
                }
            }
            int len = ve - vs;
            boolean passwordName = a <= 2;
            if (len < 8 || len > 256 || !valueOk(s, vs, ve, quoted)) {
                return;
            }
            double h = Checks.entropy(s.text(), vs, ve);
            int classes = Checks.charClasses(s.text(), vs, ve);
            Likelihood l;
            if (passwordName) {
                if (classes < 2 && h < 3.0) {
                    return;
                }
                l = Likelihood.LIKELY;
            } else if (len >= 16 && h >= 3.5 && classes >= 2) {
                l = Likelihood.LIKELY;
            } else if (len >= 12 && h >= 3.0 && classes >= 2) {
                l = Likelihood.POSSIBLE;
            } else {
                return;
            }
            s.emit("generic_secret", SECRET, l, vs, ve, Mask.token(2, 2), true);
        }

        /** Whether {@code t[end, ne)} (what follows the anchor in the name) is an accepted suffix, ignoring case. */
        private static boolean suffixOk(String t, int end, int ne) {
            for (String ok : NAME_SUFFIX_OK) {
                if (ok.length() == ne - end && t.regionMatches(true, end, ok, 0, ok.length())) {
                    return true;
                }
            }
            return false;
        }

        private static boolean valueOk(Scan s, int vs, int ve, boolean quoted) {
            boolean digits = false;
            boolean identifierish = true;
            boolean allDigits = true;
            boolean paren = false;
            boolean upper = false;
            int firstDot = -1;
            int firstUnderscore = -1;
            int same = 0;
            for (int i = vs; i < ve; i++) {
                char c = s.at(i);
                digits |= isDigit(c);
                allDigits &= isDigit(c) || c == '.' || c == '-' || c == ':';
                identifierish &= isLetter(c) || c == '_' || c == '.';
                paren |= c == '(';
                upper |= Character.toLowerCase(c) != c;
                if (c == '.' && firstDot < 0) {
                    firstDot = i - vs;
                }
                if (c == '_' && firstUnderscore < 0) {
                    firstUnderscore = i - vs;
                }
                if (i > vs && c == s.at(i - 1)) {
                    same++;
                }
            }
            int len = ve - vs;
            if (allDigits || same > len / 2 || !quoted && paren) {
                return false;
            }
            if (identifierish && (!quoted || firstDot > 0 || firstUnderscore > 0 && !upper && len < 24) && !digits) {
                return false;
            }
            String t = s.text();
            if (len <= 9) {
                for (String exact : VALUE_EXACT) {
                    if (exact.length() == len && t.regionMatches(true, vs, exact, 0, len)) {
                        return false;
                    }
                }
            }
            if (STOP_WORDS.anyMatch(s.chars(), vs, ve)) {
                return false;
            }
            if (!quoted && PREFIX_START.test(s.at(vs))) {
                for (String p : VALUE_PREFIX) {
                    if (p.length() <= len && t.regionMatches(true, vs, p, 0, p.length())) {
                        return false;
                    }
                }
            }
            return true;
        }

        /** {@code Authorization: Bearer <token>}. */
        private static void bearer(Scan s, int start, int end) {
            if (!startsWith(s, start, "Bearer ") && !startsWith(s, start, "bearer ")) {
                return;
            }
            int e = run(s, end, 4096, BEARER_TOKEN);
            int len = e - end;
            if (len >= 20 && len < 4096 && Checks.entropy(s.text(), end, e) >= 3.5 && Checks.charClasses(s.text(), end, e) >= 2
                    && valueOk(s, end, e, true)) {
                s.emit("generic_secret", SECRET, Likelihood.LIKELY, end, e, Mask.token(2, 2), true);
            }
        }
    }
}
