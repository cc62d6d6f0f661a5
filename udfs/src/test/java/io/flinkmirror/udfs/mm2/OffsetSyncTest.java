package io.flinkmirror.udfs.mm2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class OffsetSyncTest {

    static Stream<OffsetSync> syncs() {
        return Stream.of(
                new OffsetSync("orders", 0, 0L, 0L),
                new OffsetSync("orders", 3, 42L, 17L),
                new OffsetSync("t", Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE - 1),
                new OffsetSync("very.long_topic-name." + "x".repeat(200), 1_000_000, 1L << 40, (1L << 40) + 5),
                new OffsetSync("bestellungen-ü-日本", 7, 123_456_789_012L, 98_765_432_109L),
                new OffsetSync("orders", 1, 5L, -1L));
    }

    private static org.apache.kafka.connect.mirror.OffsetSync mm2(OffsetSync sync) {
        return new org.apache.kafka.connect.mirror.OffsetSync(sync.topicPartition(), sync.upstreamOffset(),
                sync.downstreamOffset());
    }

    @ParameterizedTest
    @MethodSource("syncs")
    void shouldWriteExactlyTheBytesMm2Writes(OffsetSync sync) {
        assertThat(sync.recordKey()).isEqualTo(Mm2Oracle.key(mm2(sync)));
        assertThat(sync.recordValue()).isEqualTo(Mm2Oracle.value(mm2(sync)));
    }

    @ParameterizedTest
    @MethodSource("syncs")
    void shouldBeReadByMm2AsTheSameSync(OffsetSync sync) {
        var read = org.apache.kafka.connect.mirror.OffsetSync.deserializeRecord(
                Mm2Oracle.record(sync.recordKey(), sync.recordValue()));

        assertThat(read).isEqualTo(mm2(sync));
    }

    @ParameterizedTest
    @MethodSource("syncs")
    void shouldReadTheSyncMm2Wrote(OffsetSync sync) {
        var written = mm2(sync);

        assertThat(OffsetSync.deserialize(Mm2Oracle.key(written), Mm2Oracle.value(written))).isEqualTo(sync);
    }

    @Test
    void shouldEncodeTopicAndPartitionInKeyAndBothOffsetsInValueWithoutVersionHeader() {
        OffsetSync sync = new OffsetSync("ab", 1, 2L, 3L);

        assertThat(HexFormat.of().formatHex(sync.recordKey())).isEqualTo("0002" + "6162" + "00000001");
        assertThat(HexFormat.of().formatHex(sync.recordValue()))
                .isEqualTo("0000000000000002" + "0000000000000003");
    }

    @Test
    void shouldRejectATruncatedValueWithIllegalArgumentException() {
        OffsetSync sync = new OffsetSync("orders", 0, 1L, 2L);
        byte[] truncated = Arrays.copyOf(sync.recordValue(), 12);

        assertThatThrownBy(() -> OffsetSync.deserialize(sync.recordKey(), truncated))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Malformed MM2 offset-sync record");
    }

    @Test
    void shouldRejectATopicLongerThanAnInt16LengthCanCarry() {
        OffsetSync sync = new OffsetSync("t".repeat(Short.MAX_VALUE + 1), 0, 1L, 2L);

        assertThatThrownBy(sync::recordKey)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot encode the key");
    }
}
