package dev.umbra.shipper.ocsf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
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
import java.util.concurrent.ConcurrentHashMap;

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
        numField(g, "class_uid", c.uid());
        strField(g, "class_name", c.caption());
        numField(g, "category_uid", c.categoryUid());
        strField(g, "category_name", c.categoryUid() == 4 ? "Network Activity" : "Findings");
        numField(g, "activity_id", activity);
        strField(g, "activity_name", activityName(c, activity));
        numField(g, "type_uid", c.uid() * 100L + activity);
        numField(g, "severity_id", severity);
        strField(g, "severity", SEVERITIES[severity]);
        numField(g, "time", f.startTime().toEpochMilli());
        if (f.count() > 1 || !f.endTime().equals(f.startTime())) {
            numField(g, "start_time", f.startTime().toEpochMilli());
            numField(g, "end_time", f.endTime().toEpochMilli());
        }
        numField(g, "count", f.count());

        objField(g, "metadata");
        strField(g, "uid", f.uid());
        strField(g, "version", SCHEMA_VERSION);
        objField(g, "product");
        strField(g, "name", "Umbra");
        strField(g, "vendor_name", "Umbra");
        strField(g, "version", productVersion);
        g.writeEndObject();
        strField(g, "log_name", o.source());
        g.writeEndObject();
        if (sensorHost != null) {
            objField(g, "device");
            strField(g, "hostname", sensorHost);
            g.writeEndObject();
        }

        boolean activityClass = c.categoryUid() == 4;
        // activity classes carry the endpoints at the top; findings carry them as evidence
        if (!activityClass) {
            arrField(g, "evidences");
            g.writeStartObject();
        }
        objField(g, "src_endpoint");
        if (o.clientIp() != null) {
            strField(g, "ip", o.clientIp());
        }
        if (o.clientPort() > 0) {
            numField(g, "port", o.clientPort());
        }
        g.writeEndObject();
        objField(g, "dst_endpoint");
        if (o.serverIp() != null) {
            strField(g, "ip", o.serverIp());
        }
        if (o.serverPort() > 0) {
            numField(g, "port", o.serverPort());
        }
        strField(g, "hostname", o.hostname());
        g.writeEndObject();
        if (o.user() != null || o.process() != null) {
            objField(g, "actor");
            if (o.user() != null) {
                objField(g, "user");
                strField(g, "name", o.user());
                g.writeEndObject();
            }
            if (o.process() != null) {
                objField(g, "process");
                strField(g, "name", o.process());
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
                objField(g, "query");
                strField(g, "hostname", o.hostname());
                g.writeEndObject();
                if (!o.answers().isEmpty()) {
                    arrField(g, "answers");
                    for (String a : o.answers()) {
                        g.writeStartObject();
                        strField(g, "rdata", a);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
            case NETWORK_ACTIVITY -> {
                objField(g, "connection_info");
                strField(g, "protocol_name", o.kind() == ObservationKind.QUIC_SNI ? "udp" : "tcp");
                numField(g, "direction_id", 2);
                strField(g, "direction", "Outbound");
                g.writeEndObject();
                if (o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.QUIC_SNI) {
                    objField(g, "tls");
                    strField(g, "sni", o.hostname());
                    if (o.tlsVersion() != null) {
                        strField(g, "version", o.tlsVersion());
                    }
                    g.writeEndObject();
                    if (o.ja4() != null) {
                        // OCSF ja4_fingerprint: type_id 1 = JA4 (the TLS client fingerprint, TCP or QUIC)
                        arrField(g, "ja4_fingerprint_list");
                        g.writeStartObject();
                        numField(g, "type_id", 1);
                        strField(g, "type", "JA4");
                        strField(g, "value", o.ja4());
                        g.writeEndObject();
                        g.writeEndArray();
                    }
                }
            }
            case HTTP_ACTIVITY -> {
                objField(g, "http_request");
                objField(g, "url");
                strField(g, "hostname", o.hostname());
                if (o.urlPath() != null) {
                    strField(g, "path", o.urlPath());
                }
                if (o.targetPort() > 0) {
                    numField(g, "port", o.targetPort());
                }
                g.writeEndObject();
                if (o.method() != null) {
                    strField(g, "http_method", o.method());
                }
                g.writeEndObject();
                if (o.status() > 0) {
                    objField(g, "http_response");
                    numField(g, "code", o.status());
                    g.writeEndObject();
                }
            }
            case DETECTION_FINDING -> findingInfo(g, f, f.policy().title(), f.policy().code(),
                    f.policy().title() + ": " + serviceName(f) + " (" + o.hostname() + ")"
                            + (o.clientIp() == null ? "" : " from " + o.clientIp()));
            case DATA_SECURITY_FINDING -> {
                Detection first = f.detections().get(0);
                findingInfo(g, f, "Sensitive data sent to an AI service", "sensitive_data_to_ai_service",
                        f.detections().size() + " sensitive item(s) (" + first.type() + ") sent to "
                                + serviceName(f) + " (" + o.hostname() + ")");
                objField(g, "data_security");
                int cat = dataCategoryId(first.category());
                numField(g, "category_id", cat);
                strField(g, "category", DATA_CATEGORIES.get(cat));
                numField(g, "data_lifecycle_state_id", 2);
                strField(g, "data_lifecycle_state", "Data in Transit");
                numField(g, "detection_system_id", 99);
                strField(g, "detection_system", "Umbra classifier");
                strField(g, "detection_pattern", first.type());
                strField(g, "pattern_match", first.masked());
                numField(g, "total", f.detections().size());
                g.writeEndObject();
            }
        }
        long out = f.bytesOut();
        long in = f.bytesIn();
        if (activityClass && (out >= 0 || in >= 0)) {
            objField(g, "traffic");
            if (out >= 0) {
                numField(g, "bytes_out", out);
            }
            if (in >= 0) {
                numField(g, "bytes_in", in);
            }
            g.writeEndObject();
        }

        Match m = f.match();
        if (m != null) {
            AiService s = m.service();
            strField(g, "app_name", s.name());
            arrField(g, "enrichments");
            g.writeStartObject();
            strField(g, "name", "dst_endpoint.hostname");
            strField(g, "value", o.hostname());
            strField(g, "type", "ai_service");
            strField(g, "provider", "umbra-catalog");
            objField(g, "data");
            strField(g, "service_id", s.id());
            strField(g, "service_name", s.name());
            strField(g, "vendor", s.vendor());
            strField(g, "category", s.category().id());
            strField(g, "verdict", m.verdict().id());
            if (s.riskScore() != null) {
                numField(g, "risk_score", s.riskScore());
            }
            strField(g, "pattern", m.pattern().toString());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        }
        objField(g, "unmapped");
        objField(g, "umbra");
        strField(g, "observation_kind", o.kind().id());
        arrField(g, "hostnames");
        for (String h : f.hostnames()) {
            g.writeString(h);
        }
        g.writeEndArray();
        if (o.ech()) {
            // OCSF has no attribute for Encrypted Client Hello: the SNI above is the outer (public) name
            g.writeFieldName(name("ech_outer_sni"));
            g.writeBoolean(true);
        }
        if (!o.alpn().isEmpty()) {
            arrField(g, "alpn");
            for (String a : o.alpn()) {
                g.writeString(a);
            }
            g.writeEndArray();
        }
        if (!activityClass) {
            if (out >= 0) {
                numField(g, "bytes_out", out);
            }
            if (in >= 0) {
                numField(g, "bytes_in", in);
            }
        }
        if (!f.detections().isEmpty()) {
            arrField(g, "detections");
            for (Detection d : f.detections()) {
                g.writeStartObject();
                strField(g, "type", d.type());
                strField(g, "category", d.category().id());
                strField(g, "likelihood", d.likelihood().id());
                numField(g, "start", d.start());
                numField(g, "end", d.end());
                strField(g, "masked", d.masked());
                strField(g, "hmac", d.hmac());
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
        objField(g, "finding_info");
        strField(g, "uid", f.uid());
        strField(g, "title", title);
        arrField(g, "types");
        g.writeString(type);
        g.writeEndArray();
        numField(g, "created_time", f.startTime().toEpochMilli());
        objField(g, "analytic");
        strField(g, "name", "umbra-" + type);
        numField(g, "type_id", 1);
        strField(g, "type", "Rule");
        g.writeEndObject();
        strField(g, "desc", desc);
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

    private static final java.util.List<String> HTTP_METHODS = java.util.List.of("Connect", "Delete", "Get", "Head",
            "Options", "Post", "Put", "Trace");

    private static String activityName(EventClass c, int activity) {
        return switch (c) {
            case DNS_ACTIVITY -> activity == 2 ? "Response" : "Query";
            case NETWORK_ACTIVITY -> "Traffic";
            case HTTP_ACTIVITY -> activity == 99 ? "Other" : HTTP_METHODS.get(activity - 1);
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
            // HTTP Activity: 1 Connect, 2 Delete, 3 Get, 4 Head, 5 Options, 6 Post, 7 Put, 8 Trace, 99 Other
            case HTTP_ACTIVITY -> {
                String method = f.observation().method();
                int i = method == null ? -1 : HTTP_METHODS.indexOf(method.toUpperCase(java.util.Locale.ROOT)
                        .charAt(0) + method.substring(1).toLowerCase(java.util.Locale.ROOT));
                yield i < 0 ? 99 : i + 1;
            }
            // Findings: 1 Create
            case DETECTION_FINDING, DATA_SECURITY_FINDING -> 1;
        };
    }

    /*
     * Field names are written from pre-encoded UTF-8 (SerializedString): encoding them again for
     * every event was the largest cost of the spooler thread (JFR).
     */
    private static final ConcurrentHashMap<String, SerializedString> NAMES = new ConcurrentHashMap<>();

    private static SerializedString name(String n) {
        SerializedString s = NAMES.get(n);
        return s != null ? s : NAMES.computeIfAbsent(n, SerializedString::new);
    }

    private static void strField(JsonGenerator g, String n, String v) throws IOException {
        g.writeFieldName(name(n));
        g.writeString(v);
    }

    private static void numField(JsonGenerator g, String n, long v) throws IOException {
        g.writeFieldName(name(n));
        g.writeNumber(v);
    }

    private static void objField(JsonGenerator g, String n) throws IOException {
        g.writeFieldName(name(n));
        g.writeStartObject();
    }

    private static void arrField(JsonGenerator g, String n) throws IOException {
        g.writeFieldName(name(n));
        g.writeStartArray();
    }
}
