package io.flinkmirror.udfs.offsets;

/**
 * A slice of a partition's offset runs as {@link OffsetRunsStore} keeps it in keyed state: parallel arrays, as in
 * {@link OffsetRuns}, sized to the runs they hold (the state writes them whole). Positions of a chunk that were
 * retired since it was written are ignored when read back. A Flink POJO.
 */
public class RunChunk {

    public long[] upstream = new long[0];
    public long[] downstream = new long[0];
    public long[] length = new long[0];
    public long[] appendedAt = new long[0];

    public RunChunk() {}

    RunChunk(int size) {
        upstream = new long[size];
        downstream = new long[size];
        length = new long[size];
        appendedAt = new long[size];
    }

    /** Runs {@code [from, to)} of {@code runs}. */
    static RunChunk of(OffsetRuns runs, int from, int to) {
        RunChunk chunk = new RunChunk(to - from);
        for (int i = from; i < to; i++) {
            chunk.set(i - from, runs, i);
        }
        return chunk;
    }

    /** Copies run {@code i} of {@code runs} to position {@code at}. */
    void set(int at, OffsetRuns runs, int i) {
        upstream[at] = runs.upstream[i];
        downstream[at] = runs.downstream[i];
        length[at] = runs.length[i];
        appendedAt[at] = i < runs.appendedAt.length ? runs.appendedAt[i] : 0;
    }

    int size() {
        return upstream.length;
    }
}
