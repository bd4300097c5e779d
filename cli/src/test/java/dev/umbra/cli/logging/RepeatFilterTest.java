package dev.umbra.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter.Result;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

/** Unit test of the repeat filter with a recording reporter; the sweep is called by the test. */
class RepeatFilterTest {
    private final List<String> reports = new ArrayList<>();
    private final RepeatFilter filter = new RepeatFilter(3, Duration.ofSeconds(60),
            (logger, level, pattern, n) -> reports.add(logger + " " + level + " " + pattern + " x" + n));

    private static LogEvent event(String logger, Level level, String pattern, Object... params) {
        return Log4jLogEvent.newBuilder().setLoggerName(logger).setLevel(level)
                .setMessage(new ParameterizedMessage(pattern, params)).build();
    }

    private int passed(int n, String logger, String pattern) {
        int passed = 0;
        for (int i = 0; i < n; i++) {
            if (filter.filter(event(logger, Level.WARN, pattern, "10.0.0." + i, i)) == Result.NEUTRAL) {
                passed++;
            }
        }
        return passed;
    }

    @Test
    void filter_sameLoggerAndPatternDifferentParameters_burstPassesRestDenied() {
        assertThat(passed(100, "kafka", "broker {} down: {}")).isEqualTo(3);
    }

    @Test
    void filter_differentPatternsOrLoggers_countedSeparately() {
        assertThat(passed(10, "kafka", "broker {} down: {}")).isEqualTo(3);
        assertThat(passed(10, "kafka", "spool full: {} {}")).isEqualTo(3);
        assertThat(passed(10, "capture", "broker {} down: {}")).isEqualTo(3);
    }

    @Test
    void sweep_afterSuppression_reportsPatternAndCountOnceAndOpensNewWindow() {
        passed(100, "kafka", "broker {} down: {}");
        filter.sweep();
        assertThat(reports).containsExactly("kafka WARN broker {} down: {} x97");
        filter.sweep();
        assertThat(reports).hasSize(1);
        assertThat(passed(5, "kafka", "broker {} down: {}")).isEqualTo(3);
    }

    @Test
    void sweep_report_carriesThePatternNeverTheParameters() {
        for (int i = 0; i < 10; i++) {
            filter.filter(event("auth", Level.ERROR, "login failed for {}", "password=hunter2-" + i));
        }
        filter.sweep();
        assertThat(reports).singleElement().asString().contains("login failed for {}").doesNotContain("hunter2");
    }

    @Test
    void sweep_nothingSuppressed_reportsNothing() {
        passed(3, "kafka", "broker {} down: {}");
        filter.sweep();
        assertThat(reports).isEmpty();
    }

    @Test
    void filter_burstZero_passesEverything() {
        RepeatFilter off = new RepeatFilter(0, Duration.ofSeconds(1), (l, v, p, n) -> reports.add(p));
        for (int i = 0; i < 50; i++) {
            assertThat(off.filter(event("x", Level.WARN, "same"))).isEqualTo(Result.NEUTRAL);
        }
        off.sweep();
        assertThat(reports).isEmpty();
    }

    @Test
    void filter_moreKeysThanTheCap_newKeysPassUntracked() {
        for (int i = 0; i < RepeatFilter.MAX_KEYS; i++) {
            filter.filter(Log4jLogEvent.newBuilder().setLoggerName("l").setLevel(Level.WARN)
                    .setMessage(new SimpleMessage("distinct " + i)).build());
        }
        for (int i = 0; i < 10; i++) {
            assertThat(filter.filter(event("new", Level.WARN, "over the cap"))).isEqualTo(Result.NEUTRAL);
        }
    }

    @Test
    void constructor_badSettings_namesTheValue() {
        assertThatThrownBy(() -> new RepeatFilter(-1, Duration.ofSeconds(1), (l, v, p, n) -> { }))
                .hasMessage("burst cannot be negative: -1");
        assertThatThrownBy(() -> new RepeatFilter(1, Duration.ZERO, (l, v, p, n) -> { }))
                .hasMessage("window must be positive: PT0S");
    }
}
