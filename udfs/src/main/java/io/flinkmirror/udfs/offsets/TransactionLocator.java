package io.flinkmirror.udfs.offsets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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
        return locate(tp, from, writes, Long.MAX_VALUE);
    }

    /**
     * As {@link #locate(TopicPartition, long, PartitionWrites)}, looking for the first record only in
     * {@code [from, from + maxScan)}: if the target already holds that whole range and the record is not in it, the
     * placement has no segments and starts at the range's last offset. For at-least-once writes, which are visible
     * as soon as they are written: nothing but stray records (another writer's, or a previous run's duplicates)
     * can sit between one batch of writes and the next, so a bounded scan tells a missing batch from a late one.
     */
    public Optional<Placement> locate(TopicPartition tp, long from, PartitionWrites writes, long maxScan) {
        long n = writes.recordCount();
        long end = reader.endOffset(tp);
        long scanEnd = maxScan >= end - from ? end : from + maxScan;
        Optional<ConsumerRecord<byte[], byte[]>> first = find(tp, from, scanEnd, writes.firstFingerprint);
        if (first.isEmpty()) {
            return scanEnd < end ? Optional.of(new Placement(scanEnd - 1, null)) : Optional.empty();
        }
        long d0 = first.get().offset();
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
     * At-least-once writes are visible before their batch reaches the offset mapping, so the target's end offset
     * is past them: where does the batch start? Searches back from the end offset for its last record, in windows
     * growing from {@code 1,024} records up to {@code maxWindow}, and takes the batch as contiguous before it (the
     * regular {@link #locate} then checks that). Empty if the last record is not within {@code maxWindow} of the end
     * (e.g. not written yet).
     */
    public OptionalLong startBeforeEnd(TopicPartition tp, long logStart, PartitionWrites writes,
                                                 long maxWindow) {
        long end = reader.endOffset(tp);
        long hi = end;
        for (long window = 1_024; hi > logStart; window *= 4) {
            long lo = Math.max(logStart, end - Math.min(window, maxWindow));
            Optional<ConsumerRecord<byte[], byte[]>> last = find(tp, lo, hi, writes.lastFingerprint);
            if (last.isPresent()) {
                return OptionalLong.of(Math.max(logStart, last.get().offset() - (writes.recordCount() - 1)));
            }
            if (window >= maxWindow) {
                break;
            }
            hi = lo;
        }
        return OptionalLong.empty();
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

    /** The first committed record in {@code [from, end)} with {@code fingerprint}. */
    private Optional<ConsumerRecord<byte[], byte[]>> find(TopicPartition tp, long from, long end, long fingerprint) {
        reads++;
        return reader.findFirstBelowEnd(tp, from, end, r -> fingerprint(r) == fingerprint);
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
