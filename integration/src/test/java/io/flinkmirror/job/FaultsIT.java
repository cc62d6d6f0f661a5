package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.JobMetrics;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Faults while replicating, on real brokers and the real job: a broker of either cluster restarted mid-stream, the
 * target unavailable for longer than several checkpoints, and the job cancelled and restarted from its last retained
 * checkpoint. Each time: 0 missing, 0 duplicated (read_committed count) and every offset checkpoint and offset sync
 * written, before, during and after the fault, exact.
 */
class FaultsIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    /** Fresh clusters per test: an in-process broker restarted twice in one JVM lost partition metadata once. */
    @RegisterExtension
    final KafkaClusters kafka = KafkaClusters.of(2);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 3;
    private static final int COUNT = 6_000;

    static LocalKafkaCluster a;
    static LocalKafkaCluster b;
    static OffsetMappingAssertions mapping;

    @BeforeEach
    void clusters() {
        a = kafka.get(0);
        b = kafka.get(1);
        mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
    }

    /** Recovers by itself: restart strategy with enough attempts for a broker outage. */
    private static Map<String, String> flow(String topic) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        props.put("emit.checkpoints.interval.seconds", "1");
        // Heartbeats would be replicated while the checks read source and target at different instants.
        props.put("emit.heartbeats.enabled", "false");
        props.put("flink.restart-strategy.type", "fixed-delay");
        props.put("flink.restart-strategy.fixed-delay.attempts", "30");
        props.put("flink.restart-strategy.fixed-delay.delay", "1 s");
        return props;
    }

    /** A run over one topic: the first half produced before the job starts, the second half while it runs. */
    private static final class Run {
        final String topic;
        final List<ProducedRecord> records;
        final Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();

        Run(String topic) {
            this.topic = topic;
            a.createTopic(topic, PARTITIONS);
            records = TestRecords.builder().topic(topic, PARTITIONS).count(COUNT).idPrefix(topic).build();
            TestRecords.produce(a.bootstrapServers(), records.subList(0, COUNT / 2));
        }

        /** Produces the second half in slices, in the background, while the fault happens. */
        CompletableFuture<Void> produceSecondHalfSlowly() {
            return CompletableFuture.runAsync(() -> {
                int slice = COUNT / 2 / 10;
                for (int from = COUNT / 2; from < COUNT; from += slice) {
                    TestRecords.produce(a.bootstrapServers(), records.subList(from, from + slice));
                    sleep(300);
                }
            });
        }

        /** Commits offsets of a consumer group at a fraction of the source end offsets (for checkpoints). */
        void commitGroup(String group, double fraction) throws Exception {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                offsets.put(tp, (long) (OffsetMappingAssertions.endOffset(a, tp) * fraction));
            }
            mapping.commit(group, offsets);
            groups.put(group, offsets);
        }

        /** After the job caught up: exactly once, and every checkpoint and offset sync exact. */
        void verify() {
            ExactlyOnceChecker.expecting(records).verify(b.bootstrapServers(), a.name() + "." + topic, TIMEOUT)
                    .assertExactlyOnce();
            mapping.awaitCheckpoints(groups);
            mapping.assertEveryCheckpointExact();
            mapping.assertOffsetSyncsPointAtTheirRecords();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until the target holds some but not all records of {@code topic}: the job is mid-stream. */
    private static void awaitSomeReplicated(String topic) {
        Poll.until("the job to replicate part of " + topic, TIMEOUT, () -> ExactlyOnceChecker.expecting(List.of())
                .settleTime(Duration.ZERO).verify(b.bootstrapServers(), a.name() + "." + topic, Duration.ofSeconds(5))
                .actualCount() > 0);
    }

    /** Waits until the job has a transaction open on the target's copy of {@code topic}. */
    private static void awaitOpenTransaction(String topic) {
        Poll.until("a transaction of the job open on the target", TIMEOUT, () -> openTransaction(topic));
    }

    /** Whether some partition of the target's copy of {@code topic} holds records written but not committed yet. */
    private static boolean openTransaction(String topic) {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", b.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                latest.put(new TopicPartition(a.name() + "." + topic, p), OffsetSpec.latest());
            }
            var committed = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                    .get(10, TimeUnit.SECONDS);
            var written = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all()
                    .get(10, TimeUnit.SECONDS);
            return latest.keySet().stream().anyMatch(tp -> written.get(tp).offset() > committed.get(tp).offset());
        } catch (Exception e) {
            return false; // the topic not created yet, or a broker restarting
        }
    }

    private void restartMidStream(String topic, LocalKafkaCluster broken, long downMs) throws Exception {
        Run run = new Run(topic);
        Map<String, String> props = flow(topic);
        Preflight.check(MirrorConfig.parse(props), Duration.ofSeconds(15));
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            run.commitGroup(topic + "-g1", 0.3);
            awaitSomeReplicated(topic);
            CompletableFuture<Void> producing = run.produceSecondHalfSlowly();
            // The fault lands while the job has a transaction open on the target: records written, not committed.
            awaitOpenTransaction(topic);
            broken.stopBrokers();
            sleep(downMs);
            broken.startBrokers();
            producing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            run.commitGroup(topic + "-g2", 0.8);
            run.commitGroup(topic + "-g3", 1.0);
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
        }
        run.verify();
    }

    @Test
    void shouldStayExactlyOnceWhenTheTargetBrokerRestartsMidStream() throws Exception {
        restartMidStream("fault-target", b, 0);
    }

    @Test
    void shouldStayExactlyOnceWhenTheSourceBrokerRestartsMidStream() throws Exception {
        restartMidStream("fault-source", a, 0);
    }

    @Test
    void shouldRecoverWhenTheTargetIsUnavailableForLongerThanACheckpoint() throws Exception {
        // Checkpoint interval 1 s: the target's leaders are gone for 6 intervals.
        restartMidStream("fault-outage", b, 6_000);
    }

    @Test
    void shouldResumeExactlyOnceFromTheLastRetainedCheckpointAfterCancel(
            @InjectClusterClient RestClusterClient<?> rest) throws Exception {
        Run run = new Run("fault-cancel");
        Path checkpoints = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "checkpoints-");
        Map<String, String> props = flow(run.topic);
        props.put("flink.execution.checkpointing.dir", checkpoints.toUri().toString());
        props.put("flink.execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            run.commitGroup("fault-cancel-g1", 0.5);
            CompletableFuture<Void> producing = run.produceSecondHalfSlowly();
            awaitSomeReplicated(run.topic);
            // Cancelled once a checkpoint completed (the one to resume from) and while a transaction is open.
            try (JobMetrics job = new JobMetrics(rest.getWebInterfaceURL(), mirror.client().getJobID())) {
                Poll.until("a completed checkpoint", TIMEOUT,
                        () -> job.checkpoints().getCounts().getNumberCompletedCheckpoints() >= 1);
            }
            awaitOpenTransaction(run.topic);
            mirror.client().cancel().get(60, TimeUnit.SECONDS);
            producing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        Path last = MirrorRunner.latestRetainedCheckpoint(checkpoints).orElseThrow(() -> new AssertionError(
                "no retained checkpoint under " + checkpoints));
        run.commitGroup("fault-cancel-g2", 1.0);

        props.put("flink.execution.state-recovery.path", last.toUri().toString());
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(run.topic), TIMEOUT);
            try (JobMetrics job = new JobMetrics(rest.getWebInterfaceURL(), mirror.client().getJobID())) {
                assertThat(job.checkpoints().getLatestCheckpoints().getRestoredCheckpointStatistics()
                        .getExternalPath()).as("restored from").contains(last.getFileName().toString());
            }
        }
        run.verify();
    }
}
