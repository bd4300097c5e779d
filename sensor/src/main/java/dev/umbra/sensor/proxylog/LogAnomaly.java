package dev.umbra.sensor.proxylog;

/**
 * Named problems met while reading log lines. Codes are stable snake_case; they appear in reports
 * and metrics. Reading goes on after every one of them: a bad line is counted, never fatal.
 */
public enum LogAnomaly {
    /** A line longer than the configured cap; it is skipped up to its end. */
    LINE_TOO_LONG("log_line_too_long"),
    /** A line that does not fit the format (wrong field count, missing delimiters, bad numbers). */
    LINE_MALFORMED("log_line_malformed"),
    /** A well-formed line whose destination host is missing or is not a host name. */
    NO_HOST("log_line_no_host"),
    /** A line whose time stamp cannot be read; the line is dropped. */
    BAD_TIME("log_bad_time"),
    /** A JSON line that is not a well-formed object, or nests deeper than the cap. */
    JSON_MALFORMED("log_json_malformed"),
    /** A data line of a header-driven format (W3C, Zeek) before any field header. */
    FIELDS_HEADER_MISSING("log_fields_header_missing"),
    /** A line of a stream whose format could not be recognised from its first lines. */
    FORMAT_UNKNOWN("log_format_unknown"),
    /** A line of a stream that claims to be syslog but whose header cannot be read. */
    SYSLOG_HEADER_MALFORMED("log_syslog_header_malformed"),
    /** A parser bug caught by the last-resort guard of the line loop; should stay 0. */
    PARSER_ERROR("log_parser_error");

    private final String code;

    LogAnomaly(String code) {
        this.code = code;
    }

    /** The stable snake_case code. */
    public String code() {
        return code;
    }
}
