package io.flinkmirror.udfs.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WindowedStatsTest {

    private final WindowedStats stats = new WindowedStats(1_000);

    @Test
    void shouldBeNaNWithoutValues() {
        assertThat(stats.min(5_000)).isNaN();
        assertThat(stats.max(5_000)).isNaN();
        assertThat(stats.avg(5_000)).isNaN();
        assertThat(stats.count(5_000)).isZero();
    }

    @Test
    void shouldGiveMinMaxAvgOfTheCurrentInterval() {
        stats.record(30, 10_100);
        stats.record(10, 10_200);
        stats.record(20, 10_900);

        assertThat(stats.min(10_950)).isEqualTo(10.0);
        assertThat(stats.max(10_950)).isEqualTo(30.0);
        assertThat(stats.avg(10_950)).isEqualTo(20.0);
        assertThat(stats.count(10_950)).isEqualTo(3);
    }

    @Test
    void shouldIncludeThePreviousIntervalAndForgetOlderOnes() {
        stats.record(100, 10_500); // interval [10000, 11000)
        stats.record(1, 11_200);   // interval [11000, 12000)

        assertThat(stats.min(11_500)).isEqualTo(1.0);
        assertThat(stats.max(11_500)).isEqualTo(100.0);
        assertThat(stats.avg(11_500)).isEqualTo(50.5);

        // At 12000 the [10000, 11000) interval leaves the window, [11000, 12000) stays one more interval.
        assertThat(stats.max(12_000)).isEqualTo(1.0);
        assertThat(stats.count(12_999)).isEqualTo(1);
        assertThat(stats.max(13_000)).isNaN();
    }

    @Test
    void shouldDropAnIntervalThatIsNotAdjacentWhenRotating() {
        stats.record(100, 10_500);
        stats.record(5, 12_100); // an empty interval in between

        assertThat(stats.max(12_200)).isEqualTo(5.0);
        assertThat(stats.count(12_200)).isEqualTo(1);
    }

    @Test
    void shouldRotateRepeatedly() {
        for (long t = 0; t < 100_000; t += 100) {
            stats.record(t, t);
        }
        // Window at 99,950: intervals [98000, 99000) and [99000, 100000).
        assertThat(stats.min(99_950)).isEqualTo(98_000.0);
        assertThat(stats.max(99_950)).isEqualTo(99_900.0);
        assertThat(stats.count(99_950)).isEqualTo(20);
    }

    @Test
    void shouldHandleNegativeValues() {
        stats.record(-3, 500);
        stats.record(4, 600);
        assertThat(stats.min(700)).isEqualTo(-3.0);
        assertThat(stats.avg(700)).isEqualTo(0.5);
    }

    @Test
    void shouldRejectNonPositiveInterval() {
        assertThatThrownBy(() -> new WindowedStats(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("intervalMillis");
    }
}
