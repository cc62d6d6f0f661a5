package io.flinkmirror.job.source.throttle;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;

/**
 * A source reader that reads only the bytes its flow's enumerator granted it ({@link ByteBudget}), without ever
 * blocking the task thread.
 *
 * <p>The reader keeps a balance of granted bytes. Each record handed on costs its size; a balance that falls below
 * half a chunk asks the enumerator for the next one ahead of need. With nothing left it returns
 * {@link InputStatus#NOTHING_AVAILABLE} and an availability future that the grant completes: the task then idles in
 * its mailbox, where checkpoint barriers and the grant itself are handled at once. A record larger than the balance is
 * still handed on whole, and the debt is paid from the next grants. Nothing of this is in Flink state: the splits and
 * their offsets are the wrapped reader's, and a restored job starts with an empty balance and the configured rate.
 *
 * <p>Metrics (the source operator's group): {@value #LIMIT_METRIC} (the flow's configured limit),
 * {@value #THROTTLED_METRIC} (counter: ms this reader waited for bytes) and {@value #THROTTLED_RATE_METRIC} (ms per
 * second spent waiting, over the last minute).
 */
final class ThrottledReader<T, SplitT extends SourceSplit> extends io.flinkmirror.job.source.ForwardingSourceReader<T, SplitT> {

    static final String LIMIT_METRIC = "throttle-bytes-per-second";
    static final String THROTTLED_METRIC = "throttled-time-ms";
    static final String THROTTLED_RATE_METRIC = "throttled-time-ms-per-second";
    /** A request with no grant after this long is sent again (a grant lost in a failover); harmless if duplicated. */
    static final long REQUEST_AGAIN_MILLIS = 2_000;

    private final SourceReaderContext context;
    private final ThrottledSource.RecordSize<T> size;
    private final long chunk;
    private final CountingOutput output = new CountingOutput();
    private final Counter throttledMillis;

    private long balance;
    private long requestedAtNanos = -1;
    private long waitingSinceNanos = -1;
    private CompletableFuture<Void> granted;

    ThrottledReader(SourceReader<T, SplitT> delegate, SourceReaderContext context, ThrottledSource.RecordSize<T> size,
                    long bytesPerSecond) {
        super(delegate);
        this.context = context;
        this.size = size;
        this.chunk = ByteBudget.chunk(bytesPerSecond);
        MetricGroup metrics = context.metricGroup();
        metrics.gauge(LIMIT_METRIC, () -> bytesPerSecond);
        this.throttledMillis = metrics.counter(THROTTLED_METRIC);
        metrics.meter(THROTTLED_RATE_METRIC, new MeterView(throttledMillis));
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> readerOutput) throws Exception {
        if (balance <= 0) {
            request();
            if (waitingSinceNanos < 0) {
                waitingSinceNanos = System.nanoTime();
            }
            return InputStatus.NOTHING_AVAILABLE;
        }
        stopWaiting();
        output.target = readerOutput;
        InputStatus status = delegate.pollNext(output);
        balance -= output.bytes;
        output.bytes = 0;
        if (balance < chunk / 2) {
            request();
        }
        return status;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        if (balance > 0) {
            return delegate.isAvailable();
        }
        if (granted == null || granted.isDone()) {
            // Also completed after a while without a grant, so that pollNext can ask again.
            granted = new CompletableFuture<Void>().completeOnTimeout(null, REQUEST_AGAIN_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        return granted;
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof ThrottleEvents.Grant grant) {
            balance += grant.bytes();
            requestedAtNanos = -1;
            if (balance <= 0) {
                request(); // still paying for a record larger than a chunk
            } else if (granted != null) {
                granted.complete(null);
            }
        } else {
            delegate.handleSourceEvents(event);
        }
    }

    /** Asks for a chunk, unless a request is on its way (asks again after {@value #REQUEST_AGAIN_MILLIS} ms). */
    private void request() {
        long now = System.nanoTime();
        if (requestedAtNanos >= 0 && now - requestedAtNanos < TimeUnit.MILLISECONDS.toNanos(REQUEST_AGAIN_MILLIS)) {
            return;
        }
        requestedAtNanos = now;
        context.sendSourceEventToCoordinator(new ThrottleEvents.Request());
    }

    private void stopWaiting() {
        if (waitingSinceNanos >= 0) {
            throttledMillis.inc(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - waitingSinceNanos));
            waitingSinceNanos = -1;
        }
    }

    @Override
    public void close() throws Exception {
        if (granted != null) {
            granted.complete(null);
        }
        delegate.close();
    }

    /** The operator's output, counting the bytes of the records passed through it and its split outputs. */
    private final class CountingOutput implements ReaderOutput<T> {
        ReaderOutput<T> target;
        long bytes;

        @Override
        public void collect(T record) {
            bytes += size.bytes(record);
            target.collect(record);
        }

        @Override
        public void collect(T record, long timestamp) {
            bytes += size.bytes(record);
            target.collect(record, timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            target.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            target.markIdle();
        }

        @Override
        public void markActive() {
            target.markActive();
        }

        @Override
        public SourceOutput<T> createOutputForSplit(String splitId) {
            SourceOutput<T> split = target.createOutputForSplit(splitId);
            return new SourceOutput<>() {
                @Override
                public void collect(T record) {
                    bytes += size.bytes(record);
                    split.collect(record);
                }

                @Override
                public void collect(T record, long timestamp) {
                    bytes += size.bytes(record);
                    split.collect(record, timestamp);
                }

                @Override
                public void emitWatermark(Watermark watermark) {
                    split.emitWatermark(watermark);
                }

                @Override
                public void markIdle() {
                    split.markIdle();
                }

                @Override
                public void markActive() {
                    split.markActive();
                }
            };
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            target.releaseOutputForSplit(splitId);
        }
    }
}
