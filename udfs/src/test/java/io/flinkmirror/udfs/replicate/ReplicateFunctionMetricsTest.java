package io.flinkmirror.udfs.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.policy.DefaultReplicationPolicy;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionAttemptID;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** The per-partition metrics of {@link ReplicateFunction}, read through a metric registry that records them. */
class ReplicateFunctionMetricsTest {

    private final Map<String, Metric> metrics = new HashMap<>();

    private OneInputStreamOperatorTestHarness<MirrorRecord, MirrorRecord> harness(ReplicateFunction fn)
            throws Exception {
        TestingMetricRegistry registry = TestingMetricRegistry.builder().setDelimiter('.')
                .setRegisterConsumer((metric, name, group) -> metrics.put(group.getMetricIdentifier(name), metric))
                .build();
        TaskManagerMetricGroup tm = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "host",
                ResourceID.generate());
        TaskMetricGroup task = tm.addJob(new JobID(), "job").addTask(ExecutionAttemptID.randomId(), "task");
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(task).build();
        OneInputStreamOperatorTestHarness<MirrorRecord, MirrorRecord> harness =
                new OneInputStreamOperatorTestHarness<>(new ProcessOperator<>(fn), env);
        harness.open();
        return harness;
    }

    private Metric metric(String suffix) {
        return metrics.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).map(Map.Entry::getValue)
                .findFirst().orElseThrow(() -> new AssertionError("no metric *" + suffix + " in " + metrics.keySet()));
    }

    private static MirrorRecord record(String topic, int partition, long timestamp, String value) {
        return new MirrorRecord(topic, partition, 0L, timestamp, "k".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8), new String[] {"h"},
                new byte[][] {"vv".getBytes(StandardCharsets.UTF_8)});
    }

    @Test
    void shouldCountRecordsBytesAndAgePerSourcePartition() throws Exception {
        long now = System.currentTimeMillis();
        try (OneInputStreamOperatorTestHarness<MirrorRecord, MirrorRecord> h =
                     harness(new ReplicateFunction("A", "B", new DefaultReplicationPolicy(), false))) {
            h.processElement(record("orders", 1, now - 5_000, "1234"), 0L);
            h.processElement(record("orders", 1, now - 1_000, "1234"), 0L);
            h.processElement(record("orders", 0, now, "12"), 0L);
            h.processElement(record("audit", 1, -1, "x"), 0L);
        }

        assertThat(((Counter) metric("topic.orders.partition.1.record-count")).getCount()).isEqualTo(2);
        assertThat(((Counter) metric("topic.orders.partition.0.record-count")).getCount()).isEqualTo(1);
        assertThat(((Counter) metric("topic.audit.partition.1.record-count")).getCount()).isEqualTo(1);
        // key 1 + value 4 + header key 1 + header value 2
        assertThat(((Counter) metric("topic.orders.partition.1.byte-count")).getCount()).isEqualTo(16);
        double max = (Double) ((Gauge<?>) metric("topic.orders.partition.1.record-age-ms-max")).getValue();
        double min = (Double) ((Gauge<?>) metric("topic.orders.partition.1.record-age-ms-min")).getValue();
        assertThat(max).isBetween(5_000.0, 65_000.0);
        assertThat(min).isBetween(1_000.0, max);
        // No timestamp: counted, but no age.
        assertThat((Double) ((Gauge<?>) metric("topic.audit.partition.1.record-age-ms-avg")).getValue()).isNaN();
        assertThat(metrics.keySet()).anyMatch(k -> k.endsWith("topic.orders.partition.1.byte-rate"));
    }
}
