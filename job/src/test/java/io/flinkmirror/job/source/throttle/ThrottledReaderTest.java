package io.flinkmirror.job.source.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;

/** The reader side of the throttle, around a fake reader that hands on records through a split output. */
class ThrottledReaderTest {

    /** 1,000 B/s: grants of 50 bytes. */
    private static final long RATE = 1_000;

    private final FakeReader fake = new FakeReader();
    private final FakeContext context = new FakeContext();
    private final Output output = new Output();
    private final ThrottledReader<String, Split> reader =
            new ThrottledReader<>(fake, context, record -> record.length(), RATE);

    @Test
    void shouldWaitForItsFirstGrantWithoutBlocking() throws Exception {
        fake.records.add("x".repeat(30));

        assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        assertThat(output.records).isEmpty();
        assertThat(context.sent).containsExactly(new ThrottleEvents.Request());
        CompletableFuture<Void> available = reader.isAvailable();
        assertThat(available).isNotDone();

        reader.handleSourceEvents(new ThrottleEvents.Grant(50));
        assertThat(available).isDone();
        assertThat(reader.pollNext(output)).isEqualTo(InputStatus.MORE_AVAILABLE);
        assertThat(output.records).containsExactly("x".repeat(30));
    }

    @Test
    void shouldAskAheadAndStopWhenTheGrantIsSpent() throws Exception {
        reader.pollNext(output);
        reader.handleSourceEvents(new ThrottleEvents.Grant(50));
        fake.records.add("a".repeat(20));
        fake.records.add("b".repeat(20));
        fake.records.add("c".repeat(20));

        reader.pollNext(output); // 30 left: no need to ask yet
        assertThat(context.sent).hasSize(1);
        reader.pollNext(output); // 10 left, below half a grant: asks for the next one
        assertThat(context.sent).hasSize(2);
        reader.pollNext(output); // -10: the record is read whole, the debt paid from the next grant
        assertThat(output.records).hasSize(3);
        fake.records.add("d");
        assertThat(reader.pollNext(output)).isEqualTo(InputStatus.NOTHING_AVAILABLE);
        assertThat(context.sent).as("no second request while one is on its way").hasSize(2);
        assertThat(reader.isAvailable()).isNotDone();
    }

    @Test
    void shouldAskAgainAtOnceWhileAGrantDoesNotCoverItsDebt() throws Exception {
        reader.pollNext(output);
        reader.handleSourceEvents(new ThrottleEvents.Grant(50));
        fake.records.add("x".repeat(200));
        reader.pollNext(output); // balance -150
        CompletableFuture<Void> available = reader.isAvailable();
        int asked = context.sent.size();

        reader.handleSourceEvents(new ThrottleEvents.Grant(50)); // -100
        assertThat(available).isNotDone();
        assertThat(context.sent).hasSize(asked + 1);
        reader.handleSourceEvents(new ThrottleEvents.Grant(50)); // -50
        reader.handleSourceEvents(new ThrottleEvents.Grant(50)); // 0
        assertThat(available).isNotDone();
        reader.handleSourceEvents(new ThrottleEvents.Grant(50)); // 50
        assertThat(available).isDone();
    }

    @Test
    void shouldUseTheWrappedReadersAvailabilityWhileItHasBytes() throws Exception {
        reader.pollNext(output);
        reader.handleSourceEvents(new ThrottleEvents.Grant(50));
        assertThat(reader.isAvailable()).isSameAs(fake.available);
    }

    @Test
    void shouldPassOtherSourceEventsToTheWrappedReader() {
        SourceEvent other = new SourceEvent() { };
        reader.handleSourceEvents(other);
        assertThat(fake.events).containsExactly(other);
    }

    record Split(String splitId) implements SourceSplit {
    }

    /** Hands on one queued record per poll through the output of its one split, as SourceReaderBase does. */
    static final class FakeReader implements SourceReader<String, Split> {
        final Deque<String> records = new ArrayDeque<>();
        final List<SourceEvent> events = new ArrayList<>();
        final CompletableFuture<Void> available = new CompletableFuture<>();

        @Override
        public void start() {
        }

        @Override
        public InputStatus pollNext(ReaderOutput<String> out) {
            if (records.isEmpty()) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            out.createOutputForSplit("s").collect(records.poll());
            return InputStatus.MORE_AVAILABLE;
        }

        @Override
        public List<Split> snapshotState(long checkpointId) {
            return List.of();
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            return available;
        }

        @Override
        public void addSplits(List<Split> splits) {
        }

        @Override
        public void notifyNoMoreSplits() {
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            events.add(event);
        }

        @Override
        public void close() {
        }
    }

    static final class FakeContext implements SourceReaderContext {
        final List<SourceEvent> sent = new ArrayList<>();

        @Override
        public SourceReaderMetricGroup metricGroup() {
            return UnregisteredMetricsGroup.createSourceReaderMetricGroup();
        }

        @Override
        public Configuration getConfiguration() {
            return new Configuration();
        }

        @Override
        public String getLocalHostName() {
            return "localhost";
        }

        @Override
        public int getIndexOfSubtask() {
            return 0;
        }

        @Override
        public void sendSplitRequest() {
        }

        @Override
        public void sendSourceEventToCoordinator(SourceEvent sourceEvent) {
            sent.add(sourceEvent);
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return null;
        }
    }

    static final class Output implements ReaderOutput<String>, SourceOutput<String> {
        final List<String> records = new ArrayList<>();

        @Override
        public void collect(String record) {
            records.add(record);
        }

        @Override
        public void collect(String record, long timestamp) {
            records.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
        }

        @Override
        public void markIdle() {
        }

        @Override
        public void markActive() {
        }

        @Override
        public SourceOutput<String> createOutputForSplit(String splitId) {
            return this;
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
        }
    }
}
