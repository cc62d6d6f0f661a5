package io.flinkmirror.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The checker itself, on records given as lists (no Kafka). */
class ExactlyOnceCheckerTest {

    private static final long BASE_TS = 1_700_000_000_000L;

    private final List<ProducedRecord> expected = TestRecords.builder()
            .topic("source", 3).count(300).baseTimestamp(BASE_TS).headerRatio(0.5).build();

    /** What a perfect mirror holds: same records, renamed topic, partitions kept. */
    private List<ProducedRecord> mirrored() {
        return expected.stream().map(r -> r.withTopic("target")).collect(Collectors.toCollection(ArrayList::new));
    }

    @Test
    void generatorMixesNullKeysTombstonesHeadersAndUniqueIds() {
        assertThat(expected).anyMatch(r -> r.key() == null);
        assertThat(expected).anyMatch(ProducedRecord::isTombstone);
        assertThat(expected).anyMatch(r -> r.headers().stream().anyMatch(h -> h.value() == null));
        assertThat(expected).anyMatch(r -> r.headers().isEmpty());
        assertThat(expected.stream().map(ProducedRecord::partition).distinct()).hasSize(3);
        assertThat(expected.stream().map(ProducedRecord::timestamp).distinct().count()).isGreaterThan(250);
        assertThat(expected.stream().map(TestRecords::idOf).distinct().count()).isEqualTo(300);
        assertThat(TestRecords.builder().topic("source", 3).count(300).baseTimestamp(BASE_TS).headerRatio(0.5)
                .build()).isEqualTo(expected);
    }

    @Test
    void cleanRunIsExactlyOnce() {
        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", mirrored());

        report.assertExactlyOnce();
        assertThat(report.expectedCount()).isEqualTo(300);
        assertThat(report.actualCount()).isEqualTo(300);
        assertThat(report.partitions()).hasSize(3);
        assertThat(report.toString()).contains("EXACTLY ONCE").doesNotContain("NOT");
    }

    @Test
    void catchesDuplicate() {
        List<ProducedRecord> actual = mirrored();
        ProducedRecord twice = actual.get(10);
        actual.add(20, twice);

        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", actual);

        assertThat(report.duplicatedCount()).isEqualTo(1);
        assertThat(report.duplicated().get(0).record()).isEqualTo(twice);
        assertThat(report.missingCount() + report.outOfOrderCount() + report.unexpectedCount()
                + report.mismatchCount()).isZero();
        assertThatThrownBy(report::assertExactlyOnce).isInstanceOf(AssertionError.class)
                .hasMessageContaining("1 duplicated").hasMessageContaining(TestRecords.idOf(twice));
    }

    @Test
    void catchesGap() {
        List<ProducedRecord> actual = mirrored();
        ProducedRecord lost = actual.remove(42);

        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", actual);

        assertThat(report.missing()).containsExactly(expected.get(42));
        assertThat(report.partition(lost.partition()).missing()).hasSize(1);
        assertThat(report.duplicatedCount() + report.outOfOrderCount() + report.unexpectedCount()).isZero();
        assertThatThrownBy(report::assertExactlyOnce).hasMessageContaining("1 missing");
    }

    @Test
    void catchesReorderWithinPartition() {
        List<ProducedRecord> actual = mirrored();
        int first = 5;
        int second = indexOfNextInSamePartition(actual, first);
        ProducedRecord moved = actual.remove(first);
        actual.add(second, moved); // now after its successor in the same partition

        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", actual);

        assertThat(report.outOfOrderCount()).isEqualTo(1);
        assertThat(report.missingCount() + report.duplicatedCount() + report.unexpectedCount()).isZero();
        assertThatThrownBy(report::assertExactlyOnce).hasMessageContaining("1 out of order");
    }

    @Test
    void interleavingAcrossPartitionsIsNotAReorder() {
        List<ProducedRecord> actual = mirrored();
        actual.sort((a, b) -> Integer.compare(b.partition(), a.partition())); // stable: per-partition order kept

        ExactlyOnceChecker.expecting(expected).compare("target", actual).assertExactlyOnce();
    }

    @Test
    void catchesHeaderAndTimestampMismatch() {
        List<ProducedRecord> actual = mirrored();
        actual.set(7, actual.get(7).withTimestamp(actual.get(7).timestamp() + 1));
        actual.set(8, actual.get(8).withHeaders(List.of(new ProducedRecord.Header("extra", null))));

        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", actual);

        assertThat(report.mismatchCount()).isEqualTo(2);
        assertThat(report.partitions().values().stream().flatMap(p -> p.mismatches().stream()))
                .anyMatch(m -> m.timestampDiffers() && !m.headersDiffer() && m.expected().equals(expected.get(7)))
                .anyMatch(m -> m.headersDiffer() && !m.timestampDiffers() && m.expected().equals(expected.get(8)));
        assertThat(report.missingCount() + report.duplicatedCount() + report.unexpectedCount()
                + report.outOfOrderCount()).isZero();
        assertThatThrownBy(report::assertExactlyOnce).hasMessageContaining("2 header/timestamp mismatches")
                .hasMessageContaining("timestamp " + expected.get(7).timestamp() + " -> ");
    }

    @Test
    void catchesUnexpectedRecordsAndNullHeaderValuesMatter() {
        List<ProducedRecord> actual = mirrored();
        actual.add(ProducedRecord.of("target", 1, null, "id=never-produced;", BASE_TS));
        ProducedRecord withHeader = ProducedRecord.of("source", 0, "k", "id=h;", BASE_TS,
                new ProducedRecord.Header("h", null));
        ProducedRecord emptyHeader = withHeader.withHeaders(List.of(new ProducedRecord.Header("h", new byte[0])));

        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", actual);
        ExactlyOnceChecker.Report nullVsEmpty = ExactlyOnceChecker.expecting(List.of(withHeader))
                .compare("target", List.of(emptyHeader));

        assertThat(report.unexpectedCount()).isEqualTo(1);
        assertThatThrownBy(report::assertExactlyOnce).hasMessageContaining("never-produced");
        assertThat(nullVsEmpty.mismatchCount()).isEqualTo(1);
    }

    @Test
    void duplicatedSuffixAfterReplayIsDuplicatesNotReorder() {
        List<ProducedRecord> actual = mirrored();
        List<ProducedRecord> replay = new ArrayList<>(actual.subList(100, 150));
        actual.addAll(150, replay); // a restart re-wrote records 100..149 right after them

        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected).compare("target", actual);

        assertThat(report.duplicatedCount()).isEqualTo(50);
        assertThat(report.outOfOrderCount()).isZero();
    }

    private static int indexOfNextInSamePartition(List<ProducedRecord> records, int index) {
        for (int i = index + 1; i < records.size(); i++) {
            if (records.get(i).partition() == records.get(index).partition()) {
                return i;
            }
        }
        throw new IllegalStateException("no successor");
    }
}
