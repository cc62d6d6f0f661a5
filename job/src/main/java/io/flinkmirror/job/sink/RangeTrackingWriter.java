package io.flinkmirror.job.sink;

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

/**
 * The connector's writer, which also notes the source ranges of the records in its open transaction and hands them
 * over with the transaction when it is pre-committed (one transaction per checkpoint, so every record written since
 * the previous pre-commit is in it).
 */
final class RangeTrackingWriter implements CommittingSinkWriter<MirrorRecord, GuardedCommittable>,
        StatefulSinkWriter<MirrorRecord, KafkaWriterState> {

    private final PrecommittingStatefulSinkWriter<MirrorRecord, KafkaWriterState, KafkaCommittable> delegate;
    private final SourceRanges ranges = new SourceRanges();

    RangeTrackingWriter(PrecommittingStatefulSinkWriter<MirrorRecord, KafkaWriterState, KafkaCommittable> delegate) {
        this.delegate = delegate;
    }

    @Override
    public void write(MirrorRecord record, Context context) throws IOException, InterruptedException {
        delegate.write(record, context);
        ranges.add(record.sourceTopic, record.partition, record.offset);
    }

    @Override
    public void writeWatermark(Watermark watermark) throws IOException, InterruptedException {
        delegate.writeWatermark(watermark);
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        delegate.flush(endOfInput);
    }

    @Override
    public Collection<GuardedCommittable> prepareCommit() throws IOException, InterruptedException {
        Collection<KafkaCommittable> committables = delegate.prepareCommit();
        String described = ranges.isEmpty() ? null : ranges.describe();
        ranges.clear();
        List<GuardedCommittable> guarded = new ArrayList<>(committables.size());
        for (KafkaCommittable committable : committables) {
            guarded.add(new GuardedCommittable(committable, described));
        }
        return guarded;
    }

    @Override
    public List<KafkaWriterState> snapshotState(long checkpointId) throws IOException {
        return delegate.snapshotState(checkpointId);
    }

    @Override
    public void close() throws Exception {
        delegate.close();
    }
}
