package io.flinkmirror.udfs.progress;

import io.flinkmirror.udfs.mm2.Mm2SourceOffset;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the latest committed progress per source partition from the target: the flow's own progress topic
 * ({@link Progress}), or MirrorMaker 2's Connect offsets topic ({@link Mm2SourceOffset}) for a hand-over from MM2.
 *
 * <p>Reads {@code read_committed}, from the log start to the last stable offset of every partition of the topic, so
 * only progress committed with its data is seen, once every transaction open when the read began has ended (see
 * {@code settledEnds}). {@link Snapshot#complete()} tells whether they did: a transaction still open on the topic
 * (another job's, or one nobody aborted) hides what was committed after it began, and the caller must then not treat
 * a missing or older progress as final.
 */
public final class ProgressStore {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressStore.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** How long transactions open when a read starts are waited for. */
    static final Duration SETTLE = Duration.ofSeconds(30);

    /** What a read found: the latest value per source partition, and whether the read reached the topic's end. */
    public record Snapshot<T>(Map<TopicPartition, T> latest, boolean exists, boolean complete) {}

    private final Map<String, String> targetConsumerProps;

    public ProgressStore(Map<String, String> targetConsumerProps) {
        this.targetConsumerProps = new HashMap<>(targetConsumerProps);
    }

    /**
     * The latest committed progress per source partition in {@code topic}, once the transactions open when called
     * have ended (at most {@link #SETTLE}); empty when the topic does not exist.
     */
    public Snapshot<Progress> progress(String topic) {
        return progress(topic, SETTLE);
    }

    /**
     * The latest committed progress per source partition in {@code topic}, waiting at most {@code settle} for the
     * transactions open when called to end ({@link Duration#ZERO}: what is visible now).
     */
    public Snapshot<Progress> progress(String topic, Duration settle) {
        Map<TopicPartition, Progress> latest = new HashMap<>();
        Read read = readAll(topic, settle, (key, value) -> {
            if (key == null) {
                return;
            }
            if (value == null) {
                latest.remove(Progress.readKey(key));
            } else {
                Progress p = Progress.read(key, value);
                latest.put(p.sourcePartition(), p);
            }
        });
        return new Snapshot<>(latest, read.exists, read.complete);
    }

    /**
     * The source offset MirrorMaker 2 resumes each partition of {@code sourceAlias} at, from its Connect offsets
     * {@code topic} (its {@code MirrorSourceConnector}'s offsets only); empty when the topic does not exist.
     */
    public Snapshot<Long> mm2Offsets(String topic, String sourceAlias) {
        Map<TopicPartition, Long> latest = new HashMap<>();
        Read read = readAll(topic, SETTLE, (key, value) -> Mm2SourceOffset.parse(key, value).ifPresent(o -> {
            if (!Mm2SourceOffset.SOURCE_CONNECTOR.equals(o.connector()) || !sourceAlias.equals(o.cluster())) {
                return;
            }
            o.resumeAt().ifPresentOrElse(at -> latest.put(o.sourcePartition(), at),
                    () -> latest.remove(o.sourcePartition()));
        }));
        return new Snapshot<>(latest, read.exists, read.complete);
    }

    private record Read(boolean exists, boolean complete) {}

    private Read readAll(String topic, Duration settle, BiConsumer<byte[], byte[]> each) {
        Properties props = new Properties();
        props.putAll(targetConsumerProps);
        props.remove("group.id");
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("allow.auto.create.topics", "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic);
            if (infos == null || infos.isEmpty()) {
                return new Read(false, true);
            }
            List<TopicPartition> partitions = infos.stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            Map<TopicPartition, Long> ends = settledEnds(props, consumer, partitions, settle);
            boolean complete = ends != null;
            if (ends == null) {
                ends = consumer.endOffsets(partitions);
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reached(consumer, ends)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("timed out reading " + topic + " up to " + ends);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                    if (r.offset() < ends.get(new TopicPartition(r.topic(), r.partition()))) {
                        each.accept(r.key(), r.value());
                    }
                }
            }
            return new Read(true, complete);
        }
    }

    /**
     * Last stable offsets at or past the high watermarks as they were when called: every transaction open then has
     * ended (committed, aborted by its producer's successor, or timed out), so no progress written before this call
     * can become visible later. Transactions of a running job commit within a checkpoint interval, and a job's start
     * aborts its earlier run's; null after {@link #SETTLE} if they have not ended.
     */
    private static Map<TopicPartition, Long> settledEnds(Properties props, KafkaConsumer<byte[], byte[]> committed,
                                                         List<TopicPartition> partitions, Duration settle) {
        Properties uncommitted = new Properties();
        uncommitted.putAll(props);
        uncommitted.put("isolation.level", "read_uncommitted");
        Map<TopicPartition, Long> highWatermarks;
        try (KafkaConsumer<byte[], byte[]> all = new KafkaConsumer<>(uncommitted, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            highWatermarks = all.endOffsets(partitions);
        }
        long deadline = System.nanoTime() + settle.toNanos();
        while (true) {
            Map<TopicPartition, Long> stable = committed.endOffsets(partitions);
            boolean settled = true;
            for (TopicPartition tp : partitions) {
                if (stable.get(tp) < highWatermarks.get(tp)) {
                    settled = false;
                }
            }
            if (settled) {
                return stable;
            }
            if (System.nanoTime() > deadline) {
                if (!settle.isZero()) {
                    LOG.info("{}: a transaction open since before offset {} has not ended after {} s", partitions,
                            highWatermarks, settle.toSeconds());
                }
                return null;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + partitions, e);
            }
        }
    }

    private static boolean reached(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
