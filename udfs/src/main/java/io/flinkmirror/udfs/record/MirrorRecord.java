package io.flinkmirror.udfs.record;

import java.util.Arrays;
import java.util.Objects;

/**
 * One Kafka record on its way from a source partition to the same partition of the target topic.
 *
 * <p>A Flink POJO (public fields, no-arg constructor) so that Flink serializes it without Kryo when operators are not
 * chained. Key, value and header values are the source's bytes, never copied or re-encoded; a null value is a
 * tombstone. Header keys and values are kept in two parallel arrays, in source order (header values may be null).
 */
public class MirrorRecord {

    /** Topic on the source cluster. */
    public String sourceTopic;
    /** Topic on the target cluster; set by the replication step. */
    public String targetTopic;
    /** Partition number, the same on both clusters. */
    public int partition;
    /** Offset on the source partition. */
    public long offset;
    /** The source record's timestamp (negative when the source record had none). */
    public long timestamp;
    public byte[] key;
    public byte[] value;
    public String[] headerKeys;
    public byte[][] headerValues;
    /**
     * Set by the replication step on a record a transform or the record function dropped: it goes on to the offset
     * tracker only, which notes its offset as processed (for exact translation of group offsets at it) and never
     * passes it to the sink.
     */
    public boolean dropped;

    public MirrorRecord() {}

    public MirrorRecord(String sourceTopic, int partition, long offset, long timestamp, byte[] key, byte[] value,
                        String[] headerKeys, byte[][] headerValues) {
        this.sourceTopic = sourceTopic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.headerKeys = headerKeys;
        this.headerValues = headerValues;
    }

    /** Number of headers. */
    public int headerCount() {
        return headerKeys == null ? 0 : headerKeys.length;
    }

    /** Value of the last header named {@code headerKey}, or null if there is none (or its value is null). */
    public byte[] lastHeader(String headerKey) {
        for (int i = headerCount() - 1; i >= 0; i--) {
            if (headerKey.equals(headerKeys[i])) {
                return headerValues[i];
            }
        }
        return null;
    }

    /** Appends a header after the existing ones. */
    public void addHeader(String headerKey, byte[] headerValue) {
        int n = headerCount();
        String[] keys = n == 0 ? new String[1] : Arrays.copyOf(headerKeys, n + 1);
        byte[][] values = n == 0 ? new byte[1][] : Arrays.copyOf(headerValues, n + 1);
        keys[n] = headerKey;
        values[n] = headerValue;
        headerKeys = keys;
        headerValues = values;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof MirrorRecord)) {
            return false;
        }
        MirrorRecord that = (MirrorRecord) o;
        return partition == that.partition && offset == that.offset && timestamp == that.timestamp
                && Objects.equals(sourceTopic, that.sourceTopic) && Objects.equals(targetTopic, that.targetTopic)
                && Arrays.equals(key, that.key) && Arrays.equals(value, that.value)
                && Arrays.equals(headerKeys, that.headerKeys) && Arrays.deepEquals(headerValues, that.headerValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(sourceTopic, partition, offset);
    }

    @Override
    public String toString() {
        return sourceTopic + "-" + partition + "@" + offset + (targetTopic == null ? "" : " -> " + targetTopic);
    }
}
