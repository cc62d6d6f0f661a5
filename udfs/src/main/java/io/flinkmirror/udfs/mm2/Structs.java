package io.flinkmirror.udfs.mm2;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.types.SchemaException;
import org.apache.kafka.common.protocol.types.Struct;

/** Encoding shared by the MM2 record formats: Kafka protocol structs written back to back. */
final class Structs {

    private Structs() {}

    /**
     * Writes {@code structs} back to back; a string that cannot be encoded is reported as an
     * IllegalArgumentException naming the {@code part} (key or value) of {@code owner}.
     */
    static byte[] write(Object owner, String part, Struct... structs) {
        try {
            int size = 0;
            for (Struct struct : structs) {
                size += struct.sizeOf();
            }
            ByteBuffer buffer = ByteBuffer.allocate(size);
            for (Struct struct : structs) {
                struct.writeTo(buffer);
            }
            return buffer.array();
        } catch (SchemaException e) {
            throw new IllegalArgumentException("Cannot encode the " + part + " of " + owner + ": " + e.getMessage(), e);
        }
    }
}
