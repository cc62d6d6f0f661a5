package io.flinkmirror.udfs.record;

import java.io.Serializable;
import java.util.OptionalLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The fingerprint ({@link RecordFingerprint}) of the record a flow writes to its target for a source record, or
 * none when the flow writes nothing for it (loop prevention, a transform that filters it): how the target's records
 * are found among the source records they were copied from.
 */
@FunctionalInterface
public interface ReplicaFingerprints extends Serializable {

    /** The fingerprint of {@code source}'s replica, or empty if the flow does not write one. */
    OptionalLong of(ConsumerRecord<byte[], byte[]> source);

    /** Every record written as it is. */
    static ReplicaFingerprints unchanged() {
        return r -> OptionalLong.of(RecordFingerprint.of(r.key(), r.value(), r.timestamp()));
    }
}
