package io.flinkmirror.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.udfs.mm2.Checkpoint;
import io.flinkmirror.udfs.mm2.OffsetSync;
import io.flinkmirror.udfs.offsets.KafkaReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Checks the offset-mapping side stream of a flow {@code a->b} (DefaultReplicationPolicy names) against committed
 * data: every checkpoint written is exact (a consumer starting at its downstream offset first reads the record the
 * group would have read next on the source), and every offset sync points at the committed replica of its record.
 */
public final class OffsetMappingAssertions {

    private final LocalKafkaCluster a;
    private final LocalKafkaCluster b;
    private final Duration timeout;

    public OffsetMappingAssertions(LocalKafkaCluster a, LocalKafkaCluster b, Duration timeout) {
        this.a = a;
        this.b = b;
        this.timeout = timeout;
    }

    /** Commits {@code offsets} for {@code group} on the source. */
    public void commit(String group, Map<TopicPartition, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> request = new HashMap<>();
        offsets.forEach((tp, g) -> request.put(tp, new OffsetAndMetadata(g)));
        a.admin().alterConsumerGroupOffsets(group, request).all().get(10, TimeUnit.SECONDS);
    }

    /** The end offset of {@code tp} on {@code cluster}. */
    public static long endOffset(LocalKafkaCluster cluster, TopicPartition tp) {
        try (KafkaReader reader = new KafkaReader(cluster.clientProperties())) {
            return reader.endOffset(tp);
        }
    }

    /**
     * Reads the checkpoints topic until every group has a checkpoint for its committed offset on every partition;
     * returns those checkpoints.
     */
    public Map<String, Map<TopicPartition, Checkpoint>> awaitCheckpoints(
            Map<String, Map<TopicPartition, Long>> committed) {
        Map<String, Map<TopicPartition, Checkpoint>> latest = new HashMap<>();
        List<String> missing = new ArrayList<>();
        Poll.until("a checkpoint for every group and partition", timeout, () -> {
            latest.clear();
            for (ConsumerRecord<byte[], byte[]> r : readAll(b, a.name() + ".checkpoints.internal")) {
                Checkpoint c = Checkpoint.deserialize(r.key(), r.value());
                latest.computeIfAbsent(c.consumerGroupId(), g -> new HashMap<>())
                        .put(new TopicPartition(c.topic().substring(a.name().length() + 1), c.partition()), c);
            }
            missing.clear();
            committed.forEach((group, offsets) -> offsets.forEach((tp, g) -> {
                Checkpoint c = latest.getOrDefault(group, Map.of()).get(tp);
                if (c == null || c.upstreamOffset() != g) {
                    missing.add(group + "@" + tp + "=" + g);
                }
            }));
            return missing.isEmpty();
        }, () -> "missing " + missing);
        // Only the asked groups' partitions: the clusters may hold other tests' groups.
        Map<String, Map<TopicPartition, Checkpoint>> asked = new HashMap<>();
        committed.forEach((group, offsets) -> offsets.keySet().forEach(tp -> asked
                .computeIfAbsent(group, g -> new HashMap<>()).put(tp, latest.get(group).get(tp))));
        return asked;
    }

    /** Every checkpoint record ever written to the checkpoints topic is exact (not only the latest ones). */
    public void assertEveryCheckpointExact() {
        assertEveryCheckpointExact(null);
    }

    /**
     * Every checkpoint record ever written for the source topics {@code sourceTopics} (null: all) is exact: for tests
     * that share their clusters with one that writes coarse checkpoints on purpose (groups older than the window).
     */
    public void assertEveryCheckpointExact(java.util.Collection<String> sourceTopics) {
        Map<String, Map<TopicPartition, Checkpoint>> all = new HashMap<>();
        int i = 0;
        for (ConsumerRecord<byte[], byte[]> r : readAll(b, a.name() + ".checkpoints.internal")) {
            Checkpoint c = Checkpoint.deserialize(r.key(), r.value());
            if (sourceTopics != null && !sourceTopics.contains(c.topic().substring(a.name().length() + 1))) {
                continue;
            }
            all.computeIfAbsent(c.consumerGroupId() + "#" + i++, g -> new HashMap<>())
                    .put(new TopicPartition(c.topic().substring(a.name().length() + 1), c.partition()), c);
        }
        assertExact(all);
    }

    /** Committed records of a partition by offset, read once per assertion (point reads per record are slow). */
    private static final class Committed {
        private final LocalKafkaCluster cluster;
        private final Map<TopicPartition, java.util.NavigableMap<Long, ProducedRecord>> byPartition = new HashMap<>();

        Committed(LocalKafkaCluster cluster) {
            this.cluster = cluster;
        }

        /** The first committed record at or after {@code offset}, with its offset. */
        Optional<Map.Entry<Long, ProducedRecord>> atOrAfter(TopicPartition tp, long offset) {
            java.util.NavigableMap<Long, ProducedRecord> records = byPartition.computeIfAbsent(tp, k -> {
                java.util.TreeMap<Long, ProducedRecord> map = new java.util.TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> r : readAll(cluster, tp.topic(), true)) {
                    if (r.partition() == tp.partition()) {
                        map.put(r.offset(), ProducedRecord.from(r).withTopic(""));
                    }
                }
                return map;
            });
            return Optional.ofNullable(records.ceilingEntry(offset));
        }

        /** The offset of the committed record equal to {@code record} (by content), if any. */
        Optional<Long> offsetOf(TopicPartition tp, ProducedRecord record) {
            atOrAfter(tp, 0);
            return byPartition.get(tp).entrySet().stream().filter(e -> e.getValue().equals(record))
                    .map(Map.Entry::getKey).findFirst();
        }
    }

    /**
     * Coarse checkpoints (groups older than the exact offset mapping): a consumer starting at the downstream offset
     * first reads the replica of a source record at or before the one the group reads next, so it skips nothing (it
     * may read some records again). Returns, per checkpoint ({@code group@topic-partition}), how many source offsets
     * it starts before the exact position.
     */
    public Map<String, Long> assertAtOrBefore(Map<String, Map<TopicPartition, Checkpoint>> checkpoints) {
        Map<String, Long> early = new HashMap<>();
        List<String> wrong = new ArrayList<>();
        Committed source = new Committed(a);
        Committed target = new Committed(b);
        checkpoints.forEach((group, byPartition) -> byPartition.forEach((tp, c) -> {
            Optional<Map.Entry<Long, ProducedRecord>> expected = source.atOrAfter(tp, c.upstreamOffset());
            Optional<Map.Entry<Long, ProducedRecord>> actual = target.atOrAfter(
                    new TopicPartition(c.topic(), c.partition()), c.downstreamOffset());
            Optional<Long> actualSource = actual.flatMap(r -> source.offsetOf(tp, r.getValue()));
            if (expected.isEmpty() || actualSource.isEmpty() || actualSource.get() > expected.get().getKey()) {
                wrong.add(c + ": source next " + expected.orElse(null) + ", target next " + actual.orElse(null)
                        + " (source offset " + actualSource.orElse(null) + ")");
            } else {
                early.put(group + "@" + tp, expected.get().getKey() - actualSource.get());
            }
        }));
        assertThat(early).isNotEmpty();
        assertThat(wrong).as("checkpoints past the record their group reads next").isEmpty();
        return early;
    }

    /**
     * Every checkpoint maps its group's source offset to the target offset of the replica of the record the group
     * reads next. On topics still being written (heartbeats), the replica of the newest source record may not be
     * committed on the target yet when the two are read: such checkpoints are read again, for up to 30 s.
     */
    public void assertExact(Map<String, Map<TopicPartition, Checkpoint>> checkpoints) {
        List<String> wrong = new ArrayList<>();
        int[] checked = {0};
        Deadline deadline = Deadline.in(Duration.ofSeconds(30));
        while (true) {
            wrong.clear();
            boolean inFlight = compare(checkpoints, wrong, checked);
            if (wrong.isEmpty() || !inFlight || !deadline.hasTimeLeft()) {
                break;
            }
            try {
                Thread.sleep(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
        assertThat(checked[0]).isPositive();
        assertThat(wrong).as("checkpoints whose downstream offset is not exact (of %d)", checked[0]).isEmpty();
    }

    /** Adds the checkpoints that are not exact to {@code wrong}; true if all of them may be in flight. */
    private boolean compare(Map<String, Map<TopicPartition, Checkpoint>> checkpoints, List<String> wrong,
                            int[] checked) {
        boolean onlyInFlight = true;
        checked[0] = 0;
        Committed source = new Committed(a);
        Committed target = new Committed(b);
        for (Map<TopicPartition, Checkpoint> byPartition : checkpoints.values()) {
            for (Map.Entry<TopicPartition, Checkpoint> e : byPartition.entrySet()) {
                Checkpoint c = e.getValue();
                Optional<Map.Entry<Long, ProducedRecord>> expected = source.atOrAfter(e.getKey(), c.upstreamOffset());
                Optional<Map.Entry<Long, ProducedRecord>> actual = target.atOrAfter(
                        new TopicPartition(c.topic(), c.partition()), c.downstreamOffset());
                checked[0]++;
                if (expected.isPresent() != actual.isPresent()
                        || (expected.isPresent() && !expected.get().getValue().equals(actual.get().getValue()))) {
                    wrong.add(c + ": source next " + expected.orElse(null) + ", target next " + actual.orElse(null));
                    onlyInFlight &= expected.isPresent() && actual.isEmpty();
                }
            }
        }
        return onlyInFlight;
    }

    /** Every offset sync points at a committed record on the target that is the replica of its source record. */
    public void assertOffsetSyncsPointAtTheirRecords() {
        // MM2 names the topic after the other cluster.
        List<ConsumerRecord<byte[], byte[]>> syncs = readAll(b, "mm2-offset-syncs." + a.name() + ".internal");
        assertThat(syncs).isNotEmpty();
        List<String> wrong = new ArrayList<>();
        Committed source = new Committed(a);
        Committed target = new Committed(b);
        for (ConsumerRecord<byte[], byte[]> r : syncs) {
            OffsetSync sync = OffsetSync.deserialize(r.key(), r.value());
            Optional<Map.Entry<Long, ProducedRecord>> up = source.atOrAfter(sync.topicPartition(),
                    sync.upstreamOffset());
            Optional<Map.Entry<Long, ProducedRecord>> down = target.atOrAfter(
                    new TopicPartition(a.name() + "." + sync.topic(), sync.partition()), sync.downstreamOffset());
            boolean exact = up.isPresent() && down.isPresent() && up.get().getKey() == sync.upstreamOffset()
                    && down.get().getKey() == sync.downstreamOffset()
                    && up.get().getValue().equals(down.get().getValue());
            if (!exact) {
                wrong.add(sync.toString());
            }
        }
        assertThat(wrong).as("offset syncs not pointing at the committed replica of their source record").isEmpty();
    }

    public static List<ConsumerRecord<byte[], byte[]>> readAll(LocalKafkaCluster cluster, String topic) {
        return readAll(cluster, topic, false);
    }

    /**
     * Every record of {@code topic} (read_committed if asked), read from the beginning to the end offsets; empty when
     * the topic does not exist. A read that cannot reach the end offsets within 30 s fails (it never returns part of
     * a topic as if it were all of it); client errors propagate, so a wait around it sees why.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readAll(LocalKafkaCluster cluster, String topic,
                                                               boolean readCommitted) {
        Properties props = new Properties();
        props.putAll(cluster.clientProperties());
        props.put("allow.auto.create.topics", "false");
        if (readCommitted) {
            props.put("isolation.level", "read_committed");
        }
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Deadline deadline = Deadline.in(Duration.ofSeconds(30));
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (!deadline.hasTimeLeft()) {
                    Map<TopicPartition, Long> positions = new HashMap<>();
                    partitions.forEach(tp -> positions.put(tp, consumer.position(tp)));
                    throw new AssertionError("Reading " + topic + " did not reach its end offsets " + end
                            + " within 30 s: positions " + positions);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }
}
