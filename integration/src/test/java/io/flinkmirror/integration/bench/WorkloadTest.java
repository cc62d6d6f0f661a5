package io.flinkmirror.integration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The workload's record identity: what the read-back of a copy relies on. */
class WorkloadTest {

    private final Workload workload = new Workload(1_000_003, 8, 1024);

    @Test
    void shouldReadTheIndexBackFromTheKey() {
        for (long index : new long[] {0, 7, 123_456, 1_000_002}) {
            assertThat(Workload.index(Workload.key(index))).isEqualTo(index);
        }
        assertThat(Workload.index("warm-3".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(Workload.index("key-12x".getBytes(StandardCharsets.UTF_8))).isEqualTo(-1);
        assertThat(Workload.index(null)).isEqualTo(-1);
    }

    @Test
    void shouldCountRecordsAndFindTheLastOfEachPartition() {
        long total = 0;
        for (int p = 0; p < 8; p++) {
            total += workload.count(p);
            assertThat(workload.lastIndex(p) % 8).isEqualTo(p);
            assertThat(workload.lastIndex(p) + 8).isGreaterThanOrEqualTo(workload.records());
        }
        assertThat(total).isEqualTo(workload.records());
        assertThat(workload.count(2)).isEqualTo(125_001);
        assertThat(workload.count(3)).isEqualTo(125_000);
    }

    @Test
    void shouldTellAnIntactCopyFromAnAlteredOne() {
        assertThat(workload.intact(42, workload.value(42), Workload.headers(42))).isTrue();
        assertThat(workload.intact(42, workload.value(43), Workload.headers(42))).isFalse();
        assertThat(workload.intact(42, workload.value(42), Workload.headers(43))).isFalse();
        assertThat(workload.intact(42, workload.value(42), Workload.headers(42).subList(0, 1))).isFalse();
    }
}
