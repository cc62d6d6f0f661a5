package io.flinkmirror.udfs.offsets;

import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.record.RecordFingerprint;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;

/**
 * Passes records on to the sink unchanged and remembers, per target partition, the source offsets written since the
 * last checkpoint barrier. Chained directly before the sink writer, it sees exactly the records of the writer's
 * current transaction; just before each barrier it emits one {@link PartitionWrites} per partition processed to the
 * side output {@link #WRITES} (without runs when a transform dropped all its records), so the offset mapping learns
 * what each transaction holds and how far each partition was processed.
 *
 * <p>Records a transform dropped ({@link MirrorRecord#dropped}) are passed on marked (the sink writes none of them,
 * only moves the flow's progress past them); here their offsets only widen the
 * range of source offsets processed that the next writes of their partition carry ({@link PartitionWrites#seenFrom},
 * {@link PartitionWrites#seenUntil}), so the offset mapping can translate group offsets at them exactly.
 *
 * <p>Invariants: the {@link PartitionWrites} of a checkpoint cover exactly the records that passed between the
 * previous barrier and this one, per partition, in source order; they are emitted before the barrier reaches the sink
 * writer (in {@code prepareSnapshotPreBarrier}), so they describe the transaction that barrier commits. Holds no state:
 * after a failure the records after the restored checkpoint are replayed and tracked again, while the aborted
 * transaction's records are invisible to the read_committed read-back.
 */
public class OffsetTrackingOperator extends AbstractStreamOperator<MirrorRecord>
        implements OneInputStreamOperator<MirrorRecord, MirrorRecord> {

    private static final long serialVersionUID = 1L;

    /** Side output carrying what each transaction wrote per partition. */
    public static final OutputTag<PartitionWrites> WRITES =
            new OutputTag<>("partition-writes", TypeInformation.of(PartitionWrites.class));

    /** Trackers by target topic, indexed by partition. */
    private transient Map<String, Tracker[]> trackers;

    @Override
    public void open() throws Exception {
        super.open();
        trackers = new HashMap<>();
    }

    @Override
    public void processElement(StreamRecord<MirrorRecord> element) {
        MirrorRecord record = element.getValue();
        Tracker[] byPartition = trackers.get(record.targetTopic);
        if (byPartition == null || byPartition.length <= record.partition) {
            Tracker[] grown = new Tracker[Math.max(record.partition + 1, byPartition == null ? 0 : byPartition.length)];
            if (byPartition != null) {
                System.arraycopy(byPartition, 0, grown, 0, byPartition.length);
            }
            byPartition = grown;
            trackers.put(record.targetTopic, byPartition);
        }
        Tracker tracker = byPartition[record.partition];
        if (tracker == null) {
            tracker = new Tracker(record);
            byPartition[record.partition] = tracker;
        }
        if (record.dropped) {
            tracker.seen(record.offset); // dropped by a transform: processed, never written (see drain)
            output.collect(element); // the sink moves the flow's progress past it, and writes nothing
            return;
        }
        tracker.add(record);
        output.collect(element);
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        super.prepareSnapshotPreBarrier(checkpointId);
        for (Tracker[] byPartition : trackers.values()) {
            for (Tracker tracker : byPartition) {
                if (tracker != null && (tracker.runCount > 0 || tracker.seenFrom >= 0)) {
                    output.collect(WRITES, new StreamRecord<>(tracker.drain(checkpointId)));
                }
            }
        }
    }

    /** Runs of consecutive source offsets written to one target partition in the current transaction. */
    private static final class Tracker {
        final String sourceTopic;
        final String targetTopic;
        final int partition;
        long[] starts = new long[4];
        long[] lengths = new long[4];
        int runCount;
        long firstFingerprint;
        long firstTimestamp;
        long minTimestamp = -1;
        long maxTimestamp = -1;
        MirrorRecord last;
        long count;
        long[] sampleIndexes = new long[0];
        long[] sampleFingerprints = new long[0];
        int samples;
        /** Source offsets processed (written or dropped) since the last drain: [seenFrom, seenUntil), -1 if none. */
        long seenFrom = -1;
        long seenUntil = -1;

        Tracker(MirrorRecord first) {
            this.sourceTopic = first.sourceTopic;
            this.targetTopic = first.targetTopic;
            this.partition = first.partition;
        }

        /** Notes {@code offset} as processed; offsets of one partition come in increasing order. */
        void seen(long offset) {
            if (seenFrom < 0) {
                seenFrom = offset;
            }
            seenUntil = offset + 1;
        }

        void add(MirrorRecord record) {
            seen(record.offset);
            if (runCount == 0) {
                firstFingerprint = RecordFingerprint.of(record.key, record.value, record.timestamp);
                firstTimestamp = record.timestamp;
                starts[0] = record.offset;
                lengths[0] = 1;
                runCount = 1;
            } else if (starts[runCount - 1] + lengths[runCount - 1] == record.offset) {
                lengths[runCount - 1]++;
            } else {
                if (runCount == starts.length) {
                    starts = java.util.Arrays.copyOf(starts, runCount * 2);
                    lengths = java.util.Arrays.copyOf(lengths, runCount * 2);
                }
                starts[runCount] = record.offset;
                lengths[runCount] = 1;
                runCount++;
            }
            long ts = record.timestamp;
            if (ts >= 0) {
                if (minTimestamp < 0 || ts < minTimestamp) {
                    minTimestamp = ts;
                }
                if (ts > maxTimestamp) {
                    maxTimestamp = ts;
                }
            }
            last = record;
            if (++count % PartitionWrites.SAMPLE_EVERY == 0) {
                if (samples == sampleIndexes.length) {
                    sampleIndexes = java.util.Arrays.copyOf(sampleIndexes, Math.max(4, samples * 2));
                    sampleFingerprints = java.util.Arrays.copyOf(sampleFingerprints, Math.max(4, samples * 2));
                }
                sampleIndexes[samples] = count - 1;
                sampleFingerprints[samples] = RecordFingerprint.of(record.key, record.value, record.timestamp);
                samples++;
            }
        }

        PartitionWrites drain(long checkpointId) {
            // Only dropped records (a transform): no run, but the processed range moves on.
            PartitionWrites writes = new PartitionWrites(sourceTopic, targetTopic, partition, checkpointId,
                    java.util.Arrays.copyOf(starts, runCount), java.util.Arrays.copyOf(lengths, runCount),
                    runCount == 0 ? 0 : firstFingerprint,
                    last == null ? 0 : RecordFingerprint.of(last.key, last.value, last.timestamp));
            writes.sampleIndexes = java.util.Arrays.copyOf(sampleIndexes, samples);
            writes.sampleFingerprints = java.util.Arrays.copyOf(sampleFingerprints, samples);
            writes.firstTimestamp = runCount == 0 ? -1 : firstTimestamp;
            writes.lastTimestamp = last == null ? -1 : last.timestamp;
            writes.minTimestamp = minTimestamp;
            writes.maxTimestamp = maxTimestamp;
            writes.hasSeenRange = true;
            writes.seenFrom = seenFrom;
            writes.seenUntil = seenUntil;
            seenFrom = -1;
            seenUntil = -1;
            minTimestamp = -1;
            maxTimestamp = -1;
            runCount = 0;
            last = null;
            count = 0;
            samples = 0;
            return writes;
        }
    }
}
