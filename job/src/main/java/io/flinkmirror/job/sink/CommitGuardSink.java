package io.flinkmirror.job.sink;

import io.flinkmirror.udfs.progress.ProgressTracker;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
 * no longer be committed is never dropped silently.
 *
 * <p>flink-connector-kafka's committer logs such a transaction (aborted by the broker's transaction timeout while the
 * job was down, or fenced) and goes on: its records would then be lost on the target, since the restored source
 * offsets are past them. Here the committer reads the flow's committed progress on the target
 * ({@link SupersededCommits#judge}) and:
 * <ul>
 *   <li>committed after all (with pooled transactional ids the connector reuses an id as soon as its commit
 *       succeeded, so a job restored from a checkpoint whose transactions were committed and whose ids were reused
 *       since gets {@code ProducerFencedException} when it commits them again: FLINK-40626): one INFO line, the id is
 *       fenced (ending the transaction its reuse may have left open), and the job goes on;</li>
 *   <li>aborted, a transaction of the restored checkpoint, with the committed progress ending at or before its first
 *       source offset on each of its partitions: one WARN line naming its source ranges, counted in
 *       {@code transactions-copied-again}; the later restored transactions of this committer are ended
 *       uncommitted (none may commit past the records to copy again), and the restored source readers rewind to
 *       the committed progress ({@link io.flinkmirror.job.source.RewindToCommittedProgress}): the records are copied
 *       again and the rest of the state stays;</li>
 *   <li>the same while the job runs (a commit that came after the transaction timeout): the job fails and restarts
 *       from its last checkpoint, which still holds the transaction (the commit runs before the next snapshot), and
 *       the case above applies;</li>
 *   <li>anything else (no committed progress to rewind to: a target an earlier version wrote, or whose progress topic
 *       was deleted; a partition's first transaction has its starting progress, see
 *       {@link io.flinkmirror.job.resume.ResumeFromTarget#withStartingProgress}): the job fails without restarting ({@link SuppressRestartsException}) before a later transaction
 *       can commit, with one ERROR naming the flow, the transactions, the source ranges their records held and the
 *       remedy: start the flow without state, which resumes every partition from what the target holds
 *       ({@code bin/mirror run} does that by itself). Counted in {@code transactions-lost}.</li>
 * </ul>
 * Invariants: no transaction of a completed checkpoint is ever dropped without one of the outcomes above; no later
 * transaction of the committer commits past records that are to be copied again; the writer and its state are the
 * connector's (savepoints restore with or without the guard).
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
        long start = System.nanoTime();
        if (progressTopic == null) {
            return ready(new RangeTrackingWriter(delegate.createWriter(context))
                    .restoredFrom(context.getRestoredCheckpointId()), context, start);
        }
        ProgressTracker tracker = new ProgressTracker(progressTopic);
        return ready(new RangeTrackingWriter(delegate.createWriter(acknowledging(context, tracker)), tracker,
                progressTopic, exactlyOnce).restoredFrom(context.getRestoredCheckpointId()), context, start);
    }

    /** Logs how long the connector's writer took to start (its lingering transactions aborted, producer ready). */
    private static RangeTrackingWriter ready(RangeTrackingWriter writer, WriterInitContext context, long startNanos) {
        LOG.info("Sink writer {} ready in {} ms", context.getTaskInfo().getIndexOfThisSubtask(),
                (System.nanoTime() - startNanos) / 1_000_000);
        return writer;
    }

    @Override
    public StatefulSinkWriter<MirrorRecord, KafkaWriterState> restoreWriter(WriterInitContext context,
            Collection<KafkaWriterState> recoveredState) throws IOException {
        if (progressTopic == null) {
            return new RangeTrackingWriter(delegate.restoreWriter(context, recoveredState))
                    .restoredFrom(context.getRestoredCheckpointId());
        }
        long start = System.nanoTime();
        ProgressTracker tracker = new ProgressTracker(progressTopic);
        return ready(new RangeTrackingWriter(delegate.restoreWriter(acknowledging(context, tracker), recoveredState),
                tracker, progressTopic, exactlyOnce).restoredFrom(context.getRestoredCheckpointId()), context, start);
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
        Counter copiedAgain = context.metricGroup().counter("transactions-copied-again");
        return new GuardedCommitter(flow, committerDecorator.apply(delegate.createCommitter(context)), lost,
                copiedAgain, superseded, context.getRestoredCheckpointId().orElse(-1));
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
     * Judges every commit the connector could not make and would drop ({@link SupersededCommits.Verdict}): committed
     * before a restart goes on; copied again (transactions of the restored checkpoint: the restored source readers
     * rewind to the committed progress) goes on too, after ending the later restored transactions of this committer
     * unseen (so that none commits past the records to copy again); a live commit that fails restarts the job, which
     * then judges it as a restored one; anything else stops the job for a start without state.
     */
    private static final class GuardedCommitter implements Committer<GuardedCommittable> {
        private final String flow;
        private final Committer<KafkaCommittable> delegate;
        private final Counter lost;
        private final Counter copiedAgain;
        private final SupersededCommits superseded;
        /** The checkpoint this committer's job was restored from, or -1. */
        private final long restoredCheckpointId;
        /** Set once a restored transaction is to be copied again: later restored ones are ended, not committed. */
        private boolean rewinding;

        GuardedCommitter(String flow, Committer<KafkaCommittable> delegate, Counter lost, Counter copiedAgain,
                         SupersededCommits superseded, long restoredCheckpointId) {
            this.flow = flow;
            this.delegate = delegate;
            this.lost = lost;
            this.copiedAgain = copiedAgain;
            this.superseded = superseded;
            this.restoredCheckpointId = restoredCheckpointId;
        }

        private boolean restored(GuardedCommittable committable) {
            return restoredCheckpointId >= 0 && committable.restoredWith(restoredCheckpointId);
        }

        @Override
        public void commit(Collection<CommitRequest<GuardedCommittable>> requests)
                throws IOException, InterruptedException {
            List<Watched> watched = new ArrayList<>(requests.size());
            List<Watched> ended = new ArrayList<>();
            for (CommitRequest<GuardedCommittable> request : requests) {
                if (rewinding && restored(request.getCommittable())) {
                    ended.add(new Watched(request));
                } else {
                    watched.add(new Watched(request));
                }
            }
            if (!ended.isEmpty()) {
                endUncommitted(ended);
            }
            if (watched.isEmpty()) {
                return;
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
            Map<GuardedCommittable, SupersededCommits.Verdict> verdicts = judge(failed);
            List<Watched> gone = new ArrayList<>();
            List<Watched> again = new ArrayList<>();
            for (Watched w : failed) {
                GuardedCommittable committable = w.request.getCommittable();
                String transactionalId = committable.kafka().getTransactionalId();
                switch (verdicts.get(committable)) {
                    case COMMITTED -> {
                        LOG.info("{} transaction {} was committed before the restart; its id was reused since "
                                + "({}): its records are on the target ({})", flow, transactionalId,
                                w.failure.getClass().getSimpleName(), committable.sourceRanges());
                        // The transaction begun on this id after the restored checkpoint may still be open on the
                        // target, holding back read_committed readers until its timeout (the connector's abort on
                        // restore skips the ids of restored transactions). Ending it is safe: its records, and those
                        // of any transaction begun after the restored checkpoint, are replicated again from the
                        // restored source offsets; and the writer does not use this id until the committer has
                        // finished with it (the id is among the restored transactions of the writer that owns it,
                        // freed only when the writer, at its next checkpoint on this same task thread, reads that
                        // this commit finished).
                        superseded.endOpenTransaction(transactionalId);
                    }
                    case COPY_AGAIN -> again.add(w);
                    case LOST -> gone.add(w);
                }
            }
            if (!gone.isEmpty()) {
                failLost(gone);
            }
            for (Watched w : again) {
                GuardedCommittable committable = w.request.getCommittable();
                if (!restored(committable)) {
                    // The running readers are past its records: restart from the last checkpoint, which holds this
                    // transaction again (this commit runs before the next snapshot), and judge it as restored.
                    String message = "Transaction " + committable.kafka().getTransactionalId() + " of " + flow
                            + " could not be committed (" + w.failure + "; transaction timeout shorter than a "
                            + "checkpoint and its commit?): restarting from the last checkpoint to copy "
                            + committable.sourceRanges() + " again";
                    LOG.warn(message);
                    throw new IllegalStateException(message, w.failure);
                }
                copiedAgain.inc();
                rewinding = true;
                LOG.warn("{} transaction {} of the restored checkpoint was aborted on the target ({}; the job was "
                        + "down longer than the transaction timeout?): the restored source readers rewind to the "
                        + "flow's committed progress and copy {} again", flow, committable.kafka()
                        .getTransactionalId(), w.failure.getClass().getSimpleName(), committable.sourceRanges());
            }
        }

        /**
         * Ends the restored transactions that follow one to be copied again, without committing them (their records
         * are copied again too), and judges them as failed ones.
         */
        private void endUncommitted(List<Watched> ended) throws IOException {
            for (Watched w : ended) {
                superseded.endOpenTransaction(w.request.getCommittable().kafka().getTransactionalId());
            }
            Map<GuardedCommittable, SupersededCommits.Verdict> verdicts = judge(ended);
            List<Watched> gone = new ArrayList<>();
            for (Watched w : ended) {
                GuardedCommittable committable = w.request.getCommittable();
                if (verdicts.get(committable) == SupersededCommits.Verdict.LOST) {
                    gone.add(w);
                    w.failure = new IllegalStateException("ended uncommitted after an earlier transaction was lost");
                    continue;
                }
                copiedAgain.inc();
                LOG.warn("{} transaction {} of the restored checkpoint follows one that was aborted: ended "
                        + "uncommitted, {} is copied again", flow, committable.kafka().getTransactionalId(),
                        committable.sourceRanges());
                w.request.signalFailedWithKnownReason(new IllegalStateException(
                        "ended uncommitted: an earlier transaction of the restored checkpoint was aborted; "
                                + "its records are copied again"));
            }
            if (!gone.isEmpty()) {
                failLost(gone);
            }
        }

        private Map<GuardedCommittable, SupersededCommits.Verdict> judge(List<Watched> failed) {
            Map<GuardedCommittable, SupersededCommits.Verdict> verdicts = new java.util.IdentityHashMap<>();
            List<GuardedCommittable> committables = new ArrayList<>(failed.size());
            for (Watched w : failed) {
                committables.add(w.request.getCommittable());
                verdicts.put(w.request.getCommittable(), SupersededCommits.Verdict.LOST);
            }
            if (superseded != null) {
                verdicts.putAll(superseded.judge(committables));
            }
            return verdicts;
        }

        /** Stops the job without restarts: start it without state (the records of {@code gone} are not on the target). */
        private void failLost(List<Watched> gone) {
            List<String> transactions = new ArrayList<>();
            List<String> ranges = new ArrayList<>();
            Throwable cause = null;
            for (Watched w : gone) {
                GuardedCommittable committable = w.request.getCommittable();
                transactions.add(committable.kafka().getTransactionalId());
                ranges.add(committable.sourceRanges() == null ? "unknown (restored from a savepoint of an older "
                        + "version)" : committable.sourceRanges());
                cause = w.failure;
            }
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
