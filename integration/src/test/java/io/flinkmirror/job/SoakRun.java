package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.JobMetrics;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.runtime.rest.messages.util.stats.StatsSummaryDto;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Soak: a steady load replicated for a long time (default 20 minutes) by the real job on a MiniCluster; reports heap
 * after GC at start and end, checkpoint durations and the exactly-once count, and fails on a lost or duplicated record
 * or a heap that grew by more than 128 MiB. Not part of the test run; run it with
 * {@code mvn -B -pl job -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test=SoakRun -Dsoak.minutes=20} ({@code -Dsoak.rate=N} records/s,
 * default 1000). Brokers, job and producer share one JVM: the heap figures are theirs together, which is what a
 * leak in any of them would move.
 */
class SoakRun {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(2);

    private static final String TOPIC = "soak";
    private static final int PARTITIONS = 4;

    @Test
    @Timeout(value = 24, unit = TimeUnit.HOURS) // long by design; the default per-test timeout is 10 min
    void replicateASteadyLoadWithFlatMemoryAndExactlyOnce(@InjectClusterClient RestClusterClient<?> rest)
            throws Exception {
        double minutes = Double.parseDouble(System.getProperty("soak.minutes", "20"));
        int rate = Integer.getInteger("soak.rate", 1_000);
        LocalKafkaCluster a = KAFKA.get(0);
        LocalKafkaCluster b = KAFKA.get(1);
        a.createTopic(TOPIC, PARTITIONS);
        Map<String, String> props = MirrorRunner.flowProperties(a, b, TOPIC);
        props.put("flink.execution.checkpointing.interval", "5 s");
        props.put("emit.checkpoints.interval.seconds", "5");

        long base = System.currentTimeMillis();
        long heapStart = 0;
        long heapEnd;
        int slices = 0;
        long started = System.nanoTime();
        long end = started + (long) (minutes * 60e9);
        JobMetrics metrics;
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            metrics = new JobMetrics(rest.getWebInterfaceURL(), mirror.client().getJobID());
            long warmUp = started + Math.min(30_000_000_000L, (end - started) / 4);
            long nextReport = started;
            while (System.nanoTime() < end) {
                long sliceStart = System.nanoTime();
                TestRecords.produce(a.bootstrapServers(), slice(slices++, rate, base));
                if (heapStart == 0 && System.nanoTime() > warmUp) {
                    heapStart = heapAfterGc();
                    System.out.printf("soak: heap after GC at start (after warm-up) %,d KiB%n", heapStart / 1024);
                }
                if (System.nanoTime() > nextReport) {
                    System.out.printf("soak: %.1f min, %,d records produced, %s%n",
                            (System.nanoTime() - started) / 60e9, (long) slices * rate, checkpoints(metrics));
                    nextReport = System.nanoTime() + 60_000_000_000L;
                }
                Thread.sleep(Math.max(0, 1_000 - (System.nanoTime() - sliceStart) / 1_000_000));
            }
            mirror.awaitCaughtUp(a, b.name(), List.of(TOPIC), Duration.ofMinutes(5));
            heapEnd = heapAfterGc();
            System.out.printf("soak: heap after GC at end %,d KiB (start %,d KiB, %+,d KiB)%n", heapEnd / 1024,
                    heapStart / 1024, (heapEnd - heapStart) / 1024);
            System.out.println("soak: " + checkpoints(metrics));
        }
        List<ProducedRecord> expected = new ArrayList<>();
        for (int i = 0; i < slices; i++) {
            expected.addAll(slice(i, rate, base)); // regenerated: the same builder settings give the same records
        }
        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected)
                .verify(b.bootstrapServers(), a.name() + "." + TOPIC, Duration.ofMinutes(5));
        System.out.println("soak: " + report);
        report.assertExactlyOnce();
        assertThat(heapEnd - heapStart).as("heap growth after GC").isLessThan(128L * 1024 * 1024);
    }

    /** Slice {@code i} of the load: one second's records, with ids unique over the run. */
    private static List<ProducedRecord> slice(int i, int rate, long baseTimestamp) {
        return TestRecords.builder().topic(TOPIC, PARTITIONS).count(rate).seed(i).idPrefix("s" + i).valueSize(200)
                .baseTimestamp(baseTimestamp).build();
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** Completed/failed checkpoint counts and end-to-end durations from the REST API. */
    private static String checkpoints(JobMetrics metrics) {
        CheckpointingStatistics stats = metrics.checkpoints();
        StatsSummaryDto duration = stats.getSummary().getDuration();
        return String.format("checkpoints completed %d, failed %d, duration ms min %d / avg %d / p99 %.1f / max %d",
                stats.getCounts().getNumberCompletedCheckpoints(), stats.getCounts().getNumberFailedCheckpoints(),
                duration.getMinimum(), duration.getAverage(), duration.getP99(), duration.getMaximum());
    }
}
