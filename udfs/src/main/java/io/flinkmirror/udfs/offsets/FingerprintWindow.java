package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.record.RecordFingerprint;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Slides over source records, comparing the last {@code n} offered with {@code n} target records by fingerprint (key,
 * value, timestamp): finds a run of target records among the source records they were copied from.
 */
final class FingerprintWindow {

    private final long[] expected;
    private final long[] seen;
    private final long[] seenOffsets;
    private long count;
    private long matchedStart = -1;
    private long matchedEnd = -1;

    /** A window over {@code targetRecords} (at least one). */
    FingerprintWindow(List<ConsumerRecord<byte[], byte[]>> targetRecords) {
        expected = new long[targetRecords.size()];
        for (int i = 0; i < expected.length; i++) {
            expected[i] = fingerprint(targetRecords.get(i));
        }
        seen = new long[expected.length];
        seenOffsets = new long[expected.length];
    }

    /** Takes the next source record; true once the last {@code n} offered equal the target records, in order. */
    boolean offer(ConsumerRecord<byte[], byte[]> record) {
        return offer(record.offset(), fingerprint(record));
    }

    /**
     * Takes the next source record, at {@code offset}, by the fingerprint of its replica; true once the last
     * {@code n} offered equal the target records, in order.
     */
    boolean offer(long offset, long replicaFingerprint) {
        int n = expected.length;
        int slot = (int) (count % n);
        seen[slot] = replicaFingerprint;
        seenOffsets[slot] = offset;
        count++;
        if (count < n) {
            return false;
        }
        int oldest = (int) (count % n);
        for (int i = 0; i < n; i++) {
            if (seen[(oldest + i) % n] != expected[i]) {
                return false;
            }
        }
        matchedStart = seenOffsets[oldest];
        matchedEnd = offset;
        return true;
    }

    /** Source offset of the copy of the first target record, once matched (-1 before). */
    long matchedStart() {
        return matchedStart;
    }

    /** Source offset of the copy of the last target record, once matched (-1 before). */
    long matchedEnd() {
        return matchedEnd;
    }

    static long fingerprint(ConsumerRecord<byte[], byte[]> record) {
        return RecordFingerprint.of(record.key(), record.value(), record.timestamp());
    }
}
