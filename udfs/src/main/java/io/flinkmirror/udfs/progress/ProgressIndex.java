package io.flinkmirror.udfs.progress;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows a flow's progress topic ({@code read_committed}, from its start) and keeps, per source partition, the
 * progress records committed since, in order: a committed transaction's exact placement on the target
 * ({@link #find}) and the mapping of what was replicated before a start without state ({@link #history}), with no read
 * of the records themselves (which compaction may have removed). Not thread-safe: one thread owns it (its consumer).
 *
 * <p>Per partition at most {@code maxPerPartition} records are kept (the oldest go first); {@link #forgetBefore}
 * drops those a caller no longer needs.
 */
public final class ProgressIndex implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CATCH_UP = Duration.ofSeconds(30);

    private final String topic;
    private final Properties props;
    private final int maxPerPartition;
    private final Map<TopicPartition, Deque<Progress>> byPartition = new HashMap<>();
    private final java.util.function.Predicate<TopicPartition> owned;
    private KafkaConsumer<byte[], byte[]> consumer;
    private List<TopicPartition> partitions;

    /** An index of the progress of the source partitions {@code owned} accepts (the others are skipped). */
    public ProgressIndex(Map<String, String> targetConsumerProps, String topic, int maxPerPartition,
                         java.util.function.Predicate<TopicPartition> owned) {
        this.topic = topic;
        this.owned = owned;
        this.maxPerPartition = maxPerPartition;
        this.props = new Properties();
        props.putAll(targetConsumerProps);
        props.remove("group.id");
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", "earliest");
        props.put("allow.auto.create.topics", "false");
    }

    /** Reads what was committed since the last call, up to the current last stable offset. */
    public void catchUp() {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        if (partitions == null) {
            List<org.apache.kafka.common.PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            if (infos == null || infos.isEmpty()) {
                return; // not created yet: nothing committed
            }
            partitions = infos.stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        long deadline = System.nanoTime() + CATCH_UP.toNanos();
        while (!reached(ends)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out reading " + topic + " up to " + ends);
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(POLL)) {
                if (r.key() == null || r.value() == null) {
                    continue;
                }
                if (!owned.test(Progress.readKey(r.key()))) {
                    continue;
                }
                Progress p = Progress.read(r.key(), r.value());
                Deque<Progress> list = byPartition.computeIfAbsent(p.sourcePartition(), k -> new ArrayDeque<>());
                list.addLast(p);
                if (list.size() > maxPerPartition) {
                    list.removeFirst();
                }
            }
        }
    }

    private boolean reached(Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The committed progress of {@code sourcePartition} whose transaction processed source offsets up to
     * {@code nextSourceOffset} and wrote {@code records} records, if committed (and read) yet.
     */
    public Optional<Progress> find(TopicPartition sourcePartition, long nextSourceOffset, long records) {
        Deque<Progress> list = byPartition.get(sourcePartition);
        if (list == null) {
            return Optional.empty();
        }
        for (java.util.Iterator<Progress> it = list.descendingIterator(); it.hasNext(); ) {
            Progress p = it.next();
            if (p.nextSourceOffset() == nextSourceOffset && p.records() == records) {
                return Optional.of(p);
            }
            if (p.nextSourceOffset() < nextSourceOffset) {
                break; // older ones all end before it
            }
        }
        return Optional.empty();
    }

    /** Whether a progress of {@code sourcePartition} past {@code nextSourceOffset} has been committed. */
    public boolean hasPassed(TopicPartition sourcePartition, long nextSourceOffset) {
        Deque<Progress> list = byPartition.get(sourcePartition);
        return list != null && !list.isEmpty() && list.peekLast().nextSourceOffset() > nextSourceOffset;
    }

    /** The committed progress of {@code sourcePartition} kept, in commit order. */
    public List<Progress> history(TopicPartition sourcePartition) {
        Deque<Progress> list = byPartition.get(sourcePartition);
        return list == null ? List.of() : new ArrayList<>(list);
    }

    /** Forgets the progress of {@code sourcePartition} that ends at or before {@code nextSourceOffset}. */
    public void forgetUpTo(TopicPartition sourcePartition, long nextSourceOffset) {
        Deque<Progress> list = byPartition.get(sourcePartition);
        while (list != null && !list.isEmpty() && list.peekFirst().nextSourceOffset() <= nextSourceOffset) {
            list.removeFirst();
        }
    }

    @Override
    public void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
    }
}
