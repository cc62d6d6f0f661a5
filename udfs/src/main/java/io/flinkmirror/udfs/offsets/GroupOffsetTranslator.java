package io.flinkmirror.udfs.offsets;

import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;

/**
 * Translates a consumer group's committed source offset {@code g} to the target offset of the first replicated record
 * with source offset {@code >= g} ({@link OffsetRuns#translate}). Pure but for the one question it asks the source:
 * whether it may hold committed records in a range.
 *
 * <p>Invariants: a translation is returned only when it is exact. Inside the runs the runs decide. Before the first
 * run, the target offset of the first mapped record is exact only if the source holds no record between {@code g}
 * and it (otherwise the records in between were replicated before the mapping starts, or not at all). At or beyond
 * the last run, {@link OffsetRuns#nextDownstream} is exact only if the source holds nothing between the last
 * replicated record and {@code g}: the group has read everything replicated so far.
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
            return source.mayHaveRecords(sourceTp, g, runs.firstUpstream())
                    ? OptionalLong.empty() : OptionalLong.of(runs.firstDownstream());
        }
        return source.mayHaveRecords(sourceTp, runs.upstreamHorizon(), g)
                ? OptionalLong.empty() : OptionalLong.of(runs.nextDownstream);
    }
}
