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
}
