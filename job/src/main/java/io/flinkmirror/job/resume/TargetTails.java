package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.KafkaReader;
import io.flinkmirror.udfs.offsets.TargetTail;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.replicate.ReplicatedRecords;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.common.TopicPartition;

/**
 * Where each source partition's copy ends on the target, found by content ({@link TargetTail}): for targets without
 * committed progress (written by an earlier version or another copy). Target partitions that never held a record are
 * answered from offsets alone; the others are read {@value #THREADS} partitions at a time, each thread with its own
 * readers.
 */
final class TargetTails {

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
    private final RecordTransformer transformer;
    private final Map<String, String> sourceConsumerProps;
    private final Map<String, String> targetConsumerProps;

    TargetTails(String flow, String sourceAlias, String targetAlias, ReplicationPolicy policy, boolean provenanceHeader,
                RecordTransformer transformer, Map<String, String> sourceConsumerProps,
                Map<String, String> targetConsumerProps) {
        this.flow = flow;
        this.sourceAlias = sourceAlias;
        this.targetAlias = targetAlias;
        this.policy = policy;
        this.provenanceHeader = provenanceHeader;
        this.transformer = transformer;
        this.sourceConsumerProps = sourceConsumerProps;
        this.targetConsumerProps = targetConsumerProps;
    }

    /** Looks every partition up, {@value #THREADS} partitions at a time, each thread with its own readers. */
    Map<TopicPartition, TargetTail.Resume> findAll(Map<TopicPartition, TopicPartition> all) {
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
}
