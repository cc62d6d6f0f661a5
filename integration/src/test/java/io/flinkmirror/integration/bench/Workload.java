package io.flinkmirror.integration.bench;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The records the benchmark replicates: {@code records} of {@code recordSize} value bytes over {@code partitions}
 * partitions, record {@code i} in partition {@code i % partitions}, with key {@code key-<i>}, a value starting with
 * {@code i} (8 bytes, big-endian) and two headers. Everything about a record follows from its index, so a copy is
 * checked from the key alone, without holding the workload in memory.
 */
record Workload(long records, int partitions, int recordSize) {

    static final String KEY_PREFIX = "key-";
    static final String INDEX_HEADER = "bench-index";
    static final String ORIGIN_HEADER = "bench-origin";
    private static final byte[] ORIGIN = "flink-mirror-benchmark".getBytes(StandardCharsets.UTF_8);

    /** Value bytes of the whole workload. */
    long bytes() {
        return records * recordSize;
    }

    /** How many records partition {@code p} holds. */
    long count(int partition) {
        return records / partitions + (partition < records % partitions ? 1 : 0);
    }

    /** Index of the last record of partition {@code p} ({@code -1} if it holds none). */
    long lastIndex(int partition) {
        long count = count(partition);
        return count == 0 ? -1 : (count - 1) * partitions + partition;
    }

    static byte[] key(long index) {
        return (KEY_PREFIX + index).getBytes(StandardCharsets.US_ASCII);
    }

    /** The index in a workload key, or -1 if {@code key} is not one. */
    static long index(byte[] key) {
        if (key == null || key.length <= KEY_PREFIX.length() || key[0] != 'k' || key[3] != '-') {
            return -1;
        }
        long value = 0;
        for (int i = KEY_PREFIX.length(); i < key.length; i++) {
            int digit = key[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    byte[] value(long index) {
        byte[] value = new byte[recordSize];
        ByteBuffer.wrap(value).putLong(0, index);
        for (int i = 8; i < value.length; i++) {
            value[i] = (byte) (index * 31 + i);
        }
        return value;
    }

    static List<Header> headers(long index) {
        return List.of(new RecordHeader(INDEX_HEADER, ByteBuffer.allocate(8).putLong(index).array()),
                new RecordHeader(ORIGIN_HEADER, ORIGIN));
    }

    /** Whether a copied record is the one with {@code index}: value size and prefix, both headers. */
    boolean intact(long index, byte[] value, Iterable<Header> headers) {
        if (value == null || value.length != recordSize || (recordSize >= 8
                && ByteBuffer.wrap(value).getLong(0) != index)) {
            return false;
        }
        int count = 0;
        for (Header header : headers) {
            count++;
            if (header.key().equals(INDEX_HEADER) && ByteBuffer.wrap(header.value()).getLong() != index) {
                return false;
            }
        }
        return count == 2;
    }

    /** The tuning every producer of the benchmark uses (ours, the copy loop's, MirrorMaker 2's). */
    static Map<String, Object> producerTuning() {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "131072");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        return props;
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        Map<String, Object> props = producerTuning();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Creates {@code topic} and waits until every partition answers (Kafka 4.2 can drop a batch sent earlier). */
    /** Creates the broker's transaction state topic, as one transactional producer's start does. */
    static void initTransactionState(String bootstrapServers) {
        Map<String, Object> props = new java.util.HashMap<>();
        props.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(org.apache.kafka.clients.producer.ProducerConfig.TRANSACTIONAL_ID_CONFIG, "benchmark-warm-up");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props,
                new org.apache.kafka.common.serialization.ByteArraySerializer(),
                new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            producer.initTransactions();
        }
    }

    /**
     * Makes the broker create its consumer offsets topic (50 partitions, on the first group coordinator lookup), as a
     * cluster in use has: otherwise the first measured start's first group request pays for it.
     */
    static void initGroupCoordinator(String bootstrapServers) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    admin.listConsumerGroupOffsets("benchmark-warm-up").partitionsToOffsetAndMetadata()
                            .get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("no group coordinator after 60 s", e);
                    }
                }
            }
        }
    }

    static void createTopic(String bootstrapServers, String topic, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (true) {
                try {
                    admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
                    return;
                } catch (ExecutionException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("topic " + topic + " not ready after 60 s", e);
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /** Creates {@code topic} and writes the workload into it; returns the seconds it took. */
    double load(String bootstrapServers, String topic) throws Exception {
        createTopic(bootstrapServers, topic, partitions);
        long start = System.nanoTime();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers)) {
            for (long i = 0; i < records && failure.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, (int) (i % partitions), null, key(i), value(i),
                        headers(i)), (metadata, e) -> {
                            if (e != null) {
                                failure.compareAndSet(null, e);
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("loading the workload into " + topic + " failed", failure.get());
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Last stable offsets (what read_committed consumers can read up to) of {@code topic}'s partitions. */
    static Map<TopicPartition, Long> lastStableOffsets(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> offsets = new HashMap<>();
        admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(10, TimeUnit.SECONDS).forEach((tp, info) -> offsets.put(tp, info.offset()));
        return offsets;
    }

    /**
     * {@link #lastStableOffsets} once {@code topic} exists with all its partitions; empty before (asking earlier makes
     * the admin client log errors for unknown partitions).
     */
    static Map<TopicPartition, Long> lastStableOffsetsIfExists(Admin admin, String topic, int partitions) {
        try {
            if (!admin.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic)) {
                return Map.of();
            }
            Map<String, org.apache.kafka.clients.admin.TopicDescription> described =
                    admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
            if (described.get(topic).partitions().size() < partitions) {
                return Map.of();
            }
            return lastStableOffsets(admin, topic, partitions);
        } catch (Exception e) {
            return Map.of();
        }
    }

    static List<TopicPartition> partitionsOf(String topic, int partitions) {
        List<TopicPartition> list = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            list.add(new TopicPartition(topic, p));
        }
        return list;
    }
}
