package io.flinkmirror.udfs.offsets;

import java.util.Arrays;

/**
 * What one subtask wrote to one target partition between two checkpoint barriers, that is inside one sink
 * transaction: the source offsets of the records, as runs of consecutive offsets in write order, and fingerprints of
 * the first and last record so the written range can be found and verified on the target.
 *
 * <p>A Flink POJO: it travels from the replication step to the offset-mapping operator and sits in its state.
 */
public class PartitionWrites {

    public String sourceTopic;
    public String targetTopic;
    public int partition;
    public long checkpointId;
    /** First source offset of each run. */
    public long[] runStarts;
    /** Length of each run (consecutive source offsets). */
    public long[] runLengths;
    public long firstFingerprint;
    public long lastFingerprint;
    /** Source timestamp of the first record written (negative if it had none). */
    public long firstTimestamp = -1;
    /** Source timestamp of the last record written (negative if it had none). */
    public long lastTimestamp = -1;
    /** Smallest non-negative source timestamp of the records written, or -1 if none had one. */
    public long minTimestamp = -1;
    /** Largest non-negative source timestamp of the records written, or -1 if none had one. */
    public long maxTimestamp = -1;
    /** Indexes (0-based, in write order) of sampled records, ascending; every {@code SAMPLE_EVERY}th record. */
    public long[] sampleIndexes = new long[0];
    /** Fingerprints of the sampled records. */
    public long[] sampleFingerprints = new long[0];

    /**
     * Whether {@link #seenFrom} and {@link #seenUntil} are known: the source offsets the replication step processed
     * for this partition since the partition's previous writes, records it dropped (transforms) included. False in
     * writes from before this field existed.
     */
    public boolean hasSeenRange;
    /** First source offset processed since the previous writes of this partition (when {@link #hasSeenRange}). */
    public long seenFrom;
    /** The source offset after the last one processed (when {@link #hasSeenRange}). */
    public long seenUntil;

    /** One record in this many is fingerprinted, to locate control markers inside a transaction's range cheaply. */
    public static final int SAMPLE_EVERY = 128;

    public PartitionWrites() {}

    public PartitionWrites(String sourceTopic, String targetTopic, int partition, long checkpointId, long[] runStarts,
                           long[] runLengths, long firstFingerprint, long lastFingerprint) {
        this.sourceTopic = sourceTopic;
        this.targetTopic = targetTopic;
        this.partition = partition;
        this.checkpointId = checkpointId;
        this.runStarts = runStarts;
        this.runLengths = runLengths;
        this.firstFingerprint = firstFingerprint;
        this.lastFingerprint = lastFingerprint;
    }

    /** Number of records written. */
    public long recordCount() {
        long n = 0;
        for (long len : runLengths) {
            n += len;
        }
        return n;
    }

    /** Key of the source partition, {@code topic-partition}. */
    public String sourceKey() {
        return sourceTopic + "-" + partition;
    }

    @Override
    public String toString() {
        return sourceKey() + "@cp" + checkpointId + " runs " + Arrays.toString(runStarts) + "x"
                + Arrays.toString(runLengths);
    }
}
