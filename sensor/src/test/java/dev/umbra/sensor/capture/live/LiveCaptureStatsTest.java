package dev.umbra.sensor.capture.live;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LiveCaptureStatsTest {
    @Test
    void plus_addsEachCounter() {
        LiveCaptureStats closed = new LiveCaptureStats(10, 12, 2, 1);
        LiveCaptureStats current = new LiveCaptureStats(5, 9, 4, 0);
        assertThat(closed.plus(current)).isEqualTo(new LiveCaptureStats(15, 21, 6, 1));
        assertThat(closed.plus(current).dropRatio()).isEqualTo(6.0 / 21);
    }

    @Test
    void dropRatio_nothingReceived_isZero() {
        assertThat(new LiveCaptureStats(0, 0, 0, 0).dropRatio()).isZero();
    }
}
