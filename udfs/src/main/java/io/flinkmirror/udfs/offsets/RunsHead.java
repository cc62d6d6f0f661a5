package io.flinkmirror.udfs.offsets;

/**
 * The part of a partition's offset runs that changes with every save ({@link OffsetRunsStore}): where the exact runs
 * sit in the chunks and the mapping's positions. A Flink POJO, a few dozen bytes.
 */
public class RunsHead {

    /** Sequence number of the first exact run: exact run {@code i} sits in chunk {@code (firstSeq + i) / CHUNK}. */
    public long firstSeq;
    /** How many exact runs there are. */
    public int exactCount;
    public long nextDownstream = -1;
    public long headDropped;
    public long seenHorizon;

    public RunsHead() {}
}
