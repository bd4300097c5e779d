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
    PAYLOAD_NESTING_LIMIT,
    /**
     * A gRPC, gRPC-Web or Connect body had a message flag the protocol does not define, or gRPC-Web
     * text that was not base64; the rest was scanned as printable runs.
     */
    PAYLOAD_GRPC_INVALID,
    /**
     * A gRPC body ended inside a message or its 5-byte prefix (a body cut at a capture cap); the part
     * of the message there was walked.
     */
    PAYLOAD_GRPC_TRUNCATED,
    /**
     * A gRPC message was flagged compressed but the encoding declared was none, identity, or one not
     * read here (snappy, zstd ...); its printable runs were scanned.
     */
    PAYLOAD_GRPC_COMPRESSION_UNKNOWN,
    /** A protobuf message did not parse; the strings before the bad field and the printable runs of the rest were scanned. */
    PAYLOAD_PROTOBUF_INVALID,
    /** An unframed protobuf body ended inside a field (a body cut at a capture cap); the part there was walked. */
    PAYLOAD_PROTOBUF_TRUNCATED,
    /** Protobuf messages nested deeper than the cap; the deeper ones were scanned as printable runs. */
    PAYLOAD_PROTOBUF_TOO_DEEP,
    /** The gRPC messages or protobuf fields of a body reached their cap; the rest was scanned as printable runs. */
    PAYLOAD_PROTOBUF_LIMIT;

    /** The snake_case id used in statistics. */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
