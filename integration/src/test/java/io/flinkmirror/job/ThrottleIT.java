package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.JobMetrics;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointStatistics;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code flink.throttle.bytes.per.second} on real brokers: a preloaded backlog is replicated at the configured rate
 * (within 10% over a minute, measured on the target with a read_committed consumer) although all of it sits on one of
 * the two source subtasks; the limit and the throttled time are visible as metrics; checkpoints keep completing while
 * the readers wait; a stop-with-savepoint and a restore with a new value take the new value, and a restore without
 * one is unthrottled; the copy is exactly-once across both restores.
 */
class ThrottleIT extends TwoClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(ThrottleIT.class);

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "thr";
    private static final int PARTITIONS = 4;
    private static final long LIMIT = 500_000;
    private static final long NEW_LIMIT = 1_500_000;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration WINDOW = Duration.ofSeconds(60);
    /** How long a metric may take to appear in Flink's REST API (its metric store fills on request). */
    private static final Duration METRICS_WAIT = Duration.ofSeconds(30);
    private static final Duration NEW_WINDOW = Duration.ofSeconds(15);

    /**
     * Records of about 1 KB, all in partitions 0 and 2: with parallelism 2 flink-connector-kafka gives both to the
     * same reader ({@code (start + partition) % 2}), so one source subtask reads everything and the other nothing.
     */
    private static List<ProducedRecord> records(int count, String idPrefix) {
        List<ProducedRecord> records = new ArrayList<>();
        for (ProducedRecord r : TestRecords.builder().topic(TOPIC, 2).count(count).idPrefix(idPrefix)
                .valueSize(1_000).nullKeyRatio(0).tombstoneRatio(0).headerRatio(0).build()) {
            records.add(r.withPartition(r.partition() * 2));
        }
        return records;
    }

    private Map<String, String> props(long limit) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", TOPIC);
        props.put(a.name() + "->" + b.name() + ".flink.throttle.bytes.per.second", String.valueOf(limit));
        // Commits every second throughout (not every 5 s while catching up): the rate is measured on the target.
        props.put("flink.execution.checkpointing.interval-during-backlog", "1 s");
        return props;
    }

    @Test
    void shouldReplicateAtTheLimitWhateverTheSpreadAndTakeANewLimitOnRestore(
            @InjectClusterClient RestClusterClient<?> client) throws Exception {
        a.createTopic(TOPIC, PARTITIONS);
        List<ProducedRecord> all = new ArrayList<>(records(40_000, "t1")); // 80 s at the limit
        TestRecords.produce(a.bootstrapServers(), all);
        String target = a.name() + "." + TOPIC;

        try (TargetMeter meter = new TargetMeter(b.bootstrapServers(), target)) {
            String savepoint;
            try (MirrorRunner mirror = MirrorRunner.start(props(LIMIT));
                 JobMetrics metrics = new JobMetrics(client.getWebInterfaceURL(), mirror.client().getJobID())) {
                double rate = meter.measure(WARM_UP, WINDOW);
                LOG.info("Throttled to {} B/s: {} B/s replicated over {} s", LIMIT, Math.round(rate),
                        WINDOW.toSeconds());
                assertThat(rate).as("bytes/s replicated over a minute, limit %s", LIMIT)
                        .isBetween(LIMIT * 0.9, LIMIT * 1.1);

                assertThat(metrics.awaitAggregate(id -> id.endsWith(".throttle-bytes-per-second"), "max",
                        METRICS_WAIT))
                        .isEqualTo(LIMIT);
                double byteRate = metrics.awaitAggregate(id -> id.matches(".*\\.topic\\." + TOPIC
                        + "\\.partition\\.\\d+\\.byte-rate"), "sum", METRICS_WAIT);
                LOG.info("byte-rate metric (sum over partitions, last minute): {} B/s", Math.round(byteRate));
                assertThat(byteRate).as("byte-rate metric").isBetween(LIMIT * 0.9, LIMIT * 1.1);
                Predicate<String> throttled = id -> id.endsWith(".throttled-time-ms");
                double busiest = metrics.awaitAggregate(throttled, "max", METRICS_WAIT);
                double idlest = metrics.awaitAggregate(throttled, "min", METRICS_WAIT);
                LOG.info("throttled-time-ms per source subtask: max {}, min {}", busiest, idlest);
                assertThat(busiest).as("ms the busy reader waited for bytes").isGreaterThan(WINDOW.toMillis() / 2.0);
                assertThat(idlest).as("ms the reader without data waited").isLessThan(5_000);

                CheckpointingStatistics checkpoints = metrics.checkpoints();
                LOG.info("Checkpoints while throttled: {} completed, {} failed, duration avg {} / p99 {} / max {} ms",
                        checkpoints.getCounts().getNumberCompletedCheckpoints(),
                        checkpoints.getCounts().getNumberFailedCheckpoints(),
                        checkpoints.getSummary().getDuration().getAverage(),
                        checkpoints.getSummary().getDuration().getP99(),
                        checkpoints.getSummary().getDuration().getMaximum());
                checkpoints.getHistory().stream()
                        .filter(c -> c instanceof CheckpointStatistics.FailedCheckpointStatistics)
                        .forEach(c -> LOG.info("Failed checkpoint {}: {}", c.getId(),
                                ((CheckpointStatistics.FailedCheckpointStatistics) c).getFailureMessage()));
                assertThat(checkpoints.getCounts().getNumberCompletedCheckpoints())
                        .as("checkpoints completed (every 1 s) in the %s s measured", WINDOW.toSeconds())
                        .isGreaterThanOrEqualTo(WINDOW.toSeconds() / 2);
                assertThat(checkpoints.getSummary().getDuration().getP99()).as("p99 checkpoint ms").isLessThan(5_000);

                savepoint = mirror.client().stopWithSavepoint(false, savepoint(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
            }

            List<ProducedRecord> more = records(35_000, "t2");
            TestRecords.produce(a.bootstrapServers(), more);
            all.addAll(more);
            Map<String, String> upgraded = props(NEW_LIMIT);
            upgraded.put("flink.execution.state-recovery.path", savepoint);
            try (MirrorRunner mirror = MirrorRunner.start(upgraded);
                 JobMetrics metrics = new JobMetrics(client.getWebInterfaceURL(), mirror.client().getJobID())) {
                double rate = meter.measure(Duration.ofSeconds(3), NEW_WINDOW);
                LOG.info("Restored with {} B/s: {} B/s replicated over {} s", NEW_LIMIT, Math.round(rate),
                        NEW_WINDOW.toSeconds());
                // Commits land every second: over 15 s that is up to +-7% at each end of the window.
                assertThat(rate).as("bytes/s after the restore, new limit %s", NEW_LIMIT)
                        .isBetween(NEW_LIMIT * 0.85, NEW_LIMIT * 1.15);
                Predicate<String> limit = id -> id.endsWith(".throttle-bytes-per-second");
                Poll.until("metric throttle-bytes-per-second of the restored job", TIMEOUT,
                        () -> metrics.aggregate(limit, "max") == NEW_LIMIT,
                        () -> "max " + metrics.aggregate(limit, "max"));
                savepoint = mirror.client().stopWithSavepoint(false, savepoint(), SavepointFormatType.CANONICAL)
                        .get(60, TimeUnit.SECONDS);
            }

            // The throttle removed: the savepoint of a throttled job restores into an unthrottled one.
            Map<String, String> unthrottled = props(0);
            unthrottled.put("flink.execution.state-recovery.path", savepoint);
            try (MirrorRunner mirror = MirrorRunner.start(unthrottled)) {
                mirror.awaitCaughtUp(a, b.name(), List.of(TOPIC), TIMEOUT);
            }
        }
        ExactlyOnceChecker.expecting(all).verify(b.bootstrapServers(), target, TIMEOUT).assertExactlyOnce();
    }

    private static String savepoint() throws java.io.IOException {
        return Files.createDirectories(Paths.get(System.getProperty("java.io.tmpdir"), "throttle-it")).toUri()
                .toString();
    }

    /** Reads the target topic read_committed and measures the bytes (key, value, headers) that become visible. */
    private static final class TargetMeter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private long bytes;

        TargetMeter(String bootstrapServers, String topic) {
            Properties props = new Properties();
            props.put("bootstrap.servers", bootstrapServers);
            props.put("isolation.level", "read_committed");
            props.put("auto.offset.reset", "earliest");
            props.put("allow.auto.create.topics", "false"); // the job creates it, with the source's partitions
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /**
         * Waits for new data, then for {@code warmUp}, then returns the bytes per second that became visible over
         * {@code window}.
         */
        double measure(Duration warmUp, Duration window) {
            long before = bytes;
            Poll.until("new records on the target", TIMEOUT, () -> {
                poll();
                return bytes > before;
            });
            long start = System.nanoTime() + warmUp.toNanos();
            while (System.nanoTime() < start) {
                poll();
            }
            long startBytes = bytes;
            long startNanos = System.nanoTime();
            long end = startNanos + window.toNanos();
            while (System.nanoTime() < end) {
                poll();
            }
            return (bytes - startBytes) / ((System.nanoTime() - startNanos) / 1e9);
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
                bytes += (r.key() == null ? 0 : r.key().length) + (r.value() == null ? 0 : r.value().length);
                for (org.apache.kafka.common.header.Header h : r.headers()) {
                    bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
                }
            }
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
