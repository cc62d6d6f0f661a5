package io.flinkmirror.udfs.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.offsets.EncodedRecord;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.junit.jupiter.api.Test;

class HeartbeatFunctionTest {

    private final HeartbeatFunction function =
            new HeartbeatFunction("primary", "backup", "heartbeats", Map.of("bootstrap.servers", "unused:9092"));

    @Test
    void shouldEmitAHeartbeatThatMirrorMakersOwnClientDecodes() {
        long before = System.currentTimeMillis();
        EncodedRecord record = function.map(7L);
        long after = System.currentTimeMillis();

        ProducerRecord<byte[], byte[]> produced = new EncodedRecord.Serializer().serialize(record, null, null);
        Heartbeat read = Heartbeat.deserializeRecord(new ConsumerRecord<>(produced.topic(), produced.partition(), 0L,
                produced.key(), produced.value()));

        assertThat(produced.topic()).isEqualTo("heartbeats");
        assertThat(produced.partition()).isZero();
        assertThat(read.sourceClusterAlias()).isEqualTo("primary");
        assertThat(read.targetClusterAlias()).isEqualTo("backup");
        assertThat(read.timestamp()).isBetween(before, after);
    }

    @Test
    void shouldStampEveryTickWithTheTimeOfItsClock() {
        long[] now = {1_000};
        HeartbeatFunction clocked = new HeartbeatFunction("primary", "backup", "heartbeats",
                Map.of("bootstrap.servers", "unused:9092"), -1, () -> now[0]);

        EncodedRecord first = clocked.map(0L);
        now[0] = 6_000;
        EncodedRecord second = clocked.map(1L);

        assertThat(timestamp(first)).isEqualTo(1_000);
        assertThat(timestamp(second)).isEqualTo(6_000);
    }

    private static long timestamp(EncodedRecord record) {
        return io.flinkmirror.udfs.mm2.Heartbeat.deserialize(record.key, record.value).timestamp();
    }
}
