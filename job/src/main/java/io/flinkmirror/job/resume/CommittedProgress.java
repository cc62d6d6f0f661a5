package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.KafkaReader;
import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A flow's progress committed on the target (its progress topic) and MirrorMaker 2's (a hand-over), read for a start
 * without state ({@link ResumeFromTarget}) and for the commit guard. Reads only; every read sees what is committed.
 */
final class CommittedProgress {

    private static final Logger LOG = LoggerFactory.getLogger(ResumeFromTarget.class);

    private final String flow;
    private final String sourceAlias;
    private final String targetAlias;
    private final String progressTopic;
    private final String mm2OffsetsTopic;
    private final Map<String, String> targetConsumerProps;

    CommittedProgress(String flow, String sourceAlias, String targetAlias, String progressTopic, String mm2OffsetsTopic,
                      Map<String, String> targetConsumerProps) {
        this.flow = flow;
        this.sourceAlias = sourceAlias;
        this.targetAlias = targetAlias;
        this.progressTopic = progressTopic;
        this.mm2OffsetsTopic = mm2OffsetsTopic;
        this.targetConsumerProps = targetConsumerProps;
    }

    /** The progress snapshot of this flow (settled: see {@link ProgressStore}); empty without a progress topic. */
    ProgressStore.Snapshot<Progress> read() {
        if (progressTopic == null) {
            return new ProgressStore.Snapshot<>(Map.of(), false, true);
        }
        return new ProgressStore(targetConsumerProps).progress(progressTopic);
    }

    /**
     * Per source partition, where its latest progress committed on the target says it resumes; partitions without
     * progress, or whose progress points past what the target partition now holds (the target topic was deleted
     * and created again), are left out.
     */
    Map<TopicPartition, Long> resumeFrom(Map<TopicPartition, TopicPartition> targets,
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
    Map<TopicPartition, Long> mm2() {
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

    /**
     * What the flow's progress committed on the target says of {@code sourcePartitions}, as visible now (a transaction
     * still open on the progress topic hides what was committed after it began): per partition, the source offset
     * after the last record committed, and whether nothing was hidden. Null when the flow writes no progress.
     */
    ProgressStore.Snapshot<Long> visible(Collection<TopicPartition> sourcePartitions) {
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
}
