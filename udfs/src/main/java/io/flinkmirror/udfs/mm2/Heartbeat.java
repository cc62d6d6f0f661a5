package io.flinkmirror.udfs.mm2;

import java.nio.ByteBuffer;
import java.util.Objects;
import org.apache.kafka.common.protocol.types.Field;
import org.apache.kafka.common.protocol.types.Schema;
import org.apache.kafka.common.protocol.types.SchemaException;
import org.apache.kafka.common.protocol.types.Struct;
import org.apache.kafka.common.protocol.types.Type;

/**
 * One heartbeat record as MirrorMaker 2 writes it to the {@code heartbeats} topic: the flow
 * {@code sourceClusterAlias->targetClusterAlias} was alive at {@code timestamp} (epoch millis).
 *
 * <p>Wire format, byte-compatible with MM2 4.2's {@code org.apache.kafka.connect.mirror.Heartbeat} and to be kept
 * so (Kafka protocol types: big-endian; a string is an int16 byte length then that many UTF-8 bytes):
 * <pre>
 *   key:   string sourceClusterAlias, string targetClusterAlias   (no version header)
 *   value: int16 version = 0, int64 timestamp                     (always 10 bytes)
 * </pre>
 * {@link #deserialize} accepts only value version 0, the one MM2 4.2 writes. As in MM2, bytes after the last field
 * are ignored.
 */
public record Heartbeat(String sourceClusterAlias, String targetClusterAlias, long timestamp) {

    /** The only value version MM2 4.2 writes and reads. */
    public static final short VERSION = 0;

    private static final Schema HEADER_SCHEMA = new Schema(new Field("version", Type.INT16));
    private static final Schema KEY_SCHEMA = new Schema(
            new Field("sourceClusterAlias", Type.STRING),
            new Field("targetClusterAlias", Type.STRING));
    private static final Schema VALUE_SCHEMA_V0 = new Schema(new Field("timestamp", Type.INT64));

    public Heartbeat {
        Objects.requireNonNull(sourceClusterAlias, "sourceClusterAlias");
        Objects.requireNonNull(targetClusterAlias, "targetClusterAlias");
    }

    /** Record key bytes, as MM2's {@code Heartbeat.recordKey()}. */
    public byte[] recordKey() {
        return Structs.write(this, "key", new Struct(KEY_SCHEMA)
                .set("sourceClusterAlias", sourceClusterAlias)
                .set("targetClusterAlias", targetClusterAlias));
    }

    /** Record value bytes (version 0), as MM2's {@code Heartbeat.recordValue()}. */
    public byte[] recordValue() {
        return Structs.write(this, "value", new Struct(HEADER_SCHEMA).set("version", VERSION),
                new Struct(VALUE_SCHEMA_V0).set("timestamp", timestamp));
    }

    /**
     * Decodes a heartbeat record; throws IllegalArgumentException if the value version is not 0 or the bytes are not
     * an MM2 heartbeat.
     */
    public static Heartbeat deserialize(byte[] key, byte[] value) {
        Objects.requireNonNull(key, "heartbeat key");
        Objects.requireNonNull(value, "heartbeat value");
        try {
            ByteBuffer valueBuffer = ByteBuffer.wrap(value);
            short version = HEADER_SCHEMA.read(valueBuffer).getShort("version");
            if (version != VERSION) {
                throw new IllegalArgumentException("Unknown MM2 heartbeat value version: " + version
                        + " (only version " + VERSION + ", as written by MM2 4.2, is supported)");
            }
            long timestamp = VALUE_SCHEMA_V0.read(valueBuffer).getLong("timestamp");
            Struct keyStruct = KEY_SCHEMA.read(ByteBuffer.wrap(key));
            return new Heartbeat(keyStruct.getString("sourceClusterAlias"), keyStruct.getString("targetClusterAlias"),
                    timestamp);
        } catch (SchemaException e) {
            throw new IllegalArgumentException("Malformed MM2 heartbeat record (key " + key.length
                    + " bytes, value " + value.length + " bytes): " + e.getMessage(), e);
        }
    }
}
