package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.job.local.LocalKafkaCluster;
import io.flinkmirror.job.sink.CommitGuardSink;
import io.flinkmirror.job.sink.HeldCommits;
import io.flinkmirror.testutils.ContinuousProducer;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A completed checkpoint whose sink transactions the broker aborted (the job was down longer than the transaction
 * timeout; simulated by a committer that holds every commit back, so all its transactions time out) is restored: the
 * job stops at once, without restarting and before a later transaction commits, naming the lost transactions and
 * the source ranges they held; a start without state then copies their records again: 0 missing, 0 duplicated.
 */
class TransactionTimeoutIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(2);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    static LocalKafkaCluster a;
    static LocalKafkaCluster b;

    @BeforeAll
    static void clusters() {
        a = KAFKA.get(0);
        b = KAFKA.get(1);
    }

    private static JobClient start(Map<String, String> props, boolean holdCommits) throws Exception {
        MirrorJob job = new MirrorJob(MirrorConfig.parse(props));
        if (holdCommits) {
            job.withCommitterDecorator(HeldCommits::new);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(job.flinkConfiguration());
        job.build(env);
        return env.executeAsync(job.jobName());
    }

    private static int latestCheckpointId(Path dir) {
        try {
            return MirrorRunner.latestRetainedCheckpoint(dir)
                    .map(p -> Integer.parseInt(p.getFileName().toString().substring(4))).orElse(0);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static boolean terminal(JobClient job) {
        try {
            return job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState();
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean ourTransactionsOpen(String prefix) {
        try {
            return b.admin().listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .anyMatch(t -> t.transactionalId().startsWith(prefix) && t.state().toString().equals("Ongoing"));
        } catch (Exception e) {
            return true;
        }
    }

    @Test
    void shouldStopNamingTheLostTransactionsThenCopyThemAgainWithoutState() throws Exception {
        String topic = "timeout";
        a.createTopic(topic, 2);
        // Records keep coming, so that every checkpoint's transactions hold some.
        ContinuousProducer producer = new ContinuousProducer(a.bootstrapServers(), Map.of(topic, 2), 20,
                Duration.ofMillis(100));

        Path checkpoints = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "checkpoints-");
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        props.put("emit.heartbeats.enabled", "false");
        props.put("flink.pipeline.name", "timeout");
        props.put("flink.sink.transaction.timeout.ms", "4000");
        props.put("flink.execution.checkpointing.dir", checkpoints.toUri().toString());
        props.put("flink.execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        // Would restart forever if the failure were recoverable.
        props.put("flink.restart-strategy.type", "fixed-delay");
        props.put("flink.restart-strategy.fixed-delay.attempts", "100");
        props.put("flink.restart-strategy.fixed-delay.delay", "1 s");

        JobClient held = start(props, true);
        Poll.until("three retained checkpoints", TIMEOUT, () -> latestCheckpointId(checkpoints) >= 3);
        held.cancel().get(60, TimeUnit.SECONDS);
        producer.close();
        List<ProducedRecord> records = producer.produced(topic);
        Path last = MirrorRunner.latestRetainedCheckpoint(checkpoints).orElseThrow();
        // The broker aborts them after the 4 s transaction timeout (checked every 10 s by default).
        Poll.until("the held transactions to time out", TIMEOUT, () -> !ourTransactionsOpen("timeout-"));

        props.put("flink.execution.state-recovery.path", last.toUri().toString());
        JobClient restored = start(props, false);
        Poll.until("the restored job to stop", TIMEOUT, () -> terminal(restored));
        assertThat(restored.getJobStatus().get(10, TimeUnit.SECONDS)).isEqualTo(JobStatus.FAILED);
        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> restored.getJobExecutionResult().get(10, TimeUnit.SECONDS));
        assertThat(org.apache.flink.util.ExceptionUtils.stringifyException(failure))
                .contains(CommitGuardSink.LOST_MESSAGE, "timeout-cluster-0-cluster-1-")
                .containsPattern("timeout-[01] \\[\\d+\\.\\.\\d+\\] \\d+ records?");

        props.remove("flink.execution.state-recovery.path");
        try (MirrorRunner fresh = MirrorRunner.start(props)) {
            fresh.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
        }
        ExactlyOnceChecker.expecting(records).verify(b.bootstrapServers(), a.name() + "." + topic, TIMEOUT)
                .assertExactlyOnce();
    }
}
