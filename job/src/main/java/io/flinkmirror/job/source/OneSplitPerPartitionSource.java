package io.flinkmirror.job.source;

import io.flinkmirror.job.resume.ResumeFromTarget;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * flink-connector-kafka's {@link KafkaSource}, unchanged (same reader, splits, enumerator and its state), except that
 * a partition is never handed to the readers twice.
 *
 * <p>The connector's enumerator (5.0.0) takes a partition as new in every discovery until the splits of an earlier
 * discovery have been handled; when a discovery takes longer than the discovery interval (creating many target topics,
 * or a start without state reading the targets), the next one runs before that and the partition gets a second split.
 * A reader given a partition twice reads it again from the second split's start: every record copied twice. Here the
 * enumerator's assignments pass through a filter that drops a second split of a partition already assigned (one WARN
 * per partition); a split the enumerator takes back from a failed reader may be assigned again.
 *
 * <p>Invariants: at any time each partition is read by at most one split; the enumerator's state and splits are the
 * connector's, so savepoints restore with or without this wrapper.
 */
public final class OneSplitPerPartitionSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final String flow;
    private final KafkaSource<T> delegate;
    /** The starting-offsets initializer inside {@code delegate} (the same object), told of each new enumerator. */
    private final ResumeFromTarget startingOffsets;
    /** Reports a backlog to Flink (see {@link BacklogMonitor}); null when the job has no backlog interval. */
    private final BacklogMonitor backlog;
    /** The source offset of a record, for the readers to report their positions to the backlog monitor; or null. */
    private SourceOffsetOf<T> offsetOf;
    /** The flow's progress topic on the target, when restored readers rewind to it; else null. */
    private String progressTopic;
    private HashMap<String, String> targetConsumerProps;

    public OneSplitPerPartitionSource(String flow, KafkaSource<T> delegate, ResumeFromTarget startingOffsets) {
        this(flow, delegate, startingOffsets, null, null, null);
    }

    /**
     * As {@link #OneSplitPerPartitionSource(String, KafkaSource, ResumeFromTarget)}, also telling Flink when the flow
     * is catching up ({@code backlogInterval} not null): from the end offsets of its partitions and the offsets the
     * source commits for {@code groupId} on checkpoints, read with {@code adminProps}.
     */
    public OneSplitPerPartitionSource(String flow, KafkaSource<T> delegate, ResumeFromTarget startingOffsets,
                                      String groupId, Map<String, String> adminProps, Duration backlogInterval) {
        this.flow = flow;
        this.delegate = delegate;
        this.startingOffsets = startingOffsets;
        this.backlog = backlogInterval == null ? null
                : new BacklogMonitor(flow, groupId, adminProps, backlogInterval);
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    /**
     * Readers report where they are to the backlog monitor (if any), taking each record's source offset with
     * {@code offsetOf} ({@link PositionReportingReader}).
     */
    public OneSplitPerPartitionSource<T> withReaderPositions(SourceOffsetOf<T> offsetOf) {
        this.offsetOf = offsetOf;
        return this;
    }

    /**
     * Restored readers resume each partition where the flow's progress committed in {@code progressTopic} ends when
     * that is before their restored offset ({@link RewindToCommittedProgress}): for exactly-once flows.
     */
    public OneSplitPerPartitionSource<T> withRewindToProgress(String progressTopic,
                                                              Map<String, String> targetConsumerProps) {
        this.progressTopic = progressTopic;
        this.targetConsumerProps = new HashMap<>(targetConsumerProps);
        return this;
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        SourceReader<T, KafkaPartitionSplit> reader = delegate.createReader(context);
        if (backlog != null && offsetOf != null) {
            reader = new PositionReportingReader<>(reader, context, offsetOf);
        }
        if (progressTopic == null) {
            return reader;
        }
        io.flinkmirror.udfs.progress.ProgressStore store =
                new io.flinkmirror.udfs.progress.ProgressStore(targetConsumerProps);
        String topic = progressTopic;
        return new RewindToCommittedProgress<>(flow, reader, () -> store.progress(topic));
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
        SplitAssignments assignments = new SplitAssignments(flow, context);
        startingOffsets.newEnumerator(true);
        return new OneSplitEnumerator(delegate.createEnumerator(assignments), assignments, backlog);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        SplitAssignments assignments = new SplitAssignments(flow, context);
        for (KafkaPartitionSplit split : state.assignedSplits()) {
            assignments.assigned.add(split.getTopicPartition()); // the readers restore these themselves
        }
        startingOffsets.newEnumerator();
        return new OneSplitEnumerator(delegate.restoreEnumerator(assignments, state), assignments, backlog);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return delegate.getProducedType();
    }

}
