package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.sink.CommitGuardSink;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TopicReads;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.testutils.faults.DelayedCommits;
import io.flinkmirror.testutils.faults.HeldCommits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/mirror run}, the real process, killed with SIGKILL at random moments while a transactional producer
 * writes to the source (aborted transactions included, a compacted topic among the replicated ones), restarted with
 * the same command each time, then stopped with Ctrl-C and started once more: 0 missing, 0 duplicated (read_committed)
 * and every offset checkpoint ever written exact. Once with the state directory kept (each start resumes from the
 * newest checkpoint or the final savepoint), once with it deleted after every kill (each start resumes from what the
 * target holds), and then a target topic deleted and the mirror started once more without state: the topic is
 * copied again in full, exactly once. And starts after transactions of the restored checkpoint were aborted by
 * the broker's transaction timeout (while down, or while running): the records are copied again from the committed
 * progress with the state kept; without any committed progress, the lost records are named and a start without state
 * copies them again.
 */
class CrashRestartIT extends TwoClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(CrashRestartIT.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int KILLS = 4;

    /** Kept when a test fails: the mirror processes' logs are in {@code logs/mirror.log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldStayExactlyOnceAcrossKillsAndCtrlCWithItsStateDirectory() throws Exception {
        killAndRestart("kept", false);
    }

    @Test
    void shouldStayExactlyOnceAcrossKillsWhenItsStateDirectoryIsLostEachTime() throws Exception {
        killAndRestart("lost", true);
    }

    private void killAndRestart(String name, boolean deleteState) throws Exception {
        String orders = name + "-orders";
        String compacted = name + "-compacted";
        a.createTopic(orders, 3);
        // Compacted, but its active segment is never cleaned during the test: every record stays countable.
        a.createTopic(compacted, 2, Map.of("cleanup.policy", "compact"));
        List<String> topics = List.of(orders, compacted);
        Path state = dir.resolve("state");
        Path config = config(name);
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();
        Random random = new Random(name.hashCode());
        int run = 0;
        TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 3, compacted, 2), 40,
                Duration.ofMillis(50), 5);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                long checkpointsBefore = completedCheckpoints();
                Processes.Started mirror = start(config, state, name + "-" + run++);
                Thread.sleep(1_000 + random.nextInt(4_000));
                if (kill == 2) {
                    // Kills at random moments may all come before a run's first checkpoint on a slow machine: this
                    // one waits for a completed checkpoint, so that a later start resumes from one.
                    Poll.until("a completed checkpoint in run " + kill, TIMEOUT,
                            () -> completedCheckpoints() > checkpointsBefore);
                }
                mirror.kill();
                mirror.process().waitFor();
                LOG.info("{}: killed run {} after {} source transactions", name, kill, feed.transactions());
                if (kill == 2) {
                    groups.put(name + "-g1", commitGroupAtRandomOffsets(mapping, name + "-g1", topics, random));
                }
                if (deleteState) {
                    TopicReads.deleteRecursively(state);
                }
            }
            groups.put(name + "-g2", commitGroupAtRandomOffsets(mapping, name + "-g2", topics, random));
            if (!deleteState) {
                Processes.Started mirror = start(config, state, name + "-" + run++);
                // Ctrl-C while the tasks may still be starting: the final savepoint is taken before the JVM shuts
                // down (Flink's own shutdown hooks no longer race it), within seconds, not after --stop-timeout.
                Thread.sleep(random.nextInt(2_000));
                long interrupted = System.nanoTime();
                mirror.interrupt();
                // 130: our exit code after SIGINT once the final savepoint is done.
                assertThat(mirror.awaitExit(Duration.ofSeconds(90))).as("exit code after Ctrl-C").isIn(0, 130);
                assertThat(Duration.ofNanos(System.nanoTime() - interrupted)).as("Ctrl-C to exit")
                        .isLessThan(Duration.ofSeconds(45));
                assertThat(log()).contains("with savepoint").doesNotContain("Stop-with-savepoint of job");
            }
        } finally {
            feed.close();
            LOG.info("{}: source writes stopped after {} transactions", name, feed.transactions());
        }

        Processes.Started last = start(config, state, name + "-" + run);
        try {
            MirrorRunner.awaitCaughtUp(a, b.name(), topics, TIMEOUT, () -> "process alive: "
                    + last.process().isAlive());
            for (String topic : topics) {
                ExactlyOnceChecker.expecting(feed.committed(topic)).verify(b.bootstrapServers(), a.name() + "." + topic,
                        TIMEOUT).assertExactlyOnce();
            }
            mapping.awaitCheckpoints(groups);
            mapping.assertEveryCheckpointExact();
        } finally {
            last.kill();
        }

        if (!deleteState) {
            assertThat(log()).contains("Resuming from checkpoint", "Resuming from savepoint");
            return;
        }
        assertThat(log()).contains("No state in", "partitions resume from their committed progress");

        // An emptied target topic: a start without state copies it again in full.
        String remote = a.name() + "." + orders;
        b.admin().deleteTopics(List.of(remote)).all().get(30, TimeUnit.SECONDS);
        Poll.until(remote + " to be deleted", TIMEOUT, () -> !targetTopicExists(remote));
        TopicReads.deleteRecursively(state);
        List<ProducedRecord> expected = feed.committed(orders);
        Processes.Started emptied = start(config, state, name + "-emptied");
        try {
            Poll.until(remote + " to be copied again", TIMEOUT, () -> replicated(remote) >= expected.size());
            ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), remote, TIMEOUT).assertExactlyOnce();
        } finally {
            emptied.kill();
        }
    }

    /**
     * Killed while the transactions of its newest checkpoints were still open on the target (their commits held back
     * by fault injection, as a kill between a checkpoint and its commit leaves them) and down until the broker's
     * transaction timeout aborted them, all of them the first of their partitions: the next start resumes from the
     * checkpoint, the committer finds the partitions' starting progress (written before their first split) and the
     * readers copy everything again from there, without a start without state: 0 missing, 0 duplicated.
     */
    @Test
    void shouldCopyAgainFromTheStartingProgressWhatThePartitionsFirstTransactionsHeld() throws Exception {
        heldUntilAborted("timeout", false);
        assertThat(log()).contains("of the restored checkpoint was aborted on the target",
                        "where its progress committed on the target ends")
                .doesNotContain(CommitGuardSink.LOST_MESSAGE, "Restarted without state");
    }

    /**
     * The same with the progress topic deleted while it was down (a target without progress, as an earlier version
     * left it): the next start stops the restored job with one ERROR naming the source ranges those transactions
     * held, discards the state and resumes from what the target holds: 0 missing, 0 duplicated.
     */
    @Test
    void shouldStopForAStartWithoutStateWhenNoProgressTellsWhereToCopyAgainFrom() throws Exception {
        heldUntilAborted("noprogress", true);
        assertThat(log()).contains(CommitGuardSink.LOST_MESSAGE, "Restarted without state")
                .containsPattern("noprogress-orders-[01] \\[\\d+\\.\\.\\d+\\] \\d+ records?");
    }

    private void heldUntilAborted(String name, boolean deleteProgress) throws Exception {
        String orders = name + "-orders";
        a.createTopic(orders, 2);
        Path config = config(name, "flink.sink.transaction.timeout.ms = 4000");
        Path state = dir.resolve("state-" + name);
        TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 2), 40,
                Duration.ofMillis(50), 5);
        try {
            Processes.Started held = start(config, state, name + "-held",
                    HeldCommits.OPTIONS.toArray(String[]::new));
            Poll.until("two checkpoints of the held run", TIMEOUT, () -> checkpointId(state) >= 2);
            held.kill();
            held.process().waitFor();
        } finally {
            feed.close();
        }
        assertThat(replicated(a.name() + "." + orders)).as("records committed by the held run").isZero();
        // The broker aborts them once their 4 s are up (it looks every 10 s by default).
        Poll.until("the held transactions to be aborted", TIMEOUT, () -> !transactionsOpen("crash-" + name + "-"));
        if (deleteProgress) {
            String progress = "mm2-progress." + a.name() + ".internal";
            b.admin().deleteTopics(List.of(progress)).all().get(30, TimeUnit.SECONDS);
            Poll.until(progress + " to be deleted", TIMEOUT, () -> !targetTopicExists(progress));
        }

        List<ProducedRecord> expected = feed.committed(orders);
        String remote = a.name() + "." + orders;
        Processes.Started restarted = start(config, state, name + "-restarted");
        try {
            Poll.until(remote + " to be copied", TIMEOUT, () -> replicated(remote) >= expected.size());
            ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), remote, TIMEOUT).assertExactlyOnce();
        } finally {
            restarted.kill();
        }
    }

    /**
     * Killed between a checkpoint's completion and its commit (the commit held back by fault injection) after minutes
     * of committed data, and down until the broker's transaction timeout aborted that checkpoint's transactions: the
     * next start with the same state directory resumes from that checkpoint, the restored source readers rewind to the
     * progress committed on the target and copy the aborted records again, and the job goes on without discarding its
     * state (no start without state): 0 missing, 0 duplicated, groups committed before and after translated exactly.
     */
    @Test
    void shouldCopyAgainARestoredTransactionAbortedWhileItWasDownKeepingItsState() throws Exception {
        String name = "rewind";
        String orders = name + "-orders";
        a.createTopic(orders, 2);
        String remote = a.name() + "." + orders;
        // Above a checkpoint interval plus two held commits (the committer is chained with the writer), so that only
        // the kill lets a transaction time out.
        Path config = config(name, "flink.sink.transaction.timeout.ms = 12000");
        Path state = dir.resolve("state-" + name);
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();
        Random random = new Random(name.hashCode());
        TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 2), 40,
                Duration.ofMillis(50), 5);
        Processes.Started restarted = null;
        try {
            Processes.Started held = start(config, state, name + "-held",
                    DelayedCommits.options(2_000).toArray(String[]::new));
            Poll.until("records committed by the first run", TIMEOUT, () -> replicated(remote) > 200);
            groups.put(name + "-g1", commitGroupAtRandomOffsets(mapping, name + "-g1", List.of(orders), random));
            long holds = logLines(DelayedCommits.HOLDING);
            Poll.until("a completed checkpoint whose commit is held back", TIMEOUT,
                    () -> logLines(DelayedCommits.HOLDING) > holds);
            held.kill();
            held.process().waitFor();
            int committedBeforeKill = replicated(remote);
            Poll.until("the killed run's transactions to be aborted by their timeout", TIMEOUT,
                    () -> !transactionsOpen("crash-" + name + "-"));
            assertThat(checkpointId(state)).as("a retained checkpoint to restore").isPositive();

            restarted = start(config, state, name + "-restarted");
            Poll.until("records committed by the restarted run", TIMEOUT,
                    () -> replicated(remote) > committedBeforeKill);
        } finally {
            feed.close();
        }
        try {
            groups.put(name + "-g2", commitGroupAtRandomOffsets(mapping, name + "-g2", List.of(orders), random));
            assertCopiedOnceAndTranslated(orders, feed, mapping, groups);
        } finally {
            restarted.kill();
        }
        assertThat(log()).contains("Resuming from checkpoint",
                        "of the restored checkpoint was aborted on the target",
                        "where its progress committed on the target ends")
                .doesNotContain(CommitGuardSink.LOST_MESSAGE, "Restarted without state");
    }

    /**
     * A commit that fails while the job runs (held back past the transaction timeout by fault injection, as a commit
     * delayed by a stuck target would be): the job restarts from its last checkpoint, which holds that transaction
     * again, and copies its records again as in the test above, without a start without state: 0 missing,
     * 0 duplicated, and a group committed meanwhile translated exactly.
     */
    @Test
    void shouldRestartFromItsCheckpointWhenACommitFailsWhileItRuns() throws Exception {
        String name = "late";
        String orders = name + "-orders";
        a.createTopic(orders, 2);
        String remote = a.name() + "." + orders;
        // The broker aborts a transaction past its 6 s at its next look (every 10 s by default): a commit held back
        // 25 s finds it aborted.
        Path config = config(name, "flink.sink.transaction.timeout.ms = 6000");
        Path state = dir.resolve("state-" + name);
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();
        Random random = new Random(name.hashCode());
        TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 2), 40,
                Duration.ofMillis(50), 5);
        Processes.Started mirror = null;
        try {
            mirror = start(config, state, name,
                    DelayedCommits.options(25_000, 8, 1).toArray(String[]::new));
            // The committer or a writer whose transaction timed out meanwhile (the other subtask's) fails the job
            // first: either way it restarts from its last checkpoint, whose restored commit finds the abort.
            Poll.until("the job to restart and find the aborted transaction", TIMEOUT,
                    () -> logLines("of the restored checkpoint was aborted on the target") > 0);
            Poll.until("records committed after the restart", TIMEOUT, () -> replicated(remote) > 200);
            groups.put(name + "-g1", commitGroupAtRandomOffsets(mapping, name + "-g1", List.of(orders), random));
        } finally {
            feed.close();
        }
        try {
            assertCopiedOnceAndTranslated(orders, feed, mapping, groups);
        } finally {
            mirror.kill();
        }
        assertThat(log()).contains("of the restored checkpoint was aborted on the target",
                        "where its progress committed on the target ends")
                .doesNotContain(CommitGuardSink.LOST_MESSAGE, "Restarted without state");
    }

    /** Every committed source record of {@code orders} on the target once, and every group's checkpoints exact. */
    private static void assertCopiedOnceAndTranslated(String orders, TransactionalFeed feed,
                                                      OffsetMappingAssertions mapping,
                                                      Map<String, Map<TopicPartition, Long>> groups) throws Exception {
        String remote = a.name() + "." + orders;
        List<ProducedRecord> expected = feed.committed(orders);
        Poll.until(remote + " to be copied", TIMEOUT, () -> replicated(remote) >= expected.size());
        ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), remote, TIMEOUT).assertExactlyOnce();
        mapping.awaitCheckpoints(groups);
        mapping.assertEveryCheckpointExact();
    }

    private Path config(String name, String... extra) throws Exception {
        Path config = dir.resolve("mirror.properties");
        List<String> lines = new java.util.ArrayList<>(List.of(
                "clusters = " + a.name() + ", " + b.name(),
                a.name() + ".bootstrap.servers = " + a.bootstrapServers(),
                b.name() + ".bootstrap.servers = " + b.bootstrapServers(),
                a.name() + "->" + b.name() + ".enabled = true",
                a.name() + "->" + b.name() + ".topics = " + name + "-.*",
                "emit.checkpoints.interval.seconds = 1",
                "emit.heartbeats.enabled = false",
                "refresh.topics.interval.seconds = 2",
                "flink.pipeline.name = crash-" + name,
                "flink.execution.checkpointing.interval = 2 s",
                "flink.parallelism.default = 2"));
        lines.addAll(List.of(extra));
        Files.writeString(config, String.join("\n", lines) + "\n");
        return config;
    }

    /** The newest completed checkpoint's id under {@code state}, 0 when there is none. */
    private static int checkpointId(Path state) {
        try {
            return Files.exists(state) ? MirrorRunner.latestRetainedCheckpoint(state)
                    .map(p -> Integer.parseInt(p.getFileName().toString().substring(4))).orElse(0) : 0;
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0;
        }
    }

    private static boolean transactionsOpen(String prefix) {
        try {
            return b.admin().listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .anyMatch(t -> t.transactionalId().startsWith(prefix) && t.state().toString().equals("Ongoing"));
        } catch (Exception e) {
            return true;
        }
    }

    private static boolean targetTopicExists(String topic) {
        try {
            return b.admin().listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
        } catch (Exception e) {
            return true;
        }
    }

    /** Committed records of {@code topic} on the target now (0 while it does not exist). */
    private static int replicated(String topic) {
        try {
            return ExactlyOnceChecker.expecting(List.of()).settleTime(Duration.ZERO)
                    .verify(b.bootstrapServers(), topic, Duration.ofSeconds(10)).actualCount();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private Processes.Started start(Path config, Path state, String name, String... javaOptions) throws Exception {
        return Processes.mirrorRun(dir, config, state, name, List.of(javaOptions), TIMEOUT);
    }

    private String log() throws Exception {
        return Files.readString(dir.resolve("logs/mirror.log"));
    }

    /** Checkpoints completed so far, over every run that logged to the same file. */
    private long completedCheckpoints() {
        return logLines("Completed checkpoint");
    }

    /** Lines of the mirror's log holding {@code text} so far, over every run that logged to the same file. */
    private long logLines(String text) {
        Path file = dir.resolve("logs/mirror.log");
        try (Stream<String> lines = Files.exists(file) ? Files.lines(file) : Stream.empty()) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0; // being written: read it again at the next poll
        }
    }

    /** Commits a group on the source at random offsets of the partitions written so far. */
    private static Map<TopicPartition, Long> commitGroupAtRandomOffsets(OffsetMappingAssertions mapping, String group,
                                                                       List<String> topics, Random random)
            throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String topic : topics) {
            int partitions = a.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                    .size();
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(topic, p);
                long end = OffsetMappingAssertions.endOffset(a, tp);
                offsets.put(tp, end == 0 ? 0 : (long) (random.nextDouble() * end));
            }
        }
        mapping.commit(group, offsets);
        return offsets;
    }
}
