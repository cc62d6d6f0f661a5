package io.flinkmirror.udfs.record;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceRangesTest {

    @Test
    void shouldDescribeEachPartitionsFirstAndLastOffsetSortedByTopicAndPartition() {
        SourceRanges ranges = new SourceRanges();
        ranges.add("orders", 3, 7);
        ranges.add("orders", 0, 120);
        ranges.add("orders", 0, 121);
        ranges.add("audit", 1, 40);
        ranges.add("orders", 3, 9);
        ranges.add("orders", 0, 345);

        assertThat(ranges.describe())
                .isEqualTo("audit-1 [40..40] 1 record, orders-0 [120..345] 3 records, orders-3 [7..9] 2 records");
    }

    @Test
    void shouldStartAgainWhenCleared() {
        SourceRanges ranges = new SourceRanges();
        assertThat(ranges.isEmpty()).isTrue();
        assertThat(ranges.describe()).isEqualTo("none");
        ranges.add("orders", 0, 5);
        ranges.clear();
        ranges.add("orders", 0, 9);

        assertThat(ranges.describe()).isEqualTo("orders-0 [9..9] 1 record");
    }

    @Test
    void shouldCountThePartitionsBeyondTheDescribedOnes() {
        SourceRanges ranges = new SourceRanges();
        for (int p = 0; p < SourceRanges.MAX_DESCRIBED + 2; p++) {
            ranges.add("t", p, 1);
        }

        assertThat(ranges.describe()).startsWith("t-0 [1..1] 1 record, t-1 ").endsWith(" ... and 2 more partitions");
    }
}
