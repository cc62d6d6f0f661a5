package io.flinkmirror.job;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A savepoint fixture: a savepoint of this release's job and the Kafka state it refers to, described so that a test
 * can rebuild that state on fresh brokers. Lives in {@code savepoints/fixtures/<version>/}: {@code savepoint/} (the
 * Flink savepoint, relocatable) and {@code fixture.properties} (what was produced, the consumer group's offsets, and
 * the layout of the target topic: the committed transactions' sizes per partition, whose markers shift target
 * offsets).
 *
 * <p>The job the fixture comes from: flow {@code source->target}, topic {@code orders} (3 partitions, records of
 * {@link TestRecords} with a fixed seed and base timestamp, so the same records land at the same offsets every time),
 * parallelism 2, group {@value #GROUP} translated, group offset sync on, heartbeats off.
 */
final class SavepointFixture {

    /** The version whose fixture {@code generate} writes; each release adds its directory, old ones stay. */
    static final String CURRENT_VERSION = "0.1.0";
    static final String TOPIC = "orders";
    static final int PARTITIONS = 3;
    static final String GROUP = "fixture-app";
    static final String TARGET_TOPIC = "source." + TOPIC;
    /** 2026-01-01T00:00:00Z: record timestamps; the topics keep records forever so none expires. */
    static final long BASE_TIMESTAMP = 1_767_225_600_000L;
    static final Map<String, String> TOPIC_CONFIG = Map.of("retention.ms", "-1");

    private SavepointFixture() {}

    /** {@code savepoints/fixtures} of the repository (tests run in the job module's directory). */
    static Path fixturesDir() {
        return Paths.get(System.getProperty("mirror.fixtures.dir", "../savepoints/fixtures")).toAbsolutePath()
                .normalize();
    }

    /** The job's configuration for clusters {@code source} and {@code target}; the same when taking and restoring. */
    static Map<String, String> jobProperties(LocalKafkaCluster source, LocalKafkaCluster target) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "source, target");
        props.put("source.bootstrap.servers", source.bootstrapServers());
        props.put("target.bootstrap.servers", target.bootstrapServers());
        props.put("source->target.enabled", "true");
        props.put("source->target.topics", TOPIC);
        props.put("groups", GROUP);
        props.put("emit.checkpoints.interval.seconds", "1");
        props.put("sync.group.offsets.enabled", "true");
        props.put("sync.group.offsets.interval.seconds", "1");
        props.put("emit.heartbeats.enabled", "false");
        props.put("refresh.topics.interval.seconds", "2");
        props.put("flink.pipeline.name", "flink-mirror-fixture");
        props.put("flink.execution.checkpointing.interval", "1 s");
        props.put("flink.restart-strategy.type", "none");
        props.put("flink.parallelism.default", "2");
        return props;
    }

    /** Records of round {@code round} (1 before the savepoint, 2 after the restore). */
    static List<ProducedRecord> records(int round, int count) {
        return TestRecords.builder().topic(TOPIC, PARTITIONS).count(count).seed(round).idPrefix("fx" + round)
                .baseTimestamp(BASE_TIMESTAMP).timestampSpread(Duration.ofMinutes(30)).build();
    }

    /** What {@code fixture.properties} holds. */
    record Description(int count, Map<Integer, Long> sourceEnds, Map<Integer, Long> groupOffsets,
                       Map<Integer, List<Integer>> targetTransactions) {

        void write(Path file, String flinkVersion) throws IOException {
            Map<String, String> p = new TreeMap<>();
            p.put("flink.version", flinkVersion);
            p.put("records", String.valueOf(count));
            sourceEnds.forEach((k, v) -> p.put("source.end." + k, String.valueOf(v)));
            groupOffsets.forEach((k, v) -> p.put("group.offset." + k, String.valueOf(v)));
            targetTransactions.forEach((k, v) -> p.put("target.transactions." + k,
                    v.stream().map(String::valueOf).collect(Collectors.joining(","))));
            StringBuilder text = new StringBuilder("# Savepoint fixture: the Kafka state its savepoint refers to. "
                    + "Written by SavepointFixtureIT#generate, read by SavepointFixture.Description.\n");
            p.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
            Files.writeString(file, text);
        }

        static Description read(Path file) throws IOException {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            }
            Map<Integer, Long> ends = new TreeMap<>();
            Map<Integer, Long> group = new TreeMap<>();
            Map<Integer, List<Integer>> transactions = new TreeMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                ends.put(partition, Long.parseLong(p.getProperty("source.end." + partition)));
                group.put(partition, Long.parseLong(p.getProperty("group.offset." + partition)));
                String sizes = p.getProperty("target.transactions." + partition, "");
                transactions.put(partition, sizes.isEmpty() ? List.of()
                        : Arrays.stream(sizes.split(",")).map(Integer::valueOf).toList());
            }
            return new Description(Integer.parseInt(p.getProperty("records")), ends, group, transactions);
        }
    }

    /** Commits the group's offsets on the source (it must have no active member). */
    static void commitGroup(LocalKafkaCluster source, Map<Integer, Long> offsets) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> commit = new LinkedHashMap<>();
        offsets.forEach((p, o) -> commit.put(new TopicPartition(TOPIC, p), new OffsetAndMetadata(o)));
        source.admin().alterConsumerGroupOffsets(GROUP, commit).all().get(30, TimeUnit.SECONDS);
    }

    /** End offsets of every partition of {@code topic}. */
    static Map<Integer, Long> endOffsets(LocalKafkaCluster cluster, String topic) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new LinkedHashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        Map<Integer, Long> ends = new TreeMap<>();
        cluster.admin().listOffsets(request).all().get(30, TimeUnit.SECONDS)
                .forEach((tp, info) -> ends.put(tp.partition(), info.offset()));
        return ends;
    }

    /**
     * The committed transactions of the target topic, as sizes per partition: records {@code [0, k1)}, a commit marker,
     * the next {@code k2} records, a marker, ... Fails if the topic holds anything else (an aborted transaction, a gap
     * that is not one marker), which the rebuild could not reproduce.
     */
    static Map<Integer, List<Integer>> targetTransactions(LocalKafkaCluster target) throws Exception {
        Map<Integer, Long> ends = endOffsets(target, TARGET_TOPIC);
        Map<Integer, List<Integer>> sizes = new TreeMap<>();
        Map<String, Object> props = Map.of("bootstrap.servers", target.bootstrapServers(), "isolation.level",
                "read_committed", "enable.auto.commit", false);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            for (int p = 0; p < PARTITIONS; p++) {
                TopicPartition tp = new TopicPartition(TARGET_TOPIC, p);
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                List<Long> offsets = new ArrayList<>();
                while (consumer.position(tp) < ends.get(p)) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        offsets.add(r.offset());
                    }
                }
                List<Integer> runs = new ArrayList<>();
                long expected = 0;
                int run = 0;
                for (long offset : offsets) {
                    if (offset != expected) {
                        if (run == 0 || offset != expected + 1) {
                            throw new IllegalStateException(tp + ": offset " + offset + " after " + (expected - 1)
                                    + " is not one commit marker later; take the fixture again");
                        }
                        runs.add(run);
                        run = 0;
                    }
                    run++;
                    expected = offset + 1;
                }
                if (run > 0) {
                    if (ends.get(p) != expected + 1) {
                        throw new IllegalStateException(tp + " ends at " + ends.get(p) + ", not one marker after "
                                + "its last record at " + (expected - 1));
                    }
                    runs.add(run);
                }
                sizes.put(p, runs);
            }
        }
        return sizes;
    }

    /**
     * Rebuilds the target topic as the fixture's job left it: the same records in committed transactions of the same
     * sizes per partition, so every record and every marker sits at the offset the savepoint's offset mapping knows.
     */
    static void rebuildTarget(LocalKafkaCluster target, List<ProducedRecord> replicated,
                              Map<Integer, List<Integer>> transactions) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, target.bootstrapServers());
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "savepoint-fixture-rebuild");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            transactions.forEach((partition, sizes) -> {
                List<ProducedRecord> inPartition = replicated.stream().filter(r -> r.partition() == partition)
                        .toList();
                int next = 0;
                for (int size : sizes) {
                    producer.beginTransaction();
                    for (ProducedRecord r : inPartition.subList(next, next + size)) {
                        producer.send(r.withTopic(TARGET_TOPIC).toProducerRecord());
                    }
                    producer.commitTransaction();
                    next += size;
                }
                if (next != inPartition.size()) {
                    throw new IllegalStateException("partition " + partition + ": the fixture's transactions hold "
                            + next + " records, the round " + inPartition.size());
                }
            });
        }
    }
}
