package io.flinkmirror.job.source;

import io.flinkmirror.job.resume.ResumeFromTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(OneSplitPerPartitionSource.class);

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
        Assignments assignments = new Assignments(flow, context);
        startingOffsets.newEnumerator(true);
        return new Enumerator(delegate.createEnumerator(assignments), assignments, backlog);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState state) throws Exception {
        Assignments assignments = new Assignments(flow, context);
        for (KafkaPartitionSplit split : state.assignedSplits()) {
            assignments.assigned.add(split.getTopicPartition()); // the readers restore these themselves
        }
        startingOffsets.newEnumerator();
        return new Enumerator(delegate.restoreEnumerator(assignments, state), assignments, backlog);
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

    /** The enumerator's context, with its split assignments filtered. */
    static final class Assignments implements SplitEnumeratorContext<KafkaPartitionSplit> {
        private final String flow;
        private final SplitEnumeratorContext<KafkaPartitionSplit> context;
        final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

        Assignments(String flow, SplitEnumeratorContext<KafkaPartitionSplit> context) {
            this.flow = flow;
            this.context = context;
        }

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            Map<Integer, List<KafkaPartitionSplit>> kept = new HashMap<>();
            assignment.assignment().forEach((reader, splits) -> {
                List<KafkaPartitionSplit> first = new ArrayList<>();
                for (KafkaPartitionSplit split : splits) {
                    if (assigned.add(split.getTopicPartition())) {
                        first.add(split);
                    } else {
                        LOG.warn("{} dropping a second split of {} (start offset {}): the partition is already "
                                + "assigned (flink-connector-kafka discovered it twice)", flow,
                                split.getTopicPartition(), split.getStartingOffset());
                    }
                }
                if (!first.isEmpty()) {
                    kept.put(reader, first);
                }
            });
            if (!kept.isEmpty()) {
                context.assignSplits(new SplitsAssignment<>(kept));
            }
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, event);
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, int attemptNumber, SourceEvent event) {
            context.sendEventToSourceReader(subtaskId, attemptNumber, event);
        }

        @Override
        public int currentParallelism() {
            return context.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return context.registeredReaders();
        }

        @Override
        public Map<Integer, Map<Integer, ReaderInfo>> registeredReadersOfAttempts() {
            return context.registeredReadersOfAttempts();
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler) {
            context.callAsync(callable, handler);
        }

        @Override
        public <R> void callAsync(Callable<R> callable, BiConsumer<R, Throwable> handler, long initialDelay,
                                  long period) {
            context.callAsync(callable, handler, initialDelay, period);
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            context.runInCoordinatorThread(runnable);
        }

        @Override
        public void setIsProcessingBacklog(boolean isProcessingBacklog) {
            context.setIsProcessingBacklog(isProcessingBacklog);
        }
    }

    /** The connector's enumerator; splits it takes back may be assigned again. */
    static final class Enumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate;
        private final Assignments assignments;
        private final BacklogMonitor backlog;
        private BacklogMonitor.Running backlogRunning;

        Enumerator(SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate, Assignments assignments,
                   BacklogMonitor backlog) {
            this.delegate = delegate;
            this.assignments = assignments;
            this.backlog = backlog;
        }

        @Override
        public void start() {
            delegate.start();
            if (backlog != null) {
                backlogRunning = backlog.start(assignments.context, () -> assignments.assigned);
            }
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            delegate.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            for (KafkaPartitionSplit split : splits) {
                assignments.assigned.remove(split.getTopicPartition());
            }
            delegate.addSplitsBack(splits, subtaskId);
        }

        @Override
        public void addReader(int subtaskId) {
            delegate.addReader(subtaskId);
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) throws Exception {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void close() throws java.io.IOException {
            if (backlogRunning != null) {
                backlogRunning.close();
            }
            delegate.close();
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
            if (backlogRunning != null) {
                backlogRunning.checkpointCompleted();
            }
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent sourceEvent) {
            if (sourceEvent instanceof ReaderPositions positions) {
                if (backlogRunning != null) {
                    backlogRunning.positions(positions.next());
                }
                return;
            }
            delegate.handleSourceEvent(subtaskId, sourceEvent);
        }
    }
}
