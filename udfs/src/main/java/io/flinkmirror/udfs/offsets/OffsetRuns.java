package io.flinkmirror.udfs.offsets;

import java.util.Arrays;
import java.util.OptionalLong;

/**
 * The exact offset mapping of one source partition to its target partition: runs of consecutive source offsets and
 * where their replicas sit on the target, learned from committed data only.
 *
 * <p>Invariants:
 * <ul>
 *   <li>Runs are in source order: {@code upstream[i] + length[i] <= upstream[i + 1]} and
 *       {@code downstream[i] + length[i] <= downstream[i + 1]}.</li>
 *   <li>Run {@code i} states that the source records at offsets {@code upstream[i] .. upstream[i] + length[i] - 1}
 *       sit, in that order, at target offsets {@code downstream[i] .. downstream[i] + length[i] - 1}, committed.</li>
 *   <li>Between two runs the target holds no visible replicated record, and the source offsets between them were not
 *       replicated (offset gaps: compaction, transaction markers, aborted transactions, records dropped by loop
 *       prevention).</li>
 *   <li>The {@link #headDropped} source offsets before the first run, and the offsets from the last run's end up to
 *       {@link #seenHorizon}, were processed by the flow and dropped (transforms), in transactions that committed:
 *       a group offset among them translates like one in a gap.</li>
 *   <li>{@link #nextDownstream} is at or after the offset following the last run's last record: the next replicated
 *       record lands at or after it.</li>
 * </ul>
 * The translation of a committed source offset {@code g} is then the target offset of the first replicated record
 * with source offset {@code >= g}: a consumer starting there reads exactly what it would have read on the source.
 *
 * <p>A Flink POJO (public fields) kept in keyed state; only the newest {@code maxRuns} runs are kept.
 */
public class OffsetRuns {

    public long[] upstream = new long[0];
    public long[] downstream = new long[0];
    public long[] length = new long[0];
    public int size;
    /** Target offset from which the next committed replicated record is searched; -1 until known. */
    public long nextDownstream = -1;
    /** Source offsets right before the first run known processed and not replicated (0: none known). */
    public long headDropped;
    /** Source offsets below this were all processed (replicated or dropped) in committed transactions; 0: unknown. */
    public long seenHorizon;

    public OffsetRuns() {}

    /** Whether no run is known yet. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** First source offset covered by the runs (or -1 if none). */
    public long firstUpstream() {
        return size == 0 ? -1 : upstream[0];
    }

    /** The source offset after the last replicated record known (or -1 if none). */
    public long upstreamHorizon() {
        return size == 0 ? -1 : upstream[size - 1] + length[size - 1];
    }

    /**
     * Records what the replication step processed around the runs of one committed transaction, just appended:
     * source offsets {@code [seenFrom, seenUntil)}, of which those not in a run were dropped. {@code first} says
     * whether that transaction's runs are the first of the mapping (then the offsets before them were dropped too).
     */
    public void seen(long seenFrom, long seenUntil, boolean first) {
        if (size == 0) {
            return;
        }
        if (first && seenFrom >= 0 && seenFrom < upstream[0]) {
            headDropped = upstream[0] - seenFrom;
        }
        seenHorizon = Math.max(seenHorizon, seenUntil);
    }

    /** Offset after the last source offset known processed: the runs' horizon or {@link #seenHorizon}. */
    public long processedHorizon() {
        return Math.max(upstreamHorizon(), seenHorizon);
    }

    /** The first source offset known processed: the first run's, or before it when dropped records lead it. */
    public long processedStart() {
        return size == 0 ? -1 : upstream[0] - headDropped;
    }

    /**
     * Records that the source runs {@code runStarts}/{@code runLengths}, written in one transaction, were found
     * committed on the target from offset {@code firstDownstream} on, contiguously.
     */
    public void append(long[] runStarts, long[] runLengths, long firstDownstream) {
        long d = firstDownstream;
        for (int i = 0; i < runStarts.length; i++) {
            append(runStarts[i], d, runLengths[i]);
            d += runLengths[i];
        }
    }

    /** Records that source offsets {@code u .. u + n - 1} sit, committed, at target offsets {@code d .. d + n - 1}. */
    public void append(long u, long d, long n) {
        if (size > 0 && (u < upstreamHorizon() || d < downstream[size - 1] + length[size - 1])) {
            throw new IllegalArgumentException("run " + u + "->" + d + " goes backwards after "
                    + upstream[size - 1] + "+" + length[size - 1] + "->" + downstream[size - 1]);
        }
        if (size > 0 && upstream[size - 1] + length[size - 1] == u && downstream[size - 1] + length[size - 1] == d) {
            length[size - 1] += n; // continues the last run on both sides
        } else {
            ensureCapacity(size + 1);
            upstream[size] = u;
            downstream[size] = d;
            length[size] = n;
            size++;
        }
        nextDownstream = Math.max(nextDownstream, d + n);
    }

    /**
     * The target offset for committed source offset {@code g}, when the runs decide it alone: {@code g} within or
     * before the last run and not before the first. Empty otherwise (the caller must then check the source).
     */
    public OptionalLong translate(long g) {
        if (size == 0 || g < upstream[0] || g >= upstreamHorizon()) {
            return OptionalLong.empty();
        }
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) { // first run whose last offset >= g
            int mid = (lo + hi) >>> 1;
            if (upstream[mid] + length[mid] - 1 >= g) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return OptionalLong.of(upstream[lo] >= g ? downstream[lo] : downstream[lo] + (g - upstream[lo]));
    }

    /** The target offset of the first run's first record. */
    public long firstDownstream() {
        return size == 0 ? -1 : downstream[0];
    }

    /** Drops the oldest runs so that at most {@code maxRuns} remain. */
    public void prune(int maxRuns) {
        if (size <= maxRuns) {
            return;
        }
        int drop = size - maxRuns;
        upstream = Arrays.copyOfRange(upstream, drop, size);
        downstream = Arrays.copyOfRange(downstream, drop, size);
        length = Arrays.copyOfRange(length, drop, size);
        size = maxRuns;
        headDropped = 0;
    }

    /** Forgets every run (after the target turned out not to hold what was expected); keeps the search position. */
    public void clear() {
        upstream = new long[0];
        downstream = new long[0];
        length = new long[0];
        size = 0;
        headDropped = 0;
        seenHorizon = 0;
    }

    private void ensureCapacity(int capacity) {
        if (upstream.length < capacity) {
            int n = Math.max(8, upstream.length * 2);
            upstream = Arrays.copyOf(upstream, n);
            downstream = Arrays.copyOf(downstream, n);
            length = Arrays.copyOf(length, n);
        }
    }

    @Override
    public String toString() {
        return "OffsetRuns{" + size + " runs, source [" + firstUpstream() + ", " + upstreamHorizon() + "), next target "
                + nextDownstream + "}";
    }
}
