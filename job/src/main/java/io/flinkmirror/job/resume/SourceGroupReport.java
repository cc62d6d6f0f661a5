package io.flinkmirror.job.resume;

import io.flinkmirror.udfs.offsets.KafkaReader;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer.PartitionOffsetsRetriever;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A start without state compared with the source consumer group's committed offsets, for the log. */
final class SourceGroupReport {

    private static final Logger LOG = LoggerFactory.getLogger(ResumeFromTarget.class);

    private SourceGroupReport() {}

    /**
     * Says where the target and the source group disagree: records the group counts as copied but the target lacks
     * (a run stopped before its last transactions committed, or they were lost) are copied again, one line per
     * partition with the range; a group behind the target is only counted.
     */
    static void report(String flow, Map<String, String> sourceConsumerProps, Map<TopicPartition, Long> offsets,
                       PartitionOffsetsRetriever retriever) {
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
}
