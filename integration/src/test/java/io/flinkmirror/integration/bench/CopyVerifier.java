package io.flinkmirror.integration.bench;

import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a copy of the {@link Workload} read_committed from start to the last stable offset and counts, per
 * partition, the records found, missing and duplicated, and those in the wrong partition or altered (value or
 * headers not the workload's). One bit per workload record, nothing else kept.
 */
final class CopyVerifier {

    /** Counts of one copy; {@code perPartition} holds the records found in each partition. */
    record Counts(long found, long missing, long duplicated, long misplaced, long altered, long[] perPartition) {
        boolean exact() {
            return missing == 0 && duplicated == 0 && misplaced == 0 && altered == 0;
        }

        @Override
        public String toString() {
            return String.format("found %,d, missing %,d, duplicated %,d, misplaced %,d, altered %,d; per partition %s",
                    found, missing, duplicated, misplaced, altered, java.util.Arrays.toString(perPartition));
        }
    }

    private CopyVerifier() {
    }

    static Counts verify(String bootstrapServers, String topic, Workload workload) throws Exception {
        Map<TopicPartition, Long> ends;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            ends = Workload.lastStableOffsets(admin, topic, workload.partitions());
        }
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(64 << 20));
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(8 << 20));
        BitSet seen = new BitSet((int) Math.min(Integer.MAX_VALUE, workload.records()));
        long[] perPartition = new long[workload.partitions()];
        long found = 0;
        long duplicated = 0;
        long misplaced = 0;
        long altered = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = Workload.partitionsOf(topic, workload.partitions());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (!caughtUp(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("reading " + topic + " back took over 10 min");
                }
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    found++;
                    perPartition[record.partition()]++;
                    long index = Workload.index(record.key());
                    if (index < 0 || index >= workload.records()) {
                        altered++;
                        continue;
                    }
                    if (seen.get((int) index)) {
                        duplicated++;
                    } else {
                        seen.set((int) index);
                    }
                    if (index % workload.partitions() != record.partition()) {
                        misplaced++;
                    }
                    if (!workload.intact(index, record.value(), record.headers())) {
                        altered++;
                    }
                }
            }
        }
        return new Counts(found, workload.records() - seen.cardinality(), duplicated, misplaced, altered,
                perPartition);
    }

    private static boolean caughtUp(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }
}
