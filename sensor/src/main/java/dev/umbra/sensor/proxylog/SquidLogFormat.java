package dev.umbra.sensor.proxylog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A compiled Squid {@code logformat} definition (squid.conf, directive {@code logformat}):
 *
 * <pre>
 *   logformat &lt;name&gt; &lt;format specification&gt;
 *   % ["] [-] [0] [width] [{arg}] formatcode      ; flags: " quote, [ escape, # URL-encode, ' raw
 *   %ts.%03tu %6tr %&gt;a %Ss/%03&gt;Hs %&lt;st %rm %ru %[un %Sh/%&lt;a %mt   ; "squid" (native)
 * </pre>
 *
 * Compiling turns the text into literals and fields; a field code Umbra has no use for is kept as
 * a field to skip. {@code %{Host}>h} counts as a destination like {@code %rd}. A literal space matches one or more spaces or tabs (Squid pads fields with a
 * width). Immutable and thread-safe.
 */
public final class SquidLogFormat {
    /** Squid's native format ({@code logformat squid}), also the Cisco WSA access log's first fields. */
    public static final String NATIVE_DEFINITION = "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt";
    /** Squid's {@code combined} format (Apache combined plus the Squid status). */
    public static final String COMBINED_DEFINITION =
            "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st \"%{Referer}>h\" \"%{User-Agent}>h\" %Ss:%Sh";
    /** Squid's {@code common} format (Apache common plus the Squid status). */
    public static final String COMMON_DEFINITION = "%>a %[ui %[un [%tl] \"%rm %ru HTTP/%rv\" %>Hs %<st %Ss:%Sh";

    /** Longest definition accepted. */
    public static final int MAX_DEFINITION_LENGTH = 4096;

    // field roles
    static final int SKIP = 0;
    static final int TS = 1;
    static final int TU = 2;
    static final int TL = 3;
    static final int CLIENT_IP = 4;
    static final int CLIENT_PORT = 5;
    static final int SERVER_IP = 6;
    static final int SERVER_PORT = 7;
    static final int USER = 8;
    static final int USER_AUTH = 9;
    static final int USER_EXT = 10;
    static final int USER_SSL = 11;
    static final int USER_IDENT = 12;
    static final int METHOD = 13;
    static final int URL = 14;
    static final int PATH = 15;
    static final int HOST = 16;
    static final int STATUS = 17;
    static final int BYTES_IN = 18;
    static final int BYTES_OUT = 19;
    static final int ROLES = 20;

    // known codes, longest first within a shared prefix (matched in order)
    private static final String[] CODES = {
        ">eui", ">la", ">lp", "<la", "<lp", ">Hs", "<Hs", ">st", "<st", ">sh", "<sh", ">ru", "<ru", ">rm", "<rm",
        ">rp", "<rp", ">rv", "<rv", ">rd", "<rd", ">rs", "<rs", ">rP", "<tt", "<pt", "<bs", ">ha", ">A", "<A",
        ">a", ">p", "<a", "<p", ">h", "<h", "la", "lp", "sn", "ts", "tu", "tl", "tg", "tr", "dt", "tt", "tS", "un",
        "ul", "ui", "ue", "us", "Ss", "Sh", "mt", "rm", "ru", "rp", "rv", "rd", "rs", "Hs", "st", "sh", "ea", "et",
        "err_code", "err_detail", "note", "credentials"
    };

    private final String definition;
    final byte[][] literals; // literal of item i, or null when item i is a field
    final int[] roles;
    final boolean hasTime;

    private SquidLogFormat(String definition, List<byte[]> literals, List<Integer> roles) {
        this.definition = definition;
        this.literals = literals.toArray(new byte[0][]);
        this.roles = roles.stream().mapToInt(Integer::intValue).toArray();
        boolean t = false;
        for (int r : this.roles) {
            t |= r == TS || r == TL;
        }
        this.hasTime = t;
    }

    /** Squid's native format. */
    public static SquidLogFormat nativeFormat() {
        return compile(NATIVE_DEFINITION);
    }

    /** Squid's combined format. */
    public static SquidLogFormat combined() {
        return compile(COMBINED_DEFINITION);
    }

    /**
     * Compiles a format specification, with or without the {@code logformat <name>} prefix.
     *
     * @throws IllegalArgumentException naming the problem and its position
     */
    public static SquidLogFormat compile(String definition) {
        if (definition == null || definition.isBlank()) {
            throw new IllegalArgumentException("Squid logformat definition is empty");
        }
        if (definition.length() > MAX_DEFINITION_LENGTH) {
            throw new IllegalArgumentException("Squid logformat definition exceeds " + MAX_DEFINITION_LENGTH
                    + " characters: " + definition.length());
        }
        String spec = definition.strip();
        if (spec.startsWith("logformat ")) {
            String rest = spec.substring("logformat ".length()).stripLeading();
            int sp = rest.indexOf(' ');
            if (sp < 0) {
                throw new IllegalArgumentException("Squid logformat definition has a name but no format: " + definition);
            }
            spec = rest.substring(sp + 1).strip();
        }
        List<byte[]> literals = new ArrayList<>();
        List<Integer> roles = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        boolean gmt = false;
        int i = 0;
        while (i < spec.length()) {
            char c = spec.charAt(i);
            if (c != '%') {
                // a run of blanks is one blank: it matches one or more in a line
                if (c == ' ' || c == '\t') {
                    if (lit.length() == 0 || lit.charAt(lit.length() - 1) != ' ') {
                        lit.append(' ');
                    }
                } else {
                    lit.append(c);
                }
                i++;
                continue;
            }
            if (i + 1 < spec.length() && spec.charAt(i + 1) == '%') {
                lit.append('%');
                i += 2;
                continue;
            }
            int start = i;
            i++;
            while (i < spec.length() && "\"[#'-0".indexOf(spec.charAt(i)) >= 0) {
                i++;
            }
            while (i < spec.length() && (Character.isDigit(spec.charAt(i)) || spec.charAt(i) == '.')) {
                i++;
            }
            String arg = null;
            if (i < spec.length() && spec.charAt(i) == '{') {
                int close = spec.indexOf('}', i);
                if (close < 0) {
                    throw new IllegalArgumentException("Squid logformat: unclosed '{' at position " + i + ": " + definition);
                }
                arg = spec.substring(i + 1, close);
                i = close + 1;
            }
            String code = null;
            for (String k : CODES) {
                if (spec.startsWith(k, i)) {
                    code = k;
                    break;
                }
            }
            if (code == null) {
                int j = i;
                if (j < spec.length() && (spec.charAt(j) == '<' || spec.charAt(j) == '>')) {
                    j++;
                }
                while (j < spec.length() && (Character.isLetterOrDigit(spec.charAt(j)) || spec.charAt(j) == '_'
                        || spec.charAt(j) == ':')) {
                    j++;
                }
                if (j == i || (j == i + 1 && !Character.isLetter(spec.charAt(i)))) {
                    throw new IllegalArgumentException("Squid logformat: no format code after '%' at position " + start
                            + ": " + definition);
                }
                code = spec.substring(i, j);
            }
            i += code.length();
            if (lit.length() > 0) {
                literals.add(lit.toString().getBytes(StandardCharsets.ISO_8859_1));
                roles.add(SKIP);
                lit.setLength(0);
            } else if (!roles.isEmpty() && literals.get(literals.size() - 1) == null) {
                throw new IllegalArgumentException("Squid logformat: fields %" + code + " at position " + start
                        + " and the one before it have no separator, so lines cannot be split: " + definition);
            }
            gmt |= code.equals("tg");
            literals.add(null);
            // %{Host}>h: the request's Host header, a destination when the URL is origin-form
            roles.add(code.equals(">h") && "host".equalsIgnoreCase(arg) ? HOST : role(code));
        }
        if (lit.length() > 0) {
            literals.add(lit.toString().getBytes(StandardCharsets.ISO_8859_1));
            roles.add(SKIP);
        }
        if (!roles.contains(URL) && !roles.contains(HOST)) {
            throw new IllegalArgumentException("Squid logformat has no URL (%ru) or host (%rd) field, so no destination "
                    + "can be read: " + definition);
        }
        return new SquidLogFormat(definition, literals, roles);
    }

    private static int role(String code) {
        return switch (code) {
            case "ts" -> TS;
            case "tu" -> TU;
            case "tl", "tg" -> TL;
            case ">a" -> CLIENT_IP;
            case ">p" -> CLIENT_PORT;
            case "<a" -> SERVER_IP;
            case "<p" -> SERVER_PORT;
            case "un" -> USER;
            case "ul" -> USER_AUTH;
            case "ue" -> USER_EXT;
            case "us" -> USER_SSL;
            case "ui" -> USER_IDENT;
            case "rm", ">rm" -> METHOD;
            case "ru", ">ru" -> URL;
            case "rp", ">rp" -> PATH;
            case "rd", ">rd" -> HOST;
            case "Hs", ">Hs" -> STATUS;
            case "<st" -> BYTES_IN;
            case ">st" -> BYTES_OUT;
            default -> SKIP;
        };
    }

    /** The definition this was compiled from. */
    public String definition() {
        return definition;
    }

    @Override
    public String toString() {
        return "SquidLogFormat[" + definition.toLowerCase(Locale.ROOT) + "]";
    }
}
