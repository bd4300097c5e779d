package dev.umbra.shipper.ocsf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.DetectionCategory;
import dev.umbra.classifier.Likelihood;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.shipper.Finding;
import dev.umbra.shipper.PolicyEvent;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.Match;
import dev.umbra.signatures.Verdict;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One example finding per OCSF class, as shown in docs/schema.md. Run main to print them. */
public final class SchemaExamples {
    private SchemaExamples() {
    }

    /** Title to finding, in the order of docs/schema.md. */
    public static Map<String, Finding> all() {
        Instant t = Instant.parse("2026-03-02T09:15:30.250Z");
        Match chatgpt = Catalog.builtIn().matcher().match("chatgpt.com");
        Match openai = Catalog.builtIn().matcher().match("api.openai.com");
        Match banned = new Match(chatgpt.service(), chatgpt.pattern(), Verdict.UNSANCTIONED);
        Observation dns = new Observation(t, ObservationKind.DNS_ANSWER, "chatgpt.com", "10.20.0.15", 53124,
                "10.20.0.1", 53, List.of("104.18.32.47", "172.64.155.209"), List.of(), null, -1, -1, null, null,
                "eth0");
        Observation tls = new Observation(t, ObservationKind.TLS_SNI, "chatgpt.com", "10.20.0.15", 51544,
                "104.18.32.47", 443, List.of(), List.of("h2", "http/1.1"), "t13d1516h2_8daaf6152771_e5627efa2ab1",
                18230, 402113, "alice", "firefox", "eth0", null, null, 0, "1.3", false, 0);
        Observation http = new Observation(t, ObservationKind.PROXY_REQUEST, "api.openai.com", "10.20.0.31", 0,
                "162.159.140.245", 443, List.of(), List.of(), null, 5120, 20480, "bob", null, "/var/log/squid/access.log");
        Detection d = new Detection("email", DetectionCategory.PII, Likelihood.LIKELY, 112, 131, "j***@example.com",
                "3c1f0e9a7b4d2c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e");
        Map<String, Finding> m = new LinkedHashMap<>();
        m.put("DNS Activity (4003)", new Finding("5d0c1b9e-7f7a-4f5e-9d43-2b8f0d3c1a77",
                dev.umbra.shipper.EventClass.DNS_ACTIVITY, dns, chatgpt, List.of("chatgpt.com"), t,
                t.plusSeconds(55), 12, List.of()));
        m.put("Network Activity (4001)", new Finding("a4b7e0f2-3c1d-4e8a-9b6f-0d2c4e6a8b1c",
                dev.umbra.shipper.EventClass.NETWORK_ACTIVITY, tls, chatgpt, List.of("chatgpt.com", "ab.chatgpt.com"),
                t, t.plusSeconds(41), 3, List.of(), null, 18230, 402113));
        m.put("HTTP Activity (4002)", new Finding("0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
                dev.umbra.shipper.EventClass.HTTP_ACTIVITY, http, openai, List.of("api.openai.com"), t, t, 1,
                List.of()));
        m.put("Detection Finding (2004): unsanctioned service", new Finding("7c6b5a4f-3e2d-4c1b-8a9f-8e7d6c5b4a3f",
                dev.umbra.shipper.EventClass.DETECTION_FINDING, tls, banned, List.of("chatgpt.com"), t, t, 1,
                List.of(), PolicyEvent.UNSANCTIONED_SERVICE, -1, -1));
        m.put("Data Security Finding (2006)", new Finding("2f1e0d9c-8b7a-4f6e-9d5c-4b3a2f1e0d9c",
                dev.umbra.shipper.EventClass.DATA_SECURITY_FINDING, http, openai, List.of("api.openai.com"), t, t, 1,
                List.of(d), null, 5120, -1));
        return m;
    }

    public static void main(String[] args) throws Exception {
        OcsfMapper mapper = new OcsfMapper("0.1.0", "sensor-lon-07");
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        for (Map.Entry<String, Finding> e : all().entrySet()) {
            System.out.println("### " + e.getKey());
            System.out.println();
            System.out.println("```json");
            System.out.println(json.writeValueAsString(mapper.toEvent(e.getValue())));
            System.out.println("```");
            System.out.println();
        }
    }
}
