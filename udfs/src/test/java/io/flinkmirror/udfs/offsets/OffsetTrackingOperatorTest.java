package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.record.MirrorRecord;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class OffsetTrackingOperatorTest {

    private static MirrorRecord record(long offset, boolean dropped) {
        MirrorRecord r = new MirrorRecord("orders", 0, offset, 1_000L + offset, new byte[] {(byte) offset},
                new byte[] {1}, new String[0], new byte[0][]);
        r.targetTopic = "A.orders";
        r.dropped = dropped;
        return r;
    }

    @Test
    void shouldPassDroppedRecordsOnMarkedAndReportTheProcessedRangeWithTheNextWrites() throws Exception {
        try (OneInputStreamOperatorTestHarness<MirrorRecord, MirrorRecord> harness =
                     new OneInputStreamOperatorTestHarness<>(new OffsetTrackingOperator())) {
            harness.open();
            // Transaction 1 holds only dropped records: reported without runs (the partition was processed).
            harness.processElement(record(3, true), 0);
            harness.processElement(record(4, true), 0);
            harness.prepareSnapshotPreBarrier(1);
            // Transaction 2: written 5, 6 and 9; dropped 7, 8 and 10.
            for (long o = 5; o <= 10; o++) {
                harness.processElement(record(o, o == 7 || o == 8 || o == 10), 0);
            }
            harness.prepareSnapshotPreBarrier(2);

            // Dropped records go on marked: the sink only moves the flow's progress past them.
            assertThat(harness.extractOutputValues()).extracting(r -> r.offset)
                    .containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            assertThat(harness.extractOutputValues()).filteredOn(r -> !r.dropped).extracting(r -> r.offset)
                    .containsExactly(5L, 6L, 9L);
            List<PartitionWrites> writes = new ArrayList<>();
            for (StreamRecord<PartitionWrites> w : harness.getSideOutput(OffsetTrackingOperator.WRITES)) {
                writes.add(w.getValue());
            }
            assertThat(writes).hasSize(2);
            PartitionWrites dropped = writes.get(0);
            assertThat(dropped.recordCount()).isZero();
            assertThat(dropped.runStarts).isEmpty();
            assertThat(dropped.seenFrom).isEqualTo(3);
            assertThat(dropped.seenUntil).isEqualTo(5);
            PartitionWrites w = writes.get(1);
            assertThat(w.runStarts).containsExactly(5, 9);
            assertThat(w.runLengths).containsExactly(2, 1);
            assertThat(w.hasSeenRange).isTrue();
            assertThat(w.seenFrom).isEqualTo(5);
            assertThat(w.seenUntil).isEqualTo(11);
        }
    }
}
