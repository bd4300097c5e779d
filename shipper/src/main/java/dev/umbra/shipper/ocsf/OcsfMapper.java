package dev.umbra.shipper.ocsf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
        e.put("class_uid", c.uid());
        e.put("class_name", c.caption());
        e.put("category_uid", c.categoryUid());
        e.put("category_name", c.categoryUid() == 4 ? "Network Activity" : "Findings");
        e.put("activity_id", activity);
        e.put("type_uid", c.uid() * 100L + activity);
        e.put("severity_id", 1);
        e.put("severity", "Informational");
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

        ObjectNode src = e.putObject("src_endpoint");
        putIfPresent(src, "ip", o.clientIp());
        if (o.clientPort() > 0) {
            src.put("port", o.clientPort());
        }
        ObjectNode dst = e.putObject("dst_endpoint");
        putIfPresent(dst, "ip", o.serverIp());
        if (o.serverPort() > 0) {
            dst.put("port", o.serverPort());
        }
        dst.put("hostname", o.hostname());
        if (o.user() != null || o.process() != null) {
            ObjectNode actor = e.putObject("actor");
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
            default -> {
            }
        }
        if (o.bytesOut() >= 0 || o.bytesIn() >= 0) {
            ObjectNode traffic = e.putObject("traffic");
            if (o.bytesOut() >= 0) {
                traffic.put("bytes_out", o.bytesOut());
            }
            if (o.bytesIn() >= 0) {
                traffic.put("bytes_in", o.bytesIn());
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
        return e;
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
