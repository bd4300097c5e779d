package dev.umbra.shipper.ocsf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

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
    private static final JsonFactory FACTORY = JSON.getFactory();

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

    /**
     * The event as a JSON tree (parsed from {@link #toJsonBytes}, so both forms are the same
     * event; the streaming writer is the one implementation).
     */
    public ObjectNode toEvent(Finding f) {
        try {
            return (ObjectNode) JSON.readTree(toJsonBytes(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The event as UTF-8 JSON bytes (what goes to Kafka, files and the spool). */
    public byte[] toJsonBytes(Finding f) {
        ByteArrayBuilder buf = new ByteArrayBuilder(1024);
        try (JsonGenerator g = FACTORY.createGenerator(buf)) {
            write(f, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /** The event as one line of JSON. */
    public String toJsonLine(Finding f) {
        return new String(toJsonBytes(f), StandardCharsets.UTF_8);
    }

    /** Writes the event with a streaming generator: no tree, one pass (the spooler's hot path). */
    private void write(Finding f, JsonGenerator g) throws IOException {
        EventClass c = f.eventClass();
        Observation o = f.observation();
        int activity = activityId(f);
        int severity = severityId(f);
        g.writeStartObject();
        g.writeNumberField("class_uid", c.uid());
        g.writeStringField("class_name", c.caption());
        g.writeNumberField("category_uid", c.categoryUid());
        g.writeStringField("category_name", c.categoryUid() == 4 ? "Network Activity" : "Findings");
        g.writeNumberField("activity_id", activity);
        g.writeStringField("activity_name", activityName(c, activity));
        g.writeNumberField("type_uid", c.uid() * 100L + activity);
        g.writeNumberField("severity_id", severity);
        g.writeStringField("severity", SEVERITIES[severity]);
        g.writeNumberField("time", f.startTime().toEpochMilli());
        if (f.count() > 1 || !f.endTime().equals(f.startTime())) {
            g.writeNumberField("start_time", f.startTime().toEpochMilli());
            g.writeNumberField("end_time", f.endTime().toEpochMilli());
        }
        g.writeNumberField("count", f.count());

        g.writeObjectFieldStart("metadata");
        g.writeStringField("uid", f.uid());
        g.writeStringField("version", SCHEMA_VERSION);
        g.writeObjectFieldStart("product");
        g.writeStringField("name", "Umbra");
        g.writeStringField("vendor_name", "Umbra");
        g.writeStringField("version", productVersion);
        g.writeEndObject();
        g.writeStringField("log_name", o.source());
        g.writeEndObject();
        if (sensorHost != null) {
            g.writeObjectFieldStart("device");
            g.writeStringField("hostname", sensorHost);
            g.writeEndObject();
        }

        boolean activityClass = c.categoryUid() == 4;
        // activity classes carry the endpoints at the top; findings carry them as evidence
        if (!activityClass) {
            g.writeArrayFieldStart("evidences");
            g.writeStartObject();
        }
        g.writeObjectFieldStart("src_endpoint");
        if (o.clientIp() != null) {
            g.writeStringField("ip", o.clientIp());
        }
        if (o.clientPort() > 0) {
            g.writeNumberField("port", o.clientPort());
        }
        g.writeEndObject();
        g.writeObjectFieldStart("dst_endpoint");
        if (o.serverIp() != null) {
            g.writeStringField("ip", o.serverIp());
        }
        if (o.serverPort() > 0) {
            g.writeNumberField("port", o.serverPort());
        }
        g.writeStringField("hostname", o.hostname());
        g.writeEndObject();
        if (o.user() != null || o.process() != null) {
            g.writeObjectFieldStart("actor");
            if (o.user() != null) {
                g.writeObjectFieldStart("user");
                g.writeStringField("name", o.user());
                g.writeEndObject();
            }
            if (o.process() != null) {
                g.writeObjectFieldStart("process");
                g.writeStringField("name", o.process());
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        if (!activityClass) {
            g.writeEndObject();
            g.writeEndArray();
        }

        switch (c) {
            case DNS_ACTIVITY -> {
                g.writeObjectFieldStart("query");
                g.writeStringField("hostname", o.hostname());
                g.writeEndObject();
                if (!o.answers().isEmpty()) {
                    g.writeArrayFieldStart("answers");
                    for (String a : o.answers()) {
                        g.writeStartObject();
                        g.writeStringField("rdata", a);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
            case NETWORK_ACTIVITY -> {
                g.writeObjectFieldStart("connection_info");
                g.writeStringField("protocol_name", o.kind() == ObservationKind.QUIC_SNI ? "udp" : "tcp");
                g.writeNumberField("direction_id", 2);
                g.writeStringField("direction", "Outbound");
                g.writeEndObject();
                if (o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.QUIC_SNI) {
                    g.writeObjectFieldStart("tls");
                    g.writeStringField("sni", o.hostname());
                    g.writeEndObject();
                }
            }
            case HTTP_ACTIVITY -> {
                g.writeObjectFieldStart("http_request");
                g.writeObjectFieldStart("url");
                g.writeStringField("hostname", o.hostname());
                g.writeEndObject();
                g.writeEndObject();
            }
            case DETECTION_FINDING -> findingInfo(g, f, f.policy().title(), f.policy().code(),
                    f.policy().title() + ": " + serviceName(f) + " (" + o.hostname() + ")"
                            + (o.clientIp() == null ? "" : " from " + o.clientIp()));
            case DATA_SECURITY_FINDING -> {
                Detection first = f.detections().get(0);
                findingInfo(g, f, "Sensitive data sent to an AI service", "sensitive_data_to_ai_service",
                        f.detections().size() + " sensitive item(s) (" + first.type() + ") sent to "
                                + serviceName(f) + " (" + o.hostname() + ")");
                g.writeObjectFieldStart("data_security");
                int cat = dataCategoryId(first.category());
                g.writeNumberField("category_id", cat);
                g.writeStringField("category", DATA_CATEGORIES.get(cat));
                g.writeNumberField("data_lifecycle_state_id", 2);
                g.writeStringField("data_lifecycle_state", "Data in Transit");
                g.writeNumberField("detection_system_id", 99);
                g.writeStringField("detection_system", "Umbra classifier");
                g.writeStringField("detection_pattern", first.type());
                g.writeStringField("pattern_match", first.masked());
                g.writeNumberField("total", f.detections().size());
                g.writeEndObject();
            }
        }
        long out = f.bytesOut();
        long in = f.bytesIn();
        if (activityClass && (out >= 0 || in >= 0)) {
            g.writeObjectFieldStart("traffic");
            if (out >= 0) {
                g.writeNumberField("bytes_out", out);
            }
            if (in >= 0) {
                g.writeNumberField("bytes_in", in);
            }
            g.writeEndObject();
        }

        Match m = f.match();
        if (m != null) {
            AiService s = m.service();
            g.writeStringField("app_name", s.name());
            g.writeArrayFieldStart("enrichments");
            g.writeStartObject();
            g.writeStringField("name", "dst_endpoint.hostname");
            g.writeStringField("value", o.hostname());
            g.writeStringField("type", "ai_service");
            g.writeStringField("provider", "umbra-catalog");
            g.writeObjectFieldStart("data");
            g.writeStringField("service_id", s.id());
            g.writeStringField("service_name", s.name());
            g.writeStringField("vendor", s.vendor());
            g.writeStringField("category", s.category().id());
            g.writeStringField("verdict", m.verdict().id());
            if (s.riskScore() != null) {
                g.writeNumberField("risk_score", s.riskScore());
            }
            g.writeStringField("pattern", m.pattern().toString());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        }
        g.writeObjectFieldStart("unmapped");
        g.writeObjectFieldStart("umbra");
        g.writeStringField("observation_kind", o.kind().id());
        g.writeArrayFieldStart("hostnames");
        for (String h : f.hostnames()) {
            g.writeString(h);
        }
        g.writeEndArray();
        if (!activityClass) {
            if (out >= 0) {
                g.writeNumberField("bytes_out", out);
            }
            if (in >= 0) {
                g.writeNumberField("bytes_in", in);
            }
        }
        if (!f.detections().isEmpty()) {
            g.writeArrayFieldStart("detections");
            for (Detection d : f.detections()) {
                g.writeStartObject();
                g.writeStringField("type", d.type());
                g.writeStringField("category", d.category().id());
                g.writeStringField("likelihood", d.likelihood().id());
                g.writeNumberField("start", d.start());
                g.writeNumberField("end", d.end());
                g.writeStringField("masked", d.masked());
                g.writeStringField("hmac", d.hmac());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void findingInfo(JsonGenerator g, Finding f, String title, String type, String desc)
            throws IOException {
        g.writeObjectFieldStart("finding_info");
        g.writeStringField("uid", f.uid());
        g.writeStringField("title", title);
        g.writeArrayFieldStart("types");
        g.writeString(type);
        g.writeEndArray();
        g.writeNumberField("created_time", f.startTime().toEpochMilli());
        g.writeObjectFieldStart("analytic");
        g.writeStringField("name", "umbra-" + type);
        g.writeNumberField("type_id", 1);
        g.writeStringField("type", "Rule");
        g.writeEndObject();
        g.writeStringField("desc", desc);
        g.writeEndObject();
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
}
