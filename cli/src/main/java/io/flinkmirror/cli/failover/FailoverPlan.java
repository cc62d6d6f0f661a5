package io.flinkmirror.cli.failover;

import io.flinkmirror.udfs.mm2.Checkpoint;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * What moving one consumer group from a flow's source cluster to its target does, per remote topic-partition: the
 * group's latest checkpoint, its committed offsets on both clusters, and the resulting action.
 *
 * <p>Invariants: only a partition with a checkpoint is ever committed, and at the checkpoint's downstream offset
 * (with the checkpoint's metadata, as MM2's {@code RemoteClusterUtils.translateOffsets} hands it out); an offset the
 * group already has on the target beyond the translated one is kept unless rewinding is allowed (MM2's offset sync
 * also only moves groups forward); an offset equal to the translated one is not rewritten. A partition that the group
 * has committed on the source but that has no checkpoint is listed and left alone.
 */
public final class FailoverPlan {

    /** What happens to one partition's offset on the target. */
    public enum Action {
        /** The translated offset is committed (the group has none there, or an older one). */
        COMMIT("commit"),
        /** The group already has exactly the translated offset. */
        UNCHANGED("none: already there"),
        /** The group is further on the target than the translated offset; kept (rewinding was not allowed). */
        KEEP_AHEAD("none: ahead, --allow-rewind to rewind"),
        /** The group is further on the target than the translated offset and is moved back to it (allowed). */
        REWIND("rewind"),
        /** The group committed this partition on the source but no checkpoint exists for it (yet). */
        NO_CHECKPOINT("none: no checkpoint");

        private final String label;

        Action(String label) {
            this.label = label;
        }

        /** Short text for the CLI's table. */
        public String label() {
            return label;
        }

        /** Whether the target offset is written. */
        public boolean commits() {
            return this == COMMIT || this == REWIND;
        }
    }

    /**
     * One remote partition: {@code checkpoint} null for {@link Action#NO_CHECKPOINT}, {@code targetCommitted} and
     * {@code sourceCommitted} null when the group has no offset there (or the source was not read).
     */
    public record Row(TopicPartition remote, Checkpoint checkpoint, Long targetCommitted, Long sourceCommitted,
                      Action action) {

        /** Whether the checkpoint was taken at exactly the offset the group has committed on the source. */
        public boolean matchesSource() {
            return checkpoint != null && sourceCommitted != null && sourceCommitted == checkpoint.upstreamOffset();
        }
    }

    private final List<Row> rows;
    private final boolean sourceKnown;

    private FailoverPlan(List<Row> rows, boolean sourceKnown) {
        this.rows = List.copyOf(rows);
        this.sourceKnown = sourceKnown;
    }

    /**
     * The plan for a group with these {@code checkpoints} and committed offsets on the target, all keyed by remote
     * topic-partition; {@code sourceCommitted} holds the group's source offsets under their remote names, or is null
     * when the source could not be read.
     */
    public static FailoverPlan of(Map<TopicPartition, Checkpoint> checkpoints, Map<TopicPartition, Long> targetCommitted,
                                  Map<TopicPartition, Long> sourceCommitted, boolean allowRewind) {
        TreeSet<TopicPartition> partitions = new TreeSet<>(
                Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        partitions.addAll(checkpoints.keySet());
        if (sourceCommitted != null) {
            partitions.addAll(sourceCommitted.keySet());
        }
        List<Row> rows = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            Checkpoint c = checkpoints.get(tp);
            Long target = targetCommitted.get(tp);
            Long source = sourceCommitted == null ? null : sourceCommitted.get(tp);
            Action action;
            if (c == null) {
                action = Action.NO_CHECKPOINT;
            } else if (target == null || target < c.downstreamOffset()) {
                action = Action.COMMIT;
            } else if (target == c.downstreamOffset()) {
                action = Action.UNCHANGED;
            } else {
                action = allowRewind ? Action.REWIND : Action.KEEP_AHEAD;
            }
            rows.add(new Row(tp, c, target, source, action));
        }
        return new FailoverPlan(rows, sourceCommitted != null);
    }

    /** Every partition, ordered by topic then partition. */
    public List<Row> rows() {
        return rows;
    }

    /** The offsets to commit on the target, with the checkpoints' metadata. */
    public Map<TopicPartition, OffsetAndMetadata> toCommit() {
        Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
        for (Row row : rows) {
            if (row.action().commits()) {
                offsets.put(row.remote(), new OffsetAndMetadata(row.checkpoint().downstreamOffset(),
                        row.checkpoint().metadata()));
            }
        }
        return offsets;
    }

    /** Whether the group's source offsets were read (see {@link #of}). */
    public boolean sourceKnown() {
        return sourceKnown;
    }

    /** Partitions whose checkpoint is not at the group's committed source offset (empty when the source is unknown). */
    public List<Row> notMatchingSource() {
        return sourceKnown ? rows.stream().filter(r -> !r.matchesSource()).toList() : List.of();
    }

    /** Partitions the group has ahead on the target and keeps there. */
    public List<Row> keptAhead() {
        return rows.stream().filter(r -> r.action() == Action.KEEP_AHEAD).toList();
    }
}
