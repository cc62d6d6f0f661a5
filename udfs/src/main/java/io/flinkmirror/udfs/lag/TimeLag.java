package io.flinkmirror.udfs.lag;

import java.util.HashMap;
import java.util.Map;

/**
 * How long the next record a reader will read has been waiting, per partition, without reading any record: a short
 * history of each partition's end offset, sampled over time. The record at a committed (next to read) offset was
 * appended after the last sample whose end offset was still at or before it; its age is at least the time since the
 * first sample whose end offset had passed it. Before the history began, the age is unknown ({@link #UNKNOWN}).
 *
 * <p>Not thread-safe. {@code P} identifies a partition.
 */
public final class TimeLag<P> {

    /** Returned by {@link #lagMs} when the record is older than the history. */
    public static final long UNKNOWN = Long.MAX_VALUE;

    private final int capacity;
    private final Map<P, History> histories = new HashMap<>();

    /** A lag tracker keeping the last {@code capacity} samples per partition. */
    public TimeLag(int capacity) {
        if (capacity < 2) {
            throw new IllegalArgumentException("capacity must be >= 2, got " + capacity);
        }
        this.capacity = capacity;
    }

    /** Samples every partition's end offset at {@code nowMs}; partitions missing from {@code endOffsets} are forgotten. */
    public void record(long nowMs, Map<P, Long> endOffsets) {
        histories.keySet().retainAll(endOffsets.keySet());
        endOffsets.forEach((partition, end) ->
                histories.computeIfAbsent(partition, p -> new History(capacity)).add(nowMs, end));
    }

    /**
     * Milliseconds since the record at {@code committed} (the next offset to read) was appended, at least: 0 when the
     * reader is at the end, {@link #UNKNOWN} when the record predates the history (or the partition has none).
     */
    public long lagMs(P partition, long committed, long nowMs) {
        History history = histories.get(partition);
        return history == null ? UNKNOWN : history.lagMs(committed, nowMs);
    }

    /** The latest end offset sampled for {@code partition}, or -1. */
    public long latestEnd(P partition) {
        History history = histories.get(partition);
        return history == null || history.count == 0 ? -1 : history.ends[history.index(history.count - 1)];
    }

    /** A ring of (time, end offset) samples, oldest first. */
    private static final class History {
        private final long[] times;
        private final long[] ends;
        private int start;
        private int count;

        History(int capacity) {
            times = new long[capacity];
            ends = new long[capacity];
        }

        int index(int i) {
            return (start + i) % times.length;
        }

        void add(long time, long end) {
            if (count == times.length) {
                start = (start + 1) % times.length;
                count--;
            }
            int i = index(count);
            times[i] = time;
            ends[i] = end;
            count++;
        }

        long lagMs(long committed, long nowMs) {
            if (count == 0) {
                return UNKNOWN;
            }
            if (committed >= ends[index(count - 1)]) {
                return 0;
            }
            // End offsets never decrease: the first sample past the committed offset bounds the record's age.
            for (int i = 0; i < count; i++) {
                int k = index(i);
                if (ends[k] > committed) {
                    return i == 0 ? UNKNOWN : Math.max(0, nowMs - times[k]);
                }
            }
            return 0;
        }
    }
}
