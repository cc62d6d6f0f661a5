package io.flinkmirror.job.source;

import java.util.List;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;

/**
 * The connector's enumerator behind {@link SplitAssignments} ({@link OneSplitPerPartitionSource}), plus the flow's
 * backlog monitor; splits it takes back from a failed reader may be assigned again. Its state is the connector's.
 */
final class OneSplitEnumerator implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {

    private final SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate;
    private final SplitAssignments assignments;
    private final BacklogMonitor backlog;
    private BacklogMonitor.Running backlogRunning;

    OneSplitEnumerator(SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> delegate,
                       SplitAssignments assignments, BacklogMonitor backlog) {
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
