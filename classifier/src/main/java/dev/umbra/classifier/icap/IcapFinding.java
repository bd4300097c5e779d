package dev.umbra.classifier.icap;

import dev.umbra.classifier.Detection;
import dev.umbra.classifier.payload.PayloadAnomaly;
import java.util.List;
import java.util.Map;

/**
 * What the ICAP service saw in one outbound request: who sent it (as the proxy says), where it
 * went, and what sensitive data its body held. Never holds the body or a raw value.
 *
 * @param clientIp the {@code X-Client-IP} the proxy passed, or null
 * @param user the {@code X-Authenticated-User} the proxy passed (decoded when base64), or null
 * @param method the HTTP method of the encapsulated request
 * @param url the request URL (absolute form when the proxy sent one, otherwise Host + path)
 * @param api the AI API the body looks like, or null
 * @param detections what the classifier found, offsets in the decoded body text
 * @param blocked whether the service answered with the block page
 * @param anomalies payload anomalies met while decoding the body
 */
public record IcapFinding(String clientIp, String user, String method, String url, String api,
        List<Detection> detections, boolean blocked, Map<PayloadAnomaly, Integer> anomalies) {
    public IcapFinding {
        detections = List.copyOf(detections);
        anomalies = Map.copyOf(anomalies);
    }
}
