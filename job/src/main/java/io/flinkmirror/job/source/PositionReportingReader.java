package io.flinkmirror.job.source;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.common.TopicPartition;

/**
 * A source reader (flink-connector-kafka's, wrapped) that tells the enumerator, about once a second, where it is in
 * each of its partitions ({@link ReaderPositions}).
 *
 * <p>The connector's reader emits each split's records through an output it creates once per split
 * ({@link ReaderOutput#createOutputForSplit}); here that output is wrapped to note the offset after each record: one
 * field write per record, no look-up. Splits start at their starting offset until their first record.
 * Invariants: a reported position is never past a record the reader has emitted; it only informs (the enumerator's
 * backlog detection), so a lost or late report changes no record; nothing is kept in Flink state.
 */
final class PositionReportingReader<T> extends ForwardingSourceReader<T, KafkaPartitionSplit> {

    static final long REPORT_EVERY_NANOS = 1_000_000_000L;

    private final SourceReaderContext context;
    private final SourceOffsetOf<T> offsetOf;
    /** Per split id: its partition and the offset after the last record emitted (or its starting offset). */
    private final Map<String, Position> positions = new HashMap<>();
    private ReaderOutput<T> wrappedFrom;
    private Tracking wrapped;
    private long lastReportNanos = System.nanoTime();
    private int polls;

    PositionReportingReader(SourceReader<T, KafkaPartitionSplit> delegate, SourceReaderContext context,
                            SourceOffsetOf<T> offsetOf) {
        super(delegate);
        this.context = context;
        this.offsetOf = offsetOf;
    }

    /** A partition's position; written on the task thread only. */
    private static final class Position {
        final TopicPartition partition;
        long next;

        Position(TopicPartition partition, long next) {
            this.partition = partition;
            this.next = next;
        }
    }

    @Override
    public void addSplits(List<KafkaPartitionSplit> splits) {
        for (KafkaPartitionSplit split : splits) {
            positions.put(split.splitId(), new Position(split.getTopicPartition(), split.getStartingOffset()));
        }
        delegate.addSplits(splits);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        if (output != wrappedFrom) {
            wrappedFrom = output;
            wrapped = new Tracking(output);
        }
        InputStatus status = delegate.pollNext(wrapped);
        if (status != InputStatus.MORE_AVAILABLE || (++polls & 1023) == 0) {
            long now = System.nanoTime();
            if (now - lastReportNanos >= REPORT_EVERY_NANOS) {
                lastReportNanos = now;
                report();
            }
        }
        return status;
    }

    private void report() {
        Map<TopicPartition, Long> next = new HashMap<>();
        for (Position p : positions.values()) {
            if (p.next >= 0) {
                next.put(p.partition, p.next);
            }
        }
        if (!next.isEmpty()) {
            context.sendSourceEventToCoordinator(new ReaderPositions(next));
        }
    }

    /** The task's output, whose per-split outputs note each record's offset. */
    private final class Tracking implements ReaderOutput<T> {
        private final ReaderOutput<T> output;

        Tracking(ReaderOutput<T> output) {
            this.output = output;
        }

        @Override
        public void collect(T record) {
            output.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            output.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            output.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            output.markIdle();
        }

        @Override
        public void markActive() {
            output.markActive();
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            SourceOutput<T> split = output.createOutputForSplit(splitId);
            Position position = positions.get(splitId);
            return position == null ? split : new SplitTracking(split, position);
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            output.releaseOutputForSplit(splitId);
        }
    }

    /** One split's output: notes the offset after each record it emits. */
    private final class SplitTracking implements SourceOutput<T> {
        private final SourceOutput<T> output;
        private final Position position;

        SplitTracking(SourceOutput<T> output, Position position) {
            this.output = output;
            this.position = position;
        }

        @Override
        public void collect(T record) {
            output.collect(record);
            position.next = offsetOf.offset(record) + 1;
        }

        @Override
        public void collect(T record, long timestamp) {
            output.collect(record, timestamp);
            position.next = offsetOf.offset(record) + 1;
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            output.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            output.markIdle();
        }

        @Override
        public void markActive() {
            output.markActive();
        }
    }
}
