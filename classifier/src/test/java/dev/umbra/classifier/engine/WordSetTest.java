package dev.umbra.classifier.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WordSetTest {
    private static final WordSet WORDS = WordSet.of("card", "ssn", "d.o.b", "abcdefghijkl");

    @Test
    void contains_anyCase_matchesWholeWordsOnly() {
        assertThat(WORDS.contains("my Card no", 3, 7)).isTrue();
        assertThat(WORDS.contains("my CARDS no", 3, 8)).isFalse();
        assertThat(WORDS.contains("d.o.b".toCharArray(), 0, 5)).isTrue();
        assertThat(WORDS.contains("SSN".toCharArray(), 0, 3)).isTrue();
        assertThat(WORDS.contains("ss".toCharArray(), 0, 2)).isFalse();
        assertThat(WORDS.contains("ABCDEFGHIJKL".toCharArray(), 0, 12)).isTrue();
        assertThat(WORDS.contains("c4rd".toCharArray(), 0, 4)).isFalse();
        assertThat(WORDS.contains("c\u00e1rd".toCharArray(), 0, 4)).isFalse();
    }

    @Test
    void containsExact_caseMustBeAllLowerOrAllUpper() {
        assertThat(WORDS.containsExact("card".toCharArray(), 0, 4, false)).isTrue();
        assertThat(WORDS.containsExact("Card".toCharArray(), 0, 4, false)).isFalse();
        assertThat(WORDS.containsExact("CARD".toCharArray(), 0, 4, true)).isTrue();
        assertThat(WORDS.containsExact("CARD", 0, 4, false)).isFalse();
    }

    @Test
    void containsKey_packedAsTheWordIsRead_agreesWithPack() {
        for (String w : new String[] {"card", "Ssn", "abcdefghijkl", "cart", "x"}) {
            long key = 0;
            for (char c : w.toCharArray()) {
                key = key << 5 | (c & 31);
            }
            assertThat(WORDS.containsKey(key)).as(w).isEqualTo(WORDS.contains(w, 0, w.length()));
            assertThat(key).isEqualTo(WordSet.pack(w, 0, w.length()));
        }
    }

    @Test
    void of_notAWord_isRefused() {
        assertThatThrownBy(() -> WordSet.of("two words")).hasMessageContaining("two words");
        assertThatThrownBy(() -> WordSet.of("abcdefghijklm")).isInstanceOf(IllegalArgumentException.class);
    }
}
