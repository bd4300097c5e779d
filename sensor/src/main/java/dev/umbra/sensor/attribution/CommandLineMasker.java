package dev.umbra.sensor.attribution;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in process command lines before they leave the host: values of options and
 * variables whose name says secret ({@code --api-key X}, {@code --password=X}, {@code TOKEN=X}),
 * passwords in URLs ({@code https://user:pass@host}), and tokens whose format is well known (OpenAI,
 * Anthropic, GitHub, Slack, AWS, Google API keys). A masked value keeps at most its first four
 * characters: {@code sk-p****}.
 */
public final class CommandLineMasker {
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(pass(word|wd)?|secret|token|api[-_]?key|apikey|access[-_]?key|private[-_]?key|auth|credential|bearer).*");
    private static final Pattern ASSIGNMENT = Pattern.compile("^(-{0,2}[A-Za-z0-9_.-]+)=(.+)$", Pattern.DOTALL);
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/:@\\s]+:)([^@/\\s]+)(@)");
    private static final Pattern KNOWN_TOKEN = Pattern.compile(
            "(sk-ant-[A-Za-z0-9_-]{8,}|sk-[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"
                    + "|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}"
                    + "|eyJ[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]{10,}\\.[A-Za-z0-9_-]*)");

    private CommandLineMasker() {
    }

    /** The arguments joined by spaces, each masked. */
    public static String mask(List<String> args) {
        StringBuilder sb = new StringBuilder();
        boolean maskNext = false;
        for (String arg : args) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (maskNext && !arg.startsWith("-")) {
                sb.append(maskValue(arg));
                maskNext = false;
                continue;
            }
            maskNext = false;
            Matcher assignment = ASSIGNMENT.matcher(arg);
            if (assignment.matches() && SECRET_NAME.matcher(assignment.group(1)).matches()) {
                sb.append(assignment.group(1)).append('=').append(maskValue(assignment.group(2)));
                continue;
            }
            if (arg.startsWith("-") && SECRET_NAME.matcher(arg).matches()) {
                maskNext = true;
            }
            sb.append(maskTokens(arg));
        }
        return sb.toString();
    }

    private static String maskTokens(String arg) {
        String out = URL_PASSWORD.matcher(arg).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "****" + m.group(3)));
        Matcher t = KNOWN_TOKEN.matcher(out);
        return t.replaceAll(m -> Matcher.quoteReplacement(maskValue(m.group())));
    }

    /** Keeps up to four leading characters (fewer for short values) and replaces the rest. */
    static String maskValue(String value) {
        int keep = value.length() >= 16 ? 4 : value.length() >= 8 ? 2 : 0;
        return value.substring(0, keep) + "****";
    }

    static boolean looksSecretName(String name) {
        return SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches();
    }
}
