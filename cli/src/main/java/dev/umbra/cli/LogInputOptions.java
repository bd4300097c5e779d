package dev.umbra.cli;

import dev.umbra.sensor.proxylog.LogFormat;
import dev.umbra.sensor.proxylog.LogOptions;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of commands that read log files beside captures. */
final class LogInputOptions {
    @Option(names = "--log-format", paramLabel = "FORMAT",
            description = "Format of the log files (default: detected from their first lines): squid, squid-combined, "
                    + "squid-common, squid-logformat, cisco-wsa, w3c (elff, bluecoat), zscaler-json, zscaler-kv, "
                    + "zscaler-csv, panos, zeek, zeek-json, suricata.")
    String logFormat;

    @Option(names = "--squid-logformat", paramLabel = "DEFINITION",
            description = "A Squid logformat definition ('%%ts.%%03tu %%>a %%un %%rm %%ru ...', with or without "
                    + "'logformat NAME'); tried during detection, or used with --log-format squid-logformat.")
    String squidLogformat;

    @Option(names = "--w3c-fields", paramLabel = "FIELDS",
            description = "Columns of headerless W3C/ELFF logs, as a #Fields: line lists them (blank- or comma-separated).")
    String w3cFields;

    @Option(names = "--zscaler-fields", paramLabel = "FIELDS",
            description = "Columns of Zscaler CSV logs (comma-separated); default: the NSS web feed's.")
    String zscalerFields;

    @Option(names = "--max-line-length", paramLabel = "BYTES", defaultValue = "65536",
            description = "Longest log line read; longer lines are counted and skipped. Default: ${DEFAULT-VALUE}.")
    int maxLineLength;

    /**
     * The options as the sensor takes them.
     *
     * @throws UmbraException (exit 2) naming the bad value
     */
    LogOptions toLogOptions() {
        LogFormat format = null;
        if (logFormat != null) {
            try {
                format = LogFormat.fromId(logFormat);
            } catch (IllegalArgumentException e) {
                throw UmbraException.badInput("Invalid value " + logFormat + " for option --log-format: expected one of "
                        + LogFormat.ids());
            }
        }
        if (maxLineLength < 256 || maxLineLength > LogOptions.MAX_MAX_LINE_LENGTH) {
            throw UmbraException.badInput("Invalid value " + maxLineLength + " for option --max-line-length: must be 256.."
                    + LogOptions.MAX_MAX_LINE_LENGTH + " bytes");
        }
        try {
            return new LogOptions(format, squidLogformat, list(w3cFields), list(zscalerFields), maxLineLength);
        } catch (IllegalArgumentException e) {
            throw UmbraException.badInput(e.getMessage());
        }
    }

    private static List<String> list(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        return Arrays.stream(s.trim().split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    }
}
