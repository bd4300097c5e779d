package dev.umbra.classifier.payload;

import java.util.List;
import java.util.Map;

/**
 * The decoded text of a payload, ready to scan, with its segments and the anomalies met.
 *
 * @param text all decoded pieces joined by newlines; detection offsets refer to this text
 * @param segments the pieces, in order
 * @param api the AI API or web app the body looks like ({@code openai}, {@code anthropic},
 *     {@code gemini}, {@code chatgpt_web}, {@code claude_web}), or null
 * @param anomalies count per anomaly met while extracting (empty when none)
 */
public record Extracted(String text, List<Segment> segments, String api, Map<PayloadAnomaly, Integer> anomalies) {
    public Extracted {
        segments = List.copyOf(segments);
        anomalies = Map.copyOf(anomalies);
    }

    /** The segment containing offset {@code pos}, or null. */
    public Segment segmentAt(int pos) {
        int lo = 0;
        int hi = segments.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            Segment s = segments.get(mid);
            if (pos < s.start()) {
                hi = mid - 1;
            } else if (pos >= s.end()) {
                lo = mid + 1;
            } else {
                return s;
            }
        }
        return null;
    }
}
