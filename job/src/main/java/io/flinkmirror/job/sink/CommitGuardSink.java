package io.flinkmirror.job.sink;

import io.flinkmirror.udfs.progress.ProgressTracker;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.io.IOException;
import java.util.Collection;
import java.util.Objects;
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
}
