package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.sink.CommitGuardSink;
import io.flinkmirror.testutils.ContinuousProducer;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.ListTransactionsOptions;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recovery from a checkpoint whose sink transactions were committed and whose pooled transactional ids were reused
 * since (FLINK-40626): the connector's commit of them again is fenced, but their records are on the target, so the
 * job goes on; and the transaction begun on a reused id after that checkpoint never holds back read_committed readers
 * until its timeout (15 min), also when the job comes back with fewer subtasks (whose writers never reuse the ids of
 * the removed ones).
 *
 * <p>The failure: a stage chained before the sink throws in {@code snapshotState} of one checkpoint. Flink snapshots
 * a chain from its tail, so the sink writer has already pre-committed its transaction and begun the next one on an
 * id freed by the previous checkpoint's commit; the checkpoint then fails and the job recovers from the previous one.
 */
class PooledTransactionRecoveryIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** Far below the sink's transaction timeout (15 min): a transaction left open would hold records back longer. */
    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(60);
    private static final int PARTITIONS = 2;
    /** The checkpoint whose snapshot fails (checkpoints every 200 ms: records have flowed for about 2 s). */
    private static final long FAILING_CHECKPOINT = 10;

    private static Map<String, String> flow(String topic, String jobName) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        props.put("flink.pipeline.name", jobName);
        props.put("emit.heartbeats.enabled", "false");
        props.put("flink.execution.checkpointing.interval", "200 ms");
        return props;
    }

    /** The sink's transactional id prefix for {@code jobName} (see {@link MirrorJob#transactionalIdPrefix}). */
    private static String prefix(String jobName) {
        return (jobName + "-" + a.name() + "-" + b.name()).replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Test
    void shouldGoOnWhenARestoredTransactionWasCommittedAndItsIdReusedSince() throws Exception {
        String topic = "pooled-superseded";
        a.createTopic(topic, PARTITIONS);
        Map<String, String> props = flow(topic, "pooled-superseded");
        FailSnapshotOnce.reset();
        props.put("flink.restart-strategy.type", "fixed-delay");
        props.put("flink.restart-strategy.fixed-delay.attempts", "3");
        props.put("flink.restart-strategy.fixed-delay.delay", "1 s");

        List<ProducedRecord> produced;
        try (LogCapture logs = LogCapture.start(Level.INFO)) {
            try (ContinuousProducer producer = new ContinuousProducer(a.bootstrapServers(),
                    Map.of(topic, PARTITIONS), 20, Duration.ofMillis(20));
                 MirrorRunner mirror = MirrorRunner.start(props, (flow, records) -> failSnapshotOnce(records))) {
                Poll.until("the injected snapshot failure", TIMEOUT, FailSnapshotOnce::failed);
                // The job restarts by itself from the previous checkpoint and keeps replicating.
                awaitRecordsAfterRestart(mirror);
                producer.pause();
                produced = producer.produced(topic);
                mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
                assertThat(mirror.client().getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.RUNNING);
                assertAllVisibleExactlyOnce(produced, topic);
            } finally {
                printRelevant(logs);
            }
            assertThat(logs.linesContaining(CommitGuardSink.LOST_MESSAGE)).isEmpty();
            assertThat(logs.linesContaining("was committed before the restart; its id was reused since"))
                    .as("a restored transaction committed before and fenced since (the case under test)")
                    .isNotEmpty();
        }
    }

    @Test
    void shouldNeverStallWhenRestoredWithFewerSubtasksAfterSuchAFailure() throws Exception {
        String topic = "pooled-downscale";
        String jobName = "pooled-downscale";
        a.createTopic(topic, PARTITIONS);
        Path checkpoints = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "checkpoints-");
        Map<String, String> props = flow(topic, jobName);
        props.put("flink.restart-strategy.type", "none");
        props.put("flink.execution.checkpointing.dir", checkpoints.toUri().toString());
        props.put("flink.execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        FailSnapshotOnce.reset();

        List<ProducedRecord> produced;
        try (LogCapture logs = LogCapture.start(Level.INFO)) {
            try (ContinuousProducer producer = new ContinuousProducer(a.bootstrapServers(),
                    Map.of(topic, PARTITIONS), 20, Duration.ofMillis(20))) {
                try (MirrorRunner mirror = MirrorRunner.start(props, (flow, records) -> failSnapshotOnce(records))) {
                    Poll.until("the job to fail on the injected snapshot failure", TIMEOUT,
                            () -> jobStatus(mirror) == JobStatus.FAILED);
                }
                Path last = MirrorRunner.latestRetainedCheckpoint(checkpoints).orElseThrow(() -> new AssertionError(
                        "no retained checkpoint under " + checkpoints));
                List<String> orphans = leaveOpenTransactionsOnReusedIds(prefix(jobName) + "-1-", topic);
                System.out.println("Restoring " + last + " with parallelism 1; transactions left open on " + orphans);

                props.put("flink.execution.state-recovery.path", last.toUri().toString());
                props.put("flink.parallelism.default", "1");
                // The same graph (the failure is not thrown again), one subtask.
                try (MirrorRunner mirror = MirrorRunner.start(props, (flow, records) -> failSnapshotOnce(records))) {
                    awaitRecordsAfterRestart(mirror);
                    producer.pause();
                    produced = producer.produced(topic);
                    mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
                    assertAllVisibleExactlyOnce(produced, topic);
                    assertThat(mirror.client().getJobStatus().get(10, TimeUnit.SECONDS))
                            .isEqualTo(JobStatus.RUNNING);
                }
            } finally {
                printRelevant(logs);
            }
            assertThat(logs.linesContaining(CommitGuardSink.LOST_MESSAGE)).isEmpty();
        }
    }

    /**
     * Stands in for a writer that crashed after writing into the transaction it began on a reused id (a graceful
     * failure aborts it on close): every id of {@code idPrefix} the failed run re-initialized without writing to
     * (state Empty) gets an open transaction holding one record on the target, with the sink's 15-min timeout.
     * Ids whose transactions are not restored ones would be aborted by the connector on restore; the restored ones
     * are what the guard must end.
     */
    private static List<String> leaveOpenTransactionsOnReusedIds(String idPrefix, String topic) throws Exception {
        List<String> ids = new ArrayList<>();
        for (TransactionListing t : b.admin().listTransactions(new ListTransactionsOptions()
                .filterStates(List.of(TransactionState.EMPTY))).all().get(10, TimeUnit.SECONDS)) {
            if (t.transactionalId().startsWith(idPrefix)) {
                ids.add(t.transactionalId());
            }
        }
        for (String id : ids) {
            Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, b.bootstrapServers());
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
            props.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, String.valueOf(Duration.ofMinutes(15).toMillis()));
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                    new ByteArraySerializer());
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(a.name() + "." + topic, 1, null,
                    ("orphan of " + id).getBytes(StandardCharsets.UTF_8))).get(10, TimeUnit.SECONDS);
            // Closed without committing or aborting, like a crashed writer: the transaction stays open.
            producer.close(Duration.ZERO);
            TransactionDescription d = b.admin().describeTransactions(List.of(id)).description(id)
                    .get(10, TimeUnit.SECONDS);
            assertThat(d.state()).as(id).isEqualTo(TransactionState.ONGOING);
        }
        return ids;
    }

    /**
     * Every produced record becomes visible (read_committed) on the target within {@link #VISIBLE_WITHIN}, exactly
     * once: no open transaction holds the partitions back.
     */
    private static void assertAllVisibleExactlyOnce(List<ProducedRecord> produced, String topic) {
        ExactlyOnceChecker checker = ExactlyOnceChecker.expecting(produced);
        String target = a.name() + "." + topic;
        ExactlyOnceChecker.Report[] last = new ExactlyOnceChecker.Report[1];
        Poll.until("all " + produced.size() + " records visible read_committed on " + target, VISIBLE_WITHIN, () -> {
            last[0] = checker.verify(b.bootstrapServers(), target, Duration.ofSeconds(10));
            return last[0].missingCount() == 0;
        }, () -> String.valueOf(last[0]));
        last[0].assertExactlyOnce();
    }

    /** Waits until the restarted (or restored) job passes records on; fails at once if the job has ended. */
    private static void awaitRecordsAfterRestart(MirrorRunner mirror) throws Exception {
        Poll.until("records replicated after the restart", TIMEOUT,
                () -> FailSnapshotOnce.seenAfterRestart() > 0 || jobStatus(mirror).isGloballyTerminalState());
        if (jobStatus(mirror).isGloballyTerminalState()) {
            try {
                mirror.client().getJobExecutionResult().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new AssertionError("job ended after the restart", e.getCause());
            }
            throw new AssertionError("job ended after the restart: " + jobStatus(mirror));
        }
    }

    private static JobStatus jobStatus(MirrorRunner mirror) {
        try {
            return mirror.client().getJobStatus().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("job status unknown", e);
        }
    }

    private static void printRelevant(LogCapture logs) {
        for (String line : logs.lines()) {
            if (line.contains("SupersededCommits") || line.contains("CommitGuardSink")
                    || line.contains("KafkaCommitter") || line.contains("injected")
                    || line.contains("ProducerFencedException") && !line.contains("\tat ")) {
                System.out.println("LOG " + line.lines().findFirst().orElse(""));
            }
        }
    }

    private static DataStream<MirrorRecord> failSnapshotOnce(DataStream<MirrorRecord> records) {
        return records.map(new FailSnapshotOnce()).uid("fail-snapshot-once").name("fail-snapshot-once");
    }

    /**
     * Passes records on; in subtask 1, throws in {@code snapshotState} of the first checkpoint from
     * {@value #FAILING_CHECKPOINT} on whose previous interval carried records, once per test (JVM-wide flag: the
     * MiniCluster runs in this JVM).
     */
    static final class FailSnapshotOnce extends RichMapFunction<MirrorRecord, MirrorRecord>
            implements CheckpointedFunction {
        private static final long serialVersionUID = 1L;
        private static final AtomicBoolean FAILED = new AtomicBoolean();
        private static final AtomicLong SEEN_AFTER_RESTART = new AtomicLong();

        private transient boolean afterFailure;
        private transient long sinceSnapshot;
        private transient long previousInterval;

        static void reset() {
            FAILED.set(false);
            SEEN_AFTER_RESTART.set(0);
        }

        static boolean failed() {
            return FAILED.get();
        }

        /** Records seen by instances started after the failure (the restarted or restored job). */
        static long seenAfterRestart() {
            return SEEN_AFTER_RESTART.get();
        }

        @Override
        public void open(OpenContext context) {
            afterFailure = FAILED.get();
        }

        @Override
        public MirrorRecord map(MirrorRecord record) {
            sinceSnapshot++;
            if (afterFailure) {
                SEEN_AFTER_RESTART.incrementAndGet();
            }
            return record;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) {
            // The sink writer of this chain has already pre-committed the interval's transaction and begun the next.
            boolean fail = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 1
                    && context.getCheckpointId() >= FAILING_CHECKPOINT && previousInterval > 0 && sinceSnapshot > 0
                    && FAILED.compareAndSet(false, true);
            previousInterval = sinceSnapshot;
            sinceSnapshot = 0;
            if (fail) {
                throw new IllegalStateException("injected failure in the snapshot of checkpoint "
                        + context.getCheckpointId());
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {
        }
    }
}
