package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class FingerprintWindowTest {

    private static ConsumerRecord<byte[], byte[]> record(long offset, String key, String value, long timestamp) {
        return new ConsumerRecord<>("t", 0, offset, timestamp, org.apache.kafka.common.record.TimestampType.CREATE_TIME,
                0, 0, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), new org.apache.kafka.common.header
                .internals.RecordHeaders(), java.util.Optional.empty());
    }

    /** Offers {@code source} until a match; the offset of the last record offered. */
    private static long offerUntilMatch(FingerprintWindow window, List<ConsumerRecord<byte[], byte[]>> source) {
        for (ConsumerRecord<byte[], byte[]> r : source) {
            if (window.offer(r)) {
                return r.offset();
            }
        }
        return -1;
    }

    @Test
    void shouldFindTheTargetRecordsAsConsecutiveSourceRecords() {
        List<ConsumerRecord<byte[], byte[]>> source = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            source.add(record(1_000 + 2L * i, "k" + i % 7, "v" + i, 5_000 + i));
        }
        // Replicas at other offsets: only key, value and timestamp count.
        List<ConsumerRecord<byte[], byte[]>> target = new ArrayList<>();
        for (int i = 40; i < 72; i++) {
            target.add(record(i - 40, "k" + i % 7, "v" + i, 5_000 + i));
        }
        FingerprintWindow window = new FingerprintWindow(target);

        assertThat(offerUntilMatch(window, source)).isEqualTo(1_000 + 2L * 71);
        assertThat(window.matchedStart()).isEqualTo(1_000 + 2L * 40);
        assertThat(window.matchedEnd()).isEqualTo(1_000 + 2L * 71);
    }

    @Test
    void shouldNotMatchWhenARecordInBetweenDiffers() {
        List<ConsumerRecord<byte[], byte[]>> target = List.of(record(0, "a", "1", 1), record(1, "b", "2", 2),
                record(2, "c", "3", 3));
        List<ConsumerRecord<byte[], byte[]>> source = List.of(record(10, "a", "1", 1), record(11, "x", "9", 9),
                record(12, "b", "2", 2), record(13, "c", "3", 3));
        FingerprintWindow window = new FingerprintWindow(target);

        assertThat(offerUntilMatch(window, source)).isEqualTo(-1);
        assertThat(window.matchedStart()).isEqualTo(-1);
    }

    @Test
    void shouldTellNullFromEmptyAndUseTheTimestamp() {
        FingerprintWindow window = new FingerprintWindow(List.of(record(0, null, "", 7)));

        assertThat(window.offer(record(5, "", "", 7))).isFalse();
        assertThat(window.offer(record(6, null, "", 8))).isFalse();
        assertThat(window.offer(record(7, null, "", 7))).isTrue();
        assertThat(window.matchedStart()).isEqualTo(7);
    }

    @Test
    void shouldMatchTheFirstRunOfRecordsThatRepeat() {
        // The same three records twice: a run of identical data matches where it first occurs.
        List<ConsumerRecord<byte[], byte[]>> target = List.of(record(0, "a", "1", 1), record(1, "a", "1", 1));
        List<ConsumerRecord<byte[], byte[]>> source = List.of(record(3, "a", "1", 1), record(4, "a", "1", 1),
                record(5, "a", "1", 1));
        FingerprintWindow window = new FingerprintWindow(target);

        assertThat(offerUntilMatch(window, source)).isEqualTo(4);
        assertThat(window.matchedStart()).isEqualTo(3);
    }
}
