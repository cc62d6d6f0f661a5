package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.mm2.OffsetSync;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RunPairingTest {

    private static PartitionWrites writes(long[] runStarts, long[] runLengths) {
        PartitionWrites writes = new PartitionWrites();
        writes.sourceTopic = "orders";
        writes.targetTopic = "A.orders";
        writes.partition = 3;
        writes.runStarts = runStarts;
        writes.runLengths = runLengths;
        return writes;
    }

    @Test
    void shouldPairOneRunWithOneSegment() {
        OffsetRuns runs = new OffsetRuns();

        List<OffsetSync> syncs = RunPairing.pair(writes(new long[] {100}, new long[] {5}),
                List.of(new long[] {40, 5}), runs);

        assertThat(syncs).containsExactly(new OffsetSync("orders", 3, 100, 40));
        assertThat(runs.translate(100)).isEqualTo(OptionalLong.of(40));
        assertThat(runs.translate(104)).isEqualTo(OptionalLong.of(44));
        assertThat(runs.nextDownstream).isEqualTo(45);
    }

    @Test
    void shouldSplitAtSourceGapsAndAtTargetMarkersAlike() {
        OffsetRuns runs = new OffsetRuns();
        // Source: 10..12, then (a gap: compaction) 20..23. Target: 3 records at 50, a control marker, 4 at 54.
        List<OffsetSync> syncs = RunPairing.pair(writes(new long[] {10, 20}, new long[] {3, 4}),
                List.of(new long[] {50, 2}, new long[] {53, 5}), runs);

        // Pieces: 10..11 -> 50..51, 12 -> 53, 20..23 -> 54..57.
        assertThat(syncs).containsExactly(new OffsetSync("orders", 3, 10, 50), new OffsetSync("orders", 3, 12, 53),
                new OffsetSync("orders", 3, 20, 54));
        assertThat(runs.translate(11)).isEqualTo(OptionalLong.of(51));
        assertThat(runs.translate(12)).isEqualTo(OptionalLong.of(53));
        // A group at 15 (compacted away on the source) reads 20 next: target 54.
        assertThat(runs.translate(15)).isEqualTo(OptionalLong.of(54));
        assertThat(runs.translate(23)).isEqualTo(OptionalLong.of(57));
        assertThat(runs.nextDownstream).isEqualTo(58);
    }

    @Test
    void shouldAppendAfterEarlierTransactions() {
        OffsetRuns runs = new OffsetRuns();
        RunPairing.pair(writes(new long[] {0}, new long[] {2}), List.<long[]>of(new long[] {0, 2}), runs);
        // The next transaction's records follow a commit marker at 2.
        RunPairing.pair(writes(new long[] {2}, new long[] {2}), List.<long[]>of(new long[] {3, 2}), runs);

        assertThat(runs.translate(1)).isEqualTo(OptionalLong.of(1));
        assertThat(runs.translate(2)).isEqualTo(OptionalLong.of(3));
        assertThat(runs.upstreamHorizon()).isEqualTo(4);
    }
}
