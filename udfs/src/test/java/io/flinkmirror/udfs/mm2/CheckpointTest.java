package io.flinkmirror.udfs.mm2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CheckpointTest {

    static Stream<Checkpoint> checkpoints() {
        return Stream.of(
                new Checkpoint("group", "A.orders", 0, 0L, 0L, ""),
                new Checkpoint("payments-service", "A.orders", 3, 1_000L, 950L, "committed-by=app-1"),
                new Checkpoint("grüppe-日本-🚀", "A.bestellungen-ü", Integer.MAX_VALUE, Long.MAX_VALUE,
                        Long.MAX_VALUE - 10, "métadonnées ✓"),
                new Checkpoint("g", "B.A.t", 1_000_000, 1L << 40, 1L << 39, "m".repeat(Short.MAX_VALUE)),
                new Checkpoint("", "A.t", 1, 123_456_789_012L, 98_765_432_109L, "{\"json\":true}"));
    }

    private static org.apache.kafka.connect.mirror.Checkpoint mm2(Checkpoint checkpoint) {
        return new org.apache.kafka.connect.mirror.Checkpoint(checkpoint.consumerGroupId(),
                checkpoint.topicPartition(), checkpoint.upstreamOffset(), checkpoint.downstreamOffset(),
                checkpoint.metadata());
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void shouldWriteExactlyTheBytesMm2Writes(Checkpoint checkpoint) {
        assertThat(checkpoint.recordKey()).isEqualTo(Mm2Oracle.key(mm2(checkpoint)));
        assertThat(checkpoint.recordValue()).isEqualTo(Mm2Oracle.value(mm2(checkpoint)));
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void shouldBeReadByMm2AsTheSameCheckpoint(Checkpoint checkpoint) {
        var read = org.apache.kafka.connect.mirror.Checkpoint.deserializeRecord(
                Mm2Oracle.record(checkpoint.recordKey(), checkpoint.recordValue()));

        assertThat(read).isEqualTo(mm2(checkpoint));
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void shouldReadTheCheckpointMm2Wrote(Checkpoint checkpoint) {
        var written = mm2(checkpoint);

        assertThat(Checkpoint.deserialize(Mm2Oracle.key(written), Mm2Oracle.value(written))).isEqualTo(checkpoint);
    }

    @Test
    void shouldEncodeGroupTopicPartitionInKeyAndVersionZeroOffsetsMetadataInValue() {
        Checkpoint checkpoint = new Checkpoint("g", "A.t", 2, 5L, 4L, "m");

        assertThat(HexFormat.of().formatHex(checkpoint.recordKey()))
                .isEqualTo("0001" + "67" + "0003" + "412e74" + "00000002");
        assertThat(HexFormat.of().formatHex(checkpoint.recordValue()))
                .isEqualTo("0000" + "0000000000000005" + "0000000000000004" + "0001" + "6d");
    }

    @Test
    void shouldRejectAnUnknownValueVersionNamingIt() {
        Checkpoint checkpoint = new Checkpoint("g", "A.t", 0, 1L, 1L, "");
        byte[] value = checkpoint.recordValue();
        ByteBuffer.wrap(value).putShort((short) 1);

        assertThatThrownBy(() -> Checkpoint.deserialize(checkpoint.recordKey(), value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown MM2 checkpoint value version: 1");
    }

    @Test
    void shouldRejectATruncatedKeyWithIllegalArgumentException() {
        Checkpoint checkpoint = new Checkpoint("group", "A.t", 0, 1L, 1L, "");
        byte[] truncated = Arrays.copyOf(checkpoint.recordKey(), 4);

        assertThatThrownBy(() -> Checkpoint.deserialize(truncated, checkpoint.recordValue()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Malformed MM2 checkpoint record");
    }

    @Test
    void shouldRejectNullMetadataAndMetadataLongerThanAnInt16LengthCanCarry() {
        assertThatThrownBy(() -> new Checkpoint("g", "A.t", 0, 1L, 1L, null))
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("metadata");
        Checkpoint tooLong = new Checkpoint("g", "A.t", 0, 1L, 1L, "m".repeat(Short.MAX_VALUE + 1));
        assertThatThrownBy(tooLong::recordValue)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot encode the value");
    }
}
