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
 * One offset-sync record as MirrorMaker 2 writes it to {@code mm2-offset-syncs.<target>.internal}: source offset
 * {@code upstreamOffset} of {@code topic}-{@code partition} was written to the target at {@code downstreamOffset}.
 *
 * <p>{@code topic} is the topic's name on the SOURCE cluster (MM2 keys offset syncs by the upstream partition).
 *
 * <p>Wire format, byte-compatible with MM2 4.2's {@code org.apache.kafka.connect.mirror.OffsetSync} and to be kept
 * so (Kafka protocol types: big-endian; a string is an int16 byte length then that many UTF-8 bytes):
 * <pre>
 *   key:   string topic, int32 partition
 *   value: int64 upstreamOffset, int64 downstreamOffset          (always 16 bytes)
 * </pre>
 * Unlike checkpoints and heartbeats, offset syncs carry NO version header, in key or value: there is no version to
 * check, so a future versioned format could not be told apart. As in MM2, bytes after the last field are ignored.
 */
public record OffsetSync(String topic, int partition, long upstreamOffset, long downstreamOffset) {

    private static final Schema KEY_SCHEMA = new Schema(
            new Field("topic", Type.STRING),
            new Field("partition", Type.INT32));
    private static final Schema VALUE_SCHEMA = new Schema(
            new Field("upstreamOffset", Type.INT64),
            new Field("offset", Type.INT64));

    public OffsetSync {
        Objects.requireNonNull(topic, "topic");
    }

    public OffsetSync(TopicPartition topicPartition, long upstreamOffset, long downstreamOffset) {
        this(topicPartition.topic(), topicPartition.partition(), upstreamOffset, downstreamOffset);
    }

    /** The source partition this sync is about. */
    public TopicPartition topicPartition() {
        return new TopicPartition(topic, partition);
    }

    /** Record key bytes, as MM2's {@code OffsetSync.recordKey()}. */
    public byte[] recordKey() {
        return Structs.write(this, "key", new Struct(KEY_SCHEMA).set("topic", topic).set("partition", partition));
    }

    /** Record value bytes, as MM2's {@code OffsetSync.recordValue()}. */
    public byte[] recordValue() {
        return Structs.write(this, "value", new Struct(VALUE_SCHEMA)
                .set("upstreamOffset", upstreamOffset)
                .set("offset", downstreamOffset));
    }

    /** Decodes an offset-sync record; throws IllegalArgumentException if the bytes are not an MM2 offset sync. */
    public static OffsetSync deserialize(byte[] key, byte[] value) {
        Objects.requireNonNull(key, "offset-sync key");
        Objects.requireNonNull(value, "offset-sync value");
        try {
            Struct keyStruct = KEY_SCHEMA.read(ByteBuffer.wrap(key));
            Struct valueStruct = VALUE_SCHEMA.read(ByteBuffer.wrap(value));
            return new OffsetSync(keyStruct.getString("topic"), keyStruct.getInt("partition"),
                    valueStruct.getLong("upstreamOffset"), valueStruct.getLong("offset"));
        } catch (SchemaException e) {
            throw new IllegalArgumentException("Malformed MM2 offset-sync record (key " + key.length
                    + " bytes, value " + value.length + " bytes): " + e.getMessage(), e);
        }
    }
}
