package io.flinkmirror.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class RewindToCommittedProgressTest {

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);
    private static final TopicPartition P2 = new TopicPartition("orders", 2);

    private final Splits delegate = new Splits();
    private final AtomicReference<ProgressStore.Snapshot<Progress>> progress = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();

    private RewindToCommittedProgress<String> reader() {
        return new RewindToCommittedProgress<>("A->B", delegate, () -> {
            reads.incrementAndGet();
            return progress.get();
        });
    }

    @Test
    void shouldHoldRestoredSplitsUntilTheProgressSettlesThenRewindOnlyThoseBehindIt() throws Exception {
        progress.set(new ProgressStore.Snapshot<>(Map.of(), true, false)); // a transaction still open
        RewindToCommittedProgress<String> reader = reader();
        reader.addSplits(List.of(new KafkaPartitionSplit(P0, 120), new KafkaPartitionSplit(P1, 50),
                new KafkaPartitionSplit(P2, 7)));
        reader.start();

        assertThat(reader.pollNext(null)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        assertThat(delegate.added).isEmpty();
        // Held splits stay in the reader's state, as restored.
        assertThat(reader.snapshotState(4)).extracting(KafkaPartitionSplit::getStartingOffset)
                .containsExactly(120L, 50L, 7L);
        CompletableFuture<Void> available = reader.isAvailable();
        assertThat(available).isNotDone();
        poll(() -> reads.get() >= 2); // looked again while unsettled

        // Settled: P0 was committed up to 100 only (an aborted transaction held 100..119), P1 is past its restored
        // offset (an older checkpoint restored), P2 has no progress.
        progress.set(new ProgressStore.Snapshot<>(Map.of(P0, progress(P0, 100), P1, progress(P1, 60)), true, true));
        available.get(30, TimeUnit.SECONDS);
        reader.pollNext(null);

        assertThat(delegate.added).extracting(s -> s.getTopicPartition() + "@" + s.getStartingOffset())
                .containsExactly("orders-0@100", "orders-1@50", "orders-2@7");
        assertThat(reader.snapshotState(5)).hasSize(3);
        reader.close();
    }

    @Test
    void shouldPassSplitsAssignedAfterTheStartStraightOn() throws Exception {
        progress.set(new ProgressStore.Snapshot<>(Map.of(P0, progress(P0, 1)), true, true));
        RewindToCommittedProgress<String> reader = reader();
        reader.start();
        reader.addSplits(List.of(new KafkaPartitionSplit(P0, 5)));

        assertThat(delegate.added).extracting(KafkaPartitionSplit::getStartingOffset).containsExactly(5L);
        assertThat(reads).hasValue(0);
        reader.close();
    }

    private static Progress progress(TopicPartition tp, long next) {
        return new Progress(tp.topic(), tp.partition(), next, Math.max(0, next - 1), new long[0], null);
    }

    private static void poll(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition within 30 s").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** A reader that only keeps the splits it is given. */
    private static final class Splits implements SourceReader<String, KafkaPartitionSplit> {
        final List<KafkaPartitionSplit> added = new ArrayList<>();

        @Override
        public void start() {}

        @Override
        public InputStatus pollNext(ReaderOutput<String> output) {
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
            return List.copyOf(added);
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return new CompletableFuture<>();
        }

        @Override
        public void addSplits(List<KafkaPartitionSplit> splits) {
            added.addAll(splits);
        }

        @Override
        public void notifyNoMoreSplits() {}

        @Override
        public void close() {}
    }
}
