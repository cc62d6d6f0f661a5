package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
 * copied again in full, exactly once.
 */
class CrashRestartIT {

    private static final Logger LOG = LoggerFactory.getLogger(CrashRestartIT.class);

    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(2);

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final int KILLS = 4;

    static LocalKafkaCluster a;
    static LocalKafkaCluster b;

    /** Kept when a test fails: the mirror processes' logs are in {@code logs/mirror.log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @BeforeAll
    static void clusters() {
        a = KAFKA.get(0);
        b = KAFKA.get(1);
    }

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
        Path config = dir.resolve("mirror.properties");
        Files.writeString(config, String.join("\n",
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
                "flink.parallelism.default = 2",
                ""));
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();
        Random random = new Random(name.hashCode());
        int run = 0;
        TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 3, compacted, 2), 40,
                Duration.ofMillis(50), 5);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                Processes.Started mirror = start(config, state, name + "-" + run++);
                Thread.sleep(1_000 + random.nextInt(4_000));
                mirror.kill();
                mirror.process().waitFor();
                LOG.info("{}: killed run {} after {} source transactions", name, kill, feed.transactions());
                if (kill == 2) {
                    groups.put(name + "-g1", commitGroupAtRandomOffsets(mapping, name + "-g1", topics, random));
                }
                if (deleteState) {
                    deleteRecursively(state);
                }
            }
            groups.put(name + "-g2", commitGroupAtRandomOffsets(mapping, name + "-g2", topics, random));
            if (!deleteState) {
                Processes.Started mirror = start(config, state, name + "-" + run++);
                Thread.sleep(2_000 + random.nextInt(3_000));
                mirror.interrupt();
                // 130: the JVM's exit code after SIGINT once its shutdown hooks (the final savepoint) are done.
                assertThat(mirror.awaitExit(Duration.ofSeconds(90))).as("exit code after Ctrl-C").isIn(0, 130);
                assertThat(log()).contains("with savepoint");
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
        assertThat(log()).contains("No state in", "partitions resume after their last record");

        // An emptied target topic: a start without state copies it again in full.
        String remote = a.name() + "." + orders;
        b.admin().deleteTopics(List.of(remote)).all().get(30, TimeUnit.SECONDS);
        Poll.until(remote + " to be deleted", TIMEOUT, () -> !targetTopicExists(remote));
        deleteRecursively(state);
        List<ProducedRecord> expected = feed.committed(orders);
        Processes.Started emptied = start(config, state, name + "-emptied");
        try {
            Poll.until(remote + " to be copied again", TIMEOUT, () -> replicated(remote) >= expected.size());
            ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), remote, TIMEOUT).assertExactlyOnce();
        } finally {
            emptied.kill();
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

    private Processes.Started start(Path config, Path state, String name) throws Exception {
        int port = Processes.freePort();
        Processes.Started mirror = Processes.mirror(dir, name, "run", "--config", config.toString(),
                "--state-dir", state.toString(), "--web-port", String.valueOf(port), "--skip-preflight");
        Poll.until(name + " to run its job", TIMEOUT, () -> mirror.out().contains("running; web UI")
                || !mirror.process().isAlive());
        assertThat(mirror.process().isAlive()).as("%s alive; stderr: %s", name, mirror.err()).isTrue();
        return mirror;
    }

    private String log() throws Exception {
        return Files.readString(dir.resolve("logs/mirror.log"));
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

    private static void deleteRecursively(Path path) throws Exception {
        if (!Files.exists(path)) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
