package dev.umbra.classifier.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.umbra.classifier.payload.Extracted;
import dev.umbra.classifier.payload.PayloadExtractor;
import dev.umbra.classifier.payload.Segment;
import java.util.Arrays;

/**
 * Coverage-guided fuzz target (Jazzer) for payload extraction. Under plain {@code mvn verify} it
 * runs the inputs committed under
 * {@code src/test/resources/dev/umbra/classifier/fuzz/CoverageFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} it is fuzzed (docs/classifier.md, "Coverage-guided fuzzing").
 */
class CoverageFuzzTest {
    private static final int MAX_BYTES = 4096;
    private static final String[] TYPES = {null, "application/json", "multipart/form-data; boundary=ab",
        "application/x-www-form-urlencoded", "application/har+json", "text/plain", "application/gzip"};
    private static final String[] ENCODINGS = {null, "gzip", "deflate"};
    /** The gRPC and protobuf types, picked by byte 0 values from 21 on (0 to 20 keep their meaning). */
    private static final String[] GRPC_TYPES = {"application/grpc", "application/grpc-web+proto", "application/grpc-web-text",
        "application/connect+proto", "application/grpc+json", "application/x-protobuf"};
    /** Their per-message encodings (grpc-encoding). */
    private static final String[] GRPC_ENCODINGS = {null, "gzip", "deflate", "snappy"};

    /**
     * A body under a declared type and encoding (byte 0 picks both: 0 to 20 one of the 7 types above
     * and one of 3 encodings, 21 to 255 one of the 6 gRPC and protobuf types and one of 4 encodings)
     * through an extractor capped at 4 KiB. Oracle: nothing throws; the segments lie in order inside
     * the text; the text is bounded by the cap: at most the body and the inflated bytes (together at
     * most twice the cap), each piece with a separator, so never more than 4 × the cap.
     */
    @FuzzTest(maxDuration = "2m")
    void payloadExtractor_bodyOfAnyType(byte[] data) {
        if (data.length < 1) {
            return;
        }
        int pick = data[0] & 0xff;
        byte[] body = Arrays.copyOfRange(data, 1, data.length);
        int plain = TYPES.length * ENCODINGS.length;
        String type;
        String encoding;
        if (pick < plain) {
            type = TYPES[pick % TYPES.length];
            encoding = ENCODINGS[pick / TYPES.length];
        } else {
            type = GRPC_TYPES[(pick - plain) % GRPC_TYPES.length];
            encoding = GRPC_ENCODINGS[((pick - plain) / GRPC_TYPES.length) % GRPC_ENCODINGS.length];
        }
        Extracted e = new PayloadExtractor(MAX_BYTES).extract(body, type, encoding);
        if (e.text().length() > 4 * MAX_BYTES) {
            throw new AssertionError(e.text().length() + " characters of text from " + body.length + " bytes");
        }
        int previousEnd = 0;
        for (Segment s : e.segments()) {
            if (s.start() < previousEnd || s.end() < s.start() || s.end() > e.text().length()) {
                throw new AssertionError("segment " + s + " outside the text or out of order");
            }
            previousEnd = s.end();
        }
    }
}
