package io.flinkmirror.udfs.progress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {

    @Test
    void shouldReportEachPartitionOfATransactionWithItsSourceRunsAndTargetSegments() {
        ProgressTracker tracker = new ProgressTracker("progress");
        tracker.processed("orders", "A.orders", 0, 10, true);
        tracker.processed("orders", "A.orders", 0, 11, false); // dropped by a transform
        tracker.processed("orders", "A.orders", 0, 14, true);  // 12, 13: markers or aborted on the source
        tracker.processed("orders", "A.orders", 0, 15, true);
        tracker.processed("orders", "A.orders", 3, 7, false);
        tracker.acknowledged("A.orders", 0, 500);
        tracker.acknowledged("A.orders", 0, 502); // 501: the previous transaction's commit marker
        tracker.acknowledged("A.orders", 0, 503);
        tracker.acknowledged("progress", 0, 9); // the progress record itself: not a replica

        List<Progress> drained = tracker.drain();

        assertThat(drained).containsExactlyInAnyOrder(
                new Progress("orders", 0, 16, 10, new long[] {10, 1, 14, 2}, new long[] {500, 1, 502, 2}),
                new Progress("orders", 3, 8, 7, new long[0], new long[0]));
        assertThat(tracker.isEmpty()).isTrue();
    }

    @Test
    void shouldStartEachTransactionAfreshAndCallTargetOffsetsUnknownWhenAcknowledgementsAreMissing() {
        ProgressTracker tracker = new ProgressTracker("progress");
        tracker.processed("orders", "A.orders", 1, 0, true);
        tracker.acknowledged("A.orders", 1, 0);
        tracker.drain();

        tracker.processed("orders", "A.orders", 1, 1, true);
        tracker.processed("orders", "A.orders", 1, 2, true);
        tracker.acknowledged("A.orders", 1, 2); // the other send failed: its error fails the checkpoint

        assertThat(tracker.drain()).containsExactly(new Progress("orders", 1, 3, 1, new long[] {1, 2}, null));
        assertThat(tracker.drain()).isEmpty();
    }

    @Test
    void shouldMatchABruteForceModelWithAcknowledgementsFromAnotherThread() throws Exception {
        Random random = new Random(7);
        ProgressTracker tracker = new ProgressTracker("progress");
        List<Long> written = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 5_000; i++) {
            offset += 1 + (random.nextInt(10) == 0 ? random.nextInt(3) : 0);
            boolean write = random.nextInt(8) != 0;
            tracker.processed("t", "A.t", 0, offset, write);
            if (write) {
                written.add(offset);
            }
        }
        List<Long> targets = new ArrayList<>();
        long target = 1_000;
        for (int i = 0; i < written.size(); i++) {
            target += 1 + (random.nextInt(50) == 0 ? 1 : 0); // now and then a marker in between
            targets.add(target);
        }
        Thread io = new Thread(() -> targets.forEach(t -> tracker.acknowledged("A.t", 0, t)));
        io.start();
        io.join();

        Progress p = tracker.drain().get(0);
        assertThat(p.nextSourceOffset()).isEqualTo(offset + 1);
        assertThat(expand(p.sourceRuns())).isEqualTo(written);
        assertThat(expand(p.targetSegments())).isEqualTo(targets);
    }

    private static List<Long> expand(long[] pairs) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            for (long k = 0; k < pairs[i + 1]; k++) {
                out.add(pairs[i] + k);
            }
        }
        return out;
    }
}
