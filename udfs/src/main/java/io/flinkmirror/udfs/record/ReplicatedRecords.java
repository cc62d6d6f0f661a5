package io.flinkmirror.udfs.record;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Which source records a flow copies to its target, as {@link ReplicateFunction} decides: all of them, except, with
 * the provenance header on, those whose origin is the target cluster (loop prevention). Used to pair source records
 * with their copies when the target is read back.
 */
public final class ReplicatedRecords implements Predicate<ConsumerRecord<byte[], byte[]>>, Serializable {

    private static final long serialVersionUID = 1L;

    private final String targetAlias;
    private final boolean provenanceHeader;
    private transient byte[] targetBytes;

    public ReplicatedRecords(String targetAlias, boolean provenanceHeader) {
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.provenanceHeader = provenanceHeader;
    }

    @Override
    public boolean test(ConsumerRecord<byte[], byte[]> record) {
        if (!provenanceHeader) {
            return true;
        }
        if (targetBytes == null) {
            targetBytes = targetAlias.getBytes(StandardCharsets.UTF_8);
        }
        Header origin = record.headers().lastHeader(ReplicateFunction.ORIGIN_HEADER);
        return origin == null || !Arrays.equals(origin.value(), targetBytes);
    }
}
