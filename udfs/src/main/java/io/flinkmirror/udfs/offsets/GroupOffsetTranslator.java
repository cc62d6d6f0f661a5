package io.flinkmirror.udfs.offsets;

import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Translates a consumer group's committed source offset {@code g} to the target offset of the first replicated record
 * with source offset {@code >= g} ({@link OffsetRuns#translate}). Pure but for the one question it asks the source:
 * whether it may hold committed records in a range.
 *
 * <p>Invariants: a translation is returned only when it is exact, or, for a group older than the exact runs (in a
 * gap after an anchor, {@link OffsetRuns#isCoarse}), at or before the exact offset. Inside the runs the runs decide.
 * Before the first run, the target offset of the first mapped record is exact only if the source holds no record
 * between {@code g} and it (otherwise the records in between were replicated before the mapping starts, or not at
 * all). At or beyond the last run, {@link OffsetRuns#nextDownstream} is exact only if the source holds nothing
 * between the last replicated record and {@code g}: the group has read everything replicated so far. Source offsets
 * the flow processed and dropped (transforms) right before the first run or after the last one, in committed
 * transactions ({@link OffsetRuns#headDropped}, {@link OffsetRuns#seenHorizon}), count as known to hold no
 * replicated record.
 */
public final class GroupOffsetTranslator {

    private GroupOffsetTranslator() {}

    /** The exact target offset of {@code g} on {@code sourceTp}, or empty when it cannot be decided now. */
    public static OptionalLong translate(OffsetRuns runs, TopicPartition sourceTp, long g,
                                         SourceProbe source) {
        OptionalLong inside = runs.translate(g);
        if (inside.isPresent()) {
            return inside;
        }
        if (g < runs.firstUpstream()) {
            if (g >= runs.processedStart()) {
                return OptionalLong.of(runs.firstDownstream()); // records before the first run were dropped
            }
            return source.mayHaveRecords(sourceTp, g, runs.processedStart())
                    ? OptionalLong.empty() : OptionalLong.of(runs.firstDownstream());
        }
        if (g <= runs.processedHorizon()) {
            return OptionalLong.of(runs.nextDownstream); // records after the last run were dropped
        }
        return source.mayHaveRecords(sourceTp, runs.processedHorizon(), g)
                ? OptionalLong.empty() : OptionalLong.of(runs.nextDownstream);
    }
}
