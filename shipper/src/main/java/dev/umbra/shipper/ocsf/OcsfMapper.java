package dev.umbra.shipper.ocsf;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.sensor.Container;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.Outcome;
import dev.umbra.signatures.AiService;
import dev.umbra.signatures.DomainPattern;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.Verdict;
import java.io.IOException;
import java.io.OutputStream;
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

    private final String sensorHost;
    private final SerializedString productVersionJson;
    private final SerializedString sensorHostJson;

    /**
     * @param productVersion Umbra's version, put into {@code metadata.product.version}
     * @param sensorHost the sensor's host id ({@code device.hostname}); may be null
     */
    public OcsfMapper(String productVersion, String sensorHost) {
        this.sensorHost = sensorHost;
        this.productVersionJson = new SerializedString(productVersion);
        this.sensorHostJson = sensorHost == null ? null : new SerializedString(sensorHost);
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
        try {
            writeJson(f, buf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buf.toByteArray();
    }

    /**
     * Writes the event as UTF-8 JSON (no line end) to {@code out}, which is not closed: the
     * shipper's spooler writes into one reused buffer this way, with no copy per event.
     *
     * @throws IOException if {@code out} throws
     */
    public void writeJson(Finding f, OutputStream out) throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)) {
            write(f, g);
        }
    }

    /**
     * A writer of events, one after another, to one stream through one generator: the spooler maps
     * a batch with it and saves the generator set-up of each event. Events are written without a
     * separator and flushed to the stream one by one. Not thread-safe; after a write failed, close
     * it and make a new one (the generator may be mid-event).
     */
    public final class StreamWriter implements AutoCloseable {
        private final JsonGenerator g;

        private StreamWriter(OutputStream out) throws IOException {
            g = FACTORY.createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_JSON_CONTENT);
            g.setRootValueSeparator(null);
        }

        /** Writes one event and flushes it to the stream. */
        public void write(Finding f) throws IOException {
            OcsfMapper.this.write(f, g);
            g.flush();
        }

        /** Releases the generator; the stream is not closed. */
        @Override
        public void close() throws IOException {
            g.close();
        }
    }

    /**
     * A {@link StreamWriter} on {@code out}.
     *
     * @throws IOException if the generator cannot be made
     */
    public StreamWriter streamWriter(OutputStream out) throws IOException {
        return new StreamWriter(out);
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
        numField(g, F_CLASS_UID, c.uid());
        strField(g, F_CLASS_NAME, CAPTIONS[c.ordinal()]);
        numField(g, F_CATEGORY_UID, c.categoryUid());
        strField(g, F_CATEGORY_NAME, c.categoryUid() == 4 ? V_NETWORK_ACTIVITY : V_FINDINGS);
        numField(g, F_ACTIVITY_ID, activity);
        strField(g, F_ACTIVITY_NAME, activityName(c, activity));
        numField(g, F_TYPE_UID, c.uid() * 100L + activity);
        numField(g, F_SEVERITY_ID, severity);
        strField(g, F_SEVERITY, SEVERITIES[severity]);
        numField(g, F_TIME, f.startTime().toEpochMilli());
        if (f.count() > 1 || !f.endTime().equals(f.startTime())) {
            numField(g, F_START_TIME, f.startTime().toEpochMilli());
            numField(g, F_END_TIME, f.endTime().toEpochMilli());
        }
        numField(g, F_COUNT, f.count());

        objField(g, F_METADATA);
        strField(g, F_UID, f.uid());
        strField(g, F_VERSION, V_SCHEMA_VERSION);
        objField(g, F_PRODUCT);
        strField(g, F_NAME, V_UMBRA);
        strField(g, F_VENDOR_NAME, V_UMBRA);
        strField(g, F_VERSION, productVersionJson);
        g.writeEndObject();
        strField(g, F_LOG_NAME, o.source());
        Outcome outcome = f.outcome();
        if (outcome != null) {
            // the action and disposition attributes are the security_control profile's
            g.writeFieldName(F_PROFILES);
            g.writeStartArray();
            g.writeString(V_SECURITY_CONTROL);
            g.writeEndArray();
        }
        g.writeEndObject();
        if (outcome != null) {
            numField(g, F_ACTION_ID, outcome.actionId());
            strField(g, F_ACTION, outcome.action());
            numField(g, F_DISPOSITION_ID, outcome.dispositionId());
            strField(g, F_DISPOSITION, outcome.disposition());
        }
        if (sensorHost != null) {
            objField(g, F_DEVICE);
            strField(g, F_HOSTNAME, sensorHostJson);
            g.writeEndObject();
        }

        boolean activityClass = c.categoryUid() == 4;
        // activity classes carry the endpoints at the top; findings carry them as evidence
        if (!activityClass) {
            arrField(g, F_EVIDENCES);
            g.writeStartObject();
        }
        // the client device's own name (its DHCP lease), when known
        endpoint(g, F_SRC_ENDPOINT, o.clientIp(), o.clientPort(), o.clientHostname());
        if (o.kind() == ObservationKind.SOCKS_REQUEST) {
            // the packets went to the proxy; the destination is what the client asked it for
            endpoint(g, F_DST_ENDPOINT, null, o.targetPort(), o.hostname());
            endpoint(g, F_PROXY_ENDPOINT, o.serverIp(), o.serverPort(), null);
        } else {
            endpoint(g, F_DST_ENDPOINT, o.serverIp(), o.serverPort(), o.hostname());
        }
        if (o.user() != null || o.process() != null || o.container() != null) {
            objField(g, F_ACTOR);
            if (o.user() != null) {
                objField(g, F_USER);
                strField(g, F_NAME, o.user());
                g.writeEndObject();
            }
            if (o.process() != null || o.container() != null) {
                objField(g, F_PROCESS);
                if (o.process() != null) {
                    strField(g, F_NAME, o.process());
                }
                if (o.container() != null) {
                    container(g, o.container());
                }
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
                objField(g, F_QUERY);
                strField(g, F_HOSTNAME, o.hostname());
                g.writeEndObject();
                if (!o.answers().isEmpty()) {
                    arrField(g, F_ANSWERS);
                    for (String a : o.answers()) {
                        g.writeStartObject();
                        strField(g, F_RDATA, a);
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
            }
            case NETWORK_ACTIVITY -> {
                objField(g, F_CONNECTION_INFO);
                strField(g, F_PROTOCOL_NAME, o.kind() == ObservationKind.QUIC_SNI ? V_UDP : V_TCP);
                numField(g, F_DIRECTION_ID, 2);
                strField(g, F_DIRECTION, V_OUTBOUND);
                g.writeEndObject();
                if (o.kind() == ObservationKind.TLS_SNI || o.kind() == ObservationKind.QUIC_SNI) {
                    objField(g, F_TLS);
                    strField(g, F_SNI, o.hostname());
                    if (o.tlsVersion() != null) {
                        strField(g, F_VERSION, o.tlsVersion());
                    }
                    g.writeEndObject();
                    if (o.ja4() != null) {
                        // OCSF ja4_fingerprint: type_id 1 = JA4 (the TLS client fingerprint, TCP or QUIC)
                        arrField(g, F_JA4_FINGERPRINT_LIST);
                        g.writeStartObject();
                        numField(g, F_TYPE_ID, 1);
                        strField(g, F_TYPE, V_JA4);
                        strField(g, F_VALUE, o.ja4());
                        g.writeEndObject();
                        g.writeEndArray();
                    }
                }
            }
            case HTTP_ACTIVITY -> {
                objField(g, F_HTTP_REQUEST);
                objField(g, F_URL);
                strField(g, F_HOSTNAME, o.hostname());
                if (o.urlPath() != null) {
                    strField(g, F_PATH, o.urlPath());
                }
                if (o.targetPort() > 0) {
                    numField(g, F_PORT, o.targetPort());
                }
                g.writeEndObject();
                if (o.method() != null) {
                    strField(g, F_HTTP_METHOD, o.method());
                }
                g.writeEndObject();
                if (o.status() > 0) {
                    objField(g, F_HTTP_RESPONSE);
                    numField(g, F_CODE, o.status());
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
                objField(g, F_DATA_SECURITY);
                int cat = dataCategoryId(first.category());
                numField(g, F_CATEGORY_ID, cat);
                strField(g, F_CATEGORY, DATA_CATEGORIES.get(cat));
                numField(g, F_DATA_LIFECYCLE_STATE_ID, 2);
                strField(g, F_DATA_LIFECYCLE_STATE, "Data in Transit");
                numField(g, F_DETECTION_SYSTEM_ID, 99);
                strField(g, F_DETECTION_SYSTEM, "Umbra classifier");
                strField(g, F_DETECTION_PATTERN, first.type());
                strField(g, F_PATTERN_MATCH, first.masked());
                numField(g, F_TOTAL, f.detections().size());
                g.writeEndObject();
            }
        }
        long out = f.bytesOut();
        long in = f.bytesIn();
        if (activityClass && (out >= 0 || in >= 0)) {
            objField(g, F_TRAFFIC);
            if (out >= 0) {
                numField(g, F_BYTES_OUT, out);
            }
            if (in >= 0) {
                numField(g, F_BYTES_IN, in);
            }
            g.writeEndObject();
        }

        Match m = f.match();
        if (m != null) {
            AiService s = m.service();
            ServiceJson sj = serviceJson(m);
            strField(g, F_APP_NAME, sj.name);
            arrField(g, F_ENRICHMENTS);
            g.writeStartObject();
            strField(g, F_NAME, V_DST_ENDPOINT_HOSTNAME);
            strField(g, F_VALUE, o.hostname());
            strField(g, F_TYPE, V_AI_SERVICE);
            strField(g, F_PROVIDER, V_UMBRA_CATALOG);
            objField(g, F_DATA);
            strField(g, F_SERVICE_ID, sj.id);
            strField(g, F_SERVICE_NAME, sj.name);
            strField(g, F_VENDOR, sj.vendor);
            strField(g, F_CATEGORY, sj.category);
            strField(g, F_VERDICT, VERDICTS[m.verdict().ordinal()]);
            if (s.riskScore() != null) {
                numField(g, F_RISK_SCORE, s.riskScore());
            }
            strField(g, F_PATTERN, sj.pattern);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndArray();
        }
        objField(g, F_UNMAPPED);
        objField(g, F_UMBRA);
        strField(g, F_OBSERVATION_KIND, KINDS[o.kind().ordinal()]);
        arrField(g, F_HOSTNAMES);
        for (String h : f.hostnames()) {
            g.writeString(h);
        }
        g.writeEndArray();
        if (o.ech()) {
            // OCSF has no attribute for Encrypted Client Hello: the SNI above is the outer (public) name
            // for a DNS answer: the HTTPS/SVCB record published an ECH config
            g.writeFieldName(o.kind() == ObservationKind.DNS_ANSWER ? F_ECH_CONFIG : F_ECH_OUTER_SNI);
            g.writeBoolean(true);
        }
        if (!o.alpn().isEmpty()) {
            arrField(g, F_ALPN);
            for (String a : o.alpn()) {
                g.writeString(a);
            }
            g.writeEndArray();
        }
        if (!activityClass) {
            if (out >= 0) {
                numField(g, F_BYTES_OUT, out);
            }
            if (in >= 0) {
                numField(g, F_BYTES_IN, in);
            }
        }
        if (!f.detections().isEmpty()) {
            arrField(g, F_DETECTIONS);
            for (Detection d : f.detections()) {
                g.writeStartObject();
                strField(g, F_TYPE, d.type());
                strField(g, F_CATEGORY, d.category().id());
                strField(g, F_LIKELIHOOD, d.likelihood().id());
                numField(g, F_START, d.start());
                numField(g, F_END, d.end());
                strField(g, F_MASKED, d.masked());
                strField(g, F_HMAC, d.hmac());
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
        objField(g, F_FINDING_INFO);
        strField(g, F_UID, f.uid());
        strField(g, F_TITLE, title);
        arrField(g, F_TYPES);
        g.writeString(type);
        g.writeEndArray();
        numField(g, F_CREATED_TIME, f.startTime().toEpochMilli());
        objField(g, F_ANALYTIC);
        strField(g, F_NAME, "umbra-" + type);
        numField(g, F_TYPE_ID, 1);
        strField(g, F_TYPE, "Rule");
        g.writeEndObject();
        strField(g, F_DESC, desc);
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

    private static final SerializedString[] SEVERITIES = encode(new String[] {"Unknown", "Informational", "Low",
        "Medium", "High", "Critical", "Fatal"}, x -> x);

    private static final java.util.List<String> HTTP_METHODS = java.util.List.of("Connect", "Delete", "Get", "Head",
            "Options", "Post", "Put", "Trace");

    private static final SerializedString[] HTTP_ACTIVITY_NAMES = encode(HTTP_METHODS.toArray(new String[0]), x -> x);
    private static final SerializedString V_RESPONSE = new SerializedString("Response");
    private static final SerializedString V_QUERY = new SerializedString("Query");
    private static final SerializedString V_TRAFFIC = new SerializedString("Traffic");
    private static final SerializedString V_OTHER = new SerializedString("Other");
    private static final SerializedString V_CREATE = new SerializedString("Create");

    private static SerializedString activityName(EventClass c, int activity) {
        return switch (c) {
            case DNS_ACTIVITY -> activity == 2 ? V_RESPONSE : V_QUERY;
            case NETWORK_ACTIVITY -> V_TRAFFIC;
            case HTTP_ACTIVITY -> activity == 99 ? V_OTHER : HTTP_ACTIVITY_NAMES[activity - 1];
            case DETECTION_FINDING, DATA_SECURITY_FINDING -> V_CREATE;
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
     * Field names and the values that repeat from event to event (captions, the catalog's service
     * strings, enum ids) are written from pre-encoded, pre-escaped UTF-8 (SerializedString): encoding
     * them again for every event, and looking names up in a map, was most of the spooler thread's
     * time (JFR). Only the per-event strings (uid, addresses, host names) go through the escaper.
     */
    private static final SerializedString F_CLASS_UID = new SerializedString("class_uid");
    private static final SerializedString F_CLASS_NAME = new SerializedString("class_name");
    private static final SerializedString F_CATEGORY_UID = new SerializedString("category_uid");
    private static final SerializedString F_CATEGORY_NAME = new SerializedString("category_name");
    private static final SerializedString F_ACTIVITY_ID = new SerializedString("activity_id");
    private static final SerializedString F_ACTIVITY_NAME = new SerializedString("activity_name");
    private static final SerializedString F_TYPE_UID = new SerializedString("type_uid");
    private static final SerializedString F_SEVERITY_ID = new SerializedString("severity_id");
    private static final SerializedString F_SEVERITY = new SerializedString("severity");
    private static final SerializedString F_TIME = new SerializedString("time");
    private static final SerializedString F_START_TIME = new SerializedString("start_time");
    private static final SerializedString F_END_TIME = new SerializedString("end_time");
    private static final SerializedString F_COUNT = new SerializedString("count");
    private static final SerializedString F_METADATA = new SerializedString("metadata");
    private static final SerializedString F_UID = new SerializedString("uid");
    private static final SerializedString F_VERSION = new SerializedString("version");
    private static final SerializedString F_PRODUCT = new SerializedString("product");
    private static final SerializedString F_NAME = new SerializedString("name");
    private static final SerializedString F_VENDOR_NAME = new SerializedString("vendor_name");
    private static final SerializedString F_LOG_NAME = new SerializedString("log_name");
    private static final SerializedString F_PROFILES = new SerializedString("profiles");
    private static final SerializedString V_SECURITY_CONTROL = new SerializedString("security_control");
    private static final SerializedString F_ACTION_ID = new SerializedString("action_id");
    private static final SerializedString F_ACTION = new SerializedString("action");
    private static final SerializedString F_DISPOSITION_ID = new SerializedString("disposition_id");
    private static final SerializedString F_DISPOSITION = new SerializedString("disposition");
    private static final SerializedString F_DEVICE = new SerializedString("device");
    private static final SerializedString F_HOSTNAME = new SerializedString("hostname");
    private static final SerializedString F_EVIDENCES = new SerializedString("evidences");
    private static final SerializedString F_SRC_ENDPOINT = new SerializedString("src_endpoint");
    private static final SerializedString F_IP = new SerializedString("ip");
    private static final SerializedString F_PORT = new SerializedString("port");
    private static final SerializedString F_DST_ENDPOINT = new SerializedString("dst_endpoint");
    private static final SerializedString F_PROXY_ENDPOINT = new SerializedString("proxy_endpoint");
    private static final SerializedString F_ACTOR = new SerializedString("actor");
    private static final SerializedString F_USER = new SerializedString("user");
    private static final SerializedString F_PROCESS = new SerializedString("process");
    private static final SerializedString F_CONTAINER = new SerializedString("container");
    private static final SerializedString F_RUNTIME = new SerializedString("runtime");
    private static final SerializedString F_IMAGE = new SerializedString("image");
    private static final SerializedString F_ORCHESTRATOR = new SerializedString("orchestrator");
    private static final SerializedString F_POD_UUID = new SerializedString("pod_uuid");
    private static final SerializedString F_LABELS = new SerializedString("labels");
    private static final SerializedString F_QUERY = new SerializedString("query");
    private static final SerializedString F_ANSWERS = new SerializedString("answers");
    private static final SerializedString F_RDATA = new SerializedString("rdata");
    private static final SerializedString F_CONNECTION_INFO = new SerializedString("connection_info");
    private static final SerializedString F_PROTOCOL_NAME = new SerializedString("protocol_name");
    private static final SerializedString F_DIRECTION_ID = new SerializedString("direction_id");
    private static final SerializedString F_DIRECTION = new SerializedString("direction");
    private static final SerializedString F_TLS = new SerializedString("tls");
    private static final SerializedString F_SNI = new SerializedString("sni");
    private static final SerializedString F_HTTP_REQUEST = new SerializedString("http_request");
    private static final SerializedString F_URL = new SerializedString("url");
    private static final SerializedString F_PATH = new SerializedString("path");
    private static final SerializedString F_HTTP_METHOD = new SerializedString("http_method");
    private static final SerializedString F_HTTP_RESPONSE = new SerializedString("http_response");
    private static final SerializedString F_CODE = new SerializedString("code");
    private static final SerializedString F_DATA_SECURITY = new SerializedString("data_security");
    private static final SerializedString F_CATEGORY_ID = new SerializedString("category_id");
    private static final SerializedString F_CATEGORY = new SerializedString("category");
    private static final SerializedString F_DATA_LIFECYCLE_STATE_ID = new SerializedString("data_lifecycle_state_id");
    private static final SerializedString F_DATA_LIFECYCLE_STATE = new SerializedString("data_lifecycle_state");
    private static final SerializedString F_DETECTION_SYSTEM_ID = new SerializedString("detection_system_id");
    private static final SerializedString F_DETECTION_SYSTEM = new SerializedString("detection_system");
    private static final SerializedString F_DETECTION_PATTERN = new SerializedString("detection_pattern");
    private static final SerializedString F_PATTERN_MATCH = new SerializedString("pattern_match");
    private static final SerializedString F_TOTAL = new SerializedString("total");
    private static final SerializedString F_TRAFFIC = new SerializedString("traffic");
    private static final SerializedString F_BYTES_OUT = new SerializedString("bytes_out");
    private static final SerializedString F_BYTES_IN = new SerializedString("bytes_in");
    private static final SerializedString F_APP_NAME = new SerializedString("app_name");
    private static final SerializedString F_ENRICHMENTS = new SerializedString("enrichments");
    private static final SerializedString F_VALUE = new SerializedString("value");
    private static final SerializedString F_TYPE = new SerializedString("type");
    private static final SerializedString F_PROVIDER = new SerializedString("provider");
    private static final SerializedString F_DATA = new SerializedString("data");
    private static final SerializedString F_SERVICE_ID = new SerializedString("service_id");
    private static final SerializedString F_SERVICE_NAME = new SerializedString("service_name");
    private static final SerializedString F_VENDOR = new SerializedString("vendor");
    private static final SerializedString F_VERDICT = new SerializedString("verdict");
    private static final SerializedString F_RISK_SCORE = new SerializedString("risk_score");
    private static final SerializedString F_PATTERN = new SerializedString("pattern");
    private static final SerializedString F_UNMAPPED = new SerializedString("unmapped");
    private static final SerializedString F_UMBRA = new SerializedString("umbra");
    private static final SerializedString F_OBSERVATION_KIND = new SerializedString("observation_kind");
    private static final SerializedString F_HOSTNAMES = new SerializedString("hostnames");
    private static final SerializedString F_DETECTIONS = new SerializedString("detections");
    private static final SerializedString F_LIKELIHOOD = new SerializedString("likelihood");
    private static final SerializedString F_START = new SerializedString("start");
    private static final SerializedString F_END = new SerializedString("end");
    private static final SerializedString F_MASKED = new SerializedString("masked");
    private static final SerializedString F_HMAC = new SerializedString("hmac");
    private static final SerializedString F_FINDING_INFO = new SerializedString("finding_info");
    private static final SerializedString F_TITLE = new SerializedString("title");
    private static final SerializedString F_TYPES = new SerializedString("types");
    private static final SerializedString F_CREATED_TIME = new SerializedString("created_time");
    private static final SerializedString F_ANALYTIC = new SerializedString("analytic");
    private static final SerializedString F_TYPE_ID = new SerializedString("type_id");
    private static final SerializedString F_JA4_FINGERPRINT_LIST = new SerializedString("ja4_fingerprint_list");
    private static final SerializedString F_ECH_OUTER_SNI = new SerializedString("ech_outer_sni");
    private static final SerializedString F_ECH_CONFIG = new SerializedString("ech_config");
    private static final SerializedString F_ALPN = new SerializedString("alpn");
    private static final SerializedString V_JA4 = new SerializedString("JA4");
    private static final SerializedString F_DESC = new SerializedString("desc");

    private static final SerializedString V_NETWORK_ACTIVITY = new SerializedString("Network Activity");
    private static final SerializedString V_FINDINGS = new SerializedString("Findings");
    private static final SerializedString V_SCHEMA_VERSION = new SerializedString(SCHEMA_VERSION);
    private static final SerializedString V_UMBRA = new SerializedString("Umbra");
    private static final SerializedString V_UDP = new SerializedString("udp");
    private static final SerializedString V_TCP = new SerializedString("tcp");
    private static final SerializedString V_OUTBOUND = new SerializedString("Outbound");
    private static final SerializedString V_DST_ENDPOINT_HOSTNAME = new SerializedString("dst_endpoint.hostname");
    private static final SerializedString V_AI_SERVICE = new SerializedString("ai_service");
    private static final SerializedString V_UMBRA_CATALOG = new SerializedString("umbra-catalog");
    private static final SerializedString[] CAPTIONS = encode(EventClass.values(), EventClass::caption);
    private static final SerializedString[] KINDS = encode(ObservationKind.values(), ObservationKind::id);
    private static final SerializedString[] VERDICTS = encode(Verdict.values(), Verdict::id);

    private static <E> SerializedString[] encode(E[] values, java.util.function.Function<E, String> text) {
        SerializedString[] out = new SerializedString[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = new SerializedString(text.apply(values[i]));
        }
        return out;
    }

    /** The catalog strings of one service and rule, encoded once. */
    private record ServiceJson(AiService service, DomainPattern rule, int port, SerializedString id,
            SerializedString name, SerializedString vendor, SerializedString category, SerializedString pattern) {
        /** Whether this is the JSON of the match's service and rule (a domain rule, or a runtime's port). */
        boolean of(Match m) {
            return service == m.service() && rule == m.pattern() && port == m.port();
        }
    }

    /** Last service seen (most events in a row are of the same one), then a map by service id. */
    private volatile ServiceJson lastService;
    private final ConcurrentHashMap<String, ServiceJson> services = new ConcurrentHashMap<>();

    private ServiceJson serviceJson(Match m) {
        ServiceJson sj = lastService;
        if (sj != null && sj.of(m)) {
            return sj;
        }
        AiService s = m.service();
        String key = s.id() + '\u0000' + m.rule();
        sj = services.get(key);
        if (sj == null || !sj.of(m)) {
            sj = new ServiceJson(s, m.pattern(), m.port(), new SerializedString(s.id()), new SerializedString(s.name()),
                    new SerializedString(s.vendor()), new SerializedString(s.category().id()),
                    new SerializedString(m.rule()));
            if (services.size() < 4096) { // a reloaded catalog brings new objects; stay bounded
                services.put(key, sj);
            }
        }
        lastService = sj;
        return sj;
    }

    private static void strField(JsonGenerator g, SerializableString n, String v) throws IOException {
        g.writeFieldName(n);
        g.writeString(v);
    }

    private static void strField(JsonGenerator g, SerializableString n, SerializableString v) throws IOException {
        g.writeFieldName(n);
        g.writeString(v);
    }

    private static void numField(JsonGenerator g, SerializableString n, long v) throws IOException {
        g.writeFieldName(n);
        g.writeNumber(v);
    }

    /** A network endpoint object; an absent address (null), port (0) or host name (null) is left out. */
    private static void endpoint(JsonGenerator g, SerializedString field, String ip, int port, String hostname)
            throws IOException {
        objField(g, field);
        if (ip != null) {
            strField(g, F_IP, ip);
        }
        if (port > 0) {
            numField(g, F_PORT, port);
        }
        if (hostname != null) {
            strField(g, F_HOSTNAME, hostname);
        }
        g.writeEndObject();
    }

    /** OCSF's container object: uid and runtime always, name, image, pod and labels where known. */
    private static void container(JsonGenerator g, Container c) throws IOException {
        objField(g, F_CONTAINER);
        strField(g, F_UID, c.uid());
        strField(g, F_RUNTIME, c.runtime());
        if (c.name() != null) {
            strField(g, F_NAME, c.name());
        }
        if (c.image() != null) {
            objField(g, F_IMAGE);
            strField(g, F_NAME, c.image());
            g.writeEndObject();
        }
        if (c.orchestrator() != null) {
            strField(g, F_ORCHESTRATOR, c.orchestrator());
        }
        if (c.podUid() != null) {
            strField(g, F_POD_UUID, c.podUid());
        }
        if (!c.labels().isEmpty()) {
            arrField(g, F_LABELS);
            for (String label : c.labels()) {
                g.writeString(label);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
    }

    private static void objField(JsonGenerator g, SerializableString n) throws IOException {
        g.writeFieldName(n);
        g.writeStartObject();
    }

    private static void arrField(JsonGenerator g, SerializableString n) throws IOException {
        g.writeFieldName(n);
        g.writeStartArray();
    }
}
