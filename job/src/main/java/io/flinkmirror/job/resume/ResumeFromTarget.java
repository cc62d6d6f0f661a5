package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.KafkaReader;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

    /** Target records that must match consecutive source records. */
    static final int WINDOW = 32;
    /** Source offsets read at most per partition to find them. */
    static final long MAX_SCAN = 2_000_000;
    /** Partitions looked up at a time. */
    static final int THREADS = 4;

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
                java.util.concurrent.CompletableFuture.supplyAsync(this::readProgress, READS),
                java.util.concurrent.CompletableFuture.supplyAsync(this::mm2Progress, READS)) : null);
    }

    /** The progress snapshot of this flow (settled: see {@link ProgressStore}); empty without a progress topic. */
    private ProgressStore.Snapshot<Progress> readProgress() {
        if (progressTopic == null) {
            return new ProgressStore.Snapshot<>(Map.of(), false, true);
        }
        return new ProgressStore(targetConsumerProps).progress(progressTopic);
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
                () -> took[0] = timed(() -> new LingeringTransactions(flow, targetAdminProps, transactionalIdPrefix)
                        .abortAndAwait(targets.values())), READS);
        ReadAhead ahead = readAhead == null ? null : readAhead.getAndSet(null); // for the first partitions only
        java.util.concurrent.CompletableFuture<ProgressStore.Snapshot<Progress>> snapshot = ahead != null
                ? ahead.progress() : java.util.concurrent.CompletableFuture.supplyAsync(this::readProgress, READS);
        java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> progressed =
                snapshot.thenApplyAsync(read -> committedProgress(targets, read), READS);
        java.util.concurrent.CompletableFuture<Map<TopicPartition, Long>> handedOver = ahead != null ? ahead.mm2()
                : java.util.concurrent.CompletableFuture.supplyAsync(this::mm2Progress, READS);
        long waited = System.nanoTime();
        Map<TopicPartition, Long> fromProgress = join(progressed);
        took[1] = (System.nanoTime() - waited) / 1_000_000; // what the start waited for it (read ahead or not)
        join(aborted);
        offsets.putAll(fromProgress);
        Map<TopicPartition, TopicPartition> rest = new LinkedHashMap<>(targets);
        rest.keySet().removeAll(fromProgress.keySet());

        // No progress of ours: nothing replicated yet, a target MirrorMaker 2 wrote, or one an earlier version wrote.
        int empty = 0;
        int byContent = 0;
        int fromMm2 = 0;
        List<TopicPartition> unknown = new ArrayList<>();
        long waitedMm2 = System.nanoTime();
        Map<TopicPartition, Long> mm2 = join(handedOver);
        took[2] = (System.nanoTime() - waitedMm2) / 1_000_000;
        long tails = System.nanoTime();
        Map<TopicPartition, TargetTail.Resume> resumes = rest.isEmpty() ? Map.of() : findAll(rest);
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
            resolveUnknown(unknown, resumes, retriever, offsets);
        }
        Map<TopicPartition, Long> starting = new HashMap<>(offsets);
        starting.keySet().removeAll(fromProgress.keySet());
        writeStartingProgress(starting);
        long report = System.nanoTime();
        reportAgainstSourceGroup(offsets, retriever);
        LOG.info("{} starting without state: {} partitions resume from their committed progress on {}, {} where "
                + "MirrorMaker 2's ends, {} after their last records found by content, {} at the earliest offset "
                + "(nothing on the target), {} unknown targets ({} ms: lingering transactions {} ms, waited for "
                + "progress {} ms, then for MirrorMaker 2's progress {} ms, target tails {} ms, source group {} ms)",
                flow, fromProgress.size(), targetAlias, fromMm2, byContent, empty, unknown.size(),
                (System.nanoTime() - start) / 1_000_000, took[0], took[1], took[2], tailsMs,
                (System.nanoTime() - report) / 1_000_000);
        return offsets;
    }

    /** Writes a progress of no records at each of {@code starting} (see {@link #withStartingProgress}). */
    private void writeStartingProgress(Map<TopicPartition, Long> starting) {
        if (progressTopic == null || targetProducerProps == null || starting.isEmpty()) {
            return;
        }
        java.util.Properties props = new java.util.Properties();
        props.putAll(targetProducerProps);
        props.remove("transactional.id");
        props.put("acks", "all");
        props.put("client.id", "flink-mirror-starting-progress-" + flow.replace("->", "-"));
        try (org.apache.kafka.clients.producer.KafkaProducer<byte[], byte[]> producer =
                     new org.apache.kafka.clients.producer.KafkaProducer<>(props,
                             new org.apache.kafka.common.serialization.ByteArraySerializer(),
                             new org.apache.kafka.common.serialization.ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (Map.Entry<TopicPartition, Long> e : starting.entrySet()) {
                if (e.getValue() < 0) {
                    continue;
                }
                Progress start = new Progress(e.getKey().topic(), e.getKey().partition(), e.getValue(), e.getValue(),
                        new long[0], new long[0]);
                sent.add(producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(progressTopic, 0,
                        start.recordKey(), start.recordValue())));
            }
            for (java.util.concurrent.Future<?> f : sent) {
                f.get(30, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(flow + " interrupted while writing its starting progress", e);
        } catch (Exception e) {
            LOG.warn("{} could not write the starting progress of {} partition(s) to {} ({}): should the first "
                    + "transaction of one of them be aborted on the target, the job stops for a start without state",
                    flow, starting.size(), progressTopic, e.toString());
        }
    }

    /** Threads for the independent reads of a start without state (daemons: they never hold a JVM up). */
    private static final java.util.concurrent.ExecutorService READS = java.util.concurrent.Executors.newCachedThreadPool(
            r -> {
                Thread thread = new Thread(r, "flink-mirror-resume-reads");
                thread.setDaemon(true);
                return thread;
            });

    private static long timed(Runnable action) {
        long t = System.nanoTime();
        action.run();
        return (System.nanoTime() - t) / 1_000_000;
    }

    /** The value of {@code future}, its failure rethrown as it was thrown. */
    private static <T> T join(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /**
     * Target partitions holding records nobody's committed progress accounts for: {@code flink.start.unknown-target}
     * decides; by default the flow stops naming them, since any position could copy records twice or skip some.
     */
    private void resolveUnknown(List<TopicPartition> unknown, Map<TopicPartition, TargetTail.Resume> resumes,
                                PartitionOffsetsRetriever retriever, Map<TopicPartition, Long> offsets) {
        if ("fail".equals(unknownTarget)) {
            for (TopicPartition tp : unknown) {
                LOG.error("{} {}: its target partition holds records with no committed progress of this flow or of "
                        + "MirrorMaker 2, and {}", flow, tp, resumes.get(tp).detail());
            }
            throw new org.apache.flink.util.FlinkRuntimeException(flow + " cannot tell where to resume " + unknown.size()
                    + " source partition(s) " + unknown + ": their target partitions hold records this flow did not "
                    + "commit progress for (another tool wrote them, or the progress topic " + progressTopic
                    + " was deleted). Set flink.start.unknown-target (or " + flow + ".flink.start.unknown-target) "
                    + "to source-group (start at the source consumer group's committed offset) or earliest (copy "
                    + "from the source's start), or empty the target partitions");
        }
        Map<TopicPartition, Long> earliest = retriever.beginningOffsets(unknown);
        Map<TopicPartition, Long> committed = "source-group".equals(unknownTarget)
                ? retriever.committedOffsets(unknown) : Map.of();
        for (TopicPartition tp : unknown) {
            Long offset = committed.get(tp);
            String from = "the source group's committed offset (flink.start.unknown-target=source-group)";
            if (offset == null || offset < 0) {
                offset = earliest.get(tp);
                from = "the earliest offset (flink.start.unknown-target=" + unknownTarget
                        + (committed.isEmpty() ? "" : ", no committed offset") + ")";
            }
            offsets.put(tp, offset);
            LOG.warn("{} {} starts at {} {}: its target partition holds records this flow has no committed progress "
                    + "for", flow, tp, from, offset);
        }
    }

    /**
     * Per source partition, where its latest progress committed on the target says it resumes; partitions without
     * progress, or whose progress points past what the target partition now holds (the target topic was deleted
     * and created again), are left out.
     */
    private Map<TopicPartition, Long> committedProgress(Map<TopicPartition, TopicPartition> targets,
                                                        ProgressStore.Snapshot<Progress> snapshot) {
        Map<TopicPartition, Long> out = new HashMap<>();
        if (progressTopic == null) {
            return out;
        }
        if (!snapshot.complete()) {
            throw new IllegalStateException(flow + " cannot read its progress: a transaction of another producer is "
                    + "open on " + progressTopic + " (another job replicating from " + sourceAlias + " to "
                    + targetAlias + " that stopped without ending it?); it ends at its transaction timeout, then "
                    + "the flow starts");
        }
        List<TopicPartition> withProgress = new ArrayList<>();
        for (TopicPartition tp : targets.keySet()) {
            if (snapshot.latest().containsKey(tp)) {
                withProgress.add(tp);
            }
        }
        if (withProgress.isEmpty()) {
            return out;
        }
        Map<TopicPartition, Long> ends;
        try (KafkaReader target = new KafkaReader(targetConsumerProps)) {
            ends = target.endOffsets(withProgress.stream().map(targets::get).toList());
        }
        for (TopicPartition tp : withProgress) {
            Progress p = snapshot.latest().get(tp);
            Long end = ends.get(targets.get(tp));
            if (end != null && p.nextTargetOffset() > end) {
                LOG.warn("{} {}: its committed progress ({}) points past the end of {} ({}): the target topic was "
                        + "created again; ignoring the progress", flow, tp, p, targets.get(tp), end);
                continue;
            }
            out.put(tp, p.nextSourceOffset());
            LOG.debug("{} {} resumes at {} from its committed progress ({})", flow, tp, p.nextSourceOffset(), p);
        }
        return out;
    }

    /** Where MirrorMaker 2's committed progress ends per source partition, if it left any on the target. */
    private Map<TopicPartition, Long> mm2Progress() {
        if (mm2OffsetsTopic == null) {
            return Map.of();
        }
        try {
            ProgressStore.Snapshot<Long> mm2 = new ProgressStore(targetConsumerProps)
                    .mm2Offsets(mm2OffsetsTopic, sourceAlias);
            if (mm2.exists() && !mm2.complete()) {
                LOG.warn("{} a transaction is open on {}: MirrorMaker 2 may still be running; stop it before "
                        + "handing over", flow, mm2OffsetsTopic);
            }
            return mm2.latest();
        } catch (RuntimeException e) {
            LOG.warn("{} could not read MirrorMaker 2's offsets in {}: {}", flow, mm2OffsetsTopic, e.toString());
            return Map.of();
        }
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
        findAll(targets).forEach((tp, resume) -> {
            if (resume.kind() != TargetTail.Kind.NOT_FOUND) {
                ends.put(tp, resume.sourceOffset());
            } else {
                LOG.debug("{} {}: {}", flow, tp, resume.detail());
            }
        });
        return ends;
    }

    /**
     * What the flow's progress committed on the target says of {@code sourcePartitions}, as visible now (a transaction
     * still open on the progress topic hides what was committed after it began): per partition, the source offset
     * after the last record committed, and whether nothing was hidden. Null when the flow writes no progress.
     */
    public ProgressStore.Snapshot<Long> committedProgress(Collection<TopicPartition> sourcePartitions) {
        if (progressTopic == null) {
            return null;
        }
        ProgressStore.Snapshot<Progress> snapshot = new ProgressStore(targetConsumerProps)
                .progress(progressTopic, java.time.Duration.ZERO);
        Map<TopicPartition, Long> ends = new HashMap<>();
        for (TopicPartition tp : sourcePartitions) {
            Progress p = snapshot.latest().get(tp);
            if (p != null) {
                ends.put(tp, p.nextSourceOffset());
            }
        }
        return new ProgressStore.Snapshot<>(ends, snapshot.exists(), snapshot.complete());
    }

    /**
     * Says where the target and the source group disagree: records the group counts as copied but the target lacks
     * (a run stopped before its last transactions committed, or they were lost) are copied again, one line per
     * partition with the range; a group behind the target is only counted.
     */
    private void reportAgainstSourceGroup(Map<TopicPartition, Long> offsets, PartitionOffsetsRetriever retriever) {
        Map<TopicPartition, Long> committed;
        try {
            committed = retriever.committedOffsets(offsets.keySet());
        } catch (RuntimeException e) {
            LOG.debug("{} could not read the source group's offsets: {}", flow, e.toString());
            return;
        }
        int behind = 0;
        KafkaReader source = null;
        try {
            for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
                Long group = committed.get(e.getKey());
                if (group == null || group < 0) {
                    continue;
                }
                if (group > e.getValue()) {
                    source = source != null ? source : new KafkaReader(sourceConsumerProps);
                    // Only transaction markers in between: nothing is copied again.
                    if (source.mayHaveRecords(e.getKey(), e.getValue(), group)) {
                        LOG.info("{} {}: source offsets {} to {} are not on the target although the source group "
                                + "committed {}: copying them again", flow, e.getKey(), e.getValue(), group - 1,
                                group);
                    }
                } else if (group < e.getValue()) {
                    behind++;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("{} could not compare with the source group's offsets: {}", flow, e.toString());
        } finally {
            if (source != null) {
                source.close();
            }
        }
        if (behind > 0) {
            LOG.info("{} the source group is behind the target on {} partition(s): what the target holds is not "
                    + "copied again", flow, behind);
        }
    }

    /** Looks every partition up, {@value #THREADS} partitions at a time, each thread with its own readers. */
    private Map<TopicPartition, TargetTail.Resume> findAll(Map<TopicPartition, TopicPartition> all) {
        // Target partitions that never held a record (a topic just created): no tail to read, in one request each.
        Map<TopicPartition, TargetTail.Resume> resumes = new ConcurrentHashMap<>();
        Map<TopicPartition, TopicPartition> targets = new LinkedHashMap<>(all);
        try (KafkaReader target = new KafkaReader(targetConsumerProps)) {
            Map<TopicPartition, Long> ends = target.endOffsets(all.values());
            Map<TopicPartition, Long> starts = target.beginningOffsets(all.values());
            List<TopicPartition> empty = new ArrayList<>();
            all.forEach((sourceTp, targetTp) -> {
                Long end = ends.get(targetTp);
                if (end != null && end == 0 && Long.valueOf(0).equals(starts.get(targetTp))) {
                    empty.add(sourceTp);
                }
            });
            if (!empty.isEmpty()) {
                try (KafkaReader source = new KafkaReader(sourceConsumerProps)) {
                    Map<TopicPartition, Long> sourceStarts = source.beginningOffsets(empty);
                    for (TopicPartition tp : empty) {
                        resumes.put(tp, new TargetTail.Resume(TargetTail.Kind.EMPTY_TARGET, sourceStarts.get(tp), 0,
                                -1, all.get(tp) + " never held a record"));
                        targets.remove(tp);
                    }
                }
            }
        }
        if (targets.isEmpty()) {
            return resumes;
        }
        List<List<Map.Entry<TopicPartition, TopicPartition>>> slices = new ArrayList<>();
        int threads = Math.min(THREADS, targets.size());
        for (int i = 0; i < threads; i++) {
            slices.add(new ArrayList<>());
        }
        int i = 0;
        for (Map.Entry<TopicPartition, TopicPartition> e : targets.entrySet()) {
            slices.get(i++ % threads).add(e);
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread thread = new Thread(r, flow + " resume lookup");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<Map.Entry<TopicPartition, TopicPartition>> slice : slices) {
                done.add(pool.submit(() -> {
                    try (KafkaReader source = KafkaReader.forScans(sourceConsumerProps);
                         KafkaReader target = KafkaReader.forScans(targetConsumerProps)) {
                        ReplicatedRecords replicated = new ReplicatedRecords(targetAlias, provenanceHeader)
                                .withTransforms(transformer, policy, sourceAlias);
                        TargetTail tail = new TargetTail(source, target, replicated, WINDOW, MAX_SCAN);
                        try {
                            for (Map.Entry<TopicPartition, TopicPartition> e : slice) {
                                resumes.put(e.getKey(), tail.find(e.getKey(), e.getValue()));
                            }
                        } finally {
                            replicated.close();
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(flow + " interrupted while looking up where to resume", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(flow + " could not read the target to find where to resume: "
                    + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return resumes;
    }

    @Override
    public OffsetResetStrategy getAutoOffsetResetStrategy() {
        return OffsetResetStrategy.EARLIEST;
    }
}
