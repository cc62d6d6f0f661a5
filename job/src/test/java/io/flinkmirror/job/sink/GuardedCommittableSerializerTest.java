package io.flinkmirror.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.junit.jupiter.api.Test;

class GuardedCommittableSerializerTest {

    private static final SimpleVersionedSerializer<KafkaCommittable> KAFKA = KafkaSink.<String>builder()
            .setBootstrapServers("localhost:9092")
            .setRecordSerializer((element, context, timestamp) -> null)
            .build()
            .getCommittableSerializer();

    private final GuardedCommittableSerializer serializer = new GuardedCommittableSerializer(KAFKA);

    @Test
    void shouldKeepTheTransactionAndItsSourceRanges() throws Exception {
        GuardedCommittable committable = new GuardedCommittable(
                new KafkaCommittable(42L, (short) 3, "mirror-A-B-0-17", null), "orders-0 [5..9] 5 records", 11);

        GuardedCommittable back = serializer.deserialize(serializer.getVersion(), serializer.serialize(committable));

        assertThat(back.kafka().getProducerId()).isEqualTo(42L);
        assertThat(back.kafka().getEpoch()).isEqualTo((short) 3);
        assertThat(back.kafka().getTransactionalId()).isEqualTo("mirror-A-B-0-17");
        assertThat(back.sourceRanges()).isEqualTo("orders-0 [5..9] 5 records");
        assertThat(back.preparedAfterCheckpoint()).isEqualTo(11);
        assertThat(back.restoredWith(12)).isTrue();
        assertThat(back.restoredWith(11)).isFalse();
    }

    @Test
    void shouldReadCommittablesWrittenBeforeTheCheckpointWasRecordedAsRestored() throws Exception {
        byte[] base = KAFKA.serialize(new KafkaCommittable(9L, (short) 2, "mirror-A-B-0-3", null));
        byte[] ranges = "orders-1 [0..3] 4 records".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        org.apache.flink.core.memory.DataOutputSerializer older = new org.apache.flink.core.memory.DataOutputSerializer(64);
        older.writeInt(base.length);
        older.write(base);
        older.writeInt(ranges.length);
        older.write(ranges);

        GuardedCommittable back = serializer.deserialize(serializer.getVersion(), older.getCopyOfBuffer());

        assertThat(back.sourceRanges()).isEqualTo("orders-1 [0..3] 4 records");
        assertThat(back.preparedAfterCheckpoint()).isEqualTo(-1);
        assertThat(back.restoredWith(1)).isTrue();
    }

    @Test
    void shouldKeepUnknownRangesUnknown() throws Exception {
        GuardedCommittable committable = new GuardedCommittable(new KafkaCommittable(1L, (short) 0, "t-0-1", null), null);

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(committable)).sourceRanges())
                .isNull();
    }

    @Test
    void shouldReadTheConnectorsOwnCommittablesFromOlderSavepoints() throws Exception {
        byte[] old = KAFKA.serialize(new KafkaCommittable(7L, (short) 1, "mirror-A-B-1-4", null));

        GuardedCommittable back = serializer.deserialize(KAFKA.getVersion(), old);

        assertThat(back.kafka().getTransactionalId()).isEqualTo("mirror-A-B-1-4");
        assertThat(back.kafka().getProducerId()).isEqualTo(7L);
        assertThat(back.sourceRanges()).isNull();
        assertThat(serializer.getVersion()).isGreaterThan(GuardedCommittableSerializer.OWN);
    }
}
