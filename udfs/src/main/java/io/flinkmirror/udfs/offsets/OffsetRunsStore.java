package io.flinkmirror.udfs.offsets;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Keeps each partition's {@link OffsetRuns} in keyed state so that saving them writes what changed, not the history.
 *
 * <p>Layout per key (partition): a head ({@link RunsHead}, a few dozen bytes, written on every save), the anchors (one
 * {@link RunChunk}, written when retirement changed them) and the exact runs in chunks of {@link #CHUNK} runs, chunk
 * {@code c} holding the runs numbered {@code c * CHUNK ..} in the order they were appended. A save writes the chunks
 * from the first run that changed on (after appending: the last chunk), and removes the chunks whose runs all retired.
 * With an incremental state backend (the changelog backend over the heap) a checkpoint then carries a few hundred
 * bytes per partition that received data, however long the history kept for a lagging group.
 *
 * <p>Invariants:
 * <ul>
 *   <li>After {@link #save} returns, the state of the current key describes exactly the runs given; the caller saves
 *       before leaving any callback that changed them (a checkpoint may come after any callback).</li>
 *   <li>{@link #load} returns the same object until the task restarts (the runs are kept decoded in memory, next to
 *       the state), so callers change it in place and save it.</li>
 *   <li>State written before this layout (the runs whole under {@code offset-runs}) is read once, saved in this
 *       layout and cleared.</li>
 * </ul>
 * Must be used on the task thread of a keyed function, for the current key.
 */
final class OffsetRunsStore {

    /** Runs per chunk: after an append a save writes half a chunk on average (about 0.5 KB). */
    static final int CHUNK = 32;

    private final ValueState<RunsHead> head;
    private final ValueState<RunChunk> anchors;
    private final MapState<Long, RunChunk> chunks;
    private final ValueState<OffsetRuns> whole;
    private final Map<String, OffsetRuns> decoded = new HashMap<>();
    /** Runs written to the state (chunks and anchors) by the last save. */
    private int runsWritten;

    OffsetRunsStore(RuntimeContext context) {
        head = context.getState(new ValueStateDescriptor<>("offset-runs-head", RunsHead.class));
        anchors = context.getState(new ValueStateDescriptor<>("offset-runs-anchors", RunChunk.class));
        chunks = context.getMapState(new MapStateDescriptor<>("offset-runs-chunks", Types.LONG,
                TypeInformation.of(RunChunk.class)));
        whole = context.getState(new ValueStateDescriptor<>("offset-runs", OffsetRuns.class));
    }

    /** The runs of {@code key} (the current key), or null when none were saved. */
    OffsetRuns load(String key) throws Exception {
        OffsetRuns runs = decoded.get(key);
        if (runs != null) {
            return runs;
        }
        RunsHead h = head.value();
        if (h == null) {
            OffsetRuns old = whole.value();
            if (old == null) {
                return null;
            }
            whole.clear();
            old.markRewritten();
            save(key, old);
            return old;
        }
        runs = read(h);
        decoded.put(key, runs);
        return runs;
    }

    private OffsetRuns read(RunsHead h) throws Exception {
        RunChunk a = anchors.value();
        int anchorCount = a == null ? 0 : a.size();
        int size = anchorCount + h.exactCount;
        long[] upstream = new long[size];
        long[] downstream = new long[size];
        long[] length = new long[size];
        long[] appendedAt = new long[size];
        if (a != null) {
            System.arraycopy(a.upstream, 0, upstream, 0, anchorCount);
            System.arraycopy(a.downstream, 0, downstream, 0, anchorCount);
            System.arraycopy(a.length, 0, length, 0, anchorCount);
            System.arraycopy(a.appendedAt, 0, appendedAt, 0, anchorCount);
        }
        long end = h.firstSeq + h.exactCount;
        int i = anchorCount;
        for (long c = h.firstSeq / CHUNK; i < size; c++) {
            RunChunk chunk = chunks.get(c);
            if (chunk == null) {
                throw new IllegalStateException("offset runs: chunk " + c + " missing (runs " + h.firstSeq + ".."
                        + (end - 1) + ")");
            }
            long from = Math.max(c * CHUNK, h.firstSeq);
            int n = (int) (Math.min(c * CHUNK + chunk.size(), end) - from);
            int at = (int) (from - c * CHUNK);
            System.arraycopy(chunk.upstream, at, upstream, i, n);
            System.arraycopy(chunk.downstream, at, downstream, i, n);
            System.arraycopy(chunk.length, at, length, i, n);
            System.arraycopy(chunk.appendedAt, at, appendedAt, i, n);
            i += n;
        }
        OffsetRuns runs = OffsetRuns.of(upstream, downstream, length, appendedAt, size, anchorCount);
        runs.nextDownstream = h.nextDownstream;
        runs.headDropped = h.headDropped;
        runs.seenHorizon = h.seenHorizon;
        return runs;
    }

    /** Saves {@code runs} as the runs of {@code key} (the current key), writing what changed since the last save. */
    void save(String key, OffsetRuns runs) throws Exception {
        decoded.put(key, runs);
        RunsHead old = head.value();
        int exact = runs.size - runs.anchors;
        RunsHead h = new RunsHead();
        runsWritten = 0;
        if (old == null || runs.rewritten) {
            chunks.clear();
            h.firstSeq = 0;
            writeChunks(runs, 0, 0, exact);
            writeAnchors(runs);
        } else {
            long first = old.firstSeq + runs.retiredFront;
            long oldEnd = old.firstSeq + old.exactCount;
            long end = first + exact;
            for (long c = old.firstSeq / CHUNK; c < Math.min(first, oldEnd) / CHUNK; c++) {
                chunks.remove(c); // every run in it retired
            }
            for (long c = chunksUntil(Math.max(end, first)); c < chunksUntil(oldEnd); c++) {
                chunks.remove(c); // past the last run (not after appends and retirement; kept exact regardless)
            }
            int from = Math.min(runs.changedFrom, exact);
            if (from < exact) {
                writeChunks(runs, first, from, exact);
            }
            if (runs.anchorsChanged) {
                writeAnchors(runs);
            }
            h.firstSeq = first;
        }
        h.exactCount = exact;
        h.nextDownstream = runs.nextDownstream;
        h.headDropped = runs.headDropped;
        h.seenHorizon = runs.seenHorizon;
        head.update(h);
        runs.markSaved();
    }

    /** How many runs the last save wrote (chunks and anchors): what a checkpoint carries with an incremental backend. */
    int runsWritten() {
        return runsWritten;
    }

    private void writeAnchors(OffsetRuns runs) throws Exception {
        anchors.update(RunChunk.of(runs, 0, runs.anchors));
        runsWritten += runs.anchors;
    }

    /** The number of chunks that hold runs numbered below {@code seq}. */
    private static long chunksUntil(long seq) {
        return (seq + CHUNK - 1) / CHUNK;
    }

    /** Writes the chunks holding exact runs {@code from .. exact - 1}, the first exact run numbered {@code first}. */
    private void writeChunks(OffsetRuns runs, long first, int from, int exact) throws Exception {
        long end = first + exact;
        for (long c = (first + from) / CHUNK; c * CHUNK < end; c++) {
            long start = c * CHUNK;
            RunChunk chunk = new RunChunk((int) (Math.min(start + CHUNK, end) - start));
            for (long seq = Math.max(start, first); seq < start + chunk.size(); seq++) {
                chunk.set((int) (seq - start), runs, runs.anchors + (int) (seq - first));
            }
            chunks.put(c, chunk);
            runsWritten += chunk.size();
        }
    }
}
