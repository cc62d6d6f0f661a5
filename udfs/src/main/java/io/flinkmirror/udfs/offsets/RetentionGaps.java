package io.flinkmirror.udfs.offsets;

import java.util.function.Supplier;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Source records deleted before they were replicated (keyed state of {@link OffsetMappingFunction}). MirrorMaker 2
 * skips them silently (its consumer resets to the log start, e.g. after the job was stopped past the retention). Here,
 * when the first source offset of new writes is past the offset after the previous writes (known from state, so after
 * a restore too), and the source's log now starts past that offset, the range is reported in one line and counted in
 * {@code records-lost-to-retention} (control markers and aborted records in the range count too). Other gaps
 * (markers, aborted transactions, compaction) cost one log-start lookup and are not reported.
 */
final class RetentionGaps {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetMappingFunction.class);

    private final String flow;
    /** The source offset after the last one written, per partition. */
    private final ValueState<Long> nextUpstream;
    private final Counter lost;

    RetentionGaps(RuntimeContext context, String flow) {
        this.flow = flow;
        nextUpstream = context.getState(new ValueStateDescriptor<>("next-upstream", Types.LONG));
        lost = context.getMetricGroup().counter("records-lost-to-retention");
    }

    /** Checks the gap before {@code writes} ({@code source} reads the source's log start when there is one). */
    void check(PartitionWrites writes, Supplier<KafkaReader> source) throws Exception {
        if (writes.runStarts.length == 0) {
            return;
        }
        Long expected = nextUpstream.value();
        long first = writes.runStarts[0];
        int last = writes.runStarts.length - 1;
        nextUpstream.update(Math.max(expected == null ? 0 : expected,
                writes.runStarts[last] + writes.runLengths[last]));
        if (expected == null || first <= expected) {
            return;
        }
        TopicPartition tp = new TopicPartition(writes.sourceTopic, writes.partition);
        long logStart = source.get().beginningOffset(tp);
        if (logStart > expected) {
            long lostEnd = Math.min(logStart, first);
            lost.inc(lostEnd - expected);
            LOG.warn("{} {}: source offsets {} to {} were deleted on the source (retention or deleteRecords) before "
                    + "they were replicated: {} offsets lost, replication continues at {}", flow, tp, expected,
                    lostEnd - 1, lostEnd - expected, first);
        }
    }
}
