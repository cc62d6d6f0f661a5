package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.record.ReplicaFingerprints;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Rebuilds the exact offset mapping of what a flow replicated before its state was lost (a start without state):
 * the target partition's committed records below a given offset are paired, one by one, with the source records they
 * are copies of, so that group offsets pointing into that data translate exactly again.
 *
 * <p>How: the target records in {@code [end - maxRecords, end)} are read; the first {@link #WINDOW} of them are found
 * among the source's replicated records ({@link TargetTail#search}); from there both partitions are walked in step,
 * every target record paired with the next replicated source record of the same fingerprint. Source records without
 * a replica in between (compacted away on the target since) are skipped, up to a bound; a target record never paired
 * (a record of another writer) discards the whole rebuild: a partial mapping would claim that the target holds
 * nothing between its end and {@code end}.
 *
 * <p>The result satisfies {@link OffsetRuns}' invariants for the range it covers: runs in order, each pairing
 * consecutive source offsets with consecutive target offsets; between runs only offsets that hold no replicated record
 * (control markers, aborted and compacted records on the target; compaction gaps, markers and records loop prevention
 * drops on the source). A group offset at a source record whose replica was compacted away translates to the next
 * replica, where a consumer of the target would start too.
 */
public final class TargetHistory {

    /** Target records that must match consecutive source records to anchor the walk. */
    static final int WINDOW = 32;

    private TargetHistory() {}

    /**
     * Runs {@code {upstream, downstream, length}} covering the committed records of {@code targetTp} in
     * {@code [end - maxRecords, end)}, in order; empty if there are none or they cannot all be paired.
     */
    public static List<long[]> rebuild(KafkaReader source, KafkaReader target, TopicPartition sourceTp,
                                       TopicPartition targetTp, long end, long maxRecords,
                                       ReplicaFingerprints replicated) {
        Objects.requireNonNull(replicated, "replicated");
        long from = Math.max(target.beginningOffset(targetTp), end - maxRecords);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        target.findFirstBelowEnd(targetTp, from, end, r -> {
            records.add(r);
            return false;
        });
        if (records.isEmpty()) {
            return List.of();
        }
        TargetTail.Search anchor = TargetTail.search(source, sourceTp,
                records.subList(0, Math.min(WINDOW, records.size())), replicated, Math.max(maxRecords, 1_000_000));
        long start = anchor.window().matchedStart();
        if (start < 0) {
            return List.of();
        }
        long[] targetOffsets = new long[records.size()];
        long[] fingerprints = new long[records.size()];
        for (int i = 0; i < records.size(); i++) {
            targetOffsets[i] = records.get(i).offset();
            fingerprints[i] = FingerprintWindow.fingerprint(records.get(i));
        }
        records.clear();
        List<long[]> runs = new ArrayList<>();
        int[] next = {0};
        long[] skipped = {0};
        long maxSkipped = fingerprints.length + 10_000L;
        source.findFirstBelowEnd(sourceTp, start, source.endOffset(sourceTp), r -> {
            java.util.OptionalLong fingerprint = replicated.of(r);
            if (fingerprint.isEmpty()) {
                return false;
            }
            int i = next[0];
            if (fingerprint.getAsLong() != fingerprints[i]) {
                // Compacted away on the target since: the next replicated record with a replica is the translation
                // of its offset, as if it had not been replicated. Too many of them: another writer's records.
                return ++skipped[0] > maxSkipped;
            }
            long[] last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
            if (last != null && last[0] + last[2] == r.offset() && last[1] + last[2] == targetOffsets[i]) {
                last[2]++;
            } else {
                runs.add(new long[] {r.offset(), targetOffsets[i], 1});
            }
            next[0]++;
            return next[0] == fingerprints.length;
        });
        return next[0] < fingerprints.length ? List.of() : runs;
    }
}
