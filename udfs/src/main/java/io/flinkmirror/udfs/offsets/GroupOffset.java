package io.flinkmirror.udfs.offsets;

/** A consumer group's committed offset on a source partition (a Flink POJO). */
public class GroupOffset {

    public String group;
    public String topic;
    public int partition;
    public long offset;
    public String metadata;

    public GroupOffset() {}

    public GroupOffset(String group, String topic, int partition, long offset, String metadata) {
        this.group = group;
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.metadata = metadata;
    }

    /** Key of the source partition, {@code topic-partition}, as {@link PartitionWrites#sourceKey()}. */
    public String sourceKey() {
        return topic + "-" + partition;
    }

    @Override
    public String toString() {
        return group + "@" + sourceKey() + "=" + offset;
    }
}
