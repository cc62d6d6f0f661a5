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
 * <p>Bounded by time ({@link #retire}): the first {@link #anchors} runs are <em>anchors</em>, runs kept from history
 * no group needs exactly any more (older than the exact window, or below every group's position for a while), thinned
 * to the spacing MirrorMaker 2 keeps its offset syncs at (a few per doubling of the distance from the newest anchor).
 * Inside an anchor a translation stays exact; in a gap after an anchor (runs were dropped there) it is the target
 * offset right after the anchor's last record: never past the exact answer, so a group restarted there reads again
 * at most what lay between, and loses nothing (MM2's rule: the sync's target offset plus one).
 *
 * <p>Kept in keyed state by {@link OffsetRunsStore}, which writes only what changed since it last saved: the runs
 * record that here ({@link #retiredFront}, {@link #changedFrom}, {@link #anchorsChanged}, {@link #rewritten}; transient,
 * so not part of the POJO). A Flink POJO (public fields): state written before the chunked layout (the 0.1.0
 * savepoint fixture) holds it whole.
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
    /**
     * When each run was appended (epoch ms), parallel to {@link #upstream}; 0 or missing (state written before
     * runs were stamped): not known yet, stamped with the time of the next {@link #retire}.
     */
    public long[] appendedAt = new long[0];
    /** The first {@code anchors} runs are anchors (coarse between them), the rest exact. */
    public int anchors;

    /** Since the last save: exact runs removed from the front (turned into anchors or dropped). */
    transient int retiredFront;
    /** Since the last save: the first exact run (index from {@link #anchors}) that may differ from the saved one. */
    transient int changedFrom = Integer.MAX_VALUE;
    /** Since the last save: whether the anchors changed. */
    transient boolean anchorsChanged;
    /** Since the last save: whether the runs changed in a way the above cannot describe (save them whole). */
    transient boolean rewritten;

    public OffsetRuns() {}

    /** The runs {@code [0, size)} of the given arrays (taken, not copied), the first {@code anchors} anchors, saved. */
    static OffsetRuns of(long[] upstream, long[] downstream, long[] length, long[] appendedAt, int size, int anchors) {
        OffsetRuns runs = new OffsetRuns();
        runs.upstream = upstream;
        runs.downstream = downstream;
        runs.length = length;
        runs.appendedAt = appendedAt;
        runs.size = size;
        runs.anchors = anchors;
        return runs;
    }

    /** Records that run {@code i} changed or was added. */
    void changed(int i) {
        if (i < anchors) {
            anchorsChanged = true;
        } else {
            changedFrom = Math.min(changedFrom, i - anchors);
        }
    }

    /** Forgets what changed: the state now holds these runs. */
    void markSaved() {
        retiredFront = 0;
        changedFrom = Integer.MAX_VALUE;
        anchorsChanged = false;
        rewritten = false;
    }

    /** Marks the runs to be saved whole. */
    void markRewritten() {
        rewritten = true;
    }

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

    /**
     * Whether a run starting at source offset {@code u} and target offset {@code d} would go backwards: before the
     * source or target end of the last run ({@link #append} refuses it).
     */
    public boolean goesBack(long u, long d) {
        return size > 0 && (u < upstreamHorizon() || d < downstream[size - 1] + length[size - 1]);
    }

    /** Records that source offsets {@code u .. u + n - 1} sit, committed, at target offsets {@code d .. d + n - 1}. */
    public void append(long u, long d, long n) {
        if (goesBack(u, d)) {
            throw new IllegalArgumentException("run " + u + "->" + d + " goes backwards after "
                    + upstream[size - 1] + "+" + length[size - 1] + "->" + downstream[size - 1]);
        }
        if (size > 0 && upstream[size - 1] + length[size - 1] == u && downstream[size - 1] + length[size - 1] == d) {
            length[size - 1] += n; // continues the last run on both sides
            changed(size - 1);
        } else {
            ensureCapacity(size + 1);
            upstream[size] = u;
            downstream[size] = d;
            length[size] = n;
            appendedAt[size] = 0; // stamped by the next retire()
            changed(size);
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
        int lo = firstRunEndingAtOrAfter(g);
        if (upstream[lo] <= g) {
            return OptionalLong.of(downstream[lo] + (g - upstream[lo])); // inside a run: exact
        }
        if (lo > 0 && lo <= anchors) {
            return OptionalLong.of(downstream[lo - 1] + length[lo - 1]); // after an anchor: runs were dropped here
        }
        return OptionalLong.of(downstream[lo]); // a gap between exact runs holds no replicated record
    }

    /** Whether {@link #translate} of {@code g} is coarse: in a gap after an anchor. */
    public boolean isCoarse(long g) {
        if (anchors == 0 || size == 0 || g < upstream[0] || g >= upstreamHorizon()) {
            return false;
        }
        int lo = firstRunEndingAtOrAfter(g);
        return upstream[lo] > g && lo > 0 && lo <= anchors;
    }

    /** The first run whose last source offset is {@code >= g}; {@code g} must be below the horizon. */
    private int firstRunEndingAtOrAfter(long g) {
        int lo = 0;
        int hi = size - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (upstream[mid] + length[mid] - 1 >= g) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Turns the runs no group needs exactly into anchors and thins the anchors: a run stays exact while it is younger
     * than {@code exactWindowMs} and either ends above {@code lowestGroupOffset} (a group may sit in it or after it) or
     * is younger than {@code graceMs} (room for groups not seen yet). Runs appended with no time yet are stamped
     * {@code nowMs}. Returns how many runs were dropped.
     */
    public int retire(long nowMs, long exactWindowMs, long graceMs, long lowestGroupOffset) {
        return RunRetirement.retire(this, nowMs, exactWindowMs, graceMs, lowestGroupOffset);
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
        if (appendedAt != null && appendedAt.length >= drop + maxRuns) {
            appendedAt = Arrays.copyOfRange(appendedAt, drop, drop + maxRuns);
        }
        size = maxRuns;
        anchors = Math.max(0, anchors - drop);
        headDropped = 0;
        rewritten = true;
    }

    /** Forgets every run (after the target turned out not to hold what was expected); keeps the search position. */
    public void clear() {
        upstream = new long[0];
        downstream = new long[0];
        length = new long[0];
        appendedAt = new long[0];
        size = 0;
        anchors = 0;
        headDropped = 0;
        seenHorizon = 0;
        rewritten = true;
    }

    /**
     * Grows the arrays by a quarter: every partition keeps its runs in memory for as long as the task runs, and doubling
     * would hold up to twice the runs there are.
     */
    private void ensureCapacity(int capacity) {
        if (upstream.length < capacity) {
            int n = Math.max(Math.max(8, capacity), upstream.length + upstream.length / 4);
            upstream = Arrays.copyOf(upstream, n);
            downstream = Arrays.copyOf(downstream, n);
            length = Arrays.copyOf(length, n);
        }
        if (appendedAt == null || appendedAt.length < upstream.length) {
            appendedAt = appendedAt == null ? new long[upstream.length] : Arrays.copyOf(appendedAt, upstream.length);
        }
    }

    @Override
    public String toString() {
        return "OffsetRuns{" + size + " runs (" + anchors + " anchors), source [" + firstUpstream() + ", "
                + upstreamHorizon() + "), next target " + nextDownstream + "}";
    }
}
