package io.flinkmirror.job.source.throttle;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source whose readers together read at most {@code bytesPerSecond} bytes per second, however the splits are spread
 * over them: the enumerator holds the flow's {@link ByteBudget} and grants it in chunks to the readers that ask
 * ({@link ThrottledReader}). Splits, enumerator state and their serializers are the wrapped source's, unchanged, so a
 * savepoint taken with or without a throttle restores either way, and the rate is whatever the restored job is
 * configured with.
 *
 * <p>Why the enumerator and not a per-reader limit (Flink's {@code RateLimiterStrategy.perSecond} divides the rate by
 * the parallelism): with a flow's partitions on some readers only, or uneven ones, a per-reader share leaves the
 * busy readers at their share, e.g. half the limit with two subtasks and the data on one. Here a reader without data
 * asks for nothing. Cost: one small event each way per chunk ({@value ByteBudget#CHUNK_MILLIS} ms of the rate).
 *
 * <p>Invariants: the readers together never read more than the budget granted; a throttle only delays records,
 * never drops or reorders them; the wrapped source's state is checkpointed unchanged (the budget is not state).
 */
public final class ThrottledSource<T, SplitT extends SourceSplit, EnumChkT>
        implements Source<T, SplitT, EnumChkT>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ThrottledSource.class);

    /** How often the enumerator fills the budget and serves waiting readers. */
    static final long TICK_MILLIS = 10;

    /** The bytes a record counts for against the limit. */
    @FunctionalInterface
    public interface RecordSize<T> extends Serializable {
        long bytes(T record);
    }

    private final String flow;
    private final Source<T, SplitT, EnumChkT> delegate;
    private final TypeInformation<T> producedType;
    private final RecordSize<T> size;
    private final long bytesPerSecond;

    /**
     * Throttles {@code delegate} (which must tell its produced type) to {@code bytesPerSecond} over all its readers,
     * counting each record as {@code size} says.
     */
    public <S extends Source<T, SplitT, EnumChkT> & ResultTypeQueryable<T>> ThrottledSource(
            String flow, S delegate, RecordSize<T> size, long bytesPerSecond) {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.flow = Objects.requireNonNull(flow, "flow");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.producedType = delegate.getProducedType();
        this.size = Objects.requireNonNull(size, "size");
        this.bytesPerSecond = bytesPerSecond;
    }

    /** The limit, bytes per second over all readers. */
    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new ThrottledReader<>(delegate.createReader(context), context, size, bytesPerSecond);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> createEnumerator(SplitEnumeratorContext<SplitT> context)
            throws Exception {
        return new Enumerator<>(flow, delegate.createEnumerator(context), context, bytesPerSecond);
    }

    @Override
    public SplitEnumerator<SplitT, EnumChkT> restoreEnumerator(SplitEnumeratorContext<SplitT> context,
                                                               EnumChkT state) throws Exception {
        return new Enumerator<>(flow, delegate.restoreEnumerator(context, state), context, bytesPerSecond);
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<EnumChkT> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return producedType;
    }

    /** The wrapped enumerator, plus the flow's byte budget served to the readers on the coordinator thread. */
    static final class Enumerator<SplitT extends SourceSplit, EnumChkT> implements SplitEnumerator<SplitT, EnumChkT> {
        private final String flow;
        private final SplitEnumerator<SplitT, EnumChkT> delegate;
        private final SplitEnumeratorContext<SplitT> context;
        private final ByteBudget budget;
        private final Counter grantedBytes;
        private ScheduledExecutorService ticker;

        Enumerator(String flow, SplitEnumerator<SplitT, EnumChkT> delegate, SplitEnumeratorContext<SplitT> context,
                   long bytesPerSecond) {
            this.flow = flow;
            this.delegate = delegate;
            this.context = context;
            this.budget = new ByteBudget(bytesPerSecond, System.nanoTime());
            context.metricGroup().gauge(ThrottledReader.LIMIT_METRIC, () -> bytesPerSecond);
            this.grantedBytes = context.metricGroup().counter("throttle-granted-bytes");
        }

        @Override
        public void start() {
            delegate.start();
            LOG.info("{} reading at most {} bytes/s from its source, shared by its {} source subtasks (grants of {} "
                            + "bytes)", flow, budget.bytesPerSecond(), context.currentParallelism(), budget.chunk());
            // Its own timer: the coordinator's worker thread also runs topic discovery, which may take a while.
            ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, flow + " throttle");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleWithFixedDelay(() -> context.runInCoordinatorThread(this::serve), TICK_MILLIS,
                    TICK_MILLIS, TimeUnit.MILLISECONDS);
        }

        @Override
        public void handleSourceEvent(int subtaskId, SourceEvent event) {
            if (event instanceof ThrottleEvents.Request) {
                budget.request(subtaskId, System.nanoTime());
                serve();
            } else {
                delegate.handleSourceEvent(subtaskId, event);
            }
        }

        /** Grants what the budget holds to the readers waiting for it; a reader gone meanwhile forfeits its grant. */
        private void serve() {
            if (budget.waiting() == 0) {
                return;
            }
            for (ByteBudget.Grant grant : budget.grant(System.nanoTime())) {
                if (context.registeredReaders().containsKey(grant.subtask())) {
                    context.sendEventToSourceReader(grant.subtask(), new ThrottleEvents.Grant(grant.bytes()));
                    grantedBytes.inc(grant.bytes());
                }
            }
        }

        @Override
        public void addReader(int subtaskId) {
            budget.cancel(subtaskId); // a request of the reader's previous attempt
            delegate.addReader(subtaskId);
        }

        @Override
        public void handleSplitRequest(int subtaskId, String requesterHostname) {
            delegate.handleSplitRequest(subtaskId, requesterHostname);
        }

        @Override
        public void addSplitsBack(List<SplitT> splits, int subtaskId) {
            delegate.addSplitsBack(splits, subtaskId);
        }

        @Override
        public EnumChkT snapshotState(long checkpointId) throws Exception {
            return delegate.snapshotState(checkpointId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            delegate.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            delegate.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void close() throws IOException {
            if (ticker != null) {
                ticker.shutdownNow();
            }
            delegate.close();
        }
    }
}
