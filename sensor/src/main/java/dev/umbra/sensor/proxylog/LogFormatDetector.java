package dev.umbra.sensor.proxylog;

import dev.umbra.sensor.syslog.SyslogHeader;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Recognises a log format from the first lines of a stream. Header lines decide at once
 * ({@code #Fields:} is W3C, {@code #separator}/{@code #fields} is Zeek); otherwise each data line
 * votes for the format it fits and the most voted wins, so a few garbage lines at the top do not
 * mislead it. Lines behind a syslog header are looked at without it. Not on the hot path: it looks
 * at a few lines per stream.
 */
public final class LogFormatDetector {
    /** Data lines looked at. */
    public static final int MAX_SAMPLE_LINES = 20;

    private static final Pattern SQUID_NATIVE = Pattern.compile(
            "^\\d{9,11}\\.\\d{1,3}\\s+-?\\d+\\s+\\S+\\s+[A-Z_]+/\\d{3}\\s+\\d+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+/\\S+.*");
    private static final Pattern CISCO_WSA_TAIL = Pattern.compile(".*(\\sDEFAULT_CASE|\\s<[A-Za-z_-]+,[^>]*>).*");
    private static final Pattern SQUID_COMMON = Pattern.compile(
            "^\\S+ \\S+ \\S+ \\[[^\\]]+\\] \"\\S+ \\S+ [^\"]*\" \\d{3} \\d+ .*");
    private static final Pattern SQUID_COMBINED = Pattern.compile(
            "^\\S+ \\S+ \\S+ \\[[^\\]]+\\] \"\\S+ \\S+ [^\"]*\" \\d{3} \\d+ \"[^\"]*\" \".*");
    private static final Pattern PANOS = Pattern.compile(
            "^[^,]*,\\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2},[^,]*,(THREAT|TRAFFIC|SYSTEM|CONFIG),.*");
    private static final Pattern ZSCALER_KV = Pattern.compile(".*(^|[\\t ])(eurl|url)=.*(^|[\\t ])(reqmethod|login|cip)=.*");

    /**
     * The outcome: a format, and whether lines carry a syslog header.
     *
     * @param votes data lines that fit the format ({@code lines} for header-decided formats)
     * @param lines data lines looked at
     */
    public record Detection(LogFormat format, boolean syslogHeader, int votes, int lines) {
        /** Whether every line looked at fits the format. */
        public boolean unanimous() {
            return votes == lines;
        }
    }

    private final LogOptions options;

    /** @param options a user logformat or W3C field list in them is tried too */
    public LogFormatDetector(LogOptions options) {
        this.options = options;
    }

    /**
     * Detects from up to {@link #MAX_SAMPLE_LINES} data lines.
     *
     * @return the format, or {@code null} when no line fits any format
     */
    public Detection detect(List<byte[]> lines) {
        Map<LogFormat, Integer> votes = new EnumMap<>(LogFormat.class);
        Map<LogFormat, Integer> syslogVotes = new EnumMap<>(LogFormat.class);
        SyslogHeader header = new SyslogHeader();
        int seen = 0;
        for (byte[] raw : lines) {
            String line = new String(raw, StandardCharsets.ISO_8859_1).strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                if (line.startsWith("#Fields:")) {
                    return new Detection(LogFormat.W3C, false, 1, 1);
                }
                if (line.startsWith("#separator") || line.startsWith("#fields") || line.startsWith("#path")) {
                    return new Detection(LogFormat.ZEEK, false, 1, 1);
                }
                continue;
            }
            if (++seen > MAX_SAMPLE_LINES) {
                break;
            }
            LogFormat f = classify(line);
            if (f != null) {
                votes.merge(f, 1, Integer::sum);
                continue;
            }
            if (header.parse(raw, 0, raw.length, false)) {
                int b = header.bodyStart();
                LogFormat g = classify(new String(raw, b, raw.length - b, StandardCharsets.ISO_8859_1).strip());
                if (g != null) {
                    syslogVotes.merge(g, 1, Integer::sum);
                }
            }
        }
        Detection best = null;
        int bestVotes = 0;
        int looked = Math.min(seen, MAX_SAMPLE_LINES);
        for (Map.Entry<LogFormat, Integer> e : votes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = new Detection(e.getKey(), false, e.getValue(), looked);
                bestVotes = e.getValue();
            }
        }
        for (Map.Entry<LogFormat, Integer> e : syslogVotes.entrySet()) {
            if (e.getValue() > bestVotes) {
                best = new Detection(e.getKey(), true, e.getValue(), looked);
                bestVotes = e.getValue();
            }
        }
        return best;
    }

    /** The format one line (without syslog header) fits, or {@code null}. */
    LogFormat classify(String line) {
        if (line.startsWith("{")) {
            if (line.contains("\"event_type\"")) {
                return LogFormat.SURICATA;
            }
            if (line.contains("\"_path\"") || line.contains("\"id.orig_h\"")) {
                return LogFormat.ZEEK_JSON;
            }
            if (line.contains("\"eurl\"") || line.contains("zscalernss") || line.contains("\"reqmethod\"")) {
                return LogFormat.ZSCALER_JSON;
            }
            return null;
        }
        if (options.squidLogformat() != null && fits(SquidLogFormat.compile(options.squidLogformat()), line)) {
            return LogFormat.SQUID_LOGFORMAT;
        }
        if (SQUID_NATIVE.matcher(line).matches()) {
            return CISCO_WSA_TAIL.matcher(line).matches() ? LogFormat.CISCO_WSA : LogFormat.SQUID;
        }
        if (SQUID_COMBINED.matcher(line).matches()) {
            return LogFormat.SQUID_COMBINED;
        }
        if (SQUID_COMMON.matcher(line).matches()) {
            return LogFormat.SQUID_COMMON;
        }
        if (PANOS.matcher(line).matches()) {
            return LogFormat.PANOS;
        }
        if (ZSCALER_KV.matcher(line).matches()) {
            return LogFormat.ZSCALER_KV;
        }
        if (options.w3cFields() != null && W3cParser.hasDestination(options.w3cFields())) {
            return fitsW3c(line) ? LogFormat.W3C : null;
        }
        return null;
    }

    private boolean fitsW3c(String line) {
        LogStats stats = new LogStats();
        W3cParser p = new W3cParser(options.w3cFields(), new LogContext("detect", o -> { }, stats));
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        p.parse(b, 0, b.length, 1);
        return stats.observations() == 1;
    }

    private static boolean fits(SquidLogFormat format, String line) {
        LogStats stats = new LogStats();
        SquidParser p = new SquidParser(format, new LogContext("detect", o -> { }, stats));
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        p.parse(b, 0, b.length, 1);
        return stats.observations() == 1;
    }
}
