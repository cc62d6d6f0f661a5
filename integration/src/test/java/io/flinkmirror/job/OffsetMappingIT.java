package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.Compaction;
import io.flinkmirror.testutils.ContinuousProducer;
import io.flinkmirror.testutils.Deadline;
import io.flinkmirror.testutils.FailOnce;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.mm2.Checkpoint;
import io.flinkmirror.udfs.mm2.OffsetSync;
import io.flinkmirror.udfs.offsets.GroupOffsetSyncFunction;
import io.flinkmirror.udfs.offsets.OffsetMappingFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.MirrorClient;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The offset-mapping side stream: for every checkpoint written, a consumer on the target starting at its downstream
 * offset reads first the record the group would have read next on the source. Source gaps from aborted transactions
 * and compaction included; MirrorMaker 2's own client library reads our topics.
 */
class OffsetMappingIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    static OffsetMappingAssertions mapping;

    @BeforeAll
    static void clusters() {
        mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
    }

    private static Map<String, String> flow(String topics) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", topics);
        props.put("emit.checkpoints.interval.seconds", "1");
        return props;
    }

    /** Source data with gaps: plain records, committed and aborted transactions, in several rounds. */
    private static void produceWithTransactionGaps(String topic, int partitions, String prefix) {
        for (int round = 0; round < 4; round++) {
            TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic(topic, partitions).count(300)
                    .idPrefix(prefix + "p" + round).build());
            TestRecords.produceTransactional(a.bootstrapServers(), TestRecords.builder().topic(topic, partitions)
                    .count(100).idPrefix(prefix + "c" + round).build(), true);
            TestRecords.produceTransactional(a.bootstrapServers(), TestRecords.builder().topic(topic, partitions)
                    .count(100).idPrefix(prefix + "a" + round).build(), false);
        }
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic(topic, partitions).count(20)
                .idPrefix(prefix + "tail").build());
    }

    /**
     * Commits {@code groups} groups {@code <prefix>0, <prefix>1, ...} on the source at arbitrary offsets: anywhere, so
     * also inside aborted transactions, on markers and in compacted-away ranges; group 0 at the very start and group 1
     * at the very end. Returns what each group committed.
     */
    private Map<String, Map<TopicPartition, Long>> commitArbitraryOffsets(String prefix, int groups,
                                                                          List<TopicPartition> partitions,
                                                                          Random random) throws Exception {
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        for (int i = 0; i < groups; i++) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                long end = OffsetMappingAssertions.endOffset(a, tp);
                offsets.put(tp, i == 0 ? 0 : i == 1 ? end : random.nextLong(end + 1));
            }
            mapping.commit(prefix + i, offsets);
            committed.put(prefix + i, offsets);
        }
        return committed;
    }

    @Test
    void shouldTranslateArbitraryGroupOffsetsExactlyIncludingGaps() throws Exception {
        a.createTopic("om-txn", 2);
        produceWithTransactionGaps("om-txn", 2, "t");
        a.createTopic("om-compact", 2, Compaction.EAGER);
        Compaction.compact(a, "om-compact", 2, TestRecords.builder().topic("om-compact", 2).count(3_000)
                .keySpace(40).nullKeyRatio(0).tombstoneRatio(0).idPrefix("k").build(), TIMEOUT);
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of("om-txn", "om-compact")) {
            for (int p = 0; p < 2; p++) {
                partitions.add(new TopicPartition(topic, p));
            }
        }

        try (MirrorRunner mirror = MirrorRunner.start(flow("om-txn|om-compact"))) {
            mirror.awaitCaughtUp(a, b.name(), List.of("om-txn", "om-compact"), TIMEOUT);
            Map<String, Map<TopicPartition, Long>> committed =
                    commitArbitraryOffsets("exact-", 30, partitions, new Random(11));
            Map<String, Map<TopicPartition, Checkpoint>> checkpoints = mapping.awaitCheckpoints(committed);
            mapping.assertExact(checkpoints);
            mapping.assertEveryCheckpointExact(List.of("om-txn", "om-compact"));

            // MirrorMaker 2's own tooling reads the same answers from our checkpoints topic.
            Map<String, Object> targetProps = Map.of("bootstrap.servers", b.bootstrapServers());
            for (String group : committed.keySet()) {
                Map<TopicPartition, OffsetAndMetadata> translated =
                        RemoteClusterUtils.translateOffsets(targetProps, a.name(), group, Duration.ofSeconds(30));
                for (TopicPartition tp : partitions) {
                    assertThat(translated.get(new TopicPartition(a.name() + "." + tp.topic(), tp.partition()))
                            .offset()).as("RemoteClusterUtils.translateOffsets of %s %s", group, tp)
                            .isEqualTo(checkpoints.get(group).get(tp).downstreamOffset());
                }
            }
            try (MirrorClient client = new MirrorClient(Map.of("bootstrap.servers", b.bootstrapServers()))) {
                Map<TopicPartition, OffsetAndMetadata> remote =
                        client.remoteConsumerOffsets("exact-3", a.name(), Duration.ofSeconds(30));
                for (TopicPartition tp : partitions) {
                    assertThat(remote.get(new TopicPartition(a.name() + "." + tp.topic(), tp.partition())).offset())
                            .isEqualTo(checkpoints.get("exact-3").get(tp).downstreamOffset());
                }
            }
            mapping.assertOffsetSyncsPointAtTheirRecords();
        }
    }

    /**
     * A small exact window (8 s) and a steady stream (one transaction per partition and checkpoint, 1 s in these tests)
     * for longer than it: a group committed early stays exact (its checkpoint
     * never goes backwards); groups first committed at offsets whose runs aged out get checkpoints that skip nothing
     * (the anchors), at least one of them coarse, as the log says; groups within the window stay exact.
     */
    @Test
    void shouldTranslateGroupsOlderThanTheExactWindowAtOrBeforeTheirPositionAndRecentOnesExactly() throws Exception {
        a.createTopic("om-window", 2);
        List<TopicPartition> partitions = List.of(new TopicPartition("om-window", 0),
                new TopicPartition("om-window", 1));
        Map<String, String> props = flow("om-window");
        props.put("flink.offset-mapping.exact.window.seconds", "8");
        try (LogCapture logs = LogCapture.of(OffsetMappingFunction.class.getName(), Level.INFO);
             MirrorRunner mirror = MirrorRunner.start(props)) {
            // Old data: a steady stream (about 100 records/s per partition), so many small transactions.
            long oldEnd;
            Map<TopicPartition, Long> early = Map.of(partitions.get(0), 17L, partitions.get(1), 9L);
            try (ContinuousProducer producer = new ContinuousProducer(a.bootstrapServers(),
                    Map.of("om-window", 2), 10, Duration.ofMillis(50))) {
                Poll.until("1,200 records in each partition", TIMEOUT, () -> minEndOffset(partitions) >= 1_200);
                producer.pause();
                mirror.awaitCaughtUp(a, b.name(), List.of("om-window"), TIMEOUT);
                oldEnd = minEndOffset(partitions);
                mapping.commit("held", early);
                mapping.assertExact(mapping.awaitCheckpoints(Map.of("held", early)));

                // As much again, for longer than the window: the old runs age out.
                producer.resume();
                Deadline window = Deadline.in(Duration.ofSeconds(10));
                Poll.until("the window passed with data", TIMEOUT,
                        () -> !window.hasTimeLeft() && minEndOffset(partitions) >= 2 * oldEnd);
                producer.pause();
                mirror.awaitCaughtUp(a, b.name(), List.of("om-window"), TIMEOUT);
            }

            Map<String, Map<TopicPartition, Long>> late = new HashMap<>();
            for (int i = 0; i < 10; i++) {
                Map<TopicPartition, Long> offsets = new HashMap<>();
                for (TopicPartition tp : partitions) {
                    offsets.put(tp, 31 + i * (oldEnd - 40) / 10);
                }
                mapping.commit("late-" + i, offsets);
                late.put("late-" + i, offsets);
            }
            Map<TopicPartition, Long> recent = new HashMap<>();
            for (TopicPartition tp : partitions) {
                recent.put(tp, OffsetMappingAssertions.endOffset(a, tp) - 7);
            }
            mapping.commit("recent", recent);
            Map<String, Map<TopicPartition, Long>> committed = new HashMap<>(late);
            committed.put("held", early);
            committed.put("recent", recent);
            Map<String, Map<TopicPartition, Checkpoint>> checkpoints = mapping.awaitCheckpoints(committed);

            mapping.assertExact(Map.of("held", checkpoints.get("held"), "recent", checkpoints.get("recent")));
            Map<String, Map<TopicPartition, Checkpoint>> lateCheckpoints = new HashMap<>(checkpoints);
            lateCheckpoints.keySet().retainAll(late.keySet());
            Map<String, Long> readAgain = mapping.assertAtOrBefore(lateCheckpoints);
            assertThat(readAgain).hasSize(20);
            assertThat(readAgain.values()).as("some old groups translated coarsely (their runs dropped)")
                    .anyMatch(n -> n > 0);
            assertThat(logs.linesContaining("older than the exact offset mapping"))
                    .as("the coarse translations logged").isNotEmpty();
        }
    }

    private static long minEndOffset(List<TopicPartition> partitions) {
        long min = Long.MAX_VALUE;
        for (TopicPartition tp : partitions) {
            min = Math.min(min, OffsetMappingAssertions.endOffset(a, tp));
        }
        return min;
    }

    @Test
    void shouldTranslateExactlyWithAtLeastOnceDeliveryToo() throws Exception {
        // At-least-once writes are visible before their batch reaches the offset mapping: the first batch of each
        // partition is found back from the end offset, later ones where the previous one ended.
        a.createTopic("om-alo", 2);
        produceWithTransactionGaps("om-alo", 2, "alo");
        List<TopicPartition> partitions = List.of(new TopicPartition("om-alo", 0), new TopicPartition("om-alo", 1));
        Map<String, String> props = flow("om-alo");
        props.put("flink.delivery.guarantee", "at-least-once");
        try (LogCapture logs = LogCapture.start(Level.WARN); MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of("om-alo"), TIMEOUT);
            Map<String, Map<TopicPartition, Long>> committed =
                    commitArbitraryOffsets("alo-", 10, partitions, new Random(12));
            mapping.assertExact(mapping.awaitCheckpoints(committed));
            mapping.assertEveryCheckpointExact(List.of("om-alo"));
            mapping.assertOffsetSyncsPointAtTheirRecords();
            assertThat(logs.linesContaining("does not hold")).as("batches not found on the target").isEmpty();
        }
    }

    @Test
    void shouldNeverPointBeyondCommittedDataWhenATaskFailsMidTransaction() throws Exception {
        a.createTopic("om-fail", 3);
        produceWithTransactionGaps("om-fail", 3, "f");
        Map<String, String> props = flow("om-fail");
        props.put("flink.restart-strategy.type", "fixed-delay");
        props.put("flink.restart-strategy.fixed-delay.attempts", "3");
        props.put("flink.restart-strategy.fixed-delay.delay", "1 s");
        props.put("flink.execution.checkpointing.interval", "2 s");
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        try (MirrorRunner mirror = MirrorRunner.start(props, (flow, records) -> records
                .map(FailOnce.after(3_000)).name("fail once").uid("test-fail-once"))) {
            // Groups commit while the job runs, fails and recovers.
            for (int i = 0; i < 10; i++) {
                Map<TopicPartition, Long> offsets = new HashMap<>();
                for (int p = 0; p < 3; p++) {
                    TopicPartition tp = new TopicPartition("om-fail", p);
                    offsets.put(tp, OffsetMappingAssertions.endOffset(a, tp) * (i + 1) / 10);
                }
                mapping.commit("fail-" + i, offsets);
                committed.put("fail-" + i, offsets);
                produceWithTransactionGaps("om-fail", 3, "f" + i);
            }
            Poll.until("the injected failure", TIMEOUT, FailOnce::failed);
            mirror.awaitCaughtUp(a, b.name(), List.of("om-fail"), TIMEOUT);
            mapping.awaitCheckpoints(committed);
            mapping.assertEveryCheckpointExact(List.of("om-fail"));
            mapping.assertOffsetSyncsPointAtTheirRecords();
        }
    }

    @Test
    void shouldWriteOffsetSyncsToTheSourceWhenConfigured() throws Exception {
        a.createTopic("om-loc", 1);
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("om-loc", 1).count(300)
                .idPrefix("l").build());
        Map<String, String> props = flow("om-loc");
        props.put("offset-syncs.topic.location", "source");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of("om-loc"), TIMEOUT);
            // MM2 names the topic after the other cluster: on the source, after the target.
            String syncs = "mm2-offset-syncs." + b.name() + ".internal";
            Poll.until("offset syncs of om-loc on the source cluster", TIMEOUT, () -> OffsetMappingAssertions
                    .readAll(a, syncs).stream()
                    .map(r -> OffsetSync.deserialize(r.key(), r.value()))
                    .anyMatch(sync -> sync.topic().equals("om-loc") && sync.upstreamOffset() == 0
                            && sync.downstreamOffset() == 0));
        }
    }

    @Test
    void shouldSyncOffsetsOfIdleGroupsOnTheTargetAndLeaveActiveOnesAlone() throws Exception {
        a.createTopic("om-sync", 2);
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("om-sync", 2).count(2_000)
                .idPrefix("s").build());
        Map<String, String> props = flow("om-sync");
        props.put("sync.group.offsets.enabled", "true");
        props.put("sync.group.offsets.interval.seconds", "1");
        String remote = a.name() + ".om-sync";
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of("om-sync"), TIMEOUT);
            Map<TopicPartition, Long> offsets = Map.of(new TopicPartition("om-sync", 0), 400L,
                    new TopicPartition("om-sync", 1), 500L);
            try (ActiveConsumer active = new ActiveConsumer(b, "sync-active", remote);
                 LogCapture rounds = LogCapture.of(GroupOffsetSyncFunction.class.getName(), Level.DEBUG)) {
                mapping.commit("sync-idle", offsets);
                mapping.commit("sync-active", offsets);
                Map<String, Map<TopicPartition, Checkpoint>> checkpoints =
                        mapping.awaitCheckpoints(Map.of("sync-idle", offsets, "sync-active", offsets));
                Poll.until("the idle group's offsets on the target", TIMEOUT, () ->
                        targetOffsets("sync-idle", remote).equals(Map.of(
                                0, checkpoints.get("sync-idle").get(new TopicPartition("om-sync", 0))
                                        .downstreamOffset(),
                                1, checkpoints.get("sync-idle").get(new TopicPartition("om-sync", 1))
                                        .downstreamOffset())));
                // The idle group was synced; the active one had the same chances (same checkpoints, same interval),
                // and sync rounds after that saw it and left it alone.
                Poll.until("two sync rounds that leave the active group alone", TIMEOUT, () -> rounds.linesContaining(
                        GroupOffsetSyncFunction.ACTIVE_LEFT_ALONE + " sync-active ").size() >= 2);
                assertThat(targetOffsets("sync-active", remote)).isEmpty();
            }
        }
    }

    /** A consumer group member on the target that keeps polling (without committing) until closed. */
    private static final class ActiveConsumer implements AutoCloseable {
        private final java.util.concurrent.atomic.AtomicBoolean running =
                new java.util.concurrent.atomic.AtomicBoolean(true);
        private final Thread thread;

        ActiveConsumer(LocalKafkaCluster cluster, String group, String topic) {
            Properties props = new Properties();
            props.put("bootstrap.servers", cluster.bootstrapServers());
            props.put("group.id", group);
            props.put("enable.auto.commit", "false");
            props.put("auto.offset.reset", "latest");
            java.util.concurrent.CountDownLatch joined = new java.util.concurrent.CountDownLatch(1);
            thread = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> consumer =
                             new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                    consumer.subscribe(List.of(topic));
                    while (running.get()) {
                        consumer.poll(Duration.ofMillis(100));
                        if (!consumer.assignment().isEmpty()) {
                            joined.countDown();
                        }
                    }
                }
            }, "active-consumer-" + group);
            thread.start();
            try {
                assertThat(joined.await(60, TimeUnit.SECONDS)).as("consumer joined group " + group).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    private static Map<Integer, Long> targetOffsets(String group, String topic) {
        try {
            Map<Integer, Long> result = new HashMap<>();
            b.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .forEach((tp, om) -> {
                        if (tp.topic().equals(topic) && om != null) {
                            result.put(tp.partition(), om.offset());
                        }
                    });
            return result;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
