package io.flinkmirror.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OneSplitPerPartitionSourceTest {

    /** Records what reaches the readers. */
    private static final class Readers implements SplitEnumeratorContext<KafkaPartitionSplit> {
        final List<KafkaPartitionSplit> received = new ArrayList<>();

        @Override
        public void assignSplits(SplitsAssignment<KafkaPartitionSplit> assignment) {
            assignment.assignment().values().forEach(received::addAll);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return null;
        }

        @Override
        public void sendEventToSourceReader(int subtaskId, SourceEvent event) {
        }

        @Override
        public int currentParallelism() {
            return 2;
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return Map.of();
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long delay, long period) {
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
        }
    }

    /** An enumerator that only takes splits back. */
    private static final class TakesSplitsBack implements SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> {
        final List<KafkaPartitionSplit> back = new ArrayList<>();

        @Override
        public void start() {
        }

        @Override
        public void handleSplitRequest(int subtaskId, String host) {
        }

        @Override
        public void addSplitsBack(List<KafkaPartitionSplit> splits, int subtaskId) {
            back.addAll(splits);
        }

        @Override
        public void addReader(int subtaskId) {
        }

        @Override
        public KafkaSourceEnumState snapshotState(long checkpointId) {
            return null;
        }

        @Override
        public void close() {
        }
    }

    private static KafkaPartitionSplit split(String topic, int partition, long start) {
        return new KafkaPartitionSplit(new TopicPartition(topic, partition), start);
    }

    @Test
    void shouldHandEachPartitionToTheReadersOnce() {
        Readers readers = new Readers();
        SplitAssignments assignments = new SplitAssignments("A->B",
                readers);

        assignments.assignSplits(new SplitsAssignment<>(Map.of(0, List.of(split("t", 0, 10), split("t", 1, 0)))));
        // The connector's racing second discovery initialized t-0 again.
        assignments.assignSplits(new SplitsAssignment<>(Map.of(1, List.of(split("t", 0, 10), split("t", 2, 5)))));

        assertThat(readers.received).extracting(KafkaPartitionSplit::splitId).containsExactly("t-0", "t-1", "t-2");
    }

    @Test
    void shouldAssignASplitAgainOnceTheEnumeratorTookItBack() {
        Readers readers = new Readers();
        SplitAssignments assignments = new SplitAssignments("A->B",
                readers);
        TakesSplitsBack delegate = new TakesSplitsBack();
        OneSplitEnumerator enumerator = new OneSplitEnumerator(delegate,
                assignments, null);

        assignments.assignSplits(new SplitsAssignment<>(Map.of(0, List.of(split("t", 0, 10)))));
        enumerator.addSplitsBack(List.of(split("t", 0, 42)), 0); // its reader failed
        assignments.assignSplits(new SplitsAssignment<>(Map.of(1, List.of(split("t", 0, 42)))));

        assertThat(delegate.back).hasSize(1);
        assertThat(readers.received).extracting(KafkaPartitionSplit::getStartingOffset).containsExactly(10L, 42L);
    }
}
