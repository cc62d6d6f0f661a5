package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.progress.Progress;
import io.flinkmirror.udfs.progress.ProgressIndex;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/** A partition's offset-mapping history from the flow's committed progress records (for {@link AsyncLocator}). */
final class ProgressHistory {

    private ProgressHistory() {}

    /**
     * The exact mapping of what the flow's committed progress records say was replicated of
     * {@code sourceTp} below target offset {@code upTo}, as {@code [source, target, count]} pieces in order; empty
     * without progress ({@code progress} null, or a target an earlier version wrote: the records are then matched by
     * content). Reads {@code progress} up to its end first.
     */
    static List<long[]> pieces(ProgressIndex progress, TopicPartition sourceTp, long upTo) {
        List<long[]> pieces = new ArrayList<>();
        if (progress == null) {
            return pieces;
        }
        progress.catchUp();
        for (Progress p : progress.history(sourceTp)) {
            if (p.records() == 0 || p.targetSegments() == null || p.nextTargetOffset() > upTo) {
                continue;
            }
            for (long[] piece : p.mapping()) {
                long[] last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
                if (last != null && (piece[0] < last[0] + last[2] || piece[1] < last[1] + last[2])) {
                    pieces.clear(); // the source was read again (a start without progress): keep what follows
                }
                pieces.add(piece);
            }
        }
        return pieces;
    }
}
