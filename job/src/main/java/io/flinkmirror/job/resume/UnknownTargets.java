package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.TargetTail;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer.PartitionOffsetsRetriever;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a start without state does with target partitions whose records no committed progress accounts for. */
final class UnknownTargets {

    private static final Logger LOG = LoggerFactory.getLogger(ResumeFromTarget.class);

    private UnknownTargets() {}

    /**
     * Target partitions holding records nobody's committed progress accounts for: {@code flink.start.unknown-target}
     * decides; by default the flow stops naming them, since any position could copy records twice or skip some.
     */
    static void resolve(String flow, String unknownTarget, String progressTopic, List<TopicPartition> unknown,
                        Map<TopicPartition, TargetTail.Resume> resumes, PartitionOffsetsRetriever retriever,
                        Map<TopicPartition, Long> offsets) {
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
}
