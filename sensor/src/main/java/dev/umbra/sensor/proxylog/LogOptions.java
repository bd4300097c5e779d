package dev.umbra.sensor.proxylog;

import java.util.List;

/**
 * How to read a log stream.
 *
 * @param format the format, or {@code null} to detect it from the first lines
 * @param squidLogformat the Squid {@code logformat} definition for {@link LogFormat#SQUID_LOGFORMAT}
 *     (also tried during detection when set), or {@code null}
 * @param w3cFields the columns of headerless W3C/ELFF lines, or {@code null}
 * @param zscalerCsvFields the columns of Zscaler CSV lines, or {@code null} for the NSS default
 * @param maxLineLength the longest line read, in bytes; longer lines are counted and skipped
 */
public record LogOptions(LogFormat format, String squidLogformat, List<String> w3cFields,
        List<String> zscalerCsvFields, int maxLineLength) {
    /** Default cap on line length: 64 KiB. */
    public static final int DEFAULT_MAX_LINE_LENGTH = 64 * 1024;
    /** Largest cap accepted. */
    public static final int MAX_MAX_LINE_LENGTH = 16 * 1024 * 1024;

    public LogOptions {
        if (maxLineLength < 256 || maxLineLength > MAX_MAX_LINE_LENGTH) {
            throw new IllegalArgumentException("Invalid value " + maxLineLength + " for configuration "
                    + "log.max.line.length: must be 256.." + MAX_MAX_LINE_LENGTH + " bytes");
        }
        if (format == LogFormat.SQUID_LOGFORMAT && (squidLogformat == null || squidLogformat.isBlank())) {
            throw new IllegalArgumentException("log format squid-logformat needs a logformat definition "
                    + "(--squid-logformat '%ts.%03tu %>a ...')");
        }
        if (squidLogformat != null) {
            SquidLogFormat.compile(squidLogformat);
        }
        w3cFields = w3cFields == null ? null : List.copyOf(w3cFields);
        zscalerCsvFields = zscalerCsvFields == null ? null : List.copyOf(zscalerCsvFields);
    }

    /** Auto-detection, default limits. */
    public static LogOptions defaults() {
        return new LogOptions(null, null, null, null, DEFAULT_MAX_LINE_LENGTH);
    }

    /** A fixed format, default limits. */
    public static LogOptions of(LogFormat format) {
        return new LogOptions(format, null, null, null, DEFAULT_MAX_LINE_LENGTH);
    }

    /** The parser for a format. */
    LineParser parser(LogFormat f, LogContext ctx) {
        return switch (f) {
            case SQUID, CISCO_WSA -> new SquidParser(SquidLogFormat.nativeFormat(), ctx);
            case SQUID_COMBINED -> new SquidParser(SquidLogFormat.combined(), ctx);
            case SQUID_COMMON -> new SquidParser(SquidLogFormat.compile(SquidLogFormat.COMMON_DEFINITION), ctx);
            case SQUID_LOGFORMAT -> new SquidParser(SquidLogFormat.compile(squidLogformat), ctx);
            case W3C -> new W3cParser(w3cFields, ctx);
            case ZSCALER_JSON -> new ZscalerParser(ZscalerParser.Shape.JSON, null, ctx);
            case ZSCALER_KV -> new ZscalerParser(ZscalerParser.Shape.KEY_VALUE, null, ctx);
            case ZSCALER_CSV -> new ZscalerParser(ZscalerParser.Shape.CSV, zscalerCsvFields, ctx);
            case PANOS -> new PanOsParser(ctx);
            case ZEEK -> new ZeekParser(ZeekParser.Shape.TSV, ctx);
            case ZEEK_JSON -> new ZeekParser(ZeekParser.Shape.JSON, ctx);
            case SURICATA -> new SuricataEveParser(ctx);
        };
    }
}
