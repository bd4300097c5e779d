package dev.umbra.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoTimeTest {
    private static String jdk(Instant t) {
        return t.truncatedTo(ChronoUnit.MILLIS).toString();
    }

    @Test
    void writesWhatTheJdkWritesForFixedInstants() {
        assertThat(IsoTime.millis(Instant.parse("2023-11-14T22:13:22.233Z"))).isEqualTo("2023-11-14T22:13:22.233Z");
        assertThat(IsoTime.millis(Instant.parse("2023-11-14T22:13:22.233999999Z"))).isEqualTo("2023-11-14T22:13:22.233Z");
        assertThat(IsoTime.millis(Instant.parse("2024-02-29T00:00:00Z"))).isEqualTo("2024-02-29T00:00:00Z");
        assertThat(IsoTime.millis(Instant.parse("2024-02-29T00:00:00.000400Z"))).isEqualTo("2024-02-29T00:00:00Z");
        assertThat(IsoTime.millis(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00Z");
        assertThat(IsoTime.millis(Instant.parse("1969-12-31T23:59:59.999Z"))).isEqualTo("1969-12-31T23:59:59.999Z");
        assertThat(IsoTime.millis(Instant.parse("0000-01-01T00:00:00.001Z"))).isEqualTo("0000-01-01T00:00:00.001Z");
        assertThat(IsoTime.millis(Instant.parse("9999-12-31T23:59:59.999Z"))).isEqualTo("9999-12-31T23:59:59.999Z");
        for (Instant t : new Instant[] {Instant.MIN, Instant.MAX, Instant.parse("-0001-12-31T23:59:59.5Z"),
                Instant.parse("+10000-01-01T00:00:00Z")}) {
            assertThat(IsoTime.millis(t)).isEqualTo(jdk(t));
        }
    }

    @Test
    void writesWhatTheJdkWritesForRandomInstants() {
        SplittableRandom random = new SplittableRandom(20261121);
        long lo = Instant.parse("-2000-01-01T00:00:00Z").getEpochSecond();
        long hi = Instant.parse("+12000-01-01T00:00:00Z").getEpochSecond();
        List<String> wrong = new ArrayList<>();
        int compared = 0;
        for (int i = 0; i < 200_000; i++) {
            // a third with whole seconds, to cover the form without a fraction
            Instant t = Instant.ofEpochSecond(random.nextLong(lo, hi), i % 3 == 0 ? 0 : random.nextInt(1_000_000_000));
            String expected = jdk(t);
            String actual = IsoTime.millis(t);
            compared++;
            if (!actual.equals(expected) && wrong.size() < 5) {
                wrong.add(t.getEpochSecond() + "." + t.getNano() + ": " + actual + " instead of " + expected);
            }
        }
        assertThat(compared).isEqualTo(200_000);
        assertThat(wrong).isEmpty();
        assertThat(IsoTime.millis(Instant.ofEpochSecond(hi))).isEqualTo(jdk(Instant.ofEpochSecond(hi)));
    }
}
