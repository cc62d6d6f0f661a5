package io.flinkmirror.udfs.offsets;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Point reads of committed data ({@code read_committed}) on one cluster: the offset mapping uses it to find where a
 * transaction's records landed on the target, and to check whether a range of source offsets holds any record.
 */
public final class KafkaReader implements AutoCloseable {

    private static final Duration POLL = Duration.ofMillis(200);

    private final KafkaConsumer<byte[], byte[]> consumer;

    public KafkaReader(Map<String, String> clientProps) {
        this(clientProps, false);
    }

    /** A reader for long sequential reads (whole ranges, not points): default fetch sizes and batch sizes. */
    public static KafkaReader forScans(Map<String, String> clientProps) {
        return new KafkaReader(clientProps, true);
    }

    private KafkaReader(Map<String, String> clientProps, boolean scans) {
        Properties props = new Properties();
        props.putAll(clientProps);
        props.remove("group.id");
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        // Few records per poll: while a fetched batch is not drained the consumer does not prefetch the next one,
        // which a point read would throw away at its next seek.
        props.put("max.poll.records", scans ? "2000" : "20");
        if (!scans) {
            // Point reads: fetch one producer batch or so around the offset asked for, not megabytes (a fetch always
            // returns at least one whole batch, so this is a bound on the waste, not on what can be read).
            props.put("max.partition.fetch.bytes", "65536");
            props.put("fetch.max.bytes", "65536");
        }
        props.put("auto.offset.reset", "none");
        props.put("allow.auto.create.topics", "false");
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The log start offset of {@code tp}: records below it were deleted (retention, deleteRecords). */
    public long beginningOffset(TopicPartition tp) {
        return consumer.beginningOffsets(List.of(tp)).get(tp);
    }

    /** The log start offsets of {@code partitions}, in one request per broker. */
    public Map<TopicPartition, Long> beginningOffsets(java.util.Collection<TopicPartition> partitions) {
        return consumer.beginningOffsets(partitions);
    }

    /** The last stable offset (end offset for read_committed readers) of {@code tp}. */
    public long endOffset(TopicPartition tp) {
        return consumer.endOffsets(List.of(tp)).get(tp);
    }

    /** The last stable offsets of {@code partitions}, in one request per broker. */
    public Map<TopicPartition, Long> endOffsets(java.util.Collection<TopicPartition> partitions) {
        return consumer.endOffsets(partitions);
    }

    /**
     * The first committed record at or after {@code from} that satisfies {@code match}, reading at most up to the
     * current end offset; empty if there is none yet.
     */
    public Optional<ConsumerRecord<byte[], byte[]>> findFirst(TopicPartition tp, long from,
                                                             Predicate<ConsumerRecord<byte[], byte[]>> match) {
        return findFirstBelowEnd(tp, from, endOffset(tp), match);
    }

    /**
     * The first committed record in {@code [from, end)} that satisfies {@code match}, for an {@code end} the caller
     * knows to be at or below the last stable offset (read before, or the offset of a committed record): saves the
     * end-offset lookup. {@code match} sees the records in offset order, so it can also collect a range by never
     * matching.
     */
    public Optional<ConsumerRecord<byte[], byte[]>> findFirstBelowEnd(TopicPartition tp, long from, long end,
                                                                     Predicate<ConsumerRecord<byte[], byte[]>> match) {
        if (from >= end) {
            return Optional.empty();
        }
        consumer.assign(List.of(tp));
        consumer.seek(tp, from);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (consumer.position(tp) < end && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL).records(tp)) {
                if (record.offset() >= end) {
                    return Optional.empty();
                }
                if (match.test(record)) {
                    return Optional.of(record);
                }
            }
        }
        if (consumer.position(tp) < end) {
            throw new IllegalStateException("timed out reading " + tp + " from " + from + " to " + end);
        }
        return Optional.empty();
    }

    /**
     * The first offset whose record has a timestamp at or after {@code timestamp} (Kafka's time index), or empty if
     * no record has.
     */
    public OptionalLong offsetForTime(TopicPartition tp, long timestamp) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, timestamp)).get(tp);
        return found == null ? OptionalLong.empty() : OptionalLong.of(found.offset());
    }

    /** The first committed record at or after {@code from}, if any below the current end offset. */
    public Optional<ConsumerRecord<byte[], byte[]>> firstAtOrAfter(TopicPartition tp, long from) {
        return findFirst(tp, from, r -> true);
    }

    /**
     * Whether a record may exist at an offset in {@code [from, to)}: true if one is committed there, or if the range
     * reaches beyond the committed data (an open transaction may still commit records there).
     */
    public boolean mayHaveRecords(TopicPartition tp, long from, long to) {
        if (from >= to) {
            return false;
        }
        if (to > endOffset(tp)) {
            return true;
        }
        return firstAtOrAfter(tp, from).map(r -> r.offset() < to).orElse(false);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
