package io.flinkmirror.job.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Writes a {@link GuardedCommittable} as the connector's serialized committable followed by its source ranges and
 * the checkpoint it was prepared after (an int64 added later under the same version: absent in older bytes, read as
 * {@code -1}), under version {@link #OWN} + the connector's version. Versions below {@link #OWN} are the connector's own committables
 * (checkpoints and savepoints taken before the ranges were recorded): they are read with the connector's serializer
 * and their ranges are unknown.
 */
final class GuardedCommittableSerializer implements SimpleVersionedSerializer<GuardedCommittable> {

    /** Versions from here on carry source ranges; far above any version the connector will use. */
    static final int OWN = 1_000_000;

    private final SimpleVersionedSerializer<KafkaCommittable> kafka;

    GuardedCommittableSerializer(SimpleVersionedSerializer<KafkaCommittable> kafka) {
        this.kafka = kafka;
    }

    @Override
    public int getVersion() {
        return OWN + kafka.getVersion();
    }

    @Override
    public byte[] serialize(GuardedCommittable committable) throws IOException {
        byte[] base = kafka.serialize(committable.kafka());
        byte[] ranges = committable.sourceRanges() == null ? null
                : committable.sourceRanges().getBytes(StandardCharsets.UTF_8);
        DataOutputSerializer out = new DataOutputSerializer(base.length + (ranges == null ? 0 : ranges.length) + 16);
        out.writeInt(base.length);
        out.write(base);
        out.writeInt(ranges == null ? -1 : ranges.length);
        if (ranges != null) {
            out.write(ranges);
        }
        out.writeLong(committable.preparedAfterCheckpoint());
        return out.getCopyOfBuffer();
    }

    @Override
    public GuardedCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version < OWN) {
            return new GuardedCommittable(kafka.deserialize(version, serialized), null);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        byte[] base = new byte[in.readInt()];
        in.readFully(base);
        int rangesLength = in.readInt();
        String ranges = null;
        if (rangesLength >= 0) {
            byte[] bytes = new byte[rangesLength];
            in.readFully(bytes);
            ranges = new String(bytes, StandardCharsets.UTF_8);
        }
        // Added after the ranges, under the same version: committables written before it end here.
        long preparedAfter = in.available() >= Long.BYTES ? in.readLong() : -1;
        return new GuardedCommittable(kafka.deserialize(version - OWN, base), ranges, preparedAfter);
    }
}
