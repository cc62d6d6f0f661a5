package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.mm2.OffsetSync;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies what the look-ups on the target found to one partition's runs ({@link OffsetMappingFunction}): a located
 * transaction becomes runs and offset syncs, a rebuilt history becomes the first runs. No state of its own: the caller
 * loads and saves the runs. Invariants: runs only from records found committed; a history only into an empty mapping
 * whose next target offset is at or past the end the rebuild looked below.
 */
final class LocatedWrites {

    private static final Logger LOG = LoggerFactory.getLogger(OffsetMappingFunction.class);

    private final String flow;
    private final Counter unaligned;

    LocatedWrites(String flow, Counter unaligned) {
        this.flow = flow;
        this.unaligned = unaligned;
    }

    /** Appends the runs {@code rebuilt} found to {@code runs} of {@code key}, if they are still empty. */
    void rebuilt(String key, AsyncLocator.Rebuilt rebuilt, OffsetRuns runs) {
        if (!runs.isEmpty() || rebuilt.runs().isEmpty() || runs.nextDownstream < rebuilt.end()) {
            return;
        }
        for (long[] run : rebuilt.runs()) {
            runs.append(run[0], run[1], run[2]);
        }
        long[] first = rebuilt.runs().get(0);
        long[] last = rebuilt.runs().get(rebuilt.runs().size() - 1);
        LOG.info("{} {}: offset mapping rebuilt from the target for source offsets {}..{} (target {}..{})",
                flow, key, first[0], last[0] + last[2] - 1, first[1], last[1] + last[2] - 1);
    }

    /** Records where one transaction's records were found in {@code runs}; returns the offset syncs to write. */
    List<OffsetSync> located(PartitionWrites writes, TransactionLocator.Placement placement, OffsetRuns runs) {
        if (writes.recordCount() == 0) {
            if (writes.hasSeenRange && !runs.isEmpty()) {
                runs.seen(writes.seenFrom, writes.seenUntil, false); // dropped records only
            }
            return List.of();
        }
        TopicPartition tp = new TopicPartition(writes.targetTopic, writes.partition);
        long d0 = placement.firstOffset();
        List<long[]> placed = placement.segments();
        if (placed == null) {
            unaligned.inc();
            LOG.warn("{} {} does not hold the {} records of checkpoint {} (source {}) from offset {}: records of "
                    + "another writer? Offsets before them cannot be translated exactly", flow, tp,
                    writes.recordCount(), writes.checkpointId, writes.sourceKey(), d0);
            runs.clear();
            runs.nextDownstream = placement.nextOffset();
            return List.of();
        }
        if (placed.size() > 1) {
            LOG.debug("{} {}: the {} records of checkpoint {} are split by control markers: {}", flow, tp,
                    writes.recordCount(), writes.checkpointId, placement);
        }
        if (runs.goesBack(writes.runStarts[0], d0)) {
            // The source was read again from before the mapped data (a start without state that fell back to a
            // group offset behind the rebuilt history): the mapping restarts here instead of failing the job.
            LOG.warn("{} {}: source offsets from {} were replicated again behind the mapped data ({}): the offset "
                    + "mapping restarts from them; offsets before them are not translated exactly", flow, tp,
                    writes.runStarts[0], runs);
            runs.clear();
        }
        boolean first = runs.isEmpty();
        List<OffsetSync> syncs = RunPairing.pair(writes, placed, runs);
        if (writes.hasSeenRange) {
            runs.seen(writes.seenFrom, writes.seenUntil, first);
        }
        return syncs;
    }
}
