package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.JobMetrics;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The job's MirrorMaker-2-style metrics, read the way an operator reads them: through Flink's REST API (what the web
 * UI shows), under a known load.
 */
class MetricsIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int RECORDS = 5_000;

    private JobMetrics metrics;

    @Test
    void shouldReportCountsLatencyLagAndCheckpointLatencyThroughRest(@InjectClusterClient RestClusterClient<?> client)
            throws Exception {
        a.createTopic("mt", 2);
        // Fresh timestamps, so that replication latency measures the replication, not the test data's age.
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("mt", 2).count(RECORDS)
                .baseTimestamp(System.currentTimeMillis()).timestampSpread(Duration.ofMillis(1)).idPrefix("m")
                .build());
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", "mt");
        props.put("emit.checkpoints.interval.seconds", "1");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            metrics = new JobMetrics(client.getWebInterfaceURL(), mirror.client().getJobID());
            a.admin().alterConsumerGroupOffsets("metrics-it", Map.of(new TopicPartition("mt", 0),
                    new OffsetAndMetadata(100), new TopicPartition("mt", 1), new OffsetAndMetadata(200)))
                    .all().get(10, TimeUnit.SECONDS);

            Predicate<String> recordCount = partitionMetric("record-count");
            Poll.until("record-count of mt to sum to " + RECORDS, TIMEOUT,
                    () -> metrics.aggregate(recordCount, "sum") == RECORDS,
                    () -> "sum " + metrics.aggregate(recordCount, "sum"));
            assertThat(metrics.ids(partitionMetric("byte-rate"))).hasSize(2);
            assertThat(metrics.ids(partitionMetric("record-age-ms-max"))).hasSize(2);

            Predicate<String> latencyMax = partitionMetric("replication-latency-ms-max");
            Poll.until("replication-latency-ms-max of mt", TIMEOUT, () -> metrics.aggregate(latencyMax, "max") > 0,
                    () -> "max " + metrics.aggregate(latencyMax, "max"));
            assertThat(metrics.aggregate(latencyMax, "max")).isLessThan(60_000);
            Predicate<String> p99 = operatorMetric("replication-latency-ms-p99");
            Poll.until("replication-latency-ms-p99", TIMEOUT, () -> metrics.aggregate(p99, "max") > 0,
                    () -> "ids " + metrics.ids(id -> id.contains("latency")));
            assertThat(metrics.aggregate(p99, "max")).isLessThan(60_000);

            Predicate<String> partitionLag = partitionMetric("lag");
            Predicate<String> subtaskLag = operatorMetric("lag");
            Poll.until("lag of both partitions back to 0", TIMEOUT,
                    () -> metrics.ids(partitionLag).size() == 2 && metrics.aggregate(partitionLag, "sum") == 0,
                    () -> "partition lags " + metrics.ids(partitionLag) + " sum "
                            + metrics.aggregate(partitionLag, "sum"));
            // The subtask lag sums all its partitions, the live heartbeats topic's too (replicated whatever `topics`
            // says), so it is only asserted to be reported, not to be 0 at a given moment.
            assertThat(metrics.aggregate(subtaskLag, "sum")).isGreaterThanOrEqualTo(0);

            Predicate<String> checkpointLatency = operatorMetric("checkpoint-latency-ms");
            Poll.until("checkpoint-latency-ms of the translated group", TIMEOUT,
                    () -> metrics.aggregate(checkpointLatency, "max") >= 0,
                    () -> "max " + metrics.aggregate(checkpointLatency, "max"));
            assertThat(metrics.aggregate(checkpointLatency, "max")).isLessThan(60_000);
        }
    }

    /** A per-partition metric of topic {@code mt}: {@code <operator>.topic.mt.partition.<p>.<name>}. */
    private static Predicate<String> partitionMetric(String name) {
        return id -> id.matches(".*\\.topic\\.mt\\.partition\\.\\d+\\." + java.util.regex.Pattern.quote(name));
    }

    /** A subtask-level metric of an operator (the offset mapping's, for the names used here). */
    private static Predicate<String> operatorMetric(String name) {
        return id -> id.endsWith("." + name) && !id.contains(".partition.");
    }

}
