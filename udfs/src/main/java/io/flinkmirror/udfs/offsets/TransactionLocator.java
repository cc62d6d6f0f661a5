package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.record.RecordFingerprint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Finds the target offsets of one transaction's records ({@link PartitionWrites}) on a target partition, reading as
 * little as possible.
 *
 * <p>A transaction's records are rarely at consecutive offsets: control markers of other transactions (typically the
 * previous transaction's commit marker, written by the coordinator while this one was already being filled, and
 * abort markers after a failover) take offsets between them, and a {@code read_committed} reader never sees them. The
 * locator reads the first and the last record (found by fingerprint); if they are {@code n - 1} offsets apart the
 * records are contiguous. Otherwise it bisects with the sampled records ({@link PartitionWrites#SAMPLE_EVERY}): a
 * stretch whose ends are as far apart as the records between them is contiguous, and only stretches holding a
 * marker and no further sample are read record by record. With one marker that is about {@code log2(n /
 * SAMPLE_EVERY)} point reads plus one stretch of at most {@code SAMPLE_EVERY} records.
 */
public final class TransactionLocator {

    /** Where a transaction's records sit: runs of consecutive target offsets, {offset, count}, in write order. */
    public record Placement(long firstOffset, List<long[]> segments) {

        /** Whether the records were found as written (false: another writer's records are mixed in). */
        public boolean aligned() {
            return segments != null;
        }

        /** Where the next transaction's records are looked for: after the last record placed, else past the first. */
        public long nextOffset() {
            if (!aligned()) {
                return firstOffset + 1;
            }
            long[] last = segments.get(segments.size() - 1);
            return last[0] + last[1];
        }

        @Override
        public String toString() {
            return aligned() ? segments.stream().map(Arrays::toString).toList().toString()
                    : "misaligned from " + firstOffset;
        }
    }

    /** How far beyond four times their length a partition's first at-least-once batches are looked for. */
    static final long MAX_TAIL = 100_000;

    private final KafkaReader reader;
    private int reads;

    public TransactionLocator(KafkaReader reader) {
        this.reader = reader;
    }

    /** Reads done since this locator was created (each a seek and one or more fetches). */
    public int reads() {
        return reads;
    }

    /**
     * Locates {@code writes} on {@code tp}, looking for its first record from offset {@code from} on. Empty if the
     * transaction is not visible (committed) yet; a placement without segments if the records found are not the ones
     * written (another writer's records are mixed in, or they were never written here).
     */
    public Optional<Placement> locate(TopicPartition tp, long from, PartitionWrites writes) {
        return locate(tp, from, writes, Long.MAX_VALUE, false);
    }

    /**
     * As {@link #locate(TopicPartition, long, PartitionWrites)}, looking for the first record only in
     * {@code [from, from + maxScan)}: if the target already holds that whole range and the record is not in it, the
     * placement has no segments and starts at the range's last offset. For at-least-once writes, which are visible
     * as soon as they are written: nothing but stray records (another writer's, or a previous run's duplicates)
     * can sit between one batch of writes and the next, so a bounded scan tells a missing batch from a late one.
     * A batch whose first record is there but which would end at or past the end offset is not complete yet (empty):
     * its writes reach the offset mapping while the sink may still be flushing them.
     */
    public Optional<Placement> locate(TopicPartition tp, long from, PartitionWrites writes, long maxScan) {
        return locate(tp, from, writes, maxScan, true);
    }

    private Optional<Placement> locate(TopicPartition tp, long from, PartitionWrites writes, long maxScan,
                                       boolean visibleAsWritten) {
        long n = writes.recordCount();
        long end = reader.endOffset(tp);
        long scanEnd = maxScan >= end - from ? end : from + maxScan;
        Optional<ConsumerRecord<byte[], byte[]>> first = find(tp, from, scanEnd, writes.firstFingerprint);
        if (first.isEmpty()) {
            return scanEnd < end ? Optional.of(new Placement(scanEnd - 1, null)) : Optional.empty();
        }
        long d0 = first.get().offset();
        if (visibleAsWritten && d0 + n > end) {
            return Optional.empty();
        }
        List<long[]> segments = new ArrayList<>();
        segments.add(new long[] {d0, 1});
        if (n == 1) {
            return Optional.of(new Placement(d0, segments));
        }
        // Every offset skipped before the last record is a marker (or a foreign record): look a little beyond.
        Optional<ConsumerRecord<byte[], byte[]>> last = find(tp, d0 + n - 1, end, writes.lastFingerprint);
        if (last.isEmpty() || !place(tp, writes, 0, d0, n - 1, last.get().offset(), segments)) {
            return Optional.of(new Placement(d0, null));
        }
        return Optional.of(new Placement(d0, segments));
    }

    /**
     * At-least-once writes are visible before their batches reach the offset mapping, so the target's end offset is
     * past them, and during a bulk copy far past (the sink keeps writing while the mapping looks): where does the
     * first of {@code writes} (consecutive batches of one partition, in write order) start?
     *
     * <p>Probes windows of {@link PartitionWrites#SAMPLE_EVERY} records going back from the end offset, at distances
     * that double (but never step further than the batches are long, so no window can jump over them): a window
     * inside any of the batches holds its first, last or a sampled record, whose position in the batches gives the
     * first batch's start, taking them as contiguous (the regular {@link #locate} then checks each). At most
     * {@code log2(d / SAMPLE_EVERY) + d / L} reads of {@code SAMPLE_EVERY} records for batches of {@code L} records
     * {@code d} records back, where reading everything back to them took {@code d}. Looks back at most
     * {@code 4 L + 100,000} records (the writes since the batches, not reported yet, are about one
     * checkpoint's worth), and not before {@code logStart}; empty if no window there holds a record of {@code writes}
     * (e.g. deleted by retention).
     */
    public OptionalLong startBeforeEnd(TopicPartition tp, long logStart, List<PartitionWrites> writes) {
        // Position of each known record in the batches; a record written twice within them tells no position.
        Map<Long, Long> positions = new HashMap<>();
        long length = 0;
        for (PartitionWrites w : writes) {
            positions.merge(w.firstFingerprint, length, TransactionLocator::ambiguous);
            for (int s = 0; s < w.sampleIndexes.length; s++) {
                positions.merge(w.sampleFingerprints[s], length + w.sampleIndexes[s], TransactionLocator::ambiguous);
            }
            positions.merge(w.lastFingerprint, length + w.recordCount() - 1, TransactionLocator::ambiguous);
            length += w.recordCount();
        }
        positions.values().removeIf(position -> position < 0);
        long window = PartitionWrites.SAMPLE_EVERY;
        long maxStep = Math.max(window, length - window);
        long end = reader.endOffset(tp);
        long bottom = Math.max(logStart, end - (4 * length + MAX_TAIL));
        long step = window;
        for (long at = end - window; ; at -= step, step = Math.min(2 * step, maxStep)) {
            long from = Math.max(bottom, at);
            // The window's last known record: where records were written twice (a previous run's copies), the
            // later copy is the more likely to be the one of these writes.
            List<ConsumerRecord<byte[], byte[]>> known = new ArrayList<>(1);
            find(tp, from, Math.min(from + window, end), r -> {
                if (positions.containsKey(fingerprint(r))) {
                    known.clear();
                    known.add(r);
                }
                return false;
            });
            if (!known.isEmpty()) {
                ConsumerRecord<byte[], byte[]> r = known.get(0);
                return OptionalLong.of(Math.max(logStart, r.offset() - positions.get(fingerprint(r))));
            }
            if (from <= bottom) {
                return OptionalLong.empty();
            }
        }
    }

    /**
     * Places the records with indexes in {@code (loIndex, hiIndex]}, knowing that record {@code loIndex} sits at
     * {@code loOffset} and record {@code hiIndex} at {@code hiOffset}; appends them to {@code segments}. False if
     * they cannot be the records written.
     */
    private boolean place(TopicPartition tp, PartitionWrites writes, long loIndex, long loOffset, long hiIndex,
                          long hiOffset, List<long[]> segments) {
        long count = hiIndex - loIndex;
        long span = hiOffset - loOffset;
        if (span < count) {
            return false;
        }
        if (span == count) {
            extend(segments, loOffset + 1, count);
            return true;
        }
        int sample = middleSample(writes.sampleIndexes, loIndex, hiIndex);
        if (sample >= 0) {
            long index = writes.sampleIndexes[sample];
            Optional<ConsumerRecord<byte[], byte[]>> probe = find(tp, loOffset + (index - loIndex), hiOffset,
                    writes.sampleFingerprints[sample]);
            return probe.isPresent()
                    && place(tp, writes, loIndex, loOffset, index, probe.get().offset(), segments)
                    && place(tp, writes, index, probe.get().offset(), hiIndex, hiOffset, segments);
        }
        // No sample in between: read the stretch; every committed record in it is one of ours.
        long[] seen = {0};
        reads++;
        reader.findFirstBelowEnd(tp, loOffset + 1, hiOffset, r -> {
            extend(segments, r.offset(), 1);
            seen[0]++;
            return false;
        });
        if (seen[0] != count - 1) {
            return false;
        }
        extend(segments, hiOffset, 1);
        return true;
    }

    /** A sample with an index strictly between {@code lo} and {@code hi}, the middle one; -1 if none. */
    static int middleSample(long[] sampleIndexes, long lo, long hi) {
        int from = Arrays.binarySearch(sampleIndexes, lo + 1);
        from = from >= 0 ? from : -from - 1;
        int to = Arrays.binarySearch(sampleIndexes, hi);
        to = to >= 0 ? to : -to - 1; // first sample >= hi: exclusive end
        return from < to ? (from + to) >>> 1 : -1;
    }

    private static Long ambiguous(Long position, Long other) {
        return position.equals(other) ? position : -1L;
    }

    /** The first committed record in {@code [from, end)} with {@code fingerprint}. */
    private Optional<ConsumerRecord<byte[], byte[]>> find(TopicPartition tp, long from, long end, long fingerprint) {
        return find(tp, from, end, r -> fingerprint(r) == fingerprint);
    }

    private Optional<ConsumerRecord<byte[], byte[]>> find(TopicPartition tp, long from, long end,
                                                          Predicate<ConsumerRecord<byte[], byte[]>> match) {
        reads++;
        return reader.findFirstBelowEnd(tp, from, end, match);
    }

    private static long fingerprint(ConsumerRecord<byte[], byte[]> record) {
        return RecordFingerprint.of(record.key(), record.value(), record.timestamp());
    }

    private static void extend(List<long[]> segments, long offset, long count) {
        long[] tail = segments.get(segments.size() - 1);
        if (tail[0] + tail[1] == offset) {
            tail[1] += count;
        } else {
            segments.add(new long[] {offset, count});
        }
    }
}
