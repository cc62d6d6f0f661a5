package io.flinkmirror.job.sink;

import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;

/**
 * A sink transaction ready to commit: the connector's {@link KafkaCommittable} plus the source ranges whose records it
 * holds ({@link io.flinkmirror.udfs.record.SourceRanges#describe()}), so that a transaction that cannot be committed
 * is reported as the records it lost. The ranges are {@code null} for transactions restored from a savepoint taken
 * before they were recorded.
 */
public final class GuardedCommittable {

    private final KafkaCommittable kafka;
    private final String sourceRanges;

    public GuardedCommittable(KafkaCommittable kafka, String sourceRanges) {
        this.kafka = Objects.requireNonNull(kafka, "kafka");
        this.sourceRanges = sourceRanges;
    }

    public KafkaCommittable kafka() {
        return kafka;
    }

    /** The source ranges of this transaction's records, or {@code null} when not known. */
    public String sourceRanges() {
        return sourceRanges;
    }

    /** The same transaction with the connector's (updated) committable. */
    GuardedCommittable with(KafkaCommittable updated) {
        return new GuardedCommittable(updated, sourceRanges);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuardedCommittable other && kafka.equals(other.kafka)
                && Objects.equals(sourceRanges, other.sourceRanges);
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
