package io.flinkmirror.udfs.offsets;

import org.apache.kafka.common.TopicPartition;

/** Whether a committed source record may lie in {@code [from, to)} of a partition (a read of the source). */
@FunctionalInterface
public interface SourceProbe {
    boolean mayHaveRecords(TopicPartition tp, long from, long to);
}
