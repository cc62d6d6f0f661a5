package io.flinkmirror.job.sink;

import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;

/**
 * A sink transaction ready to commit: the connector's {@link KafkaCommittable} plus the source ranges whose records it
 * holds ({@link io.flinkmirror.udfs.record.SourceRanges#describe()}), so that a transaction that cannot be committed
 * is reported as the records it lost, and the newest checkpoint the writer had taken when it prepared the transaction,
 * so that a committer tells the transactions of a restored checkpoint from those of its own run. The ranges are
 * {@code null} and the checkpoint {@code -1} for transactions restored from a savepoint taken before they were
 * recorded.
 */
public final class GuardedCommittable {

    private final KafkaCommittable kafka;
    private final String sourceRanges;
    private final long preparedAfterCheckpoint;

    public GuardedCommittable(KafkaCommittable kafka, String sourceRanges) {
        this(kafka, sourceRanges, -1);
    }

    public GuardedCommittable(KafkaCommittable kafka, String sourceRanges, long preparedAfterCheckpoint) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.sourceRanges = sourceRanges;
        this.preparedAfterCheckpoint = preparedAfterCheckpoint;
    }

    public KafkaCommittable kafka() {
        return kafka;
    }

    /** The source ranges of this transaction's records, or {@code null} when not known. */
    public String sourceRanges() {
        return sourceRanges;
    }

    /**
     * The id of the newest checkpoint the writer had taken (or restored) when it prepared this transaction, so the
     * transaction belongs to a later checkpoint; {@code -1} when not known.
     */
    public long preparedAfterCheckpoint() {
        return preparedAfterCheckpoint;
    }

    /**
     * Whether this transaction belongs to a checkpoint at or before {@code restoredCheckpointId}, so to the run before
     * a restore: prepared after an earlier checkpoint, or not known (restored from an older version's savepoint).
     */
    boolean restoredWith(long restoredCheckpointId) {
        return preparedAfterCheckpoint < restoredCheckpointId;
    }

    /** The same transaction with the connector's (updated) committable. */
    GuardedCommittable with(KafkaCommittable updated) {
        return new GuardedCommittable(updated, sourceRanges, preparedAfterCheckpoint);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuardedCommittable other && kafka.equals(other.kafka)
                && Objects.equals(sourceRanges, other.sourceRanges)
                && preparedAfterCheckpoint == other.preparedAfterCheckpoint;
    }

    @Override
    public int hashCode() {
        return kafka.hashCode();
    }

    @Override
    public String toString() {
        return kafka + " holding " + (sourceRanges == null ? "unknown source ranges" : sourceRanges);
    }
}
