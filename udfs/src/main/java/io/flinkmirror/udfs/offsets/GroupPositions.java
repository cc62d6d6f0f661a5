package io.flinkmirror.udfs.offsets;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where each consumer group sits on one source partition (keyed state of {@link OffsetMappingFunction}), so that the
 * runs a group may still need stay exact ({@link OffsetRuns#retire}). Invariant: a group counts for
 * {@link #ROUNDS_KEPT} poll rounds (end-offset markers) after it was last seen, then it is forgotten (a group deleted,
 * or one whose listing failed), so a vanished group does not hold the history for ever.
 */
final class GroupPositions {

    /** Poll rounds a group's position counts after it was last seen. */
    static final long ROUNDS_KEPT = 5;
    /** Runs stay exact at least this long, for groups not seen yet ({@link OffsetRuns#retire}). */
    static final long GRACE_MS = 10 * 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(OffsetMappingFunction.class);

    /** Per group: {committed source offset, poll round last seen}. */
    private final MapState<String, long[]> positions;
    /** Poll rounds seen so far. */
    private final ValueState<Long> round;

    GroupPositions(RuntimeContext context) {
        positions = context.getMapState(new MapStateDescriptor<>("group-positions", Types.STRING,
                PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        round = context.getState(new ValueStateDescriptor<>("poll-round", Types.LONG));
    }

    /** Records a group's committed offset, or, for an end-offset marker, the end of a poll round. */
    void track(GroupOffset offset) throws Exception {
        long current = current();
        if (!offset.endOffset) {
            positions.put(offset.group, new long[] {offset.offset, current});
            return;
        }
        current++;
        round.update(current);
        List<String> gone = new ArrayList<>();
        for (Map.Entry<String, long[]> e : positions.entries()) {
            if (e.getValue()[1] < current - ROUNDS_KEPT) {
                gone.add(e.getKey());
            }
        }
        for (String group : gone) {
            positions.remove(group);
        }
    }

    /** The lowest committed offset of the groups still counted, {@code Long.MAX_VALUE} when none. */
    long lowest() throws Exception {
        long current = current();
        long lowest = Long.MAX_VALUE;
        for (Map.Entry<String, long[]> e : positions.entries()) {
            if (e.getValue()[1] >= current - ROUNDS_KEPT) {
                lowest = Math.min(lowest, e.getValue()[0]);
            }
        }
        return lowest;
    }

    /**
     * Turns the runs of {@code runs} no group needs exactly any more into anchors ({@link OffsetRuns#retire}): older
     * than {@code windowMs}, or below every group's committed offset for longer than {@link #GRACE_MS}.
     */
    void retire(OffsetRuns runs, long windowMs) throws Exception {
        int dropped = runs.retire(System.currentTimeMillis(), windowMs, GRACE_MS, lowest());
        if (dropped > 0) {
            LOG.debug("{} offset runs dropped, {} left ({} anchors)", dropped, runs.size, runs.anchors);
        }
    }

    private long current() throws Exception {
        Long value = round.value();
        return value == null ? 0 : value;
    }
}
