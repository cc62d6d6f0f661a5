package io.flinkmirror.udfs.mm2;

import java.lang.reflect.Method;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reaches MM2 4.2's own encoders, the reference our wire formats are tested against. MM2's {@code recordKey()} and
 * {@code recordValue()} are package-private, hence reflection.
 */
final class Mm2Oracle {

    private Mm2Oracle() {}

    /** The key bytes MM2 writes for {@code mm2Object} (an MM2 OffsetSync, Checkpoint or Heartbeat). */
    static byte[] key(Object mm2Object) {
        return invoke(mm2Object, "recordKey");
    }

    /** The value bytes MM2 writes for {@code mm2Object} (an MM2 OffsetSync, Checkpoint or Heartbeat). */
    static byte[] value(Object mm2Object) {
        return invoke(mm2Object, "recordValue");
    }

    /** A consumed record carrying {@code key} and {@code value}, for MM2's {@code deserializeRecord}. */
    static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value) {
        return new ConsumerRecord<>("mm2-internal-topic", 0, 0L, key, value);
    }

    private static byte[] invoke(Object mm2Object, String methodName) {
        try {
            Method method = mm2Object.getClass().getDeclaredMethod(methodName);
            method.setAccessible(true);
            return (byte[]) method.invoke(mm2Object);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Cannot call MM2's " + mm2Object.getClass().getName() + "." + methodName, e);
        }
    }
}
