package io.flinkmirror.udfs.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class MirrorRecordTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldBeAFlinkPojoSoItNeverFallsBackToKryo() {
        assertThat(TypeInformation.of(MirrorRecord.class)).isInstanceOf(PojoTypeInfo.class);
    }

    @Test
    void shouldRoundTripThroughFlinkSerializerWithNullsAndHeaders() throws Exception {
        MirrorRecord record = new MirrorRecord("t", 1, 7L, 123L, null, null,
                new String[] {"a", "b"}, new byte[][] {b("x"), null});
        record.targetTopic = "A.t";
        TypeSerializer<MirrorRecord> serializer = TypeInformation.of(MirrorRecord.class)
                .createSerializer(new SerializerConfigImpl());
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(record, out);
        MirrorRecord copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

        assertThat(copy).isEqualTo(record);
        assertThat(copy.headerValues[1]).isNull();
    }

    @Test
    void shouldMapSourceRecordToSamePartitionWithKeyValueHeadersAndTimestamp() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("h", b("v"));
        headers.add("h", null);
        ConsumerRecord<byte[], byte[]> in = new ConsumerRecord<>("orders", 2, 99L, 555L, TimestampType.CREATE_TIME,
                1, 1, b("k"), b("v"), headers, java.util.Optional.empty());
        java.util.List<MirrorRecord> collected = new java.util.ArrayList<>();
        new MirrorRecordDeserializer().deserialize(in, new org.apache.flink.util.Collector<>() {
            @Override
            public void collect(MirrorRecord r) {
                collected.add(r);
            }

            @Override
            public void close() {}
        });
        MirrorRecord mapped = collected.get(0);
        mapped.targetTopic = "A.orders";

        ProducerRecord<byte[], byte[]> out = MirrorRecordSerializer.toProducerRecord(mapped);

        assertThat(out.topic()).isEqualTo("A.orders");
        assertThat(out.partition()).isEqualTo(2);
        assertThat(out.timestamp()).isEqualTo(555L);
        assertThat(out.key()).isEqualTo(b("k"));
        assertThat(out.value()).isEqualTo(b("v"));
        assertThat(out.headers().toArray()).hasSize(2);
        assertThat(out.headers().toArray()[0].value()).isEqualTo(b("v"));
        assertThat(out.headers().toArray()[1].value()).isNull();
    }

    @Test
    void shouldLeaveTimestampToProducerWhenSourceHadNone() {
        MirrorRecord r = new MirrorRecord("t", 0, 0L, -1L, null, b("v"), new String[0], new byte[0][]);
        r.targetTopic = "t";
        assertThat(MirrorRecordSerializer.toProducerRecord(r).timestamp()).isNull();
    }
}
