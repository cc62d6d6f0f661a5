package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.mm2.OffsetSync;
import java.util.ArrayList;
import java.util.List;

/**
 * Pairs the source offsets of one transaction's records, in write order, with the target offsets where they were
 * found committed. Pure.
 *
 * <p>Invariants (given {@link TransactionLocator}'s placement): the segments hold exactly
 * {@link PartitionWrites#recordCount()} records, in target order; the source runs are in source order; so the
 * {@code i}-th record written is the {@code i}-th record found, and every piece appended keeps {@link OffsetRuns}'
 * invariants. One offset sync is emitted per piece, pointing at its first record, so every offset sync names a
 * committed replica of its source record.
 */
public final class RunPairing {

    private RunPairing() {}

    /**
     * Appends to {@code runs} the pairs of {@code writes}' source runs and the target {@code segments} ({@code
     * [firstOffset, count]}, in order) and returns the offset syncs of the pieces, in order.
     */
    public static List<OffsetSync> pair(PartitionWrites writes, List<long[]> segments, OffsetRuns runs) {
        List<OffsetSync> syncs = new ArrayList<>();
        int run = 0;
        long u = writes.runStarts[0];
        long runLeft = writes.runLengths[0];
        for (long[] segment : segments) {
            long d = segment[0];
            long left = segment[1];
            while (left > 0) {
                long take = Math.min(left, runLeft);
                runs.append(u, d, take);
                syncs.add(new OffsetSync(writes.sourceTopic, writes.partition, u, d));
                u += take;
                d += take;
                left -= take;
                runLeft -= take;
                if (runLeft == 0 && ++run < writes.runStarts.length) {
                    u = writes.runStarts[run];
                    runLeft = writes.runLengths[run];
                }
            }
        }
        return syncs;
    }
}
