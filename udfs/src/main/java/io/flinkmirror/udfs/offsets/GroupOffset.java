package io.flinkmirror.udfs.offsets;

/**
 * A consumer group's committed offset on a source partition (a Flink POJO). With {@link #endOffset} set it is instead
 * the partition's end offset (read_committed) and log start offset, sent for the lag metric and never translated.
 */
public class GroupOffset {

    public String group;
    public String topic;
    public int partition;
    public long offset;
    public String metadata;
    /** When the offset was read on the source (epoch millis; 0 if unknown). */
    public long readAtMillis;
    /** Marker: {@link #offset} is the partition's end offset, not a group's offset ({@link #group} is null). */
    public boolean endOffset;
    /** With {@link #endOffset}: the partition's log start offset. */
    public long logStartOffset;

    public GroupOffset() {}

    public GroupOffset(String group, String topic, int partition, long offset, String metadata) {
        this.group = group;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.metadata = metadata;
    }

    /** The end offset (read_committed) and log start offset of a source partition, read at {@code readAtMillis}. */
    public static GroupOffset endOffset(String topic, int partition, long endOffset, long logStartOffset,
                                        long readAtMillis) {
        GroupOffset end = new GroupOffset(null, topic, partition, endOffset, null);
        end.endOffset = true;
        end.logStartOffset = logStartOffset;
        end.readAtMillis = readAtMillis;
        return end;
    }

    /** Key of the source partition, {@code topic-partition}, as {@link PartitionWrites#sourceKey()}. */
    public String sourceKey() {
        return topic + "-" + partition;
    }

    @Override
    public String toString() {
        return (endOffset ? "end" : group) + "@" + sourceKey() + "=" + offset;
    }
}
