package dev.umbra.classifier.payload;

/** Named anomalies of payload extraction; each is counted, none stops the scan. */
public enum PayloadAnomaly {
    /** The body was not valid JSON; the strings before the error and the rest as text were scanned. */
    PAYLOAD_JSON_INVALID,
    /** The JSON nested deeper than the cap; the rest was scanned as text. */
    PAYLOAD_JSON_TOO_DEEP,
    /** A gzip or deflate stream was corrupt or truncated; what inflated was scanned. */
    PAYLOAD_COMPRESSION_INVALID,
    /** Inflated output reached the cap; the head was scanned. */
    PAYLOAD_INFLATE_LIMIT,
    /** The body was longer than the cap; the head was scanned. */
    PAYLOAD_OVERSIZE,
    /** The body looked binary; its printable runs were scanned. */
    PAYLOAD_BINARY,
    /** A multipart body had no usable boundary or a broken part; the body or the parts read were scanned. */
    PAYLOAD_MULTIPART_INVALID,
    /** A form field was not valid percent-encoding; it was scanned as sent. */
    PAYLOAD_FORM_INVALID,
    /** A HAR file was not valid; it was scanned as JSON or text. */
    PAYLOAD_HAR_INVALID,
    /** Containers nested deeper than the cap (gzip in multipart in HAR ...); the inner body was not opened. */
    PAYLOAD_NESTING_LIMIT;

    /** The snake_case id used in statistics. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
