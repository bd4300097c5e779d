package dev.umbra.classifier.engine;

import static dev.umbra.classifier.Fixtures.scan;
import static dev.umbra.classifier.Fixtures.types;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.umbra.classifier.Classifier;
import dev.umbra.classifier.ClassifierConfig;
import dev.umbra.classifier.Detection;
import dev.umbra.classifier.Fixtures;
import dev.umbra.classifier.Likelihood;
import dev.umbra.classifier.ScanResult;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ScanEngineTest {
    @Test
    void scan_sameValueTwice_sameHmacAndOtherKeyDiffers() {
        List<Detection> d = scan("a 4111 1111 1111 1111 b 4111 1111 1111 1111");
        assertThat(d).hasSize(2);
        assertThat(d.get(0).hmac()).isEqualTo(d.get(1).hmac()).hasSize(64);
        Classifier other = Classifier.create(ClassifierConfig.builder().hmacKeyHex("ff".repeat(32)).build());
        assertThat(other.scan("4111 1111 1111 1111").detections().get(0).hmac()).isNotEqualTo(d.get(0).hmac());
    }

    @Test
    void scan_valuesAcrossTheMiddleOfTheText_foundWhereverTheTwoPrefilterChainsMeet() {
        // the prefilter runs two chains that meet in the middle of the text: an anchor, a digit
        // run or an '@' on either side of (or across) the meeting point must be seen exactly once
        String[] values = {"AKIAZ2QWERTY7ABCDEFG", "jane.doe@example.org", "SSN 536-22-1234", "password=Tr0ub4dor&3x",
            "4111 1111 1111 1111"};
        String[] types = {"aws_access_key_id", "email", "us_ssn", "generic_secret", "credit_card"};
        for (int v = 0; v < values.length; v++) {
            for (int total : new int[] {200, 301}) {
                for (int at = total / 2 - 40; at <= total / 2 + 5; at++) {
                    String text = "x ".repeat(at / 2) + (at % 2 == 1 ? " " : "") + values[v] + " "
                            + "y ".repeat(Math.max(0, (total - at - values[v].length()) / 2));
                    List<Detection> d = scan(text);
                    assertThat(d).as("%s at %d of %d", types[v], at, text.length()).extracting(Detection::type)
                            .containsExactly(types[v]);
                }
            }
        }
    }

    @Test
    void scan_detectionToString_neverHoldsTheValue() {
        String value = "536-22-1234";
        Detection d = scan("SSN " + value).get(0);
        assertThat(d.toString()).doesNotContain(value).contains("***-**-1234");
    }

    @Test
    void scan_inputOverCap_scansHeadAndSaysTruncated() {
        Classifier c = Classifier.create(ClassifierConfig.builder().maxInputChars(1024).build());
        String text = "x".repeat(1020) + " 4111 1111 1111 1111 " + "y".repeat(100);
        ScanResult r = c.scan(text);
        assertThat(r.truncated()).isTrue();
        assertThat(r.scannedChars()).isEqualTo(1024);
        assertThat(r.detections()).isEmpty();
    }

    @Test
    void scan_minLikelihoodAndDisabledTypes_filterDetections() {
        Classifier c = Classifier.create(ClassifierConfig.builder().minLikelihood(Likelihood.VERY_LIKELY)
                .disabledTypes(List.of("email")).build());
        assertThat(c.scan("4111111111111111 a@b.example.com card 4111111111111111").detections())
                .extracting(Detection::likelihood).containsExactly(Likelihood.VERY_LIKELY);
    }

    @Test
    void scan_specificBeatsGenericOnSameSpan() {
        assertThat(types("GITHUB_TOKEN=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")).containsExactly("github_token");
    }

    @Test
    void scan_customKeywordsAndPatterns_areReported() {
        Properties p = new Properties();
        p.setProperty("classifier.custom.keywords.project_codename", "Project Falcon, BLUEBIRD");
        p.setProperty("classifier.custom.pattern.contract_id", "CTR-[0-9]{6}");
        Classifier c = Classifier.create(ClassifierConfig.fromProperties(p));
        List<Detection> d = c.scan("Re: project falcon and BLUEBIRDS, bluebird, contract CTR-123456.").detections();
        assertThat(d).extracting(Detection::type).containsExactly("project_codename", "project_codename", "contract_id");
    }

    @Test
    void config_invalidValues_areRefusedWithKeyAndRule() {
        Properties p = new Properties();
        p.setProperty("classifier.max.input.chars", "12");
        assertThatThrownBy(() -> ClassifierConfig.fromProperties(p))
                .hasMessage("Invalid value 12 for configuration classifier.max.input.chars: must be at least 1024");
        assertThatThrownBy(() -> ClassifierConfig.builder().customPattern("bad", "(a+)+b"))
                .hasMessageContaining("nested quantifiers");
        assertThatThrownBy(() -> ClassifierConfig.builder().hmacKeyHex("abcd")).hasMessageContaining("16 bytes")
                .hasMessageNotContaining("abcd");
        Properties q = new Properties();
        q.setProperty("classifier.bogus", "1");
        assertThatThrownBy(() -> ClassifierConfig.fromProperties(q)).hasMessageContaining("unknown key");
        assertThat(ClassifierConfig.builder().hmacKeyHex(Fixtures.KEY_HEX).build().toString()).doesNotContain(Fixtures.KEY_HEX);
    }

    @Test
    void scan_seededRandomText_neverThrowsAndOffsetsAreInRange() {
        Random r = new Random(1234);
        String alphabet = "0123456789 -.+@:/_=\"'\nabcdefxyzABCDEFQ~eyJghp_sk-AKIA-----BEGIN PRIVATE KEY://\u00e9\u4e2d";
        for (int round = 0; round < 200; round++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(4000);
            for (int i = 0; i < n; i++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String t = sb.toString();
            for (Detection d : Fixtures.classifier().scan(t).detections()) {
                assertThat(d.end()).isLessThanOrEqualTo(t.length());
                assertThat(d.start()).isLessThan(d.end());
            }
        }
    }

    @Test
    void scan_adversarialInputs_completeWithBoundedResults() {
        // each would be quadratic or exponential in a backtracking or re-scanning design; the JMH
        // benchmark ClassifierBenchmark measures their throughput against ordinary text
        for (String t : Adversarial.all(200_000)) {
            ScanResult r = Fixtures.classifier().scan(t);
            assertThat(r.scannedChars()).isEqualTo(t.length());
            assertThat(r.detections().size()).isLessThanOrEqualTo(Scan.MAX_CANDIDATES);
        }
    }
}
