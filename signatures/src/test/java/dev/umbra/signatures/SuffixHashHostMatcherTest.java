package dev.umbra.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SuffixHashHostMatcherTest {
    private static AiService service(String id, String... domains) {
        return AiService.of(id, id, "vendor", Category.MODEL_API,
                java.util.Arrays.stream(domains).map(DomainPattern::parse).toList(), Map.of());
    }

    private final HostMatcher matcher = HostMatcher.of(List.of(
            service("chat", "chatgpt.com", "openai.com"),
            service("api", "=api.openai.com"),
            service("aws-thing", "ws.amazon.com"),
            service("idn", "bücher.example")));

    private String idOf(String host) {
        Match m = matcher.match(host);
        return m == null ? null : m.service().id();
    }

    @Test
    void match_domainAndSubdomains_matchAtLabelBoundary() {
        assertThat(idOf("chatgpt.com")).isEqualTo("chat");
        assertThat(idOf("ab.chatgpt.com")).isEqualTo("chat");
        assertThat(idOf("a.b.c.chatgpt.com")).isEqualTo("chat");
    }

    @Test
    void match_lookAlikes_doNotMatch() {
        assertThat(idOf("notchatgpt.com")).isNull();
        assertThat(idOf("notopenai.com")).isNull();
        assertThat(idOf("openai.com.evil.example")).isNull();
        assertThat(idOf("chatgpt.com-evil.example")).isNull();
        assertThat(idOf("aws.amazon.com")).isNull();
        assertThat(idOf("xchatgpt.com")).isNull();
        assertThat(idOf("com")).isNull();
    }

    @Test
    void match_exactRule_winsOverSuffixAndMatchesOnlyItself() {
        assertThat(idOf("api.openai.com")).isEqualTo("api");
        assertThat(idOf("eu.api.openai.com")).isEqualTo("chat");
        assertThat(idOf("platform.openai.com")).isEqualTo("chat");
        assertThat(matcher.match("api.openai.com").pattern().exact()).isTrue();
    }

    @Test
    void match_caseAndTrailingDot_areIgnored() {
        assertThat(idOf("ChatGPT.COM")).isEqualTo("chat");
        assertThat(idOf("chatgpt.com.")).isEqualTo("chat");
        assertThat(idOf("API.OpenAI.com.")).isEqualTo("api");
    }

    @Test
    void match_internationalisedName_comparedInPunycode() {
        assertThat(idOf("www.bücher.example")).isEqualTo("idn");
        assertThat(idOf("www.xn--bcher-kva.example")).isEqualTo("idn");
    }

    @Test
    void match_emptyNullOrOversize_returnsNull() {
        assertThat(matcher.match(null)).isNull();
        assertThat(idOf("")).isNull();
        assertThat(idOf(".")).isNull();
        assertThat(idOf("a".repeat(300) + ".chatgpt.com")).isNull();
    }

    @Test
    void match_mostSpecificSuffix_wins() {
        HostMatcher m = HostMatcher.of(List.of(service("outer", "google.com"), service("inner", "gemini.google.com")));
        assertThat(m.match("gemini.google.com").service().id()).isEqualTo("inner");
        assertThat(m.match("x.gemini.google.com").service().id()).isEqualTo("inner");
        assertThat(m.match("mail.google.com").service().id()).isEqualTo("outer");
    }

    @Test
    void of_samePatternInTwoServices_throwsNamingBoth() {
        assertThatThrownBy(() -> HostMatcher.of(List.of(service("a", "x.example"), service("b", "x.example"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x.example").hasMessageContaining("a").hasMessageContaining("b");
    }

    @Test
    void match_manyRandomNames_neverThrows() {
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 100_000; i++) {
            char[] chars = new char[random.nextInt(40)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = random.nextInt(8) == 0 ? '.' : (char) random.nextInt(0x2000);
            }
            matcher.match(new String(chars));
        }
        assertThat(idOf("chatgpt.com")).isEqualTo("chat");
    }

    @Test
    void match_wildcardLabel_matchesAnyOneRegion() {
        HostMatcher m = HostMatcher.of(List.of(service("bedrock", "bedrock-runtime.*.amazonaws.com"),
                service("vertex", "*-aiplatform.googleapis.com"), service("gemini", "=generativelanguage.googleapis.com")));
        assertThat(m.match("bedrock-runtime.us-east-1.amazonaws.com").service().id()).isEqualTo("bedrock");
        assertThat(m.match("BEDROCK-RUNTIME.eu-west-3.amazonaws.com.").service().id()).isEqualTo("bedrock");
        assertThat(m.match("vpce-1.bedrock-runtime.us-east-1.amazonaws.com").service().id()).isEqualTo("bedrock");
        assertThat(m.match("us-central1-aiplatform.googleapis.com").service().id()).isEqualTo("vertex");
        assertThat(m.match("generativelanguage.googleapis.com").service().id()).isEqualTo("gemini");
    }

    @Test
    void match_wildcardLookAlikes_doNotMatch() {
        HostMatcher m = HostMatcher.of(List.of(service("bedrock", "bedrock-runtime.*.amazonaws.com"),
                service("vertex", "*-aiplatform.googleapis.com")));
        assertThat(m.match("bedrock-runtime.amazonaws.com")).isNull();
        assertThat(m.match("xbedrock-runtime.us-east-1.amazonaws.com")).isNull();
        assertThat(m.match("bedrock-runtime..amazonaws.com")).isNull();
        assertThat(m.match("bedrock-runtime.us-east-1.amazonaws.com.evil.example")).isNull();
        assertThat(m.match("s3.us-east-1.amazonaws.com")).isNull();
        assertThat(m.match("-aiplatform.googleapis.com")).isNull();
        assertThat(m.match("aiplatform.googleapis.com")).isNull();
        assertThat(m.match("storage.googleapis.com")).isNull();
        assertThat(m.match("amazonaws.com")).isNull();
    }

    @Test
    void match_exactWildcard_doesNotMatchSubdomains() {
        HostMatcher m = HostMatcher.of(List.of(service("q", "=q.*.amazonaws.com")));
        assertThat(m.match("q.us-east-1.amazonaws.com").service().id()).isEqualTo("q");
        assertThat(m.match("x.q.us-east-1.amazonaws.com")).isNull();
    }

    @Test
    void match_literalAndWildcardOverlap_longerMatchThenLiteralWins() {
        HostMatcher m = HostMatcher.of(List.of(service("wild", "bedrock.*.amazonaws.com"),
                service("regional", "us-east-1.amazonaws.com"), service("special", "=bedrock.us-east-1.amazonaws.com")));
        assertThat(m.match("bedrock.us-west-2.amazonaws.com").service().id()).isEqualTo("wild");
        assertThat(m.match("bedrock.us-east-1.amazonaws.com").service().id()).isEqualTo("special");
        assertThat(m.match("x.bedrock.us-east-1.amazonaws.com").service().id()).isEqualTo("wild");
        assertThat(m.match("ec2.us-east-1.amazonaws.com").service().id()).isEqualTo("regional");
    }

    @Test
    void match_manyWildcardsOnOneAnchor_keyedAndLinearRulesAllFound() {
        java.util.List<AiService> services = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            services.add(service("svc" + i, "api" + i + ".*.cloud.example"));
        }
        services.add(service("deep", "w.*.*.cloud.example"));
        services.add(service("dash", "*-ml.cloud.example"));
        services.add(service("runtime", "runtime.api7.*.cloud.example"));
        HostMatcher m = HostMatcher.of(services);
        for (int i = 0; i < 50; i++) {
            assertThat(m.match("API" + i + ".eu-1.cloud.example").service().id()).isEqualTo("svc" + i);
        }
        assertThat(m.match("api50.eu-1.cloud.example")).isNull();
        assertThat(m.match("api7.cloud.example")).isNull();
        assertThat(m.match("w.a.b.cloud.example").service().id()).isEqualTo("deep");
        assertThat(m.match("w.a.cloud.example")).isNull();
        assertThat(m.match("eu-ml.cloud.example").service().id()).isEqualTo("dash");
        assertThat(m.match("runtime.api7.us.cloud.example").service().id()).isEqualTo("runtime");
        assertThat(m.match("other.api7.us.cloud.example").service().id()).isEqualTo("svc7");
    }

    @Test
    void match_suffixCollidingWithAKeyWithoutRules_neverMatches() {
        // "wxyz.example" is a key without rules (a suffix of the rule's key): the scan skips comparing
        // it, so a different label with the same hash must still not match the rule further left
        HostMatcher m = HostMatcher.of(List.of(service("s", "sub.wxyz.example")));
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-";
        int target = foldedHash("wxyz.example");
        int collisions = 0;
        char[] label = new char[4];
        for (char a : alphabet.toCharArray()) {
            for (char b : alphabet.toCharArray()) {
                for (char c : alphabet.toCharArray()) {
                    for (char d : alphabet.toCharArray()) {
                        label[0] = a;
                        label[1] = b;
                        label[2] = c;
                        label[3] = d;
                        String l = new String(label);
                        if (!l.equals("wxyz") && foldedHash(l + ".example") == target) {
                            collisions++;
                            assertThat(m.match("sub." + l + ".example")).as(l).isNull();
                            assertThat(m.match(l + ".example")).as(l).isNull();
                        }
                    }
                }
            }
        }
        assertThat(collisions).as("colliding labels found").isPositive();
        assertThat(idOf(m, "sub.wxyz.example")).isEqualTo("s");
    }

    /** The matcher's hash: right to left, h * 31 + (c | 0x20). */
    private static int foldedHash(String s) {
        int h = 0;
        for (int i = s.length() - 1; i >= 0; i--) {
            h = h * 31 + (s.charAt(i) | 0x20);
        }
        return h;
    }

    private static String idOf(HostMatcher m, String host) {
        Match r = m.match(host);
        return r == null ? null : r.service().id();
    }

    @Test
    void parse_badWildcards_areRefused() {
        for (String bad : new String[] {"*.com", "a.*", "x*y.example.com", "**.example.com", "api.*.com", "a.**.example.com"}) {
            assertThatThrownBy(() -> DomainPattern.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(bad);
        }
    }

    @Test
    void match_miss_allocatesNothing() {
        HostMatcher m = Catalog.builtIn().matcher();
        String[] misses = {"www.google.com", "avatars.githubusercontent.com", "s3.us-east-1.amazonaws.com",
            "storage.googleapis.com", "notopenai.com", "openai.com.evil.example", "a.b.c.d.e.example.org"};
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int hits = 0;
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 20_000; i++) {
                if (m.match(misses[i % misses.length]) != null
                        || m.match(misses[i % misses.length], "10.1.2.3", "alice") != null) {
                    hits++;
                }
            }
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            // 40,000 lookups: even one small object each would be over 600 KB
            assertThat(allocated).as("bytes allocated by 40,000 missing lookups").isLessThan(4096);
        }
        assertThat(hits).isZero();
    }

    @Test
    void match_policyAwareHit_ipv4Client_allocatesNothing() throws Exception {
        Policy policy = Policy.parse("policy.json", """
                {"default": "unsanctioned", "groups": {"research": ["alice"]},
                 "exceptions": [
                   {"name": "research", "groups": ["research"], "categories": {"chat_assistant": "tolerated"}},
                   {"name": "lab", "networks": ["10.20.0.0/16"], "services": {"deepseek-api": "tolerated"}}
                 ]}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HostMatcher m = Catalog.builtIn().withPolicy(policy).matcher();
        String[] hosts = {"claude.ai", "api.deepseek.com", "api.openai.com", "chatgpt.com"};
        String[] clients = {"10.20.1.2", "192.0.2.7", "10.20.255.1"};
        String[] users = {"alice", "bob", null};
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        int[] byVerdict = new int[Verdict.values().length];
        for (int round = 0; round < 3; round++) {
            long before = threads.getThreadAllocatedBytes(id);
            for (int i = 0; i < 20_000; i++) {
                byVerdict[m.match(hosts[i & 3], clients[i % 3], users[i % 3]).verdict().ordinal()]++;
            }
            long allocated = threads.getThreadAllocatedBytes(id) - before;
            assertThat(allocated).as("bytes allocated by 20,000 policy-aware hits").isLessThan(4096);
        }
        // both exceptions and the base verdict answered
        assertThat(byVerdict[Verdict.TOLERATED.ordinal()]).isGreaterThan(10_000);
        assertThat(byVerdict[Verdict.UNSANCTIONED.ordinal()]).isGreaterThan(10_000);
    }
    @Test
    void matchRuntime_portAndPathOfAShippedRuntime_matchesItByPort() {
        HostMatcher m = Catalog.builtIn().matcher();
        Match ollama = m.matchRuntime(11434, "/api/chat", "10.0.0.7", null);
        assertThat(ollama.service().id()).isEqualTo("ollama");
        assertThat(ollama.pattern()).isNull();
        assertThat(ollama.port()).isEqualTo(11434);
        assertThat(ollama.rule()).isEqualTo("port 11434");
        assertThat(m.matchRuntime(11434, "/v1/chat/completions?stream=true", null, null).service().id()).isEqualTo("ollama");
        assertThat(m.matchRuntime(1234, "/v1/chat/completions", null, null).service().id()).isEqualTo("lm-studio");
        assertThat(m.matchRuntime(8188, "/prompt", null, null).service().id()).isEqualTo("comfyui");
        assertThat(m.isRuntimePort(11434)).isTrue();
        assertThat(m.isRuntimePort(443)).isFalse();
    }

    @Test
    void matchRuntime_inferenceServersOverGrpcAndHttp_areToldApartByPath() {
        HostMatcher m = Catalog.builtIn().matcher();
        assertThat(m.matchRuntime(8001, "/inference.GRPCInferenceService/ModelInfer", null, null).service().id())
                .isEqualTo("triton");
        Match infer = m.matchRuntime(8000, "/v2/models/resnet50/infer", null, null);
        assertThat(infer.service().id()).isEqualTo("triton");
        assertThat(infer.service().functionOf("/v2/models/resnet50/infer")).isEqualTo("inference");
        // the same port, an OpenAI-style path: vLLM's default
        assertThat(m.matchRuntime(8000, "/v1/chat/completions", null, null).service().id()).isEqualTo("vllm");
        assertThat(m.matchRuntime(8500, "/tensorflow.serving.PredictionService/Predict", null, null).service().id())
                .isEqualTo("tensorflow-serving");
        assertThat(m.matchRuntime(7070, "/org.pytorch.serve.grpc.inference.InferenceAPIsService/Predictions", null,
                null).service().id()).isEqualTo("torchserve");
        assertThat(m.matchRuntime(8000, "/", null, null)).as("8000 alone").isNull();
        assertThat(m.matchRuntime(8001, "/grpc.health.v1.Health/Check", null, null)).as("any gRPC service").isNull();
        // no domains: only port and path find them
        assertThat(Catalog.builtIn().service("triton").domains()).isEmpty();
    }

    @Test
    void matchRuntime_portWithoutAKnownPathOrPathOnAnotherPort_isNoMatch() {
        HostMatcher m = Catalog.builtIn().matcher();
        assertThat(m.matchRuntime(11434, "/", null, null)).as("the port alone").isNull();
        assertThat(m.matchRuntime(1234, "/index.html", null, null)).as("something else on 1234").isNull();
        assertThat(m.matchRuntime(8080, "/api/chat", null, null)).as("the path alone").isNull();
        assertThat(m.matchRuntime(11434, null, null, null)).isNull();
        assertThat(HostMatcher.of(List.of()).matchRuntime(11434, "/api/chat", null, null)).isNull();
    }

    @Test
    void matchRuntime_policyVerdicts_applyAsToDomainMatches() throws Exception {
        Policy policy = Policy.parse("policy.json", """
                {"default": "unknown", "services": {"ollama": "unsanctioned"},
                 "exceptions": [{"name": "lab", "networks": ["10.20.0.0/16"], "services": {"ollama": "sanctioned"}}]}
                """.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        HostMatcher m = Catalog.builtIn().withPolicy(policy).matcher();
        assertThat(m.matchRuntime(11434, "/api/generate", "192.0.2.7", null).verdict()).isEqualTo(Verdict.UNSANCTIONED);
        assertThat(m.matchRuntime(11434, "/api/generate", "10.20.3.4", null).verdict()).isEqualTo(Verdict.SANCTIONED);
        assertThat(m.match("ollama.com", "10.20.3.4", null).verdict()).isEqualTo(Verdict.SANCTIONED);
    }
}
