package io.flinkmirror.integration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report's pooled rates, their ratios, the per-round race and the target lines. */
class BenchReportTest {

    private static final CopyVerifier.Counts EXACT = new CopyVerifier.Counts(1000, 0, 0, 0, 0, new long[8]);

    private final BenchReport report = new BenchReport(new BenchSettings(new Workload(1000, 8, 1024), 2, 2, "2g",
            Duration.ofSeconds(5), 60, 15, 20_000, 200, List.of(Contender.values()), false, List.of(), List.of(),
            Duration.ofMinutes(20), Duration.ofMinutes(3), 3, 0, 15, 45, 0, 60));

    private static BenchReport.Run run(Contender contender, int round, double seconds, long steadyRecords,
                                       double steadySeconds) {
        return new BenchReport.Run(contender, round, "s" + round, seconds, 1.0, steadyRecords, steadySeconds, 10, 8,
                500_000_000L, 2, EXACT);
    }

    @Test
    void shouldPoolTheSteadyRecordsOfAllRoundsOverTheirSteadySeconds() {
        report.add(run(Contender.CEILING, 1, 3, 1000, 1.0));
        report.add(run(Contender.CEILING, 2, 5, 1000, 3.0));
        report.add(run(Contender.FLINK_EOS, 1, 6, 900, 2.0));
        report.add(run(Contender.FLINK_EOS, 2, 6, 900, 0.2)); // too short to tell a rate: left out

        assertThat(report.pooledSteadyRecordsPerSecond(Contender.CEILING)).isEqualTo(500.0); // 2000 / 4 s
        assertThat(report.pooledSteadyRecordsPerSecond(Contender.FLINK_EOS)).isEqualTo(450.0);
        assertThat(report.pooledRatio(Contender.FLINK_EOS, Contender.CEILING)).isCloseTo(0.9, within(1e-9));
        assertThat(report.pooledRatio(Contender.FLINK_EOS, Contender.MM2_EOS)).isNaN();
        assertThat(report.pooledRatio(Contender.CEILING, null)).isNaN();
    }

    @Test
    void shouldTellPerRoundWhetherFlinkMirrorEosFinishedFirst() {
        report.add(run(Contender.FLINK_EOS, 1, 10, 900, 8));
        report.add(run(Contender.MM2_EOS, 1, 20, 900, 18));
        report.add(run(Contender.FLINK_EOS, 2, 25, 900, 23));
        report.add(run(Contender.MM2_EOS, 2, 20, 900, 18));
        report.add(run(Contender.FLINK_EOS, 3, 10, 900, 8)); // MM2 EOS failed in round 3: no race

        List<BenchReport.Race> races = report.races();

        assertThat(races).extracting(BenchReport.Race::round).containsExactly(1, 2);
        assertThat(races).extracting(BenchReport.Race::flinkFirst).containsExactly(true, false);
        assertThat(BenchReport.raceSummary(races)).isEqualTo("Flink Mirror EOS finished first in 1 of 2 rounds.");
    }

    @Test
    void shouldMarkTargetsMetOrNot() {
        assertThat(BenchReport.target("p99 <= 1,000 ms", 950, 1000, false, "%,.0f ms"))
                .isEqualTo("p99 <= 1,000 ms: 950 ms -> MET");
        assertThat(BenchReport.target(">= 2x", 1.8, 2, true, "%.2fx")).isEqualTo(">= 2x: 1.80x -> NOT MET");
        assertThat(BenchReport.target(">= 2x", Double.NaN, 2, true, "%.2fx")).isEqualTo(">= 2x: not measured");
    }

    @Test
    void shouldJudgeLatencyFromLaunchByItsWorstRoundAndCountUnseenRecordsAsMissed() {
        report.add(new BenchReport.LaunchRun(Contender.FLINK_EOS, 1,
                new LaunchLatencyProbe.Result(3.2, 18.2, 1_300_000, 900_000, 900_000, 20_000, 150, 300, 700, 900), 1));
        report.add(new BenchReport.LaunchRun(Contender.FLINK_EOS, 2,
                new LaunchLatencyProbe.Result(4.1, 19.1, 1_300_000, 900_000, 900_000, 20_000, 180, 400, 950, 990), 1));

        assertThat(report.targets()).contains(
                "Flink Mirror EOS latency from launch p99 <= 1,000 ms (worst of 2 rounds): 950 ms -> MET",
                "Flink Mirror EOS latency from launch p50 <= 300 ms (worst of 2 rounds): 180 ms -> MET",
                "Flink Mirror EOS first record <= 5 s after launch, load running (worst of 2 rounds): 4.1 s -> MET");

        report.add(new BenchReport.LaunchRun(Contender.FLINK_EOS, 3,
                new LaunchLatencyProbe.Result(4.0, 19.0, 1_300_000, 900_000, 899_999, 20_000, 150, 300, 700, 900), 1));
        assertThat(report.targets()).anyMatch(line -> line.startsWith(
                "Flink Mirror EOS latency from launch p99 <= 1,000 ms (worst of 3 rounds)") && line.endsWith("NOT MET"));
    }
}
