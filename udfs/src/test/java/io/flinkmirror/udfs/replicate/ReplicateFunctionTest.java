package io.flinkmirror.udfs.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.policy.DefaultReplicationPolicy;
import io.flinkmirror.udfs.policy.IdentityReplicationPolicy;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class ReplicateFunctionTest {

    private static MirrorRecord record(String topic, String... headers) {
        String[] keys = new String[headers.length / 2];
        byte[][] values = new byte[headers.length / 2][];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = headers[2 * i];
            values[i] = headers[2 * i + 1] == null ? null : headers[2 * i + 1].getBytes(StandardCharsets.UTF_8);
        }
        return new MirrorRecord(topic, 3, 42L, 1_700_000_000_000L, "k".getBytes(StandardCharsets.UTF_8), null,
                keys, values);
    }

    private static List<MirrorRecord> run(ReplicateFunction fn, MirrorRecord... input) throws Exception {
        try (OneInputStreamOperatorTestHarness<MirrorRecord, MirrorRecord> harness =
                     ProcessFunctionTestHarnesses.forProcessFunction(fn)) {
            for (MirrorRecord r : input) {
                harness.processElement(r, 0L);
            }
            return harness.extractOutputValues();
        }
    }

    @Test
    void shouldRenameTopicAndKeepEverythingElseWithDefaultPolicy() throws Exception {
        MirrorRecord in = record("orders", "h1", "v1", "h2", null);
        List<MirrorRecord> out = run(new ReplicateFunction("A", "B", new DefaultReplicationPolicy(), false), in);

        assertThat(out).hasSize(1);
        MirrorRecord r = out.get(0);
        assertThat(r.targetTopic).isEqualTo("A.orders");
        assertThat(r.sourceTopic).isEqualTo("orders");
        assertThat(r.partition).isEqualTo(3);
        assertThat(r.offset).isEqualTo(42L);
        assertThat(r.timestamp).isEqualTo(1_700_000_000_000L);
        assertThat(r.value).isNull();
        assertThat(r.headerKeys).containsExactly("h1", "h2");
        assertThat(r.headerValues[1]).isNull();
    }

    @Test
    void shouldAddOriginHeaderOnFirstHopWithIdentityPolicy() throws Exception {
        List<MirrorRecord> out = run(new ReplicateFunction("A", "B", new IdentityReplicationPolicy(), true),
                record("orders", "h1", "v1"));

        assertThat(out).hasSize(1);
        assertThat(out.get(0).targetTopic).isEqualTo("orders");
        assertThat(out.get(0).headerKeys).containsExactly("h1", ReplicateFunction.ORIGIN_HEADER);
        assertThat(new String(out.get(0).lastHeader(ReplicateFunction.ORIGIN_HEADER), StandardCharsets.UTF_8))
                .isEqualTo("A");
    }

    @Test
    void shouldKeepOriginOnLaterHopsAndMarkRecordsReturningHomeAsDropped() throws Exception {
        MirrorRecord fromC = record("orders", ReplicateFunction.ORIGIN_HEADER, "C");
        MirrorRecord fromB = record("orders", ReplicateFunction.ORIGIN_HEADER, "B");
        List<MirrorRecord> out = run(new ReplicateFunction("A", "B", new IdentityReplicationPolicy(), true),
                fromC, fromB);

        assertThat(out).hasSize(2);
        assertThat(out.get(0).dropped).isFalse();
        assertThat(out.get(0).headerKeys).containsExactly(ReplicateFunction.ORIGIN_HEADER);
        assertThat(new String(out.get(0).lastHeader(ReplicateFunction.ORIGIN_HEADER), StandardCharsets.UTF_8))
                .isEqualTo("C");
        // Back home: processed (progress and offset mapping move past it), never written.
        assertThat(out.get(1).dropped).isTrue();
        assertThat(out.get(1).targetTopic).isEqualTo("orders");
    }

    private static io.flinkmirror.udfs.transform.RecordTransformer dropDebug(
            io.flinkmirror.udfs.transform.ErrorTolerance tolerance, String function) {
        java.util.Map<String, String> props = new java.util.LinkedHashMap<>();
        props.put("transforms", "dropDebug");
        props.put("transforms.dropDebug.type", "org.apache.kafka.connect.transforms.Filter");
        props.put("transforms.dropDebug.predicate", "isDebug");
        props.put("predicates", "isDebug");
        props.put("predicates.isDebug.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        props.put("predicates.isDebug.name", "debug");
        return new io.flinkmirror.udfs.transform.RecordTransformer("A->B", "A", props, java.util.Map.of(), function,
                "flink.record.function.class", java.util.Map.of(), tolerance);
    }

    @Test
    void shouldMarkRecordsATransformDropsForTheOffsetTrackerOnlyAndAddTheOriginAfterTransforms() throws Exception {
        List<MirrorRecord> out = run(new ReplicateFunction("A", "B", new IdentityReplicationPolicy(), true)
                        .withTransformer(dropDebug(io.flinkmirror.udfs.transform.ErrorTolerance.NONE, null)),
                record("orders", "debug", "1"), record("orders", "h", "v"));

        assertThat(out).hasSize(2);
        assertThat(out.get(0).dropped).isTrue();
        assertThat(out.get(0).targetTopic).isEqualTo("orders");
        assertThat(out.get(1).dropped).isFalse();
        assertThat(out.get(1).headerKeys).containsExactly("h", ReplicateFunction.ORIGIN_HEADER);
    }

    @Test
    void shouldSkipRecordsTheRecordFunctionFailsOnWithToleranceAllAndFailWithNone() throws Exception {
        List<MirrorRecord> out = run(new ReplicateFunction("A", "B", new DefaultReplicationPolicy(), false)
                        .withTransformer(dropDebug(io.flinkmirror.udfs.transform.ErrorTolerance.ALL,
                                FailOnHeader.class.getName())),
                record("orders", "fail", "1"), record("orders", "h", "v"));
        // Skipped like a dropped record: only the offset tracker sees it.
        assertThat(out).extracting(r -> r.dropped).containsExactly(true, false);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> run(
                        new ReplicateFunction("A", "B", new DefaultReplicationPolicy(), false)
                                .withTransformer(dropDebug(io.flinkmirror.udfs.transform.ErrorTolerance.NONE,
                                        FailOnHeader.class.getName())), record("orders", "fail", "1")))
                .hasStackTraceContaining("A->B record function " + FailOnHeader.class.getName()
                        + " (flink.record.function.class) failed on record orders-3@42");
    }

    /** Fails on records with a 'fail' header (test). */
    public static class FailOnHeader implements io.flinkmirror.udfs.transform.RecordFunction {
        private static final long serialVersionUID = 1L;

        @Override
        public MirrorRecord apply(MirrorRecord record) {
            if (record.lastHeader("fail") != null) {
                throw new IllegalStateException("bad record");
            }
            return record;
        }
    }
}
