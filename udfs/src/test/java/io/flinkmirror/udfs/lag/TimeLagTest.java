package io.flinkmirror.udfs.lag;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TimeLagTest {

    @Test
    void ageIsTheTimeSinceTheEndOffsetPassedTheCommittedOffset() {
        TimeLag<String> lag = new TimeLag<>(8);
        lag.record(1_000, Map.of("p", 100L));
        lag.record(2_000, Map.of("p", 150L));
        lag.record(3_000, Map.of("p", 200L));

        assertThat(lag.lagMs("p", 200, 3_500)).as("at the end").isZero();
        assertThat(lag.lagMs("p", 170, 3_500)).as("appended between 2 s and 3 s").isEqualTo(500);
        assertThat(lag.lagMs("p", 120, 3_500)).as("appended between 1 s and 2 s").isEqualTo(1_500);
        assertThat(lag.lagMs("p", 99, 3_500)).as("before the history").isEqualTo(TimeLag.UNKNOWN);
        assertThat(lag.lagMs("q", 0, 3_500)).as("no history").isEqualTo(TimeLag.UNKNOWN);
        assertThat(lag.latestEnd("p")).isEqualTo(200);
    }

    @Test
    void keepsTheNewestSamplesAndForgetsPartitionsNoLongerSampled() {
        TimeLag<String> lag = new TimeLag<>(2);
        lag.record(1_000, Map.of("p", 10L, "q", 5L));
        lag.record(2_000, Map.of("p", 20L));
        lag.record(3_000, Map.of("p", 30L));

        assertThat(lag.lagMs("p", 15, 3_000)).as("the 1 s sample was dropped").isEqualTo(TimeLag.UNKNOWN);
        assertThat(lag.lagMs("p", 25, 3_000)).isZero().isEqualTo(lag.lagMs("p", 30, 3_000));
        assertThat(lag.latestEnd("q")).isEqualTo(-1);
    }

    @Test
    void backlogStartsFarBehindAndEndsCloseToTheHead() {
        BacklogDetector detector = BacklogDetector.forReaderPositions(Duration.ofSeconds(5));
        assertThat(detector.enterLagMs()).isEqualTo(10_000);
        assertThat(detector.exitLagMs()).isEqualTo(2_000);
        assertThat(BacklogDetector.forReaderPositions(Duration.ofSeconds(30)).enterLagMs()).isEqualTo(60_000);

        assertThat(detector.update(500, 0)).as("following the head").isFalse();
        assertThat(detector.update(9_000, 0)).as("a hiccup below the entry threshold").isFalse();
        assertThat(detector.update(11_000, 0)).isTrue();
        assertThat(detector.backlog()).isTrue();
        assertThat(detector.update(2_500, 0)).as("hysteresis: still above the exit threshold").isFalse();
        assertThat(detector.update(1_500, 0)).isTrue();
        assertThat(detector.backlog()).isFalse();
    }

    @Test
    void manyRecordsOlderThanTheHistoryAreABacklogAFewAreNot() {
        BacklogDetector detector = BacklogDetector.forReaderPositions(Duration.ofSeconds(5));
        assertThat(detector.update(0, 9_999)).isFalse();
        assertThat(detector.update(0, 1_000_000)).isTrue();
        assertThat(detector.update(0, 0)).as("read them all").isTrue();
        assertThat(detector.backlog()).isFalse();
    }
}
