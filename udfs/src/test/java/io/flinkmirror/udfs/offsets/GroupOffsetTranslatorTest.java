package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class GroupOffsetTranslatorTest {

    private static final TopicPartition TP = new TopicPartition("orders", 0);

    /** Source offsets 100..109 at target 500..509, the next replicated record lands at 510 or later. */
    private static OffsetRuns runs() {
        OffsetRuns runs = new OffsetRuns();
        runs.append(100, 500, 10);
        return runs;
    }

    /** A source that holds committed records exactly at {@code offsets}, and records what it was asked. */
    private static final class Source implements SourceProbe {
        final List<Long> records;
        final List<String> asked = new ArrayList<>();

        Source(Long... records) {
            this.records = List.of(records);
        }

        @Override
        public boolean mayHaveRecords(TopicPartition tp, long from, long to) {
            asked.add(from + ".." + to);
            return records.stream().anyMatch(o -> o >= from && o < to);
        }
    }

    @Test
    void shouldTranslateInsideTheRunsWithoutAskingTheSource() {
        Source source = new Source();

        assertThat(GroupOffsetTranslator.translate(runs(), TP, 104, source)).isEqualTo(OptionalLong.of(504));
        assertThat(source.asked).isEmpty();
    }

    @Test
    void shouldTranslateBeforeTheFirstRunOnlyWhenTheSourceHoldsNothingInBetween() {
        // Offsets 90..99 are gone (transaction markers, aborted records): a group at 95 reads 100 next.
        assertThat(GroupOffsetTranslator.translate(runs(), TP, 95, new Source())).isEqualTo(OptionalLong.of(500));
        // Record 97 was replicated before the mapping starts: not exact, so no translation.
        Source source = new Source(97L);
        assertThat(GroupOffsetTranslator.translate(runs(), TP, 95, source)).isEmpty();
        assertThat(source.asked).containsExactly("95..100");
    }

    @Test
    void shouldTranslateBeyondTheLastRunOnlyWhenTheGroupHasReadEverythingReplicated() {
        Source markersOnly = new Source();
        assertThat(GroupOffsetTranslator.translate(runs(), TP, 112, markersOnly)).isEqualTo(OptionalLong.of(510));
        assertThat(markersOnly.asked).containsExactly("110..112");
        // Record 111 is not replicated yet: the group at 112 is ahead of the target.
        assertThat(GroupOffsetTranslator.translate(runs(), TP, 112, new Source(111L))).isEmpty();
    }

    @Test
    void shouldTranslateTheEndOfTheLastRunToTheNextTargetOffset() {
        assertThat(GroupOffsetTranslator.translate(runs(), TP, 110, new Source())).isEqualTo(OptionalLong.of(510));
    }

    @Test
    void shouldTranslateOffsetsOfDroppedRecordsAroundTheRunsToTheNextRecordWritten() {
        // A transaction processed source offsets 95..114: 100..109 written, 95..99 and 110..114 dropped (transforms).
        OffsetRuns runs = runs();
        runs.seen(95, 115, true);
        Source source = new Source(95L, 96L, 97L, 98L, 99L, 110L, 111L, 112L, 113L, 114L);

        assertThat(GroupOffsetTranslator.translate(runs, TP, 95, source)).isEqualTo(OptionalLong.of(500));
        assertThat(GroupOffsetTranslator.translate(runs, TP, 99, source)).isEqualTo(OptionalLong.of(500));
        assertThat(GroupOffsetTranslator.translate(runs, TP, 111, source)).isEqualTo(OptionalLong.of(510));
        assertThat(GroupOffsetTranslator.translate(runs, TP, 115, source)).isEqualTo(OptionalLong.of(510));
        assertThat(source.asked).isEmpty();
        // Before what was processed, the source decides as before: record 94 may have been written earlier.
        assertThat(GroupOffsetTranslator.translate(runs, TP, 94, new Source(94L))).isEmpty();
        assertThat(GroupOffsetTranslator.translate(runs, TP, 116, new Source(115L))).isEmpty();
    }

    @Test
    void shouldNotClaimDroppedRecordsBeforeTheFirstRunOfALaterTransaction() {
        OffsetRuns runs = runs();
        runs.append(new long[] {120}, new long[] {5}, 510);
        runs.seen(112, 125, false);

        // 110..119 is a gap between runs anyway; only the tail counts from a later transaction.
        assertThat(runs.headDropped).isZero();
        assertThat(GroupOffsetTranslator.translate(runs, TP, 124, new Source(124L))).isEqualTo(OptionalLong.of(514));
        assertThat(GroupOffsetTranslator.translate(runs, TP, 125, new Source())).isEqualTo(OptionalLong.of(515));
        runs.prune(1);
        assertThat(runs.headDropped).isZero();
    }
}
