package dev.umbra.shipper.ocsf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.umbra.sensor.Container;
import dev.umbra.sensor.Observation;
import dev.umbra.sensor.ObservationKind;
import dev.umbra.shipper.EventClass;
import dev.umbra.shipper.Finding;
import dev.umbra.signatures.Catalog;
import dev.umbra.signatures.Match;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OcsfMapperTest {
    private final OcsfMapper mapper = new OcsfMapper("9.9.9", "sensor-1");
    private final Match chatgpt = Catalog.builtIn().matcher().match("chatgpt.com");
    private final Instant t0 = Instant.parse("2026-01-02T03:04:05.678Z");

    @Test
    void toEvent_dnsQueryUsage_isDnsActivityQueryWithServiceEnrichment() throws Exception {
        Observation o = Observation.network(t0, ObservationKind.DNS_QUERY, "chatgpt.com", "10.0.0.5", 5353, "10.0.0.1",
                53, "a.pcap");
        Finding f = Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0.plusSeconds(60), 3);
        JsonNode e = new ObjectMapper().readTree(mapper.toJsonLine(f));
        assertThat(e.get("class_uid").asInt()).isEqualTo(4003);
        assertThat(e.get("category_uid").asInt()).isEqualTo(4);
        assertThat(e.get("activity_id").asInt()).isEqualTo(1);
        assertThat(e.get("type_uid").asLong()).isEqualTo(400301);
        assertThat(e.get("time").asLong()).isEqualTo(t0.toEpochMilli());
        assertThat(e.get("end_time").asLong()).isEqualTo(t0.plusSeconds(60).toEpochMilli());
        assertThat(e.get("count").asLong()).isEqualTo(3);
        assertThat(e.at("/metadata/uid").asText()).isEqualTo(f.uid());
        assertThat(e.at("/metadata/version").asText()).isEqualTo("1.8.0");
        assertThat(e.at("/metadata/product/version").asText()).isEqualTo("9.9.9");
        assertThat(e.at("/device/hostname").asText()).isEqualTo("sensor-1");
        assertThat(e.at("/src_endpoint/ip").asText()).isEqualTo("10.0.0.5");
        assertThat(e.at("/query/hostname").asText()).isEqualTo("chatgpt.com");
        assertThat(e.get("app_name").asText()).isEqualTo("ChatGPT");
        assertThat(e.at("/enrichments/0/data/service_id").asText()).isEqualTo("openai-chatgpt");
        assertThat(e.at("/enrichments/0/data/verdict").asText()).isEqualTo("unknown");
    }

    @Test
    void toEvent_tlsSni_isNetworkActivityWithTlsSni() {
        Observation o = Observation.network(t0, ObservationKind.TLS_SNI, "chatgpt.com", "10.0.0.5", 40000,
                "104.18.32.47", 443, "eth0");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.get("class_uid").asInt()).isEqualTo(EventClass.NETWORK_ACTIVITY.uid());
        assertThat(e.at("/tls/sni").asText()).isEqualTo("chatgpt.com");
        assertThat(e.at("/connection_info/protocol_name").asText()).isEqualTo("tcp");
        assertThat(e.has("start_time")).isFalse();
    }

    @Test
    void toEvent_quicHelloWithEch_carriesVersionJa4AlpnAndEchMarkAndValidates() {
        Observation o = Observation.clientHello(t0, ObservationKind.QUIC_SNI, "chatgpt.com", "10.0.0.5", 40000,
                "104.18.32.47", 443, List.of("h3"), "q13d0312h3_55b375c5d22e_06cda9e17597", "1.3", true, "eth0");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.at("/connection_info/protocol_name").asText()).isEqualTo("udp");
        assertThat(e.at("/tls/sni").asText()).isEqualTo("chatgpt.com");
        assertThat(e.at("/tls/version").asText()).isEqualTo("1.3");
        assertThat(e.at("/ja4_fingerprint_list/0/type_id").asInt()).isEqualTo(1);
        assertThat(e.at("/ja4_fingerprint_list/0/type").asText()).isEqualTo("JA4");
        assertThat(e.at("/ja4_fingerprint_list/0/value").asText()).isEqualTo("q13d0312h3_55b375c5d22e_06cda9e17597");
        assertThat(e.at("/unmapped/umbra/ech_outer_sni").asBoolean()).isTrue();
        assertThat(e.at("/unmapped/umbra/alpn/0").asText()).isEqualTo("h3");
        dev.umbra.shipper.SchemaCheck.assertValid(e);
    }

    @Test
    void toEvent_dnsAnswerWithEchConfig_carriesEchConfigNotOuterSniAndValidates() {
        Observation o = new Observation(t0, ObservationKind.DNS_ANSWER, "chatgpt.com", "10.0.0.5", 40000,
                "10.0.0.53", 53, List.of("104.18.32.47"), List.of(), null, -1, -1, null, null, "eth0", null, null, 0,
                null, true, 0);
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.at("/class_uid").asInt()).isEqualTo(4003);
        assertThat(e.at("/unmapped/umbra/ech_config").asBoolean()).isTrue();
        assertThat(e.at("/unmapped/umbra").has("ech_outer_sni")).isFalse();
        dev.umbra.shipper.SchemaCheck.assertValid(e);
    }

    @Test
    void toEvent_clientDeviceName_isTheSourceEndpointsHostnameAndValidates() {
        Observation o = Observation.clientHello(t0, ObservationKind.TLS_SNI, "chatgpt.com", "10.0.0.5", 40000,
                "104.18.32.47", 443, List.of(), null, "1.3", false, "eth0").withClientHostname("ALICE-LAPTOP");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.at("/src_endpoint/hostname").asText()).isEqualTo("ALICE-LAPTOP");
        assertThat(e.at("/src_endpoint/ip").asText()).isEqualTo("10.0.0.5");
        assertThat(e.at("/dst_endpoint/hostname").asText()).isEqualTo("chatgpt.com");
        dev.umbra.shipper.SchemaCheck.assertValid(e);
        JsonNode without = mapper.toEvent(Finding.usage(o.withClientHostname(null), chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(without.at("/src_endpoint").has("hostname")).isFalse();
    }

    @Test
    void toEvent_tlsHelloWithoutEch_hasNoEchMark() {
        Observation o = Observation.clientHello(t0, ObservationKind.TLS_SNI, "chatgpt.com", "10.0.0.5", 40000,
                "104.18.32.47", 443, List.of(), null, "1.2", false, "eth0");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.at("/tls/version").asText()).isEqualTo("1.2");
        assertThat(e.has("ja4_fingerprint_list")).isFalse();
        assertThat(e.at("/unmapped/umbra").has("ech_outer_sni")).isFalse();
        assertThat(e.at("/unmapped/umbra").has("alpn")).isFalse();
        dev.umbra.shipper.SchemaCheck.assertValid(e);
    }

    @Test
    void toEvent_wireHttpConnect_isHttpActivityConnectWithTargetPort() {
        Observation o = Observation.httpRequest(t0, "chatgpt.com", "10.0.0.5", 40000, "10.0.0.3", 3128, "CONNECT",
                null, 443, "eth0");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.get("class_uid").asInt()).isEqualTo(EventClass.HTTP_ACTIVITY.uid());
        assertThat(e.get("activity_id").asInt()).isEqualTo(1);
        assertThat(e.at("/http_request/http_method").asText()).isEqualTo("CONNECT");
        assertThat(e.at("/http_request/url/hostname").asText()).isEqualTo("chatgpt.com");
        assertThat(e.at("/http_request/url/port").asInt()).isEqualTo(443);
        assertThat(e.at("/http_request/url").has("path")).isFalse();
        assertThat(e.at("/dst_endpoint/port").asInt()).isEqualTo(3128);
        dev.umbra.shipper.SchemaCheck.assertValid(e);
    }

    @Test
    void toEvent_socksRequest_isNetworkActivityToTheDestinationThroughTheProxyEndpoint() {
        Observation o = Observation.socksRequest(t0, "chatgpt.com", "10.0.0.5", 40000, "10.0.0.3", 1080, "CONNECT",
                443, "eth0");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.get("class_uid").asInt()).isEqualTo(EventClass.NETWORK_ACTIVITY.uid());
        assertThat(e.at("/connection_info/protocol_name").asText()).isEqualTo("tcp");
        assertThat(e.at("/dst_endpoint/hostname").asText()).isEqualTo("chatgpt.com");
        assertThat(e.at("/dst_endpoint/port").asInt()).isEqualTo(443);
        assertThat(e.at("/dst_endpoint").has("ip")).as("the packets went to the proxy, not there").isFalse();
        assertThat(e.at("/proxy_endpoint/ip").asText()).isEqualTo("10.0.0.3");
        assertThat(e.at("/proxy_endpoint/port").asInt()).isEqualTo(1080);
        assertThat(e.at("/unmapped/umbra/observation_kind").asText()).isEqualTo("socks_request");
        assertThat(e.has("tls")).isFalse();
        dev.umbra.shipper.SchemaCheck.assertValid(e);

        JsonNode policy = mapper.toEvent(Finding.policy(dev.umbra.shipper.PolicyEvent.FIRST_SEEN, o, chatgpt, t0, 1));
        assertThat(policy.at("/evidences/0/proxy_endpoint/port").asInt()).isEqualTo(1080);
        assertThat(policy.at("/evidences/0/dst_endpoint/hostname").asText()).isEqualTo("chatgpt.com");
        dev.umbra.shipper.SchemaCheck.assertValid(policy);
    }

    @Test
    void toEvent_wireHttpPost_carriesMethodAndPath() {
        Observation o = Observation.httpRequest(t0, "chatgpt.com", "10.0.0.5", 40000, "10.0.0.9", 80, "POST",
                "/backend-api/conversation", 0, "eth0");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.get("activity_id").asInt()).isEqualTo(6);
        assertThat(e.at("/http_request/http_method").asText()).isEqualTo("POST");
        assertThat(e.at("/http_request/url/path").asText()).isEqualTo("/backend-api/conversation");
        assertThat(e.at("/http_request/url").has("port")).isFalse();
        dev.umbra.shipper.SchemaCheck.assertValid(e);
    }

    @Test
    void toEvent_proxyRequest_isHttpActivityWithUserMethodPathStatusAndBytes() {
        Observation o = Observation.request(t0, ObservationKind.PROXY_REQUEST, "chatgpt.com", "10.0.0.5", 0, "1.2.3.4",
                443, "alice", "POST", "/backend-api/files", 201, 5000, 310, "access.log");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.get("class_uid").asInt()).isEqualTo(EventClass.HTTP_ACTIVITY.uid());
        assertThat(e.at("/actor/user/name").asText()).isEqualTo("alice");
        assertThat(e.at("/http_request/http_method").asText()).isEqualTo("POST");
        assertThat(e.at("/http_request/url/hostname").asText()).isEqualTo("chatgpt.com");
        assertThat(e.at("/http_request/url/path").asText()).isEqualTo("/backend-api/files");
        assertThat(e.at("/http_response/code").asInt()).isEqualTo(201);
        assertThat(e.at("/traffic/bytes_out").asLong()).isEqualTo(5000);
        assertThat(e.at("/traffic/bytes_in").asLong()).isEqualTo(310);
    }

    @Test
    void toEvent_processInAContainer_actorProcessHasTheContainersIdAndRuntime() {
        String id = "3f2a9c1b".repeat(8);
        Observation o = Observation.network(t0, ObservationKind.TLS_SNI, "chatgpt.com", "172.17.0.2", 40000,
                "104.18.32.47", 443, "any").withActor("root", "python3", Container.of("docker", id));
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.at("/actor/user/name").asText()).isEqualTo("root");
        assertThat(e.at("/actor/process/name").asText()).isEqualTo("python3");
        assertThat(e.at("/actor/process/container/uid").asText()).isEqualTo(id);
        assertThat(e.at("/actor/process/container/runtime").asText()).isEqualTo("docker");
        assertThat(e.at("/actor/process/container")).hasSize(2);
        dev.umbra.shipper.SchemaCheck.assertValid(e);
        // a container without a process name
        JsonNode bare = mapper.toEvent(Finding.usage(o.withActor(null, null, Container.of("containerd", id)), chatgpt,
                List.of("chatgpt.com"), t0, 1));
        assertThat(bare.at("/actor/process").has("name")).isFalse();
        assertThat(bare.at("/actor/process/container/uid").asText()).isEqualTo(id);
        assertThat(bare.at("/actor/process/container/runtime").asText()).isEqualTo("containerd");
        dev.umbra.shipper.SchemaCheck.assertValid(bare);
        // no container: no container object
        JsonNode none = mapper.toEvent(Finding.usage(o.withActor("root", "python3", null), chatgpt,
                List.of("chatgpt.com"), t0, 1));
        assertThat(none.at("/actor/process").has("container")).isFalse();
    }

    @Test
    void toEvent_namedContainerOfAPod_nameImagePodAndLabels() {
        String id = "c0ffee00".repeat(8);
        Container pod = new Container("containerd", id, "notebook", "ghcr.io/example/jupyter:2026.1", "kubernetes",
                "5b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b",
                List.of("io.kubernetes.pod.name=notebook-0", "io.kubernetes.pod.namespace=data-science"));
        Observation o = Observation.network(t0, ObservationKind.TLS_SNI, "api.openai.com", "10.244.1.7", 40000,
                "104.18.32.47", 443, "any").withActor(null, "python3", pod);
        JsonNode c = mapper.toEvent(Finding.usage(o, chatgpt, List.of("api.openai.com"), t0, 1))
                .at("/actor/process/container");
        assertThat(c.at("/uid").asText()).isEqualTo(id);
        assertThat(c.at("/runtime").asText()).isEqualTo("containerd");
        assertThat(c.at("/name").asText()).isEqualTo("notebook");
        assertThat(c.at("/image/name").asText()).isEqualTo("ghcr.io/example/jupyter:2026.1");
        assertThat(c.at("/orchestrator").asText()).isEqualTo("kubernetes");
        assertThat(c.at("/pod_uuid").asText()).isEqualTo("5b7c1a2e-3f4d-4e5f-8a9b-0c1d2e3f4a5b");
        assertThat(c.at("/labels")).extracting(JsonNode::asText)
                .containsExactly("io.kubernetes.pod.name=notebook-0", "io.kubernetes.pod.namespace=data-science");
        dev.umbra.shipper.SchemaCheck.assertValid(mapper.toEvent(Finding.usage(o, chatgpt, List.of("api.openai.com"), t0, 1)));
        // a Compose service: name, image and its project and service, no pod
        Container compose = new Container("docker", id, "rag-worker-1", "python:3.12-slim", null, null,
                List.of("com.docker.compose.project=rag", "com.docker.compose.service=worker"));
        JsonNode d = mapper.toEvent(Finding.usage(o.withActor("root", "python3", compose), chatgpt,
                List.of("api.openai.com"), t0, 1));
        assertThat(d.at("/actor/process/container/name").asText()).isEqualTo("rag-worker-1");
        assertThat(d.at("/actor/process/container").has("orchestrator")).isFalse();
        assertThat(d.at("/actor/process/container").has("pod_uuid")).isFalse();
        dev.umbra.shipper.SchemaCheck.assertValid(d);
    }

    @Test
    void toEvent_requestWithoutDetails_omitsThem() {
        Observation o = Observation.network(t0, ObservationKind.PROXY_REQUEST, "chatgpt.com", null, 0, null, 0, "log");
        JsonNode e = mapper.toEvent(Finding.usage(o, chatgpt, List.of("chatgpt.com"), t0, 1));
        assertThat(e.at("/http_request").has("http_method")).isFalse();
        assertThat(e.at("/http_request/url").has("path")).isFalse();
        assertThat(e.has("http_response")).isFalse();
    }

    @Test
    void finding_withoutHostnamesOrCount_isRefused() {
        Observation o = Observation.network(t0, ObservationKind.TLS_SNI, "x", null, 0, null, 0, "s");
        assertThatThrownBy(() -> Finding.usage(o, chatgpt, List.of(), t0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Finding.usage(o, chatgpt, List.of("x"), t0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toEvent_everyClass_validatesAgainstTheSchema() {
        Observation dns = Observation.network(t0, ObservationKind.DNS_ANSWER, "chatgpt.com", "10.0.0.5", 5353,
                "10.0.0.1", 53, "a.pcap");
        Observation quic = Observation.network(t0, ObservationKind.QUIC_SNI, "chatgpt.com", "10.0.0.5", 40001,
                "104.18.32.47", 443, "eth0");
        Observation proxy = new Observation(t0, ObservationKind.PROXY_REQUEST, "chatgpt.com", "10.0.0.7", 0, null, 0,
                List.of(), List.of(), null, 900, 15000, "bob", null, "squid access.log");
        dev.umbra.classifier.Detection d = new dev.umbra.classifier.Detection("aws_access_key_id",
                dev.umbra.classifier.DetectionCategory.SECRET, dev.umbra.classifier.Likelihood.POSSIBLE, 0, 20,
                "AKIA************MPLE", "ab".repeat(32));
        List<Finding> all = List.of(Finding.usage(dns, chatgpt, List.of("chatgpt.com"), t0, 1),
                Finding.usageWindow(quic, chatgpt, List.of("chatgpt.com", "ab.chatgpt.com"), t0.plusSeconds(30), 4,
                        -1, -1),
                Finding.usage(proxy, chatgpt, List.of("chatgpt.com"), t0, 1),
                Finding.policy(dev.umbra.shipper.PolicyEvent.FIRST_SEEN, proxy, chatgpt, t0, 1),
                Finding.policy(dev.umbra.shipper.PolicyEvent.UNUSUAL_REQUEST_RATE, dns, chatgpt, t0, 1000),
                Finding.dataSecurity(proxy, chatgpt, List.of(d)));
        for (Finding f : all) {
            dev.umbra.shipper.SchemaCheck.assertValid(mapper.toEvent(f));
        }
        JsonNode p = mapper.toEvent(all.get(3));
        assertThat(p.get("class_uid").asInt()).isEqualTo(2004);
        assertThat(p.at("/finding_info/types/0").asText()).isEqualTo("first_seen");
        assertThat(p.at("/evidences/0/actor/user/name").asText()).isEqualTo("bob");
        assertThat(p.has("src_endpoint")).isFalse();
        JsonNode ds = mapper.toEvent(all.get(5));
        assertThat(ds.at("/data_security/category").asText()).isEqualTo("Security");
        assertThat(ds.at("/unmapped/umbra/detections/0/hmac").asText()).hasSize(64);
    }

    @Test
    void toEvent_dataSecurityFinding_carriesWhatBecameOfTheRequestAndOnlyThere() {
        Observation icap = new Observation(t0, ObservationKind.HTTP_REQUEST, "api.openai.com", "10.0.0.7", 0, null, 0,
                List.of(), List.of(), null, -1, -1, "alice", null, "icap");
        dev.umbra.classifier.Detection d = new dev.umbra.classifier.Detection("aws_access_key_id",
                dev.umbra.classifier.DetectionCategory.SECRET, dev.umbra.classifier.Likelihood.LIKELY, 0, 20,
                "AKIA************MPLE", "cd".repeat(32));
        Map<dev.umbra.shipper.Outcome, List<Object>> expected = Map.of(
                dev.umbra.shipper.Outcome.OBSERVED, List.of(3, "Observed", 15, "Detected"),
                dev.umbra.shipper.Outcome.ALLOWED, List.of(1, "Allowed", 1, "Allowed"),
                dev.umbra.shipper.Outcome.BLOCKED, List.of(2, "Denied", 2, "Blocked"));
        expected.forEach((outcome, values) -> {
            JsonNode e = mapper.toEvent(Finding.dataSecurity(icap, chatgpt, List.of(d), outcome));
            dev.umbra.shipper.SchemaCheck.assertValid(e);
            assertThat(List.<Object>of(e.get("action_id").asInt(), e.get("action").asText(), e.get("disposition_id").asInt(),
                    e.get("disposition").asText())).as("%s", outcome).isEqualTo(values);
            assertThat(e.at("/metadata/profiles").toString()).isEqualTo("[\"security_control\"]");
        });
        assertThat(Finding.dataSecurity(icap, chatgpt, List.of(d)).outcome()).isEqualTo(dev.umbra.shipper.Outcome.OBSERVED);

        com.fasterxml.jackson.databind.node.ObjectNode usage = mapper.toEvent(Finding.usage(icap, chatgpt,
                List.of("api.openai.com"), t0, 1));
        assertThat(usage.has("action_id")).isFalse();
        assertThat(usage.at("/metadata/profiles").isMissingNode()).isTrue();
        usage.put("action_id", 2);
        assertThat(dev.umbra.shipper.SchemaCheck.errors(usage)).as("an outcome on an activity event").isNotEmpty();
        com.fasterxml.jackson.databind.node.ObjectNode mixed = mapper.toEvent(Finding.dataSecurity(icap, chatgpt,
                List.of(d), dev.umbra.shipper.Outcome.BLOCKED));
        mixed.put("disposition_id", 15).put("disposition", "Detected");
        assertThat(dev.umbra.shipper.SchemaCheck.errors(mixed)).as("Denied with Detected").isNotEmpty();
        assertThatThrownBy(() -> new Finding("u", EventClass.HTTP_ACTIVITY, icap, chatgpt, List.of("api.openai.com"), t0,
                t0, 1, List.of(), null, -1, -1, dev.umbra.shipper.Outcome.BLOCKED)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void schema_eventWithUndocumentedField_isRejected() {
        Observation o = Observation.network(t0, ObservationKind.TLS_SNI, "chatgpt.com", "10.0.0.5", 40000,
                "104.18.32.47", 443, "eth0");
        com.fasterxml.jackson.databind.node.ObjectNode e = mapper.toEvent(Finding.usage(o, chatgpt,
                List.of("chatgpt.com"), t0, 1));
        e.put("raw_payload", "secret");
        assertThat(dev.umbra.shipper.SchemaCheck.errors(e)).isNotEmpty();
        e.remove("raw_payload");
        e.remove("metadata");
        assertThat(dev.umbra.shipper.SchemaCheck.errors(e)).isNotEmpty();
    }

    @Test
    void finding_policyEventOnActivityClass_isRefused() {
        Observation o = Observation.network(t0, ObservationKind.TLS_SNI, "x", null, 0, null, 0, "s");
        assertThatThrownBy(() -> new Finding("u", EventClass.NETWORK_ACTIVITY, o, chatgpt, List.of("x"), t0, t0, 1,
                List.of(), dev.umbra.shipper.PolicyEvent.FIRST_SEEN, -1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Finding.dataSecurity(o, chatgpt, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void streamWriter_eventsBackToBack_eachParsesToTheSameEventAsToJsonBytes() throws Exception {
        ObjectMapper json = new ObjectMapper();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        List<Finding> findings = new java.util.ArrayList<>();
        for (int i = 0; i < 9; i++) {
            Observation o = Observation.network(t0.plusMillis(i), new ObservationKind[] {ObservationKind.DNS_QUERY,
                    ObservationKind.TLS_SNI, ObservationKind.PROXY_REQUEST}[i % 3], "chatgpt.com",
                    "10.0.0." + i, 40000 + i, "104.18.32.47", 443, "log-\"quoted\"-" + i);
            findings.add(Finding.usage(o, i % 2 == 0 ? chatgpt : null, List.of("chatgpt.com"), t0.plusMillis(i), 1));
        }
        List<Integer> ends = new java.util.ArrayList<>();
        try (OcsfMapper.StreamWriter w = mapper.streamWriter(out)) {
            for (Finding f : findings) {
                w.write(f);
                ends.add(out.size()); // flushed event by event
            }
        }
        byte[] all = out.toByteArray();
        assertThat(all.length).isEqualTo(ends.get(ends.size() - 1)); // no separator, nothing on close
        int start = 0;
        for (int i = 0; i < findings.size(); i++) {
            byte[] one = java.util.Arrays.copyOfRange(all, start, ends.get(i));
            assertThat(one).isEqualTo(mapper.toJsonBytes(findings.get(i)));
            assertThat(json.readTree(one).at("/metadata/uid").asText()).isEqualTo(findings.get(i).uid());
            start = ends.get(i);
        }
    }
}
