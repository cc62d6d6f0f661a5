package io.flinkmirror.testutils;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/** Reads of whole topics the compaction tests compare, and their clean-up. */
public final class TopicReads {

    private TopicReads() {}

    /** The read_committed end offset of every partition of {@code topic}, by partition. */
    public static Map<Integer, Long> ends(LocalKafkaCluster cluster, String topic) throws Exception {
        int partitions = cluster.admin().describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()
                .size();
        Map<Integer, Long> ends = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            ends.put(p, OffsetMappingAssertions.endOffset(cluster, new TopicPartition(topic, p)));
        }
        return ends;
    }

    /** The end offsets of every partition of {@code topics}. */
    public static Map<TopicPartition, Long> logEnds(LocalKafkaCluster cluster, List<String> topics) throws Exception {
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (String topic : topics) {
            ends(cluster, topic).forEach((p, end) -> ends.put(new TopicPartition(topic, p), end));
        }
        return ends;
    }

    /** Every committed record of {@code topic} now, per partition in offset order, topic name cleared. */
    public static Map<Integer, List<LiveTail.Seen>> readAll(LocalKafkaCluster cluster, String topic) {
        Map<Integer, List<LiveTail.Seen>> out = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : OffsetMappingAssertions.readAll(cluster, topic, true)) {
            out.computeIfAbsent(r.partition(), p -> new ArrayList<>())
                    .add(new LiveTail.Seen(ProducedRecord.from(r).withTopic(""), r.offset()));
        }
        out.values().forEach(l -> l.sort(Comparator.comparingLong(LiveTail.Seen::offset)));
        return out;
    }

    /** Deletes {@code path} and everything below it, if it exists. */
    public static void deleteRecursively(Path path) throws Exception {
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
