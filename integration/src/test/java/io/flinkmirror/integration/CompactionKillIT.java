package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.CompactedReplicaCheck;
import io.flinkmirror.testutils.Compaction;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.LiveTail;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TopicReads;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.testutils.faults.DelayedCommits;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code bin/mirror run}, the real process, SIGKILLed {@value #DEFAULT_KILLS} times (or {@code -Dchaos.kills}) in
 * every phase of its life (before its first checkpoint, while catching up with a backlog, in steady state, and between
 * a checkpoint's completion and its commit) while a transactional producer writes to a plain and a compacted source
 * topic, with the log cleaner compacting on both clusters all along (segments roll every 100 ms, any dirt is
 * cleanable, tombstones go after 100 ms; the target topic gets the same configs by topic-config sync). Restarted with
 * the same command each time, its state directory kept, or deleted after every kill.
 *
 * <p>Then: the plain topic exactly once (read_committed, every record); the compacted topic exactly once as seen by
 * consumers that followed both clusters live ({@link CompactedReplicaCheck}: nothing twice, nothing out of order,
 * every key's newest record there and equal at the end); every checkpoint ever written exact on both topics,
 * including groups at the log end of every partition, where the last source entries may be an aborted transaction.
 *
 * <p>The seed is printed at the start ({@code -Dchaos.seed=N} reruns it); {@code -Dchaos.kills=N} makes a longer run.
 */
class CompactionKillIT extends TwoClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(CompactionKillIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    static final int DEFAULT_KILLS = 10;
    private static final long COMMIT_DELAY_MS = 4_000;

    /** Where a kill lands. */
    enum Phase { BEFORE_FIRST_CHECKPOINT, CATCHING_UP, STEADY, BETWEEN_COMPLETION_AND_COMMIT }

    /** Kept when a test fails: the mirror processes' logs are in {@code logs/mirror.log}. */
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldStayExactlyOnceAndExactUnderCompactionAcrossKillsWithItsStateDirectory() throws Exception {
        killAndRestart("ck", false);
    }

    @Test
    void shouldStayExactlyOnceAndExactUnderCompactionAcrossKillsWhenItsStateIsLostEachTime() throws Exception {
        killAndRestart("cw", true);
    }

    private void killAndRestart(String name, boolean wipeState) throws Exception {
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        int kills = Integer.getInteger("chaos.kills", DEFAULT_KILLS);
        System.out.printf("CompactionKillIT %s: seed %d, %d kills (rerun: -Dchaos.seed=%d)%n", name, seed, kills,
                seed);
        LOG.info("{}: seed {}, {} kills, state {}", name, seed, kills, wipeState ? "wiped after every kill" : "kept");
        Random random = new Random(seed);
        String orders = name + "-orders";
        String compacted = name + "-compacted";
        a.createTopic(orders, 3);
        a.createTopic(compacted, 2, Compaction.EAGER);
        List<String> topics = List.of(orders, compacted);
        Path state = dir.resolve("state");
        Path config = config(name);
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();
        Map<Phase, Integer> killed = new HashMap<>();
        int run = 0;
        try (LiveTail sourceTail = new LiveTail(a.clientProperties(), Pattern.compile(Pattern.quote(name) + "-.*"));
             LiveTail targetTail = new LiveTail(b.clientProperties(),
                     Pattern.compile(Pattern.quote(a.name() + "." + name) + "-.*"))) {
            TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 3, compacted, 2), 40,
                    Duration.ofMillis(50), 5);
            try {
                for (int kill = 0; kill < kills; kill++) {
                    Phase phase = Phase.values()[kill % Phase.values().length];
                    long before = logLines("Completed checkpoint");
                    if (phase == Phase.CATCHING_UP) {
                        Thread.sleep(3_000 + random.nextInt(3_000)); // down a while: a backlog waits
                    }
                    List<String> options = phase == Phase.BETWEEN_COMPLETION_AND_COMMIT
                            ? DelayedCommits.options(COMMIT_DELAY_MS) : List.of();
                    long holdsBefore = logLines(DelayedCommits.HOLDING);
                    long targetBefore = targetRecords(topics);
                    Processes.Started mirror = start(config, state, name + "-" + run++, options);
                    switch (phase) {
                        case BEFORE_FIRST_CHECKPOINT -> Thread.sleep(random.nextInt(300));
                        case CATCHING_UP -> Thread.sleep(500 + random.nextInt(2_500));
                        case STEADY -> {
                            // Data committed in this run (a start without state looks up its positions first, and
                            // checkpoints complete before any split is read).
                            Poll.until("records committed by run " + run, TIMEOUT,
                                    () -> logLines("Completed checkpoint") > before
                                            && targetRecords(topics) > targetBefore);
                            // Seconds of steady replication: several versions of every key reach the target, whose
                            // cleaner then has superseded records to remove.
                            Thread.sleep(2_000 + random.nextInt(3_000));
                        }
                        case BETWEEN_COMPLETION_AND_COMMIT -> Poll.until("a checkpoint completed and not committed",
                                TIMEOUT, () -> logLines(DelayedCommits.HOLDING) > holdsBefore);
                    }
                    mirror.kill();
                    mirror.process().waitFor();
                    killed.merge(phase, 1, Integer::sum);
                    LOG.info("{}: killed run {} ({}) after {} source transactions", name, run, phase,
                            feed.transactions());
                    if (kill == kills / 3) {
                        groups.put(name + "-g1", commitGroupAtRandomOffsets(mapping, name + "-g1", topics, random));
                    }
                    if (wipeState) {
                        TopicReads.deleteRecursively(state);
                    }
                }
                groups.put(name + "-g2", commitGroupAtRandomOffsets(mapping, name + "-g2", topics, random));
            } finally {
                feed.close();
            }
            // Caught-up consumers at the log end of every partition, whatever the last entries there are.
            groups.put(name + "-end", commitGroupAtLogEnd(mapping, name + "-end", topics));

            Processes.Started last = start(config, state, name + "-" + run, List.of());
            try {
                MirrorRunner.awaitCaughtUp(a, b.name(), topics, TIMEOUT, () -> "process alive: "
                        + last.process().isAlive());
                ExactlyOnceChecker.expecting(feed.committed(orders))
                        .verify(b.bootstrapServers(), a.name() + "." + orders, TIMEOUT).assertExactlyOnce();
                Map<String, Map<TopicPartition, Checkpoint>> latest = mapping.awaitCheckpoints(groups);

                String remote = a.name() + "." + compacted;
                Map<Integer, List<LiveTail.Seen>> sourceAtEnd = TopicReads.readAll(a, compacted);
                Map<Integer, List<LiveTail.Seen>> targetAtEnd = TopicReads.readAll(b, remote);
                sourceTail.awaitReached(compacted, TopicReads.ends(a, compacted), TIMEOUT);
                targetTail.awaitReached(remote, TopicReads.ends(b, remote), TIMEOUT);
                CompactedReplicaCheck check = new CompactedReplicaCheck(compacted, sourceTail.seen(compacted),
                        targetTail.seen(remote), sourceAtEnd, targetAtEnd).assertExactlyOnce();
                LOG.info("{}: {} of {} compacted source records replicated; kills by phase {}", name,
                        check.replicated(), check.sourceRecords(), killed);
                assertCleanerRan(a, compacted, sourceTail.seen(compacted), "source");
                assertCleanerRan(b, remote, targetTail.seen(remote), "target");

                // Every checkpoint ever written: plain topic against committed data, compacted one against the tails.
                List<String> wrong = new ArrayList<>();
                Map<String, Map<TopicPartition, Checkpoint>> plain = new HashMap<>();
                int i = 0;
                for (ConsumerRecord<byte[], byte[]> r : OffsetMappingAssertions.readAll(b,
                        a.name() + ".checkpoints.internal")) {
                    Checkpoint c = Checkpoint.deserialize(r.key(), r.value());
                    if (c.topic().equals(remote)) {
                        String why = check.inexact(c);
                        if (why != null) {
                            wrong.add(why);
                        }
                    } else if (c.topic().equals(a.name() + "." + orders)) {
                        plain.computeIfAbsent(c.consumerGroupId() + "#" + i++, g -> new HashMap<>())
                                .put(new TopicPartition(orders, c.partition()), c);
                    }
                }
                assertThat(wrong).as("inexact checkpoints of %s", compacted).isEmpty();
                mapping.assertExact(plain);
                assertThat(latest).containsKeys(name + "-g1", name + "-g2", name + "-end");
            } finally {
                last.kill();
            }
        }
        if (kills >= Phase.values().length) {
            assertThat(killed).as("kills by phase").containsOnlyKeys(Phase.values());
        }
        String log = Files.readString(dir.resolve("logs/mirror.log"));
        assertThat(log).doesNotContain("falls back", "starts at the source group's committed offset");
        assertThat(log).contains(wipeState ? "resume from their committed progress" : "Resuming from checkpoint");
    }

    /**
     * The cleaner removed records on this side: some record the tail saw is gone (waited for: the cleaner looks at a
     * partition every few seconds, and only at segments that were rolled).
     */
    private static void assertCleanerRan(io.flinkmirror.cli.local.LocalKafkaCluster cluster, String topic,
                                         Map<Integer, List<LiveTail.Seen>> seen, String side) throws Exception {
        int seenCount = seen.values().stream().mapToInt(List::size).sum();
        int[] endCount = {seenCount};
        Poll.until("the " + side + "'s cleaner to remove superseded records of " + topic + " (" + seenCount
                + " seen)", Duration.ofSeconds(90), () -> {
                    endCount[0] = TopicReads.readAll(cluster, topic).values().stream().mapToInt(List::size).sum();
                    return endCount[0] < seenCount;
                });
        assertThat(endCount[0]).as("records of %s on the %s at the end (the cleaner removed the superseded ones of %d "
                + "seen)", topic, side, seenCount).isLessThan(seenCount);
    }

    private Path config(String name) throws Exception {
        Path config = dir.resolve("mirror.properties");
        Files.writeString(config, String.join("\n", List.of(
                "clusters = " + a.name() + ", " + b.name(),
                a.name() + ".bootstrap.servers = " + a.bootstrapServers(),
                b.name() + ".bootstrap.servers = " + b.bootstrapServers(),
                a.name() + "->" + b.name() + ".enabled = true",
                a.name() + "->" + b.name() + ".topics = " + name + "-.*",
                "emit.checkpoints.interval.seconds = 1",
                "emit.heartbeats.enabled = false",
                "refresh.topics.interval.seconds = 2",
                "flink.pipeline.name = compaction-" + name,
                "flink.parallelism.default = 2")) + "\n");
        return config;
    }

    private Processes.Started start(Path config, Path state, String name, List<String> javaOptions)
            throws Exception {
        return Processes.mirrorRun(dir, config, state, name, javaOptions, TIMEOUT);
    }

    /** The sum of the end offsets of the remote topics of {@code topics} on the target (0 before they exist). */
    private static long targetRecords(List<String> topics) {
        long sum = 0;
        for (String topic : topics) {
            try {
                sum += TopicReads.ends(b, a.name() + "." + topic).values().stream().mapToLong(Long::longValue).sum();
            } catch (Exception e) {
                // not created yet
            }
        }
        return sum;
    }

    /** Lines containing {@code text} in the mirror log so far, over every run. */
    private long logLines(String text) {
        Path file = dir.resolve("logs/mirror.log");
        try (Stream<String> lines = Files.exists(file) ? Files.lines(file) : Stream.empty()) {
            return lines.filter(line -> line.contains(text)).count();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return 0; // being written: read it again at the next poll
        }
    }

    private static Map<TopicPartition, Long> commitGroupAtRandomOffsets(OffsetMappingAssertions mapping, String group,
                                                                       List<String> topics, Random random)
            throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (Map.Entry<TopicPartition, Long> e : TopicReads.logEnds(a, topics).entrySet()) {
            offsets.put(e.getKey(), e.getValue() == 0 ? 0 : (long) (random.nextDouble() * e.getValue()));
        }
        mapping.commit(group, offsets);
        return offsets;
    }

    private static Map<TopicPartition, Long> commitGroupAtLogEnd(OffsetMappingAssertions mapping, String group,
                                                                List<String> topics) throws Exception {
        Map<TopicPartition, Long> offsets = TopicReads.logEnds(a, topics);
        mapping.commit(group, offsets);
        return offsets;
    }
}
