package io.flinkmirror.udfs.replicate;

import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.record.RecordFingerprint;
import io.flinkmirror.udfs.record.ReplicaFingerprints;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Which source records a flow copies to its target, and what it writes for them, as {@link ReplicateFunction}
 * decides: all of them, except, with the provenance header on, those whose origin is the target cluster (loop
 * prevention); with transforms ({@link #withTransforms}), as the flow's transforms and record function leave them
 * (dropped ones, and those a transform fails on, are not copied). Used to pair source records with their copies when
 * the target is read back (a start without state, the offset mapping's history).
 *
 * <p>A transform that does not give the same output for the same record every time (a random or time-based one)
 * can make the copies unrecognisable: the look-ups then report the records as not found, and their callers' fallbacks
 * apply. Not thread-safe with transforms: one instance per thread.
 */
public final class ReplicatedRecords implements Predicate<ConsumerRecord<byte[], byte[]>>, ReplicaFingerprints,
        Serializable {

    private static final long serialVersionUID = 1L;
    private static final String[] NO_KEYS = new String[0];
    private static final byte[][] NO_VALUES = new byte[0][];

    private final String targetAlias;
    private final boolean provenanceHeader;
    private RecordTransformer transformer;
    private ReplicationPolicy policy;
    private String sourceAlias;
    private transient byte[] targetBytes;
    private transient boolean opened;

    public ReplicatedRecords(String targetAlias, boolean provenanceHeader) {
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.provenanceHeader = provenanceHeader;
    }

    /**
     * Applies the flow's transforms and record function (a fresh copy of {@code recordTransformer}, opened on first
     * use) to find what it writes; an inactive transformer changes nothing.
     */
    public ReplicatedRecords withTransforms(RecordTransformer recordTransformer, ReplicationPolicy replicationPolicy,
                                            String sourceClusterAlias) {
        if (recordTransformer != null && recordTransformer.active()) {
            this.transformer = recordTransformer.copy();
            this.policy = Objects.requireNonNull(replicationPolicy, "replicationPolicy");
            this.sourceAlias = Objects.requireNonNull(sourceClusterAlias, "sourceClusterAlias");
        }
        return this;
    }

    /** A new instance with the same settings (transforms unopened), for another thread. */
    public ReplicatedRecords copy() {
        ReplicatedRecords copy = new ReplicatedRecords(targetAlias, provenanceHeader);
        return transformer == null ? copy : copy.withTransforms(transformer, policy, sourceAlias);
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

    @Override
    public OptionalLong of(ConsumerRecord<byte[], byte[]> record) {
        if (!test(record)) {
            return OptionalLong.empty();
        }
        if (transformer == null) {
            return OptionalLong.of(RecordFingerprint.of(record.key(), record.value(), record.timestamp()));
        }
        MirrorRecord replica;
        try {
            if (!opened) {
                transformer.open();
                opened = true;
            }
            replica = transformer.apply(toMirrorRecord(record));
        } catch (RuntimeException e) {
            return OptionalLong.empty(); // failed: never written (the job stops, or errors.tolerance skips it)
        } catch (Exception e) {
            throw new IllegalStateException("could not open the transforms of flow " + sourceAlias + "->"
                    + targetAlias + ": " + e, e);
        }
        return replica == null ? OptionalLong.empty()
                : OptionalLong.of(RecordFingerprint.of(replica.key, replica.value, replica.timestamp));
    }

    /** Closes the transforms and the record function, if they were opened. */
    public void close() {
        if (opened) {
            opened = false;
            try {
                transformer.close();
            } catch (Exception e) {
                // nothing of ours depends on it; the look-ups are done
            }
        }
    }

    private MirrorRecord toMirrorRecord(ConsumerRecord<byte[], byte[]> record) {
        Headers headers = record.headers();
        Header[] array = headers.toArray();
        String[] keys = array.length == 0 ? NO_KEYS : new String[array.length];
        byte[][] values = array.length == 0 ? NO_VALUES : new byte[array.length][];
        for (int i = 0; i < array.length; i++) {
            keys[i] = array[i].key();
            values[i] = array[i].value();
        }
        MirrorRecord mirror = new MirrorRecord(record.topic(), record.partition(), record.offset(),
                record.timestamp(), record.key(), record.value(), keys, values);
        mirror.targetTopic = policy.formatRemoteTopic(sourceAlias, record.topic());
        return mirror;
    }
}
