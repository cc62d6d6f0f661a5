package io.flinkmirror.job.sink;

import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressTracker;
import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.record.SourceRanges;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.sink2.CommittingSinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.sink.TwoPhaseCommittingStatefulSink.PrecommittingStatefulSinkWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connector's writer, which also notes the source ranges of the records in its open transaction and hands them
 * over with the transaction when it is pre-committed (one transaction per checkpoint, so every record written since
 * the previous pre-commit is in it), and which writes the flow's {@link Progress} into the same transaction.
 *
 * <p>Progress: when the writer is flushed before the checkpoint barrier (and before it is pre-committed), it writes
 * one progress record per source partition processed in the transaction into the progress topic, through the same
 * producer, so the progress commits or aborts with the records it describes. Records a transform dropped
 * ({@link MirrorRecord#dropped}) reach this writer only to move the progress; they are never written.
 *
 * <p>Each transaction also carries the newest checkpoint taken (or restored) before it was prepared, so a committer
 * can tell the transactions of a restored checkpoint from its own run's ({@link GuardedCommittable#restoredWith}).
 */
final class RangeTrackingWriter implements CommittingSinkWriter<MirrorRecord, GuardedCommittable>,
        StatefulSinkWriter<MirrorRecord, KafkaWriterState> {

    private static final Logger LOG = LoggerFactory.getLogger(RangeTrackingWriter.class);

    private final PrecommittingStatefulSinkWriter<MirrorRecord, KafkaWriterState, KafkaCommittable> delegate;
    private final SourceRanges ranges = new SourceRanges();
    /** Null when no progress is written (tests of the guard alone). */
    private final ProgressTracker progress;
    private final String progressTopic;
    private final boolean exactlyOnce;
    /** The newest checkpoint taken or restored: the transaction being filled belongs to a later one. */
    private long lastCheckpoint = -1;

    RangeTrackingWriter(PrecommittingStatefulSinkWriter<MirrorRecord, KafkaWriterState, KafkaCommittable> delegate) {
        this(delegate, null, null, true);
    }

    /**
     * A writer that also writes progress into {@code progressTopic} (partition 0), from what {@code progress} saw
     * (the same tracker must be told of the target's acknowledgements).
     */
    RangeTrackingWriter(PrecommittingStatefulSinkWriter<MirrorRecord, KafkaWriterState, KafkaCommittable> delegate,
                        ProgressTracker progress, String progressTopic, boolean exactlyOnce) {
        this.delegate = delegate;
        this.progress = progress;
        this.progressTopic = progressTopic;
        this.exactlyOnce = exactlyOnce;
    }

    /** Tells a restored writer the checkpoint it was restored from. */
    RangeTrackingWriter restoredFrom(java.util.OptionalLong checkpointId) {
        checkpointId.ifPresent(id -> lastCheckpoint = id);
        return this;
    }

    @Override
    public void write(MirrorRecord record, Context context) throws IOException, InterruptedException {
        if (record.dropped) {
            if (progress != null) {
                progress.processed(record.sourceTopic, record.targetTopic, record.partition, record.offset, false);
            }
            return;
        }
        if (progress != null) {
            progress.processed(record.sourceTopic, record.targetTopic, record.partition, record.offset, true);
        }
        delegate.write(record, context);
        ranges.add(record.sourceTopic, record.partition, record.offset);
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        delegate.writeWatermark(watermark);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        delegate.flush(endOfInput); // every record acknowledged: the tracker knows their target offsets
        if (progress == null || progress.isEmpty()) {
            return;
        }
        for (Progress p : progress.drain()) {
            MirrorRecord record = new MirrorRecord(p.sourceTopic(), 0, -1, -1, p.recordKey(), p.recordValue(),
                    null, null);
            record.targetTopic = progressTopic;
            delegate.write(record, NO_CONTEXT);
        }
        if (!exactlyOnce || endOfInput) {
            // Exactly-once: the commit sends them with the transaction; otherwise the progress is durable only now,
            // after the records it describes.
            delegate.flush(endOfInput);
        }
    }

    private static final Context NO_CONTEXT = new Context() {
        @Override
        public long currentWatermark() {
            return Long.MIN_VALUE;
        }

        @Override
        public Long timestamp() {
            return null;
        }
    };

    @Override
    public Collection<GuardedCommittable> prepareCommit() throws IOException, InterruptedException {
        Collection<KafkaCommittable> committables = delegate.prepareCommit();
        // "none" with progress: a transaction of progress records only (every record dropped by a transform).
        String described = ranges.isEmpty() ? (progress == null ? null : "none") : ranges.describe();
        ranges.clear();
        List<GuardedCommittable> guarded = new ArrayList<>(committables.size());
        for (KafkaCommittable committable : committables) {
            guarded.add(new GuardedCommittable(committable, described, lastCheckpoint));
        }
        return guarded;
    }

    @Override
    public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
        lastCheckpoint = checkpointId;
        return delegate.snapshotState(checkpointId);
    }

    @Override
    public void close() throws Exception {
        try {
            delegate.close();
        } catch (Exception e) {
            // The connector's writer rethrows a failed send from close(). Thrown while the task is already failing,
            // Flink takes it as a fatal error of the TaskManager, which then goes down with every task on it
            // (bin/mirror run: the only one, so the job can no longer restart). Nothing is lost by not throwing: the
            // records of the open transaction are never committed, and the restored job writes them again.
            LOG.warn("Closing the sink writer: {} (its open transaction is abandoned and copied again after the "
                    + "restart)", e.toString());
        }
    }
}
