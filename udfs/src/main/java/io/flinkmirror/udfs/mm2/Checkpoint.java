package io.flinkmirror.udfs.mm2;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.SchemaException;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;

/**
 * One checkpoint record as MirrorMaker 2 writes it to {@code <source>.checkpoints.internal} on the target cluster:
 * group {@code consumerGroupId} committed {@code upstreamOffset} on the source, which translates to
 * {@code downstreamOffset} on the target.
 *
 * <p>{@code topic} is the REMOTE topic, i.e. the topic's name on the TARGET cluster as the replication policy
 * renames it (e.g. {@code A.orders}), because that is what MM2 writes and what {@code RemoteClusterUtils
 * .translateOffsets} hands back to consumers. The caller supplies the renamed name; this class does not rename.
 *
 * <p>Wire format, byte-compatible with MM2 4.2's {@code org.apache.kafka.connect.mirror.Checkpoint} and to be kept
 * so (Kafka protocol types: big-endian; a string is an int16 byte length then that many UTF-8 bytes):
 * <pre>
 *   key:   string consumerGroupId, string topic, int32 partition          (no version header)
 *   value: int16 version = 0, int64 upstreamOffset, int64 downstreamOffset, string metadata
 * </pre>
 * {@link #deserialize} accepts only value version 0, the one MM2 4.2 writes. As in MM2, bytes after the last field
 * are ignored. Strings may not be null (an empty metadata is {@code ""}) nor longer than 32767 UTF-8 bytes.
 */
public record Checkpoint(String consumerGroupId, String topic, int partition, long upstreamOffset,
                         long downstreamOffset, String metadata) {

    /** The only value version MM2 4.2 writes and reads. */
    public static final short VERSION = 0;

    private static final Schema HEADER_SCHEMA = new Schema(new Field("version", Type.INT16));
    private static final Schema KEY_SCHEMA = new Schema(
            new Field("group", Type.STRING),
            new Field("topic", Type.STRING),
            new Field("partition", Type.INT32));
    private static final Schema VALUE_SCHEMA_V0 = new Schema(
            new Field("upstreamOffset", Type.INT64),
            new Field("offset", Type.INT64),
            new Field("metadata", Type.STRING));

    public Checkpoint {
        Objects.requireNonNull(consumerGroupId, "consumerGroupId");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(metadata, "metadata (use \"\" for none)");
    }

    /** The target-side (remote) partition the translated offset applies to. */
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    /** Record key bytes, as MM2's {@code Checkpoint.recordKey()}. */
    public byte[] recordKey() {
        return Structs.write(this, "key", new Struct(KEY_SCHEMA)
                .set("group", consumerGroupId)
                .set("topic", topic)
                .set("partition", partition));
    }

    /** Record value bytes (version 0), as MM2's {@code Checkpoint.recordValue()}. */
    public byte[] recordValue() {
        return Structs.write(this, "value", new Struct(HEADER_SCHEMA).set("version", VERSION),
                new Struct(VALUE_SCHEMA_V0)
                        .set("upstreamOffset", upstreamOffset)
                        .set("offset", downstreamOffset)
                        .set("metadata", metadata));
    }

    /**
     * Decodes a checkpoint record; throws IllegalArgumentException if the value version is not 0 or the bytes are not
     * an MM2 checkpoint.
     */
    public static Checkpoint deserialize(byte[] key, byte[] value) {
        Objects.requireNonNull(key, "checkpoint key");
        Objects.requireNonNull(value, "checkpoint value");
        try {
            ByteBuffer valueBuffer = ByteBuffer.wrap(value);
            short version = HEADER_SCHEMA.read(valueBuffer).getShort("version");
            if (version != VERSION) {
                throw new IllegalArgumentException("Unknown MM2 checkpoint value version: " + version
                        + " (only version " + VERSION + ", as written by MM2 4.2, is supported)");
            }
            Struct valueStruct = VALUE_SCHEMA_V0.read(valueBuffer);
            Struct keyStruct = KEY_SCHEMA.read(ByteBuffer.wrap(key));
            return new Checkpoint(keyStruct.getString("group"), keyStruct.getString("topic"),
                    keyStruct.getInt("partition"), valueStruct.getLong("upstreamOffset"),
                    valueStruct.getLong("offset"), valueStruct.getString("metadata"));
        } catch (SchemaException e) {
            throw new IllegalArgumentException("Malformed MM2 checkpoint record (key " + key.length
                    + " bytes, value " + value.length + " bytes): " + e.getMessage(), e);
        }
    }
}
