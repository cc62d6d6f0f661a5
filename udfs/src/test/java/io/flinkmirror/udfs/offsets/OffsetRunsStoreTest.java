package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * {@link OffsetRunsStore} on Flink's keyed state backend, through snapshots and restores into a new operator: what is
 * read back equals the runs saved, whatever mix of appends, retirements and resets came before, and a save after an
 * append writes one chunk, not the history.
 */
class OffsetRunsStoreTest {

    /** What the operator under test does with the store for the current key; set by each test. */
    interface Step {
        void run(OffsetRunsStore store, String key, ValueState<OffsetRuns> whole) throws Exception;
    }

    private static volatile Step step;

    /** Runs {@link #step} for each element's key. */
    static class StoreFunction extends KeyedProcessFunction<String, String, String> {
        private transient OffsetRunsStore store;
        private transient ValueState<OffsetRuns> whole;

        @Override
        public void open(OpenContext context) {
            whole = getRuntimeContext().getState(new ValueStateDescriptor<>("offset-runs", OffsetRuns.class));
            store = new OffsetRunsStore(getRuntimeContext());
        }

        @Override
        public void processElement(String key, Context ctx, Collector<String> out) throws Exception {
            step.run(store, key, whole);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, String, String> harness(OperatorSubtaskState from)
            throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, String, String> h = new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new StoreFunction()), k -> k, Types.STRING);
        if (from != null) {
            h.initializeState(from);
        }
        h.open();
        return h;
    }

    /** Runs {@code s} for {@code key} in {@code h}. */
    private static void on(KeyedOneInputStreamOperatorTestHarness<String, String, String> h, String key, Step s)
            throws Exception {
        step = s;
        h.processElement(key, 0);
    }

    private static void assertSameRuns(OffsetRuns actual, OffsetRuns expected, String what) {
        assertThat(actual).as(what).isNotNull();
        assertThat(actual.size).as(what + ": size").isEqualTo(expected.size);
        assertThat(actual.anchors).as(what + ": anchors").isEqualTo(expected.anchors);
        for (int i = 0; i < expected.size; i++) {
            assertThat(new long[] {actual.upstream[i], actual.downstream[i], actual.length[i], actual.appendedAt[i]})
                    .as(what + ": run " + i)
                    .containsExactly(expected.upstream[i], expected.downstream[i], expected.length[i],
                            expected.appendedAt[i]);
        }
        assertThat(new long[] {actual.nextDownstream, actual.headDropped, actual.seenHorizon}).as(what + ": positions")
                .containsExactly(expected.nextDownstream, expected.headDropped, expected.seenHorizon);
    }

    @Test
    void shouldReadBackWhatWasSavedAfterAnyMixOfAppendsRetirementsAndResetsAcrossRestores() throws Exception {
        for (long seed = 1; seed <= 12; seed++) {
            String label = "seed " + seed;
            Random random = new Random(seed);
            String[] keys = {"orders-0", "orders-1", "payments-3"};
            Map<String, OffsetRuns> model = new HashMap<>(); // the same operations, never stored
            long[] now = {1_000_000};
            KeyedOneInputStreamOperatorTestHarness<String, String, String> h = harness(null);
            try {
                for (int op = 0; op < 3_000; op++) {
                    String key = keys[random.nextInt(keys.length)];
                    OffsetRuns expected = model.computeIfAbsent(key, k -> new OffsetRuns());
                    int kind = random.nextInt(100);
                    long gap = random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(4);
                    long targetGap = gap == 0 ? 0 : random.nextInt(3);
                    long n = 1 + random.nextInt(4);
                    long window = 2_000 + random.nextInt(8_000);
                    long lowest = expected.isEmpty() ? 0 : expected.firstUpstream()
                            + random.nextInt((int) Math.max(1, expected.upstreamHorizon() - expected.firstUpstream()));
                    now[0] += random.nextInt(300);
                    Step apply = (store, k, old) -> {
                        OffsetRuns runs = store.load(k);
                        if (runs == null) {
                            runs = new OffsetRuns();
                        }
                        for (OffsetRuns r : new OffsetRuns[] {runs, expected}) {
                            if (kind < 70) {
                                long u = r.isEmpty() ? 100 : r.upstreamHorizon() + gap;
                                long d = r.isEmpty() ? 40 : r.downstream[r.size - 1] + r.length[r.size - 1] + targetGap;
                                r.append(u, d, n);
                                r.seen(u, u + n + gap, false);
                            } else if (kind < 98) {
                                r.retire(now[0], window, 500, lowest);
                            } else {
                                r.clear();
                                r.nextDownstream += 7;
                            }
                        }
                        store.save(k, runs);
                    };
                    on(h, key, apply);
                    if (random.nextInt(150) == 0) {
                        OperatorSubtaskState snapshot = h.snapshot(op, op);
                        h.close();
                        h = harness(snapshot);
                        for (String k : model.keySet()) {
                            on(h, k, (store, kk, old) -> assertSameRuns(store.load(kk), model.get(kk),
                                    label + ", key " + kk));
                        }
                    }
                }
                OperatorSubtaskState snapshot = h.snapshot(9_999, 9_999);
                h.close();
                h = harness(snapshot);
                for (String k : model.keySet()) {
                    on(h, k, (store, kk, old) -> assertSameRuns(store.load(kk), model.get(kk), label + ", at the end, key " + kk));
                }
            } finally {
                h.close();
            }
        }
    }

    @Test
    void shouldWriteOneChunkForAnAppendAndOnlyTheAnchorsForARetirementWhateverTheHistory() throws Exception {
        KeyedOneInputStreamOperatorTestHarness<String, String, String> h = harness(null);
        try {
            int[] written = new int[3];
            on(h, "orders-0", (store, key, old) -> {
                OffsetRuns runs = new OffsetRuns();
                long day = 86_400_000;
                for (int b = 0; b < 100; b++) { // a day of transactions, one gap each, 100 batches of 1,000
                    for (int i = b * 1_000; i < (b + 1) * 1_000; i++) {
                        runs.append(10L * i, 9L * i, 9);
                    }
                    runs.retire(1_000 + b * day / 100, day, 600_000, 0); // stamps the batch
                }
                store.save(key, runs);
                written[0] = store.runsWritten();
                runs.append(1_000_000, 900_000, 5);
                store.save(key, runs);
                written[1] = store.runsWritten();
                // The first batch falls out of the window.
                long last = 1_000 + 99 * day / 100;
                runs.retire(last + 1, last - 1_000 - 1, 600_000, 0);
                store.save(key, runs);
                written[2] = store.runsWritten();
                assertThat(runs.anchors).isPositive();
            });
            assertThat(written[0]).as("first save: every run").isEqualTo(100_000);
            assertThat(written[1]).as("after one append: the last chunk only")
                    .isPositive().isLessThanOrEqualTo(OffsetRunsStore.CHUNK);
            OperatorSubtaskState snapshot = h.snapshot(1, 1);
            h.close();
            h = harness(snapshot);
            on(h, "orders-0", (store, key, old) -> {
                OffsetRuns runs = store.load(key);
                assertThat(runs.size - runs.anchors).isEqualTo(99_001);
                assertThat(written[2]).as("after retirement: the anchors (%s) and the last run's chunk", runs.anchors)
                        .isGreaterThanOrEqualTo(runs.anchors).isLessThanOrEqualTo(runs.anchors + OffsetRunsStore.CHUNK);
                assertThat(runs.translate(10L * 99_999 + 4)).hasValue(9L * 99_999 + 4);
                assertThat(runs.translate(1_000_002)).hasValue(900_002);
            });
        } finally {
            h.close();
        }
    }

    @Test
    void shouldMoveRunsKeptWholeByEarlierVersionsIntoTheChunkedLayoutOnceAndClearThem() throws Exception {
        OffsetRuns old = new OffsetRuns();
        for (int i = 0; i < 1_000; i++) {
            old.append(5L * i, 3L * i, 2);
        }
        old.nextDownstream = 4_000;
        old.seenHorizon = 4_996;
        KeyedOneInputStreamOperatorTestHarness<String, String, String> h = harness(null);
        try {
            on(h, "orders-0", (store, key, whole) -> whole.update(old));
            OperatorSubtaskState snapshot = h.snapshot(1, 1);
            h.close();
            h = harness(snapshot);
            on(h, "orders-0", (store, key, whole) -> {
                assertSameRuns(store.load(key), old, "migrated");
                assertThat(whole.value()).as("the old state, once moved").isNull();
            });
            snapshot = h.snapshot(2, 2);
            h.close();
            h = harness(snapshot);
            on(h, "orders-0", (store, key, whole) -> assertSameRuns(store.load(key), old, "after a restore"));
        } finally {
            h.close();
        }
    }
}
