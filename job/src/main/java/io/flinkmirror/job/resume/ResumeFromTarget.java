package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.TargetTail;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressStore;
import io.flinkmirror.udfs.replicate.ReplicatedRecords;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starting offsets of a flow's source when it starts without state: each source partition resumes where the flow's
 * newest progress committed on the target says ({@link io.flinkmirror.udfs.progress.Progress}, written in the same
 * transaction as the records), whatever compaction, retention or transforms did to the records since. Partitions
 * without progress: where MirrorMaker 2's committed progress ends (a hand-over, {@code mm2-offsets.<source>.internal});
 * at the source's earliest offset when the target partition holds nothing; after the target's last records found in
 * the source by content ({@link TargetTail}; targets an earlier version wrote); anything else as
 * {@code flink.start.unknown-target} says (by default the flow stops, naming the partitions). The source consumer
 * group's committed offsets are a start position only when that key asks for it.
 *
 * <p>Flink calls it only for partitions that no restored state covers, on the job's first partition discovery (and
 * for partitions discovered later). Before reading the target, the transactions this flow's previous run left open
 * on the target partitions are aborted ({@link LingeringTransactions}): without state nobody will commit them, and
 * their records are copied again; the progress read waits for the transactions open on the progress topic to end.
 */
public final class ResumeFromTarget implements OffsetsInitializer {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ResumeFromTarget.class);


    private final String flow;
    private final String sourceAlias;
    private final String targetAlias;
    private final ReplicationPolicy policy;
    private final boolean provenanceHeader;
    private final String transactionalIdPrefix;
    private final HashMap<String, String> sourceConsumerProps;
    private final HashMap<String, String> targetConsumerProps;
    private final HashMap<String, String> targetAdminProps;
    private RecordTransformer transformer;
    private String progressTopic;
    private String mm2OffsetsTopic;
    private String unknownTarget = "fail";
    /** The sink's producer properties, to write starting progress with; null: none is written. */
    private HashMap<String, String> targetProducerProps;

    public ResumeFromTarget(String flow, String sourceAlias, String targetAlias, ReplicationPolicy policy,
                            boolean provenanceHeader, String transactionalIdPrefix,
                            Map<String, String> sourceConsumerProps, Map<String, String> targetConsumerProps,
                            Map<String, String> targetAdminProps) {
        this.flow = Objects.requireNonNull(flow, "flow");
        this.sourceAlias = Objects.requireNonNull(sourceAlias, "sourceAlias");
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.provenanceHeader = provenanceHeader;
        this.transactionalIdPrefix = Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix");
        this.sourceConsumerProps = new HashMap<>(sourceConsumerProps);
        this.targetConsumerProps = new HashMap<>(targetConsumerProps);
        this.targetAdminProps = new HashMap<>(targetAdminProps);
    }

    /**
     * Compares the target's records with what the flow's transforms and record function make of the source records
     * (filtered ones are not on the target; changed ones differ from their source): see
     * {@link ReplicatedRecords#withTransforms}. A transform that does not give the same output each time makes the
     * records unrecognisable: those partitions then fall back to the source group's offsets, with one WARN each.
     */
    public ResumeFromTarget withTransforms(RecordTransformer recordTransformer) {
        this.transformer = recordTransformer;
        return this;
    }

    /**
     * Resumes from the flow's committed progress in {@code progressTopic} first, then from MirrorMaker 2's in
     * {@code mm2OffsetsTopic} (a hand-over), then by content; target partitions none of them accounts for are
     * handled as {@code unknownTarget} says ({@code fail}, {@code source-group} or {@code earliest}).
     */
    public ResumeFromTarget withProgress(String progressTopic, String mm2OffsetsTopic, String unknownTarget) {
        this.progressTopic = Objects.requireNonNull(progressTopic, "progressTopic");
        this.mm2OffsetsTopic = mm2OffsetsTopic;
        this.unknownTarget = Objects.requireNonNull(unknownTarget, "unknownTarget");
        return this;
    }

    /**
     * Before a partition without committed progress gets its first split, its starting offset is written to the
     * progress topic as a progress of no records (with {@code targetProducerProps}, outside any transaction): so
     * that a partition's first transaction, aborted on the target, is copied again from there like any later one
     * (see the sink's committer), and a later start without state resumes there without deciding again.
     */
    public ResumeFromTarget withStartingProgress(Map<String, String> targetProducerProps) {
        this.targetProducerProps = new HashMap<>(targetProducerProps);
        return this;
    }

    /**
     * Partitions this initializer gave offsets since the enumerator started: the connector may ask again for a
     * partition whose split it has not handled yet (a discovery racing the previous one, see
     * {@link io.flinkmirror.job.source.OneSplitPerPartitionSource}); asked again, it gets no offset (so no second
     * split), and its target is not touched while this run may already write to it.
     */
    private transient Set<TopicPartition> initialized;

    /** The committed progress and MirrorMaker 2's, read ahead at a start without state ({@link #newEnumerator}). */
    private transient java.util.concurrent.atomic.AtomicReference<ReadAhead> readAhead;

    private record ReadAhead(java.util.concurrent.CompletableFuture<ProgressStore.Snapshot<Progress>> progress,
                             java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> mm2) {}

    /** A new enumerator starts (a job start or a global failover): every partition gets offsets again. */
    public void newEnumerator() {
        newEnumerator(false);
    }

    /**
     * A new enumerator starts; with {@code withoutState}, the committed progress (ours and MirrorMaker 2's) is read
     * at once, while the topics are discovered and created, for the first partitions' offsets: this run commits no
     * progress before its first split, so what is read now is what would be read then.
     */
    public void newEnumerator(boolean withoutState) {
        initialized = ConcurrentHashMap.newKeySet();
        readAhead = new java.util.concurrent.atomic.AtomicReference<>(withoutState ? new ReadAhead(
                java.util.concurrent.CompletableFuture.supplyAsync(progress()::read, Reads.POOL),
                java.util.concurrent.CompletableFuture.supplyAsync(progress()::mm2, Reads.POOL)) : null);
    }

    @Override
    public Map<TopicPartition, Long> getPartitionOffsets(Collection<TopicPartition> asked,
                                                         PartitionOffsetsRetriever retriever) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (initialized == null) {
            newEnumerator();
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (TopicPartition tp : asked) {
            if (initialized.add(tp)) {
                partitions.add(tp);
            }
        }
        if (partitions.size() < asked.size()) {
            LOG.info("{} asked again for the starting offsets of {} partition(s) whose splits are on their way: "
                    + "ignored", flow, asked.size() - partitions.size());
        }
        if (partitions.isEmpty()) {
            return offsets;
        }
        long start = System.nanoTime();
        Map<TopicPartition, TopicPartition> targets = targetsOf(partitions);
        // Independent reads run side by side (each costs a client and a few round trips): the aborts of lingering
        // transactions on the target partitions (not the progress topic: this job's running transactions may be
        // open there, for partitions discovered while running; the progress read waits for the transactions open
        // when it starts to end instead), the committed progress, and MirrorMaker 2's progress.
        long[] took = new long[3];
        java.util.concurrent.CompletableFuture<Void> aborted = java.util.concurrent.CompletableFuture.runAsync(
                () -> took[0] = Reads.timed(() -> new LingeringTransactions(flow, targetAdminProps, transactionalIdPrefix)
                        .abortAndAwait(targets.values())), Reads.POOL);
        ReadAhead ahead = readAhead == null ? null : readAhead.getAndSet(null); // for the first partitions only
        java.util.concurrent.CompletableFuture<ProgressStore.Snapshot<Progress>> snapshot = ahead != null
                ? ahead.progress() : java.util.concurrent.CompletableFuture.supplyAsync(progress()::read, Reads.POOL);
        java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> progressed =
                snapshot.thenApplyAsync(read -> progress().resumeFrom(targets, read), Reads.POOL);
        java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> handedOver = ahead != null ? ahead.mm2()
                : java.util.concurrent.CompletableFuture.supplyAsync(progress()::mm2, Reads.POOL);
        long waited = System.nanoTime();
        Map<TopicPartition, Long> fromProgress = Reads.join(progressed);
        took[1] = (System.nanoTime() - waited) / 1_000_000; // what the start waited for it (read ahead or not)
        Reads.join(aborted);
        offsets.putAll(fromProgress);
        Map<TopicPartition, TopicPartition> rest = new LinkedHashMap<>(targets);
        rest.keySet().removeAll(fromProgress.keySet());

        // No progress of ours: nothing replicated yet, a target MirrorMaker 2 wrote, or one an earlier version wrote.
        int empty = 0;
        int byContent = 0;
        int fromMm2 = 0;
        List<TopicPartition> unknown = new ArrayList<>();
        long waitedMm2 = System.nanoTime();
        Map<TopicPartition, Long> mm2 = Reads.join(handedOver);
        took[2] = (System.nanoTime() - waitedMm2) / 1_000_000;
        long tails = System.nanoTime();
        Map<TopicPartition, TargetTail.Resume> resumes = rest.isEmpty() ? Map.of() : tails().findAll(rest);
        long tailsMs = (System.nanoTime() - tails) / 1_000_000;
        for (Map.Entry<TopicPartition, TopicPartition> e : rest.entrySet()) {
            TopicPartition tp = e.getKey();
            TargetTail.Resume resume = resumes.get(tp);
            Long handOver = mm2.get(tp);
            if (handOver != null) {
                fromMm2++;
                offsets.put(tp, handOver);
                LOG.info("{} {} resumes at {}: where MirrorMaker 2's committed progress ends ({})", flow, tp,
                        handOver, mm2OffsetsTopic);
            } else if (resume.kind() == TargetTail.Kind.EMPTY_TARGET) {
                empty++;
                offsets.put(tp, resume.sourceOffset());
                LOG.debug("{} {} starts at the source's earliest offset {}: {}", flow, tp, resume.sourceOffset(),
                        resume.detail());
            } else if (resume.kind() == TargetTail.Kind.FOUND) {
                byContent++;
                offsets.put(tp, resume.sourceOffset());
                LOG.info("{} {} has no committed progress: its target's last records were found in the source "
                        + "(written by an earlier version or another copy), resuming at {}: {}", flow, tp,
                        resume.sourceOffset(), resume.detail());
            } else {
                unknown.add(tp);
            }
        }
        if (!unknown.isEmpty()) {
            UnknownTargets.resolve(flow, unknownTarget, progressTopic, unknown, resumes, retriever, offsets);
        }
        Map<TopicPartition, Long> starting = new HashMap<>(offsets);
        starting.keySet().removeAll(fromProgress.keySet());
        StartingProgress.write(flow, progressTopic, targetProducerProps, starting);
        long report = System.nanoTime();
        SourceGroupReport.report(flow, sourceConsumerProps, offsets, retriever);
        LOG.info("{} starting without state: {} partitions resume from their committed progress on {}, {} where "
                + "MirrorMaker 2's ends, {} after their last records found by content, {} at the earliest offset "
                + "(nothing on the target), {} unknown targets ({} ms: lingering transactions {} ms, waited for "
                + "progress {} ms, then for MirrorMaker 2's progress {} ms, target tails {} ms, source group {} ms)",
                flow, fromProgress.size(), targetAlias, fromMm2, byContent, empty, unknown.size(),
                (System.nanoTime() - start) / 1_000_000, took[0], took[1], took[2], tailsMs,
                (System.nanoTime() - report) / 1_000_000);
        return offsets;
    }

    private Map<TopicPartition, TopicPartition> targetsOf(Collection<TopicPartition> sourcePartitions) {
        Map<TopicPartition, TopicPartition> targets = new LinkedHashMap<>();
        for (TopicPartition tp : sourcePartitions) {
            targets.put(tp, new TopicPartition(policy.formatRemoteTopic(sourceAlias, tp.topic()), tp.partition()));
        }
        return targets;
    }

    /**
     * Per source partition, the source offset right after the last of its records committed on the target
     * ({@code read_committed}), found by content (for targets without progress: see {@link #committedProgress}); the
     * source's earliest offset when the target partition holds no committed record. Partitions whose target records
     * cannot be found are left out. Unlike {@link #getPartitionOffsets}, aborts nothing: a transaction still open on
     * the target is simply not counted.
     */
    public Map<TopicPartition, Long> committedEnds(Collection<TopicPartition> sourcePartitions) {
        Map<TopicPartition, TopicPartition> targets = targetsOf(sourcePartitions);
        Map<TopicPartition, Long> ends = new HashMap<>();
        if (targets.isEmpty()) {
            return ends;
        }
        tails().findAll(targets).forEach((tp, resume) -> {
            if (resume.kind() != TargetTail.Kind.NOT_FOUND) {
                ends.put(tp, resume.sourceOffset());
            } else {
                LOG.debug("{} {}: {}", flow, tp, resume.detail());
            }
        });
        return ends;
    }

    /**
     * What the flow's progress committed on the target says of {@code sourcePartitions}, as visible now (see
     * {@link CommittedProgress#visible}); null when the flow writes no progress.
     */
    public ProgressStore.Snapshot<Long> committedProgress(Collection<TopicPartition> sourcePartitions) {
        return progress().visible(sourcePartitions);
    }

    private CommittedProgress progress() {
        return new CommittedProgress(flow, sourceAlias, targetAlias, progressTopic, mm2OffsetsTopic,
                targetConsumerProps);
    }

    private TargetTails tails() {
        return new TargetTails(flow, sourceAlias, targetAlias, policy, provenanceHeader, transformer,
                sourceConsumerProps, targetConsumerProps);
    }

    @Override
    public OffsetResetStrategy getAutoOffsetResetStrategy() {
        return OffsetResetStrategy.EARLIEST;
    }
}
