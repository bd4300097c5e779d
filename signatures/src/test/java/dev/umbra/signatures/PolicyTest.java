package dev.umbra.signatures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PolicyTest {
    private static final String POLICY = """
            {
              "default": "unsanctioned",
              "categories": {"model_api": "tolerated", "coding_assistant": "tolerated"},
              "services": {"azure-openai": "sanctioned", "github-copilot": "sanctioned", "deepseek-chat": "unsanctioned"},
              "custom_services": [
                {"id": "corp-llm-gateway", "name": "Corp LLM gateway", "vendor": "Example Corp",
                 "category": "model_api", "domains": ["llm.corp.example"]}
              ],
              "extra_domains": {"azure-openai": ["=aoai-proxy.corp.example"]},
              "groups": {"research": ["alice", "bob"]},
              "exceptions": [
                {"name": "research may use chat", "groups": ["research"], "categories": {"chat_assistant": "tolerated"}},
                {"name": "lab network", "networks": ["10.20.0.0/16", "2001:db8:20::/48"],
                 "services": {"deepseek-chat": "tolerated"}}
              ],
              "services_comment_is_not_allowed": null
            }
            """;

    private static Policy parse(String json) throws CatalogException {
        return Policy.parse("policy.json", json.getBytes(StandardCharsets.UTF_8));
    }

    private static final String VALID = POLICY.replace(",\n  \"services_comment_is_not_allowed\": null", "");

    @Test
    void parse_unknownTopLevelField_namesFileAndLine() {
        assertThatThrownBy(() -> parse(POLICY)).isInstanceOf(CatalogException.class)
                .hasMessageContaining("policy.json:16").hasMessageContaining("services_comment_is_not_allowed");
    }

    @Test
    void verdict_resolutionOrder_serviceThenCategoryThenDefault() throws Exception {
        Catalog c = Catalog.builtIn().withPolicy(parse(VALID));
        HostMatcher m = c.matcher();
        assertThat(m.match("my.openai.azure.com").verdict()).isEqualTo(Verdict.SANCTIONED);
        assertThat(m.match("api.openai.com").verdict()).isEqualTo(Verdict.TOLERATED);
        assertThat(m.match("chatgpt.com").verdict()).isEqualTo(Verdict.UNSANCTIONED);
        assertThat(m.match("chat.deepseek.com").verdict()).isEqualTo(Verdict.UNSANCTIONED);
    }

    @Test
    void match_customServiceAndExtraDomain_areMatched() throws Exception {
        Catalog c = Catalog.builtIn().withPolicy(parse(VALID));
        assertThat(c.matcher().match("eu.llm.corp.example").service().id()).isEqualTo("corp-llm-gateway");
        assertThat(c.matcher().match("eu.llm.corp.example").verdict()).isEqualTo(Verdict.TOLERATED);
        assertThat(c.matcher().match("aoai-proxy.corp.example").service().id()).isEqualTo("azure-openai");
        assertThat(c.service("corp-llm-gateway").riskScore()).isEqualTo(64);
    }

    @Test
    void match_groupException_appliesToMembersOnly() throws Exception {
        HostMatcher m = Catalog.builtIn().withPolicy(parse(VALID)).matcher();
        assertThat(m.match("claude.ai", "192.0.2.1", "alice").verdict()).isEqualTo(Verdict.TOLERATED);
        assertThat(m.match("claude.ai", "192.0.2.1", "mallory").verdict()).isEqualTo(Verdict.UNSANCTIONED);
        assertThat(m.match("claude.ai", null, null).verdict()).isEqualTo(Verdict.UNSANCTIONED);
        // an exception that says nothing about the service leaves the base verdict
        assertThat(m.match("my.openai.azure.com", "192.0.2.1", "alice").verdict()).isEqualTo(Verdict.SANCTIONED);
    }

    @Test
    void match_networkException_appliesInsideTheCidrOnly() throws Exception {
        HostMatcher m = Catalog.builtIn().withPolicy(parse(VALID)).matcher();
        assertThat(m.match("chat.deepseek.com", "10.20.3.4", null).verdict()).isEqualTo(Verdict.TOLERATED);
        assertThat(m.match("chat.deepseek.com", "10.21.3.4", null).verdict()).isEqualTo(Verdict.UNSANCTIONED);
        assertThat(m.match("chat.deepseek.com", "2001:db8:20::7", null).verdict()).isEqualTo(Verdict.TOLERATED);
        assertThat(m.match("chat.deepseek.com", "[2001:db8:21::7]", null).verdict()).isEqualTo(Verdict.UNSANCTIONED);
        assertThat(m.match("chat.deepseek.com", "not an address", null).verdict()).isEqualTo(Verdict.UNSANCTIONED);
    }

    @Test
    void match_exceptionThatAppliesButSaysNothingOfTheService_fallsToTheNextOne() throws Exception {
        HostMatcher m = Catalog.builtIn().withPolicy(parse("""
                {"default": "unsanctioned", "groups": {"research": ["alice"]},
                 "exceptions": [
                   {"name": "research", "groups": ["research"], "services": {"deepseek-chat": "sanctioned"}},
                   {"name": "lab", "networks": ["10.20.0.0/16"], "categories": {"chat_assistant": "tolerated"}},
                   {"name": "all of research", "groups": ["research"], "categories": {"chat_assistant": "sanctioned"}}
                 ]}
                """)).matcher();
        // alice in the lab: the first exception applies but names another service, the second answers
        assertThat(m.match("claude.ai", "10.20.1.1", "alice").verdict()).isEqualTo(Verdict.TOLERATED);
        // alice elsewhere: the third
        assertThat(m.match("claude.ai", "192.0.2.1", "alice").verdict()).isEqualTo(Verdict.SANCTIONED);
        // the first answers for its service before the later ones
        assertThat(m.match("chat.deepseek.com", "10.20.1.1", "alice").verdict()).isEqualTo(Verdict.SANCTIONED);
        assertThat(m.match("claude.ai", "10.21.1.1", "bob").verdict()).isEqualTo(Verdict.UNSANCTIONED);
        // a model API no exception names: the same for everyone
        assertThat(m.match("api.openai.com", "10.20.1.1", "alice").verdict()).isEqualTo(Verdict.UNSANCTIONED);
    }

    /**
     * Random policies against a direct reading of the documented order (exceptions in file order,
     * the first that applies to the client and names the service or its category answers; then
     * service, category, default), through Policy.verdict and through the matcher.
     */
    @Test
    void verdict_randomPolicies_followTheDocumentedOrder() throws Exception {
        java.util.Random random = new java.util.Random(11);
        Catalog builtIn = Catalog.builtIn();
        java.util.List<AiService> services = new java.util.ArrayList<>();
        for (AiService s : builtIn.services()) {
            if (!s.domains().isEmpty() && !s.domains().get(0).isWildcard() && random.nextInt(40) == 0) {
                services.add(s);
            }
        }
        assertThat(services).hasSizeGreaterThan(10);
        String[] users = {"u0", "u1", "u2", "u3", "u4", null};
        String[] networks = {"10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "2001:db8::/32", "2001:db8:1::/48"};
        String[] clients = {"10.1.2.3", "10.2.0.1", "192.0.2.9", "198.51.100.1", "2001:db8:1::5", "2001:db8:2::5",
            "2001:db9::1", "not an address", null};
        Verdict[] verdicts = {Verdict.SANCTIONED, Verdict.TOLERATED, Verdict.UNSANCTIONED};
        int checked = 0;
        int byException = 0;
        for (int round = 0; round < 200; round++) {
            // groups g0..g2 of random users
            java.util.Map<String, java.util.Set<String>> groups = new java.util.LinkedHashMap<>();
            for (int g = 0; g < 3; g++) {
                java.util.Set<String> members = new java.util.LinkedHashSet<>();
                for (int u = 0; u < 5; u++) {
                    if (random.nextInt(3) == 0) {
                        members.add("u" + u);
                    }
                }
                groups.put("g" + g, members);
            }
            record Ex(java.util.List<String> groups, java.util.List<String> networks,
                    java.util.Map<String, Verdict> services, java.util.Map<Category, Verdict> categories) {
            }
            java.util.List<Ex> exceptions = new java.util.ArrayList<>();
            for (int e = 0, n = 1 + random.nextInt(5); e < n; e++) {
                java.util.List<String> gs = new java.util.ArrayList<>();
                java.util.List<String> ns = new java.util.ArrayList<>();
                while (gs.isEmpty() && ns.isEmpty()) {
                    for (String g : groups.keySet()) {
                        if (random.nextInt(3) == 0) {
                            gs.add(g);
                        }
                    }
                    for (String net : networks) {
                        if (random.nextInt(4) == 0) {
                            ns.add(net);
                        }
                    }
                }
                java.util.Map<String, Verdict> sv = new java.util.LinkedHashMap<>();
                java.util.Map<Category, Verdict> cv = new java.util.LinkedHashMap<>();
                while (sv.isEmpty() && cv.isEmpty()) {
                    for (AiService s : services) {
                        if (random.nextInt(6) == 0) {
                            sv.put(s.id(), verdicts[random.nextInt(3)]);
                        }
                    }
                    for (Category c : Category.values()) {
                        if (random.nextInt(6) == 0) {
                            cv.put(c, verdicts[random.nextInt(3)]);
                        }
                    }
                }
                exceptions.add(new Ex(gs, ns, sv, cv));
            }
            java.util.Map<String, Verdict> serviceVerdicts = new java.util.LinkedHashMap<>();
            for (AiService s : services) {
                if (random.nextInt(5) == 0) {
                    serviceVerdicts.put(s.id(), verdicts[random.nextInt(3)]);
                }
            }
            java.util.Map<Category, Verdict> categoryVerdicts = new java.util.LinkedHashMap<>();
            for (Category c : Category.values()) {
                if (random.nextInt(4) == 0) {
                    categoryVerdicts.put(c, verdicts[random.nextInt(3)]);
                }
            }
            Verdict byDefault = verdicts[random.nextInt(3)];

            StringBuilder json = new StringBuilder("{\"default\": \"" + byDefault.id() + "\", \"services\": {");
            json.append(String.join(", ", serviceVerdicts.entrySet().stream()
                    .map(e -> "\"" + e.getKey() + "\": \"" + e.getValue().id() + "\"").toList()));
            json.append("}, \"categories\": {");
            json.append(String.join(", ", categoryVerdicts.entrySet().stream()
                    .map(e -> "\"" + e.getKey().id() + "\": \"" + e.getValue().id() + "\"").toList()));
            json.append("}, \"groups\": {");
            json.append(String.join(", ", groups.entrySet().stream().map(e -> "\"" + e.getKey() + "\": ["
                    + String.join(", ", e.getValue().stream().map(u -> "\"" + u + "\"").toList()) + "]").toList()));
            json.append("}, \"exceptions\": [");
            for (int e = 0; e < exceptions.size(); e++) {
                Ex ex = exceptions.get(e);
                json.append(e == 0 ? "" : ", ").append("{\"name\": \"e").append(e).append("\"");
                if (!ex.groups().isEmpty()) {
                    json.append(", \"groups\": [").append(String.join(", ", ex.groups().stream().map(g -> "\"" + g + "\"").toList()))
                            .append("]");
                }
                if (!ex.networks().isEmpty()) {
                    json.append(", \"networks\": [").append(String.join(", ", ex.networks().stream().map(n -> "\"" + n + "\"").toList()))
                            .append("]");
                }
                json.append(", \"services\": {").append(String.join(", ", ex.services().entrySet().stream()
                        .map(v -> "\"" + v.getKey() + "\": \"" + v.getValue().id() + "\"").toList()));
                json.append("}, \"categories\": {").append(String.join(", ", ex.categories().entrySet().stream()
                        .map(v -> "\"" + v.getKey().id() + "\": \"" + v.getValue().id() + "\"").toList()));
                json.append("}}");
            }
            json.append("]}");
            Policy policy = parse(json.toString());
            HostMatcher matcher = builtIn.withPolicy(policy).matcher();

            for (AiService s : services) {
                for (String user : users) {
                    for (String client : clients) {
                        Verdict expected = null;
                        byte[] address = client == null ? null : IpAddresses.parse(client);
                        for (Ex ex : exceptions) {
                            boolean applies = user != null && ex.groups().stream().anyMatch(g -> groups.get(g).contains(user));
                            applies |= address != null && ex.networks().stream().anyMatch(n -> Cidr.parse(n).contains(address));
                            Verdict answer = ex.services().getOrDefault(s.id(), ex.categories().get(s.category()));
                            if (applies && answer != null) {
                                expected = answer;
                                byException++;
                                break;
                            }
                        }
                        if (expected == null) {
                            expected = serviceVerdicts.getOrDefault(s.id(), categoryVerdicts.getOrDefault(s.category(), byDefault));
                        }
                        String what = s.id() + " " + user + " " + client + " under " + json;
                        assertThat(policy.verdict(s, client, user)).as(what).isEqualTo(expected);
                        Match match = matcher.match(s.domains().get(0).domain(), client, user);
                        assertThat(match.service().id()).as(what).isEqualTo(s.id());
                        assertThat(match.verdict()).as(what).isEqualTo(expected);
                        checked++;
                    }
                }
            }
        }
        // the exceptions decided a good share of the cases, not only the fallbacks
        assertThat(byException).isGreaterThan(checked / 10);
    }

    @Test
    void parse_badValues_nameFileAndEntry() {
        assertThatThrownBy(() -> parse("{\"default\": \"maybe\"}")).hasMessageContaining("policy.json: default")
                .hasMessageContaining("maybe");
        assertThatThrownBy(() -> parse("{\"categories\": {\"toaster\": \"sanctioned\"}}")).hasMessageContaining("toaster");
        assertThatThrownBy(() -> parse("{\"exceptions\": [{\"name\": \"x\", \"groups\": [\"nobody\"], "
                + "\"services\": {\"a\": \"tolerated\"}}]}")).hasMessageContaining("exception x")
                .hasMessageContaining("group nobody is not defined");
        assertThatThrownBy(() -> parse("{\"exceptions\": [{\"name\": \"y\", \"networks\": [\"10.0.0.0/33\"], "
                + "\"services\": {\"a\": \"tolerated\"}}]}")).hasMessageContaining("exception y").hasMessageContaining("10.0.0.0/33");
        assertThatThrownBy(() -> parse("{\"custom_services\": [\n{\"id\": \"c\", \"name\": \"C\", \"vendor\": \"V\", "
                + "\"category\": \"toaster\", \"domains\": [\"c.example\"]}]}")).hasMessageContaining("policy.json:2")
                .hasMessageContaining("service c").hasMessageContaining("toaster");
    }

    @Test
    void withPolicy_unknownServiceOrClashingDomain_isRefused() throws Exception {
        assertThatThrownBy(() -> Catalog.builtIn().withPolicy(parse("{\"services\": {\"no-such-service\": \"sanctioned\"}}")))
                .hasMessageContaining("no-such-service");
        assertThatThrownBy(() -> Catalog.builtIn().withPolicy(parse("{\"custom_services\": [{\"id\": \"mine\", \"name\": \"M\", "
                + "\"vendor\": \"V\", \"category\": \"model_api\", \"domains\": [\"chatgpt.com\"]}]}")))
                .hasMessageContaining("policy.json (custom_services): service mine")
                .hasMessageContaining("chatgpt.com").hasMessageContaining("openai-chatgpt");
    }

    @Test
    void parse_randomAndTruncatedBytes_throwOnlyCatalogException() {
        byte[] valid = VALID.getBytes(StandardCharsets.UTF_8);
        java.util.Random random = new java.util.Random(5);
        int refused = 0;
        for (int i = 0; i < 3000; i++) {
            byte[] content;
            if (i % 3 == 0) {
                content = java.util.Arrays.copyOf(valid, random.nextInt(valid.length));
            } else if (i % 3 == 1) {
                content = valid.clone();
                for (int k = 0; k < 4; k++) {
                    content[random.nextInt(content.length)] = (byte) random.nextInt(256);
                }
            } else {
                content = new byte[random.nextInt(300)];
                random.nextBytes(content);
            }
            try {
                Policy.parse("fuzz.json", content);
            } catch (CatalogException expected) {
                assertThat(expected.getMessage()).contains("fuzz.json");
                refused++;
            }
        }
        assertThat(refused).isGreaterThan(2000);
    }

    @Test
    void cidr_edgeCases_matchByPrefix() {
        assertThat(Cidr.parse("0.0.0.0/0").containsV4(IpAddresses.parseV4("203.0.113.9"))).isTrue();
        assertThat(Cidr.parse("192.0.2.5").containsV4(IpAddresses.parseV4("192.0.2.5"))).isTrue();
        assertThat(Cidr.parse("192.0.2.5").containsV4(IpAddresses.parseV4("192.0.2.6"))).isFalse();
        assertThat(Cidr.parse("10.0.0.0/9").containsV4(IpAddresses.parseV4("10.127.255.255"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/9").containsV4(IpAddresses.parseV4("10.128.0.0"))).isFalse();
        assertThat(Cidr.parse("fe80::/10").contains(IpAddresses.parse("fe80::1%eth0"))).isTrue();
        assertThat(Cidr.parse("::ffff:0:0/96").contains(IpAddresses.parse("::ffff:192.0.2.1"))).isTrue();
    }

    @Test
    void ipAddresses_malformed_returnNothing() {
        for (String bad : new String[] {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1..2.3", "01234.1.1.1", "1.2.3.4 ",
            ":::", "1::2::3", "12345::", "g::1", "1:2:3:4:5:6:7:8:9"}) {
            assertThat(IpAddresses.parseV4(bad)).as(bad).isEqualTo(-1);
            if (!bad.equals("1.2.3.4 ")) {
                assertThat(IpAddresses.parse(bad)).as(bad).isNull();
            }
        }
        assertThat(IpAddresses.parse("1:2:3:4:5:6:7:8")).hasSize(16);
        assertThat(IpAddresses.parse("::")).hasSize(16);
    }

    @Test
    void ipAddresses_randomText_neverThrows() {
        java.util.Random random = new java.util.Random(7);
        String alphabet = "0123456789abcdef:.%[]/ x";
        for (int i = 0; i < 50_000; i++) {
            char[] chars = new char[random.nextInt(50)];
            for (int j = 0; j < chars.length; j++) {
                chars[j] = alphabet.charAt(random.nextInt(alphabet.length()));
            }
            String s = new String(chars);
            IpAddresses.parseV4(s);
            IpAddresses.parse(s);
        }
        assertThat(IpAddresses.parseV4("192.0.2.1")).isEqualTo(0xC0000201L);
    }
}
