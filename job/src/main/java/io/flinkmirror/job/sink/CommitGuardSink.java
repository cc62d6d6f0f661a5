package io.flinkmirror.job.sink;

import io.flinkmirror.udfs.progress.ProgressTracker;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.util.function.SerializableFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flow's {@link KafkaSink} (same writer, writer state and uids; its committables wrapped with the source ranges they
 * hold, read back from savepoints taken without them), except that a transaction of a completed checkpoint that can
 * no longer be committed stops the job instead of being dropped.
 *
 * <p>flink-connector-kafka's committer logs such a transaction (aborted by the broker's transaction timeout while the
 * job was down, or fenced) and goes on: its records are then lost on the target, since the restored source offsets
 * are past them. Here the job fails without restarting ({@link SuppressRestartsException}) before a later transaction
 * can commit, with one ERROR naming the flow, the checkpoint's transactions, the source ranges whose records they
 * held (noted by the writer and stored with each transaction) and the remedy: start the flow without
 * state, which resumes every partition from what the target holds and so copies the lost records again
 * ({@code bin/mirror run} does that by itself). Counted in the committer's {@code transactions-lost} metric.
 *
 * <p>Except when the transaction was in fact committed: with pooled transactional ids the connector reuses an id as
 * soon as its commit succeeded, so a job restored from a checkpoint whose transactions were committed and whose ids
 * were reused since gets {@code ProducerFencedException} when it commits them again (FLINK-40626). Given the flow's
 * {@link SupersededCommits}, the committer reads the flow's committed progress on the target before calling a
 * transaction lost: if it covers all the transaction's source ranges, it logs one INFO line, fences the id (ending the
 * transaction its reuse may have left open) and goes on.
 */
public final class CommitGuardSink implements Sink<MirrorRecord>, SupportsCommitter<GuardedCommittable>,
        SupportsWriterState<MirrorRecord, KafkaWriterState>, SupportsPostCommitTopology<GuardedCommittable> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CommitGuardSink.class);

    /** Start of the failure message: launchers look for it to restart the flow without state. */
    public static final String LOST_MESSAGE = "Transactions of a completed checkpoint can no longer be committed";

    private final String flow;
    private final KafkaSink<MirrorRecord> delegate;
    private final SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> committerDecorator;
    private final SupersededCommits superseded;
    /** The flow's progress topic on the target, or null when the sink writes no progress. */
    private String progressTopic;
    private boolean exactlyOnce = true;

    /** A guard that calls every transaction the connector gives up lost, without reading the target. */
    public CommitGuardSink(String flow, KafkaSink<MirrorRecord> delegate) {
        this(flow, delegate, c -> c);
    }

    /** As {@link #CommitGuardSink(String, KafkaSink)}; tests decorate the connector's committer to inject faults. */
    public CommitGuardSink(String flow, KafkaSink<MirrorRecord> delegate,
                           SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> decorator) {
        this(flow, delegate, decorator, null);
    }

    /**
     * The flow's guard: a transaction the connector gives up is lost unless {@code superseded} (when not null) finds
     * its records committed on the target.
     */
    public CommitGuardSink(String flow, KafkaSink<MirrorRecord> delegate,
                           SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> decorator,
                           SupersededCommits superseded) {
        this.flow = Objects.requireNonNull(flow, "flow");
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.committerDecorator = Objects.requireNonNull(decorator, "decorator");
        this.superseded = superseded;
    }

    /**
     * Writes the flow's {@link io.flinkmirror.udfs.progress.Progress} into {@code topic} (1 partition, on the target)
     * in the same transaction as the records it describes (see {@link RangeTrackingWriter}); {@code exactlyOnce}
     * tells whether the delegate writes transactions.
     */
    public CommitGuardSink withProgress(String topic, boolean exactlyOnce) {
        this.progressTopic = Objects.requireNonNull(topic, "topic");
        this.exactlyOnce = exactlyOnce;
        return this;
    }

    @Override
    public SinkWriter<MirrorRecord> createWriter(WriterInitContext context) throws IOException {
        if (progressTopic == null) {
            return new RangeTrackingWriter(delegate.createWriter(context));
        }
        ProgressTracker tracker = new ProgressTracker(progressTopic);
        return new RangeTrackingWriter(delegate.createWriter(acknowledging(context, tracker)), tracker,
                progressTopic, exactlyOnce);
    }

    @Override
    public StatefulSinkWriter<MirrorRecord, KafkaWriterState> restoreWriter(WriterInitContext context,
            Collection<KafkaWriterState> recoveredState) throws IOException {
        if (progressTopic == null) {
            return new RangeTrackingWriter(delegate.restoreWriter(context, recoveredState));
        }
        ProgressTracker tracker = new ProgressTracker(progressTopic);
        return new RangeTrackingWriter(delegate.restoreWriter(acknowledging(context, tracker), recoveredState),
                tracker, progressTopic, exactlyOnce);
    }

    private static WriterInitContext acknowledging(WriterInitContext context, ProgressTracker tracker) {
        return new AcknowledgingInitContext(context, m -> {
            if (m != null && m.hasOffset()) {
                tracker.acknowledged(m.topic(), m.partition(), m.offset());
            }
        });
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
        return delegate.getWriterStateSerializer();
    }

    @Override
    public Committer<GuardedCommittable> createCommitter(CommitterInitContext context) throws IOException {
        Counter lost = context.metricGroup().counter("transactions-lost");
        return new GuardedCommitter(flow, committerDecorator.apply(delegate.createCommitter(context)), lost,
                superseded);
    }

    @Override
    public SimpleVersionedSerializer<GuardedCommittable> getCommittableSerializer() {
        return new GuardedCommittableSerializer(delegate.getCommittableSerializer());
    }

    /** The connector only co-locates the committer with the writer here; the committable type plays no part. */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void addPostCommitTopology(DataStream<CommittableMessage<GuardedCommittable>> committables) {
        delegate.addPostCommitTopology((DataStream) committables);
    }

    /**
     * Fails the job on a commit the connector could not make and would drop, unless the transaction turns out to be
     * committed already (see {@link SupersededCommits}).
     */
    private static final class GuardedCommitter implements Committer<GuardedCommittable> {
        private final String flow;
        private final Committer<KafkaCommittable> delegate;
        private final Counter lost;
        private final SupersededCommits superseded;

        GuardedCommitter(String flow, Committer<KafkaCommittable> delegate, Counter lost,
                         SupersededCommits superseded) {
            this.flow = flow;
            this.delegate = delegate;
            this.lost = lost;
            this.superseded = superseded;
        }

        @Override
        public void commit(Collection<CommitRequest<GuardedCommittable>> requests)
                throws IOException, InterruptedException {
            List<Watched> watched = new ArrayList<>(requests.size());
            for (CommitRequest<GuardedCommittable> request : requests) {
                watched.add(new Watched(request));
            }
            delegate.commit(new ArrayList<>(watched));
            List<Watched> failed = new ArrayList<>();
            for (Watched w : watched) {
                if (w.failure != null) {
                    failed.add(w);
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            Set<GuardedCommittable> committed = committedBefore(failed);
            List<String> transactions = new ArrayList<>();
            List<String> ranges = new ArrayList<>();
            Throwable cause = null;
            for (Watched w : failed) {
                GuardedCommittable committable = w.request.getCommittable();
                String transactionalId = committable.kafka().getTransactionalId();
                if (committed.contains(committable)) {
                    LOG.info("{} transaction {} was committed before the restart; its id was reused since ({}): "
                            + "its records are on the target ({})", flow, transactionalId,
                            w.failure.getClass().getSimpleName(), committable.sourceRanges());
                    // The transaction begun on this id after the restored checkpoint may still be open on the
                    // target, holding back read_committed readers until its timeout (the connector's abort on
                    // restore skips the ids of restored transactions). Ending it is safe: its records, and those of
                    // any transaction begun after the restored checkpoint, are replicated again from the restored
                    // source offsets; and the writer does not use this id until the committer has finished with it
                    // (the id is among the restored transactions of the writer that owns it, freed only when the
                    // writer, at its next checkpoint on this same task thread, reads that this commit finished).
                    superseded.endOpenTransaction(transactionalId);
                    continue;
                }
                transactions.add(transactionalId);
                ranges.add(committable.sourceRanges() == null ? "unknown (restored from a savepoint of an older "
                        + "version)" : committable.sourceRanges());
                cause = w.failure;
            }
            if (!transactions.isEmpty()) {
                lost.inc(transactions.size());
                String message = LOST_MESSAGE + " (flow " + flow + ", transactions " + transactions + ": " + cause
                        + "): the job was down longer than the transaction timeout, or another producer used "
                        + "these transactional ids. The records of these source ranges are not on the target: "
                        + String.join("; ", ranges) + ". Start the flow without state (bin/mirror run does it by "
                        + "itself; bin/mirror submit --fresh; flink run without -s): it resumes every partition "
                        + "from what the target holds and copies them again";
                LOG.error(message);
                throw new SuppressRestartsException(new IllegalStateException(message, cause));
            }
        }

        /** Those of the given failed transactions whose records are all on the target (an identity set). */
        private Set<GuardedCommittable> committedBefore(List<Watched> failed) {
            if (superseded == null) {
                return Set.of();
            }
            List<GuardedCommittable> committables = new ArrayList<>(failed.size());
            for (Watched w : failed) {
                committables.add(w.request.getCommittable());
            }
            return superseded.committed(committables);
        }

        @Override
        public void close() throws Exception {
            delegate.close();
        }
    }

    /** A commit request, seen by the connector as its own, that remembers whether the connector gave it up. */
    private static final class Watched implements Committer.CommitRequest<KafkaCommittable> {
        private final Committer.CommitRequest<GuardedCommittable> request;
        Throwable failure;

        Watched(Committer.CommitRequest<GuardedCommittable> request) {
            this.request = request;
        }

        @Override
        public KafkaCommittable getCommittable() {
            return request.getCommittable().kafka();
        }

        @Override
        public int getNumberOfRetries() {
            return request.getNumberOfRetries();
        }

        @Override
        public void signalFailedWithKnownReason(Throwable t) {
            failure = t;
            request.signalFailedWithKnownReason(t);
        }

        @Override
        public void signalFailedWithUnknownReason(Throwable t) {
            request.signalFailedWithUnknownReason(t);
        }

        @Override
        public void retryLater() {
            request.retryLater();
        }

        @Override
        public void updateAndRetryLater(KafkaCommittable committable) {
            request.updateAndRetryLater(request.getCommittable().with(committable));
        }

        @Override
        public void signalAlreadyCommitted() {
            request.signalAlreadyCommitted();
        }

        @Override
        public String toString() {
            return request.toString();
        }
    }
}
