package dev.umbra.classifier.payload;

/**
 * A piece of the decoded text and where in the payload it came from.
 *
 * @param start offset of the piece in {@link Extracted#text()}
 * @param end offset after the piece
 * @param location where it came from: a JSON path ({@code messages[2].content}), a form field,
 *     a multipart part, a HAR entry, a gRPC message and protobuf field path
 *     ({@code grpc[0].2[1].2}: field 2 of the second field 2 of the first message), or {@code body}
 * @param prompt whether the location is the prompt field of a known AI API or web app body
 */
public record Segment(int start, int end, String location, boolean prompt) {
}
