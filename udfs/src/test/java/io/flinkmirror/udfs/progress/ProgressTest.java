package io.flinkmirror.udfs.progress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ProgressTest {

    @Test
    void shouldRoundTripEveryField() {
        Progress p = new Progress("bestellungen-ü", 7, 1_234_567_890_123L, 1_234_567_890_000L,
                new long[] {1_234_567_890_000L, 100, 1_234_567_890_101L, 21}, new long[] {55, 60, 116, 61});
        Progress read = Progress.read(p.recordKey(), p.recordValue());
        assertThat(read).isEqualTo(p);
        assertThat(read.records()).isEqualTo(121);
        assertThat(read.nextTargetOffset()).isEqualTo(177);
        assertThat(Progress.readKey(p.recordKey())).isEqualTo(new TopicPartition("bestellungen-ü", 7));
    }

    @Test
    void shouldWriteTheDocumentedLayout() {
        Progress p = new Progress("t", 2, 10, 4, new long[] {4, 3}, new long[] {100, 3});
        assertThat(HexFormat.of().formatHex(p.recordKey())).isEqualTo("0000" + "0001" + "74" + "00000002");
        ByteBuffer value = ByteBuffer.wrap(p.recordValue());
        assertThat(value.remaining()).isEqualTo(2 + 8 + 8 + 4 + 12 + 4 + 12);
        assertThat(value.getShort()).isZero();
        assertThat(value.getLong()).isEqualTo(10);
        assertThat(value.getLong()).isEqualTo(4);
        assertThat(value.getInt()).isEqualTo(1);
        assertThat(value.getLong()).isEqualTo(4);
        assertThat(value.getInt()).isEqualTo(3);
        assertThat(value.getInt()).isEqualTo(1);
        assertThat(value.getLong()).isEqualTo(100);
        assertThat(value.getInt()).isEqualTo(3);
    }

    @Test
    void shouldKeepUnknownTargetOffsetsAndTransactionsThatWroteNothing() {
        Progress unknown = new Progress("t", 0, 10, 8, new long[] {8, 2}, null);
        assertThat(Progress.read(unknown.recordKey(), unknown.recordValue())).isEqualTo(unknown);
        assertThat(unknown.nextTargetOffset()).isEqualTo(-1);
        Progress dropped = new Progress("t", 0, 10, 0, new long[0], new long[0]);
        assertThat(Progress.read(dropped.recordKey(), dropped.recordValue())).isEqualTo(dropped);
        assertThat(dropped.records()).isZero();
    }

    @Test
    void shouldIgnoreBytesAppendedByALaterVersionOfTheSameLayout() {
        Progress p = new Progress("t", 0, 10, 9, new long[] {9, 1}, new long[] {0, 1});
        byte[] longer = ByteBuffer.allocate(p.recordValue().length + 8).put(p.recordValue()).putLong(42).array();
        assertThat(Progress.read(p.recordKey(), longer)).isEqualTo(p);
    }

    @Test
    void shouldRejectUnknownVersionsShortValuesAndInconsistentCounts() {
        Progress p = new Progress("t", 0, 10, 9, new long[] {9, 1}, new long[] {0, 1});
        byte[] v1 = p.recordValue();
        v1[1] = 1;
        assertThatThrownBy(() -> Progress.read(p.recordKey(), v1)).hasMessageContaining("version 1")
                .hasMessageContaining("t-0");
        assertThatThrownBy(() -> Progress.read(p.recordKey(), new byte[5])).hasMessageContaining("too short")
                .hasMessageContaining("t-0");
        byte[] k1 = p.recordKey();
        k1[1] = 3;
        assertThatThrownBy(() -> Progress.readKey(k1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 3");
        assertThatThrownBy(() -> new Progress("t", 0, 10, 9, new long[] {9, 1}, new long[] {0, 2}))
                .hasMessageContaining("hold 2 records");
    }

    @Test
    void shouldPairSourceRunsWithTargetSegmentsIntoAnExactMapping() {
        // Source 10..12 and 20..21 written; on the target a marker sits after the first two records.
        Progress p = new Progress("t", 0, 22, 10, new long[] {10, 3, 20, 2}, new long[] {100, 2, 103, 3});
        assertThat(p.mapping()).containsExactly(new long[] {10, 100, 2}, new long[] {12, 103, 1},
                new long[] {20, 104, 2});
        assertThat(new Progress("t", 0, 22, 10, new long[] {10, 3}, null).mapping()).isEmpty();
    }
}
