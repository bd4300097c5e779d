package dev.umbra.classifier.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AhoCorasickTest {
    private static List<String> matches(AhoCorasick ac, String text) {
        List<String> out = new ArrayList<>();
        int state = 0;
        for (int i = 0; i < text.length(); i++) {
            state = ac.next(state, text.charAt(i));
            int[] o = ac.outputs(state);
            if (o != null) {
                for (int id : o) {
                    out.add(id + "@" + (i + 1 - ac.patternLength(id)));
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static List<String> naive(List<String> patterns, String text) {
        List<String> out = new ArrayList<>();
        String lower = text.toLowerCase(Locale.ROOT);
        for (int id = 0; id < patterns.size(); id++) {
            String p = patterns.get(id).toLowerCase(Locale.ROOT);
            for (int i = lower.indexOf(p); i >= 0; i = lower.indexOf(p, i + 1)) {
                out.add(id + "@" + i);
            }
        }
        out.sort(null);
        return out;
    }

    @Test
    void next_overlappingPatterns_reportsEveryOccurrence() {
        List<String> p = List.of("he", "she", "his", "hers");
        AhoCorasick ac = new AhoCorasick(p);
        assertThat(matches(ac, "ushers")).containsExactlyInAnyOrder("0@2", "1@1", "3@2");
    }

    @Test
    void next_mixedCase_matchesCaseInsensitively() {
        AhoCorasick ac = new AhoCorasick(List.of("akia", "ghp_"));
        assertThat(matches(ac, "AKIA and GHP_ and Akia")).hasSize(3);
    }

    @Test
    void next_nonAsciiCharacter_resetsToRoot() {
        AhoCorasick ac = new AhoCorasick(List.of("token"));
        assertThat(matches(ac, "tok\u00e9en token")).containsExactly("0@7");
    }

    @Test
    void next_seededRandomText_agreesWithNaiveSearch() {
        Random r = new Random(42);
        String alphabet = "abAB_-:/0";
        List<String> patterns = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + r.nextInt(4);
            for (int k = 0; k < n; k++) {
                sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            patterns.add(sb.toString());
        }
        AhoCorasick ac = new AhoCorasick(patterns);
        for (int round = 0; round < 50; round++) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < 300; k++) {
                text.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            assertThat(matches(ac, text.toString())).isEqualTo(naive(patterns, text.toString()));
        }
    }

    @Test
    void forEachMatch_seededRandomText_agreesWithNaiveSearchAndAnyMatch() {
        Random r = new Random(7);
        String alphabet = "abAB_-:/0\u00e9";
        List<String> patterns = List.of("ab", "ba_", "a", "-:/", "00b", "bab");
        AhoCorasick ac = new AhoCorasick(patterns);
        for (int round = 0; round < 50; round++) {
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < 200; k++) {
                text.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String t = text.toString();
            int from = r.nextInt(50);
            int to = 100 + r.nextInt(100);
            List<String> got = new ArrayList<>();
            ac.forEachMatch(t.toCharArray(), from, to, (id, end) -> got.add(id + "@" + (end - ac.patternLength(id))));
            got.sort(null);
            List<String> want = new ArrayList<>();
            for (String m : naive(patterns, t.substring(from, to))) {
                int at = m.indexOf('@');
                want.add(m.substring(0, at + 1) + (Integer.parseInt(m.substring(at + 1)) + from));
            }
            want.sort(null);
            assertThat(got).isEqualTo(want);
            assertThat(ac.anyMatch(t.toCharArray(), from, to)).isEqualTo(!want.isEmpty());
            List<String> unordered = new ArrayList<>();
            ac.forEachMatchUnordered(t.toCharArray(), from, to,
                    (id, end) -> unordered.add(id + "@" + (end - ac.patternLength(id))));
            unordered.sort(null);
            assertThat(unordered).isEqualTo(want);
        }
    }

    @Test
    void new_emptyOrNonAsciiPattern_isRefused() {
        assertThatThrownBy(() -> new AhoCorasick(List.of(""))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AhoCorasick(List.of("caf\u00e9"))).hasMessageContaining("not ASCII");
    }
}
