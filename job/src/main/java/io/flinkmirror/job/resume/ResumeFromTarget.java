package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.KafkaReader;
import io.flinkmirror.udfs.offsets.TargetTail;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.record.ReplicatedRecords;
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
 * Starting offsets of a flow's source when it starts without state: each source partition resumes right after the
 * last of its records committed on the target ({@link TargetTail}), at the source's earliest offset when the target
 * partition holds nothing. The source consumer group's committed offsets are used only where the target's records
 * cannot be found in the source (the target was written by someone else, or the source no longer holds them): a WARN
 * per partition says so.
 *
 * <p>Flink calls it only for partitions that no restored state covers, on the job's first partition discovery.
 * Before reading the target, the transactions this flow's previous run left open there are aborted
 * ({@link LingeringTransactions}): without state nobody will commit them, and their records are copied again.
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
     * Partitions this initializer gave offsets since the enumerator started: the connector may ask again for a
     * partition whose split it has not handled yet (a discovery racing the previous one, see
     * {@link io.flinkmirror.job.source.OneSplitPerPartitionSource}); asked again, it gets no offset (so no second
     * split), and its target is not touched while this run may already write to it.
     */
    private transient Set<TopicPartition> initialized;

    /** A new enumerator starts (a job start or a global failover): every partition gets offsets again. */
    public void newEnumerator() {
        initialized = ConcurrentHashMap.newKeySet();
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
        Map<TopicPartition, TopicPartition> targets = new LinkedHashMap<>();
        for (TopicPartition tp : partitions) {
            targets.put(tp, new TopicPartition(policy.formatRemoteTopic(sourceAlias, tp.topic()), tp.partition()));
        }
        new LingeringTransactions(flow, targetAdminProps, transactionalIdPrefix).abortAndAwait(targets.values());

        List<TopicPartition> notFound = new ArrayList<>();
        int empty = 0;
        int found = 0;
        Map<TopicPartition, TargetTail.Resume> resumes = findAll(targets);
        for (Map.Entry<TopicPartition, TopicPartition> e : targets.entrySet()) {
            TargetTail.Resume resume = resumes.get(e.getKey());
            switch (resume.kind()) {
                case EMPTY_TARGET -> {
                    empty++;
                    offsets.put(e.getKey(), resume.sourceOffset());
                    LOG.debug("{} {} starts at the source's earliest offset {}: {}", flow, e.getKey(),
                            resume.sourceOffset(), resume.detail());
                }
                case FOUND -> {
                    found++;
                    offsets.put(e.getKey(), resume.sourceOffset());
                    LOG.debug("{} {} resumes at {}: {}", flow, e.getKey(), resume.sourceOffset(),
                            resume.detail());
                }
                case NOT_FOUND -> {
                    notFound.add(e.getKey());
                    LOG.warn("{} {}: {}", flow, e.getKey(), resume.detail());
                }
            }
        }
        reportAgainstSourceGroup(offsets, retriever);
        if (!notFound.isEmpty()) {
            Map<TopicPartition, Long> committed = retriever.committedOffsets(notFound);
            Map<TopicPartition, Long> earliest = retriever.beginningOffsets(notFound);
            for (TopicPartition tp : notFound) {
                Long offset = committed.get(tp);
                String from = "the source group's committed offset";
                if (offset == null || offset < 0) {
                    offset = earliest.get(tp);
                    from = "the earliest offset (no committed offset)";
                }
                offsets.put(tp, offset);
                LOG.warn("{} {} starts at {} {}: its target partition holds records this flow cannot find in the "
                        + "source (written by another producer, or deleted from the source since)", flow, tp, from,
                        offset);
            }
        }
        LOG.info("{} starting without state: {} partitions resume after their last record on {}, {} start at the "
                + "earliest offset (nothing on the target), {} from the source group ({} ms)", flow, found,
                targetAlias, empty, notFound.size(), (System.nanoTime() - start) / 1_000_000);
        return offsets;
    }

    /**
     * Per source partition, the source offset right after the last of its records committed on the target
     * ({@code read_committed}); the source's earliest offset when the target partition holds no committed record.
     * Partitions whose target records cannot be found in the source are left out. Unlike
     * {@link #getPartitionOffsets}, aborts nothing: a transaction still open on the target is simply not counted.
     */
    public Map<TopicPartition, Long> committedEnds(Collection<TopicPartition> sourcePartitions) {
        Map<TopicPartition, TopicPartition> targets = new LinkedHashMap<>();
        for (TopicPartition tp : sourcePartitions) {
            targets.put(tp, new TopicPartition(policy.formatRemoteTopic(sourceAlias, tp.topic()), tp.partition()));
        }
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
    private Map<TopicPartition, TargetTail.Resume> findAll(Map<TopicPartition, TopicPartition> targets) {
        List<List<Map.Entry<TopicPartition, TopicPartition>>> slices = new ArrayList<>();
        int threads = Math.min(THREADS, targets.size());
        for (int i = 0; i < threads; i++) {
            slices.add(new ArrayList<>());
        }
        int i = 0;
        for (Map.Entry<TopicPartition, TopicPartition> e : targets.entrySet()) {
            slices.get(i++ % threads).add(e);
        }
        Map<TopicPartition, TargetTail.Resume> resumes = new ConcurrentHashMap<>();
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
