package dev.umbra.shipper.ocsf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.signatures.AiService;
import dev.umbra.signatures.Match;
import java.io.UncheckedIOException;

/**
 * Maps {@link Finding}s to OCSF 1.8.0 events (one JSON object each).
 *
 * <p>Every event carries the base attributes ({@code class_uid}, {@code category_uid},
 * {@code activity_id}, {@code type_uid = class_uid * 100 + activity_id}, {@code severity_id},
 * {@code time}, {@code metadata}) and, when it covers several sightings, {@code count},
 * {@code start_time} and {@code end_time}. The matched AI service goes into {@code app_name} and an
 * {@code enrichments} entry. Times are epoch milliseconds, as OCSF's {@code timestamp_t}.
 */
public final class OcsfMapper {
    /** The OCSF schema version of every event. */
    public static final String SCHEMA_VERSION = "1.8.0";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String productVersion;
    private final String sensorHost;

    /**
     * @param productVersion Umbra's version, put into {@code metadata.product.version}
     * @param sensorHost the sensor's host id ({@code device.hostname}); may be null
     */
    public OcsfMapper(String productVersion, String sensorHost) {
        this.productVersion = productVersion;
        this.sensorHost = sensorHost;
    }

    /** The event as a JSON tree. */
    public ObjectNode toEvent(Finding f) {
        ObjectNode e = JSON.createObjectNode();
        EventClass c = f.eventClass();
        Observation o = f.observation();
        int activity = activityId(f);
        int severity = severityId(f);
        e.put("class_uid", c.uid());
        e.put("class_name", c.caption());
        e.put("category_uid", c.categoryUid());
        e.put("category_name", c.categoryUid() == 4 ? "Network Activity" : "Findings");
        e.put("activity_id", activity);
        e.put("activity_name", activityName(c, activity));
        e.put("type_uid", c.uid() * 100L + activity);
        e.put("severity_id", severity);
        e.put("severity", SEVERITIES[severity]);
        e.put("time", f.startTime().toEpochMilli());
        if (f.count() > 1 || !f.endTime().equals(f.startTime())) {
            e.put("start_time", f.startTime().toEpochMilli());
            e.put("end_time", f.endTime().toEpochMilli());
        }
        e.put("count", f.count());

        ObjectNode metadata = e.putObject("metadata");
        metadata.put("uid", f.uid());
        metadata.put("version", SCHEMA_VERSION);
        ObjectNode product = metadata.putObject("product");
        product.put("name", "Umbra");
        product.put("vendor_name", "Umbra");
        product.put("version", productVersion);
        metadata.put("log_name", o.source());
        if (sensorHost != null) {
            e.putObject("device").put("hostname", sensorHost);
        }

        boolean activityClass = c.categoryUid() == 4;
        // activity classes carry the endpoints at the top; findings carry them as evidence
        ObjectNode where = activityClass ? e : e.putArray("evidences").addObject();
        ObjectNode src = where.putObject("src_endpoint");
        putIfPresent(src, "ip", o.clientIp());
        if (o.clientPort() > 0) {
            src.put("port", o.clientPort());
        }
        ObjectNode dst = where.putObject("dst_endpoint");
        putIfPresent(dst, "ip", o.serverIp());
        if (o.serverPort() > 0) {
            dst.put("port", o.serverPort());
        }
        dst.put("hostname", o.hostname());
        if (o.user() != null || o.process() != null) {
            ObjectNode actor = where.putObject("actor");
            if (o.user() != null) {
                actor.putObject("user").put("name", o.user());
            }
            if (o.process() != null) {
                actor.putObject("process").put("name", o.process());
            }
        }

        switch (c) {
            case DNS_ACTIVITY -> {
                e.putObject("query").put("hostname", o.hostname());
                if (!o.answers().isEmpty()) {
                    ArrayNode answers = e.putArray("answers");
                    for (String a : o.answers()) {
                        answers.addObject().put("rdata", a);
                    }
                }
            }
            case NETWORK_ACTIVITY -> {
                ObjectNode conn = e.putObject("connection_info");
                conn.put("protocol_name", o.kind() == ObservationKind.QUIC_SNI ? "udp" : "tcp");
                conn.put("direction_id", 2);
                conn.put("direction", "Outbound");
                if (o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.QUIC_SNI) {
                    e.putObject("tls").put("sni", o.hostname());
                }
            }
            case HTTP_ACTIVITY -> e.putObject("http_request").putObject("url").put("hostname", o.hostname());
            case DETECTION_FINDING -> {
                ObjectNode info = findingInfo(e, f, f.policy().title(), f.policy().code());
                info.put("desc", f.policy().title() + ": " + serviceName(f) + " (" + o.hostname() + ")"
                        + (o.clientIp() == null ? "" : " from " + o.clientIp()));
            }
            case DATA_SECURITY_FINDING -> {
                Detection first = f.detections().get(0);
                ObjectNode info = findingInfo(e, f, "Sensitive data sent to an AI service",
                        "sensitive_data_to_ai_service");
                info.put("desc", f.detections().size() + " sensitive item(s) (" + first.type() + ") sent to "
                        + serviceName(f) + " (" + o.hostname() + ")");
                ObjectNode ds = e.putObject("data_security");
                int cat = dataCategoryId(first.category());
                ds.put("category_id", cat);
                ds.put("category", DATA_CATEGORIES.get(cat));
                ds.put("data_lifecycle_state_id", 2);
                ds.put("data_lifecycle_state", "Data in Transit");
                ds.put("detection_system_id", 99);
                ds.put("detection_system", "Umbra classifier");
                ds.put("detection_pattern", first.type());
                ds.put("pattern_match", first.masked());
                ds.put("total", f.detections().size());
            }
        }
        long out = f.bytesOut();
        long in = f.bytesIn();
        if (activityClass && (out >= 0 || in >= 0)) {
            ObjectNode traffic = e.putObject("traffic");
            if (out >= 0) {
                traffic.put("bytes_out", out);
            }
            if (in >= 0) {
                traffic.put("bytes_in", in);
            }
        }

        Match m = f.match();
        if (m != null) {
            AiService s = m.service();
            e.put("app_name", s.name());
            ObjectNode enrichment = e.putArray("enrichments").addObject();
            enrichment.put("name", "dst_endpoint.hostname");
            enrichment.put("value", o.hostname());
            enrichment.put("type", "ai_service");
            enrichment.put("provider", "umbra-catalog");
            ObjectNode data = enrichment.putObject("data");
            data.put("service_id", s.id());
            data.put("service_name", s.name());
            data.put("vendor", s.vendor());
            data.put("category", s.category().id());
            data.put("verdict", m.verdict().id());
            if (s.riskScore() != null) {
                data.put("risk_score", s.riskScore());
            }
            data.put("pattern", m.pattern().toString());
        }
        ObjectNode umbra = e.putObject("unmapped").putObject("umbra");
        umbra.put("observation_kind", o.kind().id());
        ArrayNode hostnames = umbra.putArray("hostnames");
        f.hostnames().forEach(hostnames::add);
        if (!activityClass && (out >= 0 || in >= 0)) {
            if (out >= 0) {
                umbra.put("bytes_out", out);
            }
            if (in >= 0) {
                umbra.put("bytes_in", in);
            }
        }
        if (!f.detections().isEmpty()) {
            ArrayNode ds = umbra.putArray("detections");
            for (Detection d : f.detections()) {
                ObjectNode dn = ds.addObject();
                dn.put("type", d.type());
                dn.put("category", d.category().id());
                dn.put("likelihood", d.likelihood().id());
                dn.put("start", d.start());
                dn.put("end", d.end());
                dn.put("masked", d.masked());
                dn.put("hmac", d.hmac());
            }
        }
        return e;
    }

    private static ObjectNode findingInfo(ObjectNode e, Finding f, String title, String type) {
        ObjectNode info = e.putObject("finding_info");
        info.put("uid", f.uid());
        info.put("title", title);
        info.putArray("types").add(type);
        info.put("created_time", f.startTime().toEpochMilli());
        ObjectNode analytic = info.putObject("analytic");
        analytic.put("name", "umbra-" + type);
        analytic.put("type_id", 1);
        analytic.put("type", "Rule");
        return info;
    }

    private static String serviceName(Finding f) {
        return f.match() == null ? "an unknown service" : f.match().service().name();
    }

    private static int severityId(Finding f) {
        return switch (f.eventClass()) {
            case DETECTION_FINDING -> f.policy().severityId();
            case DATA_SECURITY_FINDING -> {
                Likelihood l = f.detections().get(0).likelihood();
                yield l == Likelihood.LIKELY || l == Likelihood.VERY_LIKELY ? 4 : 3;
            }
            default -> 1;
        };
    }

    /** OCSF data_security.category_id: 1 Personal, 4 Business, 6 Security, 99 Other. */
    private static int dataCategoryId(DetectionCategory c) {
        return switch (c) {
            case PII, PHI -> 1;
            case SOURCE_CODE -> 4;
            case SECRET -> 6;
            case CUSTOM -> 99;
        };
    }

    private static final java.util.Map<Integer, String> DATA_CATEGORIES = java.util.Map.of(1, "Personal", 4,
            "Business", 6, "Security", 99, "Other");

    private static final String[] SEVERITIES = {"Unknown", "Informational", "Low", "Medium", "High", "Critical",
        "Fatal"};

    private static String activityName(EventClass c, int activity) {
        return switch (c) {
            case DNS_ACTIVITY -> activity == 2 ? "Response" : "Query";
            case NETWORK_ACTIVITY -> "Traffic";
            case HTTP_ACTIVITY -> "Other";
            case DETECTION_FINDING, DATA_SECURITY_FINDING -> "Create";
        };
    }

    /** The event as one line of JSON. */
    public String toJsonLine(Finding f) {
        try {
            return JSON.writeValueAsString(toEvent(f));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as UTF-8 JSON bytes (what goes to Kafka and the spool). */
    public byte[] toJsonBytes(Finding f) {
        try {
            return JSON.writeValueAsBytes(toEvent(f));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sensor host id given at construction; may be null. */
    public String sensorHost() {
        return sensorHost;
    }

    private static int activityId(Finding f) {
        return switch (f.eventClass()) {
            // DNS Activity: 1 Query, 2 Response
            case DNS_ACTIVITY -> f.observation().kind() == ObservationKind.DNS_ANSWER ? 2 : 1;
            // Network Activity: 6 Traffic
            case NETWORK_ACTIVITY -> 6;
            // HTTP Activity: 99 Other until the method is known
            case HTTP_ACTIVITY -> 99;
            // Findings: 1 Create
            case DETECTION_FINDING, DATA_SECURITY_FINDING -> 1;
        };
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }
}
