package io.flinkmirror.udfs.offsets;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writes of one source partition not located on the target yet (keyed state of {@link OffsetMappingFunction}).
 * Invariants: in the order the sink wrote them; a write leaves only when it was located committed and applied, when
 * the source was rewound to copy it again ({@link #add}), or when more than {@link #MAX} pile up (the target
 * unreadable for a long time: the oldest half is given up, and with it exactness for their range).
 */
final class PendingWrites {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetMappingFunction.class);
    /** Transactions waiting to be located on the target, per partition, before the oldest are given up. */
    static final int MAX = 2_000;

    private final String flow;
    private final ListState<PartitionWrites> state;

    PendingWrites(RuntimeContext context, String flow) {
        this.flow = flow;
        state = context.getListState(new ListStateDescriptor<>("pending-writes", PartitionWrites.class));
    }

    /** The pending writes, oldest first. */
    List<PartitionWrites> list() throws Exception {
        List<PartitionWrites> pending = new ArrayList<>();
        state.get().forEach(pending::add);
        return pending;
    }

    /** Replaces the pending writes. */
    void set(List<PartitionWrites> pending) throws Exception {
        state.update(new ArrayList<>(pending));
    }

    /**
     * Adds {@code writes}; with {@code rewindable} (exactly-once) it first forgets the pending writes at or past its
     * first source offset: writes of one partition follow each other, so new writes that start before a pending one
     * ends mean the source was rewound to copy again what aborted transactions held (a restored transaction aborted
     * on the target: see the sink's committer), and those will never be found committed. Returns the writes given up
     * to the bound (empty when none): the caller resets the mapping.
     */
    List<PartitionWrites> add(PartitionWrites writes, boolean rewindable) throws Exception {
        if (rewindable) {
            dropCopiedAgain(writes);
        }
        state.add(writes);
        List<PartitionWrites> pending = list();
        if (pending.size() <= MAX) {
            return List.of();
        }
        set(pending.subList(pending.size() - MAX / 2, pending.size()));
        return pending.subList(0, pending.size() - MAX / 2);
    }

    private void dropCopiedAgain(PartitionWrites writes) throws Exception {
        long from = writes.hasSeenRange ? writes.seenFrom : writes.runStarts.length > 0 ? writes.runStarts[0] : -1;
        if (from < 0) {
            return;
        }
        List<PartitionWrites> pending = list();
        int keep = pending.size();
        while (keep > 0 && end(pending.get(keep - 1)) > from) {
            keep--;
        }
        if (keep == pending.size()) {
            return;
        }
        LOG.info("{} {}: {} pending transaction(s) from checkpoint {} on were aborted and their records copied again "
                + "from source offset {}: they are mapped as the new transactions commit", flow, writes.sourceKey(),
                pending.size() - keep, pending.get(keep).checkpointId, from);
        set(pending.subList(0, keep));
    }

    /** The source offset after the last one {@code writes} processed, -1 when it processed none. */
    private static long end(PartitionWrites writes) {
        if (writes.hasSeenRange) {
            return writes.seenUntil;
        }
        int last = writes.runStarts.length - 1;
        return last < 0 ? -1 : writes.runStarts[last] + writes.runLengths[last];
    }
}
