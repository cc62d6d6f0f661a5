package io.flinkmirror.udfs.mm2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class HeartbeatTest {

    static Stream<Heartbeat> heartbeats() {
        return Stream.of(
                new Heartbeat("A", "B", 0L),
                new Heartbeat("primary", "backup", 1_700_000_000_123L),
                new Heartbeat("us-east-1", "eu-west-1", Long.MAX_VALUE),
                new Heartbeat("zürich-日本", "🚀", -1L),
                new Heartbeat("", "", Long.MIN_VALUE));
    }

    private static org.apache.kafka.connect.mirror.Heartbeat mm2(Heartbeat heartbeat) {
        return new org.apache.kafka.connect.mirror.Heartbeat(heartbeat.sourceClusterAlias(),
                heartbeat.targetClusterAlias(), heartbeat.timestamp());
    }

    /** MM2's Heartbeat has no equals(): compare it field by field through ours. */
    private static Heartbeat ours(org.apache.kafka.connect.mirror.Heartbeat mm2) {
        return new Heartbeat(mm2.sourceClusterAlias(), mm2.targetClusterAlias(), mm2.timestamp());
    }

    @ParameterizedTest
    @MethodSource("heartbeats")
    void shouldWriteExactlyTheBytesMm2Writes(Heartbeat heartbeat) {
        assertThat(heartbeat.recordKey()).isEqualTo(Mm2Oracle.key(mm2(heartbeat)));
        assertThat(heartbeat.recordValue()).isEqualTo(Mm2Oracle.value(mm2(heartbeat)));
    }

    @ParameterizedTest
    @MethodSource("heartbeats")
    void shouldBeReadByMm2AsTheSameHeartbeat(Heartbeat heartbeat) {
        var read = org.apache.kafka.connect.mirror.Heartbeat.deserializeRecord(
                Mm2Oracle.record(heartbeat.recordKey(), heartbeat.recordValue()));

        assertThat(ours(read)).isEqualTo(heartbeat);
    }

    @ParameterizedTest
    @MethodSource("heartbeats")
    void shouldReadTheHeartbeatMm2Wrote(Heartbeat heartbeat) {
        var written = mm2(heartbeat);

        assertThat(Heartbeat.deserialize(Mm2Oracle.key(written), Mm2Oracle.value(written))).isEqualTo(heartbeat);
    }

    @Test
    void shouldEncodeBothAliasesInKeyAndVersionZeroTimestampInValue() {
        Heartbeat heartbeat = new Heartbeat("A", "BC", 258L);

        assertThat(HexFormat.of().formatHex(heartbeat.recordKey())).isEqualTo("0001" + "41" + "0002" + "4243");
        assertThat(HexFormat.of().formatHex(heartbeat.recordValue())).isEqualTo("0000" + "0000000000000102");
    }

    @Test
    void shouldRejectAnUnknownValueVersionNamingIt() {
        Heartbeat heartbeat = new Heartbeat("A", "B", 1L);
        byte[] value = heartbeat.recordValue();
        ByteBuffer.wrap(value).putShort((short) -1);

        assertThatThrownBy(() -> Heartbeat.deserialize(heartbeat.recordKey(), value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Unknown MM2 heartbeat value version: -1");
    }

    @Test
    void shouldRejectATruncatedValueWithIllegalArgumentException() {
        Heartbeat heartbeat = new Heartbeat("A", "B", 1L);

        assertThatThrownBy(() -> Heartbeat.deserialize(heartbeat.recordKey(), new byte[] {0, 0, 1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Malformed MM2 heartbeat record");
    }
}
