package io.flinkmirror.udfs.progress;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;

/**
 * What one sink transaction did to one source partition, as the sink writes it into the flow's progress topic
 * ({@code mm2-progress.<source>.internal} on the target) <em>inside that transaction</em>: the progress commits or
 * aborts with the records it describes (as MirrorMaker 2's exactly-once mode commits its source offsets with the
 * data, KIP-618). So the latest committed progress of a partition is exact whatever compaction, retention or
 * transforms did to the records since: every source record below {@link #nextSourceOffset} is on the target (or was
 * dropped by a transform, or is no record: a marker, an aborted record), none at or above it. And each progress is an
 * exact offset mapping of its transaction, needing no read of the records.
 *
 * <p>Fields: {@code nextSourceOffset}, the source offset after the last record processed (written or dropped);
 * {@code firstSourceOffset}, the first one processed; {@code sourceRuns}, the source offsets of the records written,
 * as runs {@code [start, length]} of consecutive offsets in write order; {@code targetSegments}, the target offsets
 * the target acknowledged for them, as runs {@code [offset, count]} in order (control markers of other transactions
 * may sit between runs), or {@code null} when not all were acknowledged (then the checkpoint fails and this progress
 * is never committed).
 *
 * <p>Wire format, version 0 (big-endian; a string is an int16 byte length then UTF-8 bytes). A key never changes
 * once written (compaction keeps the newest value per key), so it carries its own version:
 * <pre>
 *   key:   int16 version (0), string sourceTopic, int32 partition
 *   value: int16 version (0), int64 nextSourceOffset, int64 firstSourceOffset,
 *          int32 runCount, runCount x (int64 start, int32 length),
 *          int32 segmentCount (-1: unknown), segmentCount x (int64 offset, int32 count)
 * </pre>
 * Readers ignore bytes after the fields they know (later versions may append), and reject unknown versions.
 */
public final class Progress {

    static final short KEY_VERSION = 0;
    static final short VALUE_VERSION = 0;
    private static final long[] NONE = new long[0];

    private final String sourceTopic;
    private final int partition;
    private final long nextSourceOffset;
    private final long firstSourceOffset;
    private final long[] sourceRuns;
    private final long[] targetSegments;

    /**
     * @param sourceRuns     flattened {@code [start, length]} pairs (may be empty)
     * @param targetSegments flattened {@code [offset, count]} pairs holding as many records as the runs, or null
     */
    public Progress(String sourceTopic, int partition, long nextSourceOffset, long firstSourceOffset,
                    long[] sourceRuns, long[] targetSegments) {
        this.sourceTopic = Objects.requireNonNull(sourceTopic, "sourceTopic");
        this.partition = partition;
        if (nextSourceOffset < 0 || firstSourceOffset > nextSourceOffset) {
            throw new IllegalArgumentException("source offsets must be 0 <= first <= next: " + firstSourceOffset
                    + ", " + nextSourceOffset);
        }
        this.nextSourceOffset = nextSourceOffset;
        this.firstSourceOffset = firstSourceOffset;
        this.sourceRuns = sourceRuns == null ? NONE : sourceRuns;
        if (this.sourceRuns.length % 2 != 0 || (targetSegments != null && targetSegments.length % 2 != 0)) {
            throw new IllegalArgumentException("runs and segments are pairs");
        }
        if (targetSegments != null && total(targetSegments) != total(this.sourceRuns)) {
            throw new IllegalArgumentException("target segments hold " + total(targetSegments) + " records, source "
                    + "runs " + total(this.sourceRuns));
        }
        this.targetSegments = targetSegments;
    }

    private static long total(long[] pairs) {
        long n = 0;
        for (int i = 1; i < pairs.length; i += 2) {
            n += pairs[i];
        }
        return n;
    }

    public String sourceTopic() {
        return sourceTopic;
    }

    public int partition() {
        return partition;
    }

    /** The source offset after the last record processed: where the partition resumes. */
    public long nextSourceOffset() {
        return nextSourceOffset;
    }

    /** The first source offset processed in the transaction. */
    public long firstSourceOffset() {
        return firstSourceOffset;
    }

    /** Source runs of the records written, flattened {@code [start, length]} pairs, in write order. */
    public long[] sourceRuns() {
        return sourceRuns.clone();
    }

    /** Target runs of the records written, flattened {@code [offset, count]} pairs, or null when unknown. */
    public long[] targetSegments() {
        return targetSegments == null ? null : targetSegments.clone();
    }

    /** Records written to the target partition. */
    public long records() {
        return total(sourceRuns);
    }

    /** The target offset after the last record written, or -1 when none was written or it is unknown. */
    public long nextTargetOffset() {
        if (targetSegments == null || targetSegments.length == 0) {
            return -1;
        }
        int last = targetSegments.length - 2;
        return targetSegments[last] + targetSegments[last + 1];
    }

    /**
     * The exact offset mapping of this transaction's records: {@code [sourceOffset, targetOffset, count]} pieces of
     * consecutive offsets on both sides, in order; empty when the target offsets are unknown.
     */
    public java.util.List<long[]> mapping() {
        java.util.List<long[]> pieces = new java.util.ArrayList<>();
        if (targetSegments == null) {
            return pieces;
        }
        int run = 0;
        long u = sourceRuns.length == 0 ? 0 : sourceRuns[0];
        long runLeft = sourceRuns.length == 0 ? 0 : sourceRuns[1];
        for (int s = 0; s < targetSegments.length; s += 2) {
            long d = targetSegments[s];
            long left = targetSegments[s + 1];
            while (left > 0) {
                long take = Math.min(left, runLeft);
                pieces.add(new long[] {u, d, take});
                u += take;
                d += take;
                left -= take;
                runLeft -= take;
                if (runLeft == 0 && (run += 2) < sourceRuns.length) {
                    u = sourceRuns[run];
                    runLeft = sourceRuns[run + 1];
                }
            }
        }
        return pieces;
    }

    /** The source partition this progress is about. */
    public TopicPartition sourcePartition() {
        return new TopicPartition(sourceTopic, partition);
    }

    /** The record key: one per source partition, so that compaction keeps the latest progress of each. */
    public byte[] recordKey() {
        return key(sourceTopic, partition);
    }

    /** The record key of {@code sourceTopic}-{@code partition}'s progress. */
    public static byte[] key(String sourceTopic, int partition) {
        byte[] topic = sourceTopic.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(2 + 2 + topic.length + 4)
                .putShort(KEY_VERSION).putShort((short) topic.length).put(topic).putInt(partition).array();
    }

    /** The record value. */
    public byte[] recordValue() {
        int segments = targetSegments == null ? 0 : targetSegments.length / 2;
        ByteBuffer out = ByteBuffer.allocate(2 + 8 + 8 + 4 + sourceRuns.length / 2 * 12 + 4 + segments * 12)
                .putShort(VALUE_VERSION).putLong(nextSourceOffset).putLong(firstSourceOffset)
                .putInt(sourceRuns.length / 2);
        for (int i = 0; i < sourceRuns.length; i += 2) {
            out.putLong(sourceRuns[i]).putInt(Math.toIntExact(sourceRuns[i + 1]));
        }
        out.putInt(targetSegments == null ? -1 : segments);
        for (int i = 0; targetSegments != null && i < targetSegments.length; i += 2) {
            out.putLong(targetSegments[i]).putInt(Math.toIntExact(targetSegments[i + 1]));
        }
        return out.array();
    }

    /** The source partition a progress key names. */
    public static TopicPartition readKey(byte[] key) {
        try {
            ByteBuffer in = ByteBuffer.wrap(key);
            short version = in.getShort();
            if (version != KEY_VERSION) {
                throw new IllegalArgumentException("unknown progress key version " + version);
            }
            byte[] topic = new byte[in.getShort()];
            in.get(topic);
            return new TopicPartition(new String(topic, StandardCharsets.UTF_8), in.getInt());
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("not a progress key (" + key.length + " bytes)", e);
        }
    }

    /** Reads a progress record; throws {@link IllegalArgumentException} naming what is wrong. */
    public static Progress read(byte[] key, byte[] value) {
        TopicPartition tp = readKey(key);
        if (value == null) {
            throw new IllegalArgumentException("progress of " + tp + " has no value");
        }
        try {
            ByteBuffer in = ByteBuffer.wrap(value);
            short version = in.getShort();
            if (version != VALUE_VERSION) {
                throw new IllegalArgumentException("unknown progress value version " + version + " for " + tp);
            }
            long next = in.getLong();
            long first = in.getLong();
            long[] runs = new long[in.getInt() * 2];
            for (int i = 0; i < runs.length; i += 2) {
                runs[i] = in.getLong();
                runs[i + 1] = in.getInt();
            }
            int segments = in.getInt();
            long[] targets = segments < 0 ? null : new long[segments * 2];
            for (int i = 0; targets != null && i < targets.length; i += 2) {
                targets[i] = in.getLong();
                targets[i + 1] = in.getInt();
            }
            return new Progress(tp.topic(), tp.partition(), next, first, runs, targets);
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalArgumentException("progress value of " + tp + " too short: " + value.length
                    + " bytes", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Progress p && p.sourceTopic.equals(sourceTopic) && p.partition == partition
                && p.nextSourceOffset == nextSourceOffset && p.firstSourceOffset == firstSourceOffset
                && Arrays.equals(p.sourceRuns, sourceRuns) && Arrays.equals(p.targetSegments, targetSegments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceTopic, partition, nextSourceOffset);
    }

    @Override
    public String toString() {
        return sourceTopic + "-" + partition + " [" + firstSourceOffset + ".." + nextSourceOffset + ") runs "
                + pairs(sourceRuns) + " -> target " + (targetSegments == null ? "unknown" : pairs(targetSegments));
    }

    private static String pairs(long[] pairs) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < pairs.length; i += 2) {
            sb.append(i == 0 ? "" : ", ").append(pairs[i]).append('x').append(pairs[i + 1]);
        }
        return sb.append(']').toString();
    }
}
