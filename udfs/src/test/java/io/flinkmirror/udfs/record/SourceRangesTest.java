package io.flinkmirror.udfs.record;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
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

    @Test
    void shouldReadTheLastOffsetOfEachPartitionBackFromTheDescription() {
        SourceRanges ranges = new SourceRanges();
        ranges.add("my-orders.v2", 3, 7);
        ranges.add("my-orders.v2", 12, 120);
        ranges.add("my-orders.v2", 12, 345);
        ranges.add("audit", 1, 40);

        assertThat(SourceRanges.lastOffsets(ranges.describe())).contains(Map.of(
                new TopicPartition("my-orders.v2", 3), 7L, new TopicPartition("my-orders.v2", 12), 345L,
                new TopicPartition("audit", 1), 40L));
        assertThat(SourceRanges.lastOffsets("none")).contains(Map.of());
        assertThat(SourceRanges.ranges(ranges.describe()).orElseThrow().get(new TopicPartition("my-orders.v2", 12)))
                .containsExactly(120, 345);
    }

    @Test
    void shouldNotReadBackADescriptionThatDoesNotNameEveryPartition() {
        SourceRanges ranges = new SourceRanges();
        for (int p = 0; p < SourceRanges.MAX_DESCRIBED + 2; p++) {
            ranges.add("t", p, 1);
        }

        assertThat(SourceRanges.lastOffsets(ranges.describe())).isEmpty();
        assertThat(SourceRanges.lastOffsets(null)).isEmpty();
        assertThat(SourceRanges.ranges(ranges.describe())).isEmpty();
        assertThat(SourceRanges.lastOffsets("unknown (restored from a savepoint of an older version)")).isEmpty();
    }
}
