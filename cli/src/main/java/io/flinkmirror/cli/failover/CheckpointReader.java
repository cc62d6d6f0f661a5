package io.flinkmirror.cli.failover;

import io.flinkmirror.cli.failover.FailoverException.Reason;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a MirrorMaker 2 checkpoints topic ({@code <source>.checkpoints.internal} on the target cluster) and keeps one
 * consumer group's latest checkpoint per remote topic-partition, as {@code RemoteClusterUtils.translateOffsets} does.
 *
 * <p>Invariants: the topic is read from its beginning up to the end offsets taken when the read starts, with
 * {@code read_committed}, so every checkpoint committed before the call is seen and none that was aborted; for each
 * (group, topic, partition) key the record with the highest offset wins, as compaction would keep it. Records that
 * are not valid version-0 checkpoints are skipped with a warning (MM2's {@code CheckpointStore} does the same);
 * tombstones are skipped too, since neither MM2 nor Flink Mirror writes any.
 */
public final class CheckpointReader {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointReader.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private CheckpointReader() {
    }

    /**
     * The latest checkpoint of {@code group} per remote topic-partition in {@code topic} on cluster {@code cluster}
     * (its alias, for messages), read with a consumer built from {@code consumerProps}; empty if there is none. Fails
     * with {@link Reason#NO_CHECKPOINT} if the topic does not exist, {@link Reason#KAFKA_ERROR} if it cannot be read
     * to its end within {@code timeout}.
     */
    public static Map<TopicPartition, Checkpoint> latest(String cluster, Map<String, String> consumerProps,
                                                        String topic, String group, Duration timeout) {
        Properties props = new Properties();
        props.putAll(consumerProps);
        props.remove("group.id");
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        String where = topic + " on cluster " + cluster + " (" + consumerProps.get("bootstrap.servers") + ")";
        Map<TopicPartition, Checkpoint> latest = new TreeMap<>(
                (x, y) -> x.topic().equals(y.topic()) ? Integer.compare(x.partition(), y.partition())
                        : x.topic().compareTo(y.topic()));
        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
            if (infos == null || infos.isEmpty()) {
                throw new FailoverException(Reason.NO_CHECKPOINT, "No checkpoint for group '" + group
                        + "': checkpoints topic " + where + " does not exist (has the mirror job emitted checkpoints"
                        + " for this flow yet?)");
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = new HashMap<>(consumer.endOffsets(partitions, timeout));
            long deadline = System.nanoTime() + timeout.toNanos();
            int skipped = 0;
            while (partitions.stream().anyMatch(tp -> consumer.position(tp, timeout) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    Map<TopicPartition, Long> positions = new HashMap<>();
                    partitions.forEach(tp -> positions.put(tp, consumer.position(tp)));
                    throw new FailoverException(Reason.KAFKA_ERROR, "Timed out after " + timeout + " reading "
                            + where + " to its end: at " + positions + ", end " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))
                            || r.key() == null || r.value() == null) {
                        continue;
                    }
                    try {
                        Checkpoint c = Checkpoint.deserialize(r.key(), r.value());
                        if (c.consumerGroupId().equals(group)) {
                            latest.put(c.topicPartition(), c);
                        }
                    } catch (IllegalArgumentException e) {
                        skipped++;
                        LOG.warn("Skipping record {}-{}@{} of {}: {}", r.topic(), r.partition(), r.offset(), where,
                                e.getMessage());
                    }
                }
            }
            if (skipped > 0) {
                LOG.warn("Skipped {} records of {} that are not MM2 checkpoints", skipped, where);
            }
            return latest;
        } catch (KafkaException e) {
            throw new FailoverException(Reason.KAFKA_ERROR, "Cannot read " + where + ": " + e.getMessage(), e);
        }
    }
}
