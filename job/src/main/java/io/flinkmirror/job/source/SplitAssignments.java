package io.flinkmirror.job.source;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The enumerator's context, with its split assignments filtered ({@link OneSplitPerPartitionSource}): a second split
 * of a partition already assigned is dropped with one WARN. Invariant: each partition is assigned to one reader at a
 * time; a split handed back by a failed reader ({@link OneSplitEnumerator#addSplitsBack}) may be assigned again.
 */
final class SplitAssignments implements SplitEnumeratorContext<KafkaPartitionSplit> {
    private final String flow;
    private static final Logger LOG = LoggerFactory.getLogger(OneSplitPerPartitionSource.class);

    final SplitEnumeratorContext<KafkaPartitionSplit> context;
    final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();

    SplitAssignments(String flow, SplitEnumeratorContext<KafkaPartitionSplit> context) {
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
