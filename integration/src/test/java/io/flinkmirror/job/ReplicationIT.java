package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.Compaction;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.FailOnce;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The replication core on real in-process Kafka clusters and a Flink MiniCluster, counted with the checker. */
class ReplicationIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static Map<String, String> flow(String topicsRegex) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", topicsRegex);
        return props;
    }

    private static String remote(String topic) {
        return a.name() + "." + topic;
    }

    private static void assertExactlyOnce(List<ProducedRecord> produced, String topic) {
        ExactlyOnceChecker.expecting(TestRecords.ofTopic(produced, topic))
                .verify(b.bootstrapServers(), remote(topic), TIMEOUT)
                .assertExactlyOnce();
    }

    @Test
    void shouldReplicate200kRecordsExactlyOnceKeepingPartitionsHeadersAndTimestamps() throws Exception {
        List<String> topics = List.of("bulk-1", "bulk-2", "bulk-3");
        TestRecords.Builder builder = TestRecords.builder().count(210_000).idPrefix("bulk").valueSize(100)
                .nullKeyRatio(0.1).tombstoneRatio(0.05).headerRatio(0.5).timestampSpread(Duration.ofDays(2));
        for (String t : topics) {
            a.createTopic(t, 4);
            builder.topic(t, 4);
        }
        List<ProducedRecord> produced = builder.build();
        TestRecords.produce(a.bootstrapServers(), produced);

        try (MirrorRunner mirror = MirrorRunner.start(flow("bulk-.*"))) {
            mirror.awaitCaughtUp(a, b.name(), topics, TIMEOUT);
        }
        for (String t : topics) {
            TopicDescription target = b.admin().describeTopics(List.of(remote(t))).allTopicNames()
                    .get(10, TimeUnit.SECONDS).get(remote(t));
            assertThat(target.partitions()).hasSize(4);
            assertExactlyOnce(produced, t);
        }
    }

    @Test
    void shouldReplicateTopicsAndPartitionsCreatedWhileRunning() throws Exception {
        a.createTopic("dyn-first", 2);
        List<ProducedRecord> first = TestRecords.builder().topic("dyn-first", 2).count(500).idPrefix("f").build();
        TestRecords.produce(a.bootstrapServers(), first);

        try (MirrorRunner mirror = MirrorRunner.start(flow("dyn-.*"))) {
            mirror.awaitCaughtUp(a, b.name(), List.of("dyn-first"), TIMEOUT);

            a.createTopic("dyn-second", 3);
            List<ProducedRecord> second = TestRecords.builder().topic("dyn-second", 3).count(500).idPrefix("s")
                    .build();
            long start = System.nanoTime();
            TestRecords.produce(a.bootstrapServers(), second);
            // refresh.topics.interval.seconds = 2: typically readable (committed) on the target within the interval
            // + 10 s (printed below); the bound leaves room for a loaded, shared machine.
            Poll.until("dyn-second replicated to the target", Duration.ofSeconds(2 + 40), () ->
                    ExactlyOnceChecker.expecting(second).settleTime(Duration.ZERO)
                            .verify(b.bootstrapServers(), remote("dyn-second"), Duration.ofSeconds(5))
                            .actualCount() == second.size());
            System.out.printf("dyn-second replicated %d ms after it was produced%n",
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertExactlyOnce(second, "dyn-second");

            a.admin().createPartitions(Map.of("dyn-first", NewPartitions.increaseTo(5))).all()
                    .get(10, TimeUnit.SECONDS);
            Poll.until("source partitions of dyn-first to be writable", TIMEOUT,
                    () -> partitions(a, "dyn-first") == 5);
            List<ProducedRecord> grown = TestRecords.builder().topic("dyn-first", 5).count(500).idPrefix("g")
                    .build();
            TestRecords.produce(a.bootstrapServers(), grown);
            mirror.awaitCaughtUp(a, b.name(), List.of("dyn-first"), Duration.ofSeconds(2 + 40));
            assertThat(partitions(b, remote("dyn-first"))).isEqualTo(5);
            List<ProducedRecord> all = new ArrayList<>(first);
            all.addAll(grown);
            assertExactlyOnce(all, "dyn-first");
        }
    }

    private static int partitions(LocalKafkaCluster cluster, String topic) {
        try {
            return cluster.admin().describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                    .get(topic).partitions().size();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void shouldStayExactlyOnceWhenATaskFailsMidTransaction() throws Exception {
        a.createTopic("fail-1", 4);
        List<ProducedRecord> produced = TestRecords.builder().topic("fail-1", 4).count(40_000).idPrefix("x")
                .build();
        TestRecords.produce(a.bootstrapServers(), produced.subList(0, 20_000));

        Map<String, String> props = flow("fail-1");
        props.put("flink.restart-strategy.type", "fixed-delay");
        props.put("flink.restart-strategy.fixed-delay.attempts", "3");
        props.put("flink.restart-strategy.fixed-delay.delay", "1 s");
        props.put("flink.execution.checkpointing.interval", "2 s");
        try (MirrorRunner mirror = MirrorRunner.start(props, (flow, records) -> records
                .map(FailOnce.after(25_000)).name("fail once").uid("test-fail-once"))) {
            TestRecords.produce(a.bootstrapServers(), produced.subList(20_000, 40_000));
            Poll.until("the injected failure", TIMEOUT, FailOnce::failed);
            mirror.awaitCaughtUp(a, b.name(), List.of("fail-1"), TIMEOUT);
        }
        assertThat(FailOnce.failed()).isTrue();
        assertExactlyOnce(produced, "fail-1");
    }

    @Test
    void shouldNeverReplicateAbortedTransactions() throws Exception {
        a.createTopic("txn-1", 2);
        List<ProducedRecord> committed1 = TestRecords.builder().topic("txn-1", 2).count(300).idPrefix("c1").build();
        List<ProducedRecord> aborted = TestRecords.builder().topic("txn-1", 2).count(300).idPrefix("ab").build();
        List<ProducedRecord> committed2 = TestRecords.builder().topic("txn-1", 2).count(300).idPrefix("c2").build();
        List<ProducedRecord> tail = TestRecords.builder().topic("txn-1", 2).count(20).idPrefix("tail").build();
        TestRecords.produceTransactional(a.bootstrapServers(), committed1, true);
        TestRecords.produceTransactional(a.bootstrapServers(), aborted, false);
        TestRecords.produceTransactional(a.bootstrapServers(), committed2, true);
        // Non-transactional records last, so every partition ends with a data record, not a control marker.
        TestRecords.produce(a.bootstrapServers(), tail);

        try (MirrorRunner mirror = MirrorRunner.start(flow("txn-1"))) {
            mirror.awaitCaughtUp(a, b.name(), List.of("txn-1"), TIMEOUT);
        }
        List<ProducedRecord> expected = new ArrayList<>(committed1);
        expected.addAll(committed2);
        expected.addAll(tail);
        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(expected)
                .verify(b.bootstrapServers(), remote("txn-1"), TIMEOUT);
        assertThat(report.unexpected()).isEmpty();
        report.assertExactlyOnce();
    }

    @Test
    void shouldReplicateTheSurvivorsOfACompactedTopic() throws Exception {
        a.createTopic("compact-1", 2, Compaction.EAGER);
        List<ProducedRecord> produced = TestRecords.builder().topic("compact-1", 2).count(4_000).keySpace(50)
                .nullKeyRatio(0).tombstoneRatio(0).idPrefix("k").build();
        List<ProducedRecord> survivors = new ArrayList<>(Compaction.compact(a, "compact-1", 2, produced, TIMEOUT));
        List<ProducedRecord> tail = TestRecords.builder().topic("compact-1", 2).count(10).idPrefix("ctail").build();
        TestRecords.produce(a.bootstrapServers(), tail);
        survivors.addAll(tail);

        try (MirrorRunner mirror = MirrorRunner.start(flow("compact-1"))) {
            mirror.awaitCaughtUp(a, b.name(), List.of("compact-1"), TIMEOUT);
        }
        assertThat(survivors.size()).isLessThan(produced.size());
        assertExactlyOnce(survivors, "compact-1");
    }

    @Test
    void shouldHonourTopicsExcludeAndNeverReplicateInternalTopics() throws Exception {
        for (String t : List.of("sel-keep", "sel-skip", "sel.internal", "sel-x.replica")) {
            a.createTopic(t, 1);
            TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic(t, 1).count(10).idPrefix(t)
                    .build());
        }
        Map<String, String> props = flow("sel.*");
        props.put("topics.exclude", "sel-skip, .*[\\-\\.]internal, .*\\.replica, __.*");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of("sel-keep"), TIMEOUT);
        }
        assertThat(b.admin().listTopics().names().get(10, TimeUnit.SECONDS))
                .contains(remote("sel-keep"))
                .doesNotContain(remote("sel-skip"), remote("sel.internal"), remote("sel-x.replica"));
    }

    @Test
    void shouldCreateTargetTopicsWithSourceConfigsAndKeepThemInSync() throws Exception {
        a.createTopic("cfg-1", 3, Map.of("retention.ms", "7200000", "max.message.bytes", "2000000",
                "min.insync.replicas", "1"));
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("cfg-1", 3).count(30).idPrefix("cfg")
                .build());
        Map<String, String> props = flow("cfg-1");
        props.put("sync.topic.configs.interval.seconds", "1");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of("cfg-1"), TIMEOUT);
            Map<String, String> created = dynamicConfigs(b, remote("cfg-1"));
            assertThat(created).containsEntry("retention.ms", "7200000")
                    .containsEntry("max.message.bytes", "2000000")
                    .doesNotContainKey("min.insync.replicas");
            assertThat(partitions(b, remote("cfg-1"))).isEqualTo(3);

            a.admin().incrementalAlterConfigs(Map.of(
                    new org.apache.kafka.common.config.ConfigResource(
                            org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "cfg-1"),
                    List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                            new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "3600000"),
                            org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all()
                    .get(10, TimeUnit.SECONDS);
            Poll.until("retention.ms change to reach the target topic", Duration.ofSeconds(2 + 1 + 10),
                    () -> "3600000".equals(dynamicConfigs(b, remote("cfg-1")).get("retention.ms")));
        }
    }

    private static Map<String, String> dynamicConfigs(LocalKafkaCluster cluster, String topic) {
        try {
            org.apache.kafka.common.config.ConfigResource resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
            Map<String, String> result = new java.util.HashMap<>();
            cluster.admin().describeConfigs(List.of(resource)).all().get(10, TimeUnit.SECONDS).get(resource)
                    .entries().stream()
                    .filter(e -> e.source() == org.apache.kafka.clients.admin.ConfigEntry.ConfigSource
                            .DYNAMIC_TOPIC_CONFIG)
                    .forEach(e -> result.put(e.name(), e.value()));
            return result;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldReplicateEverythingWithAtLeastOnceDelivery() throws Exception {
        a.createTopic("alo-1", 2);
        List<ProducedRecord> produced = TestRecords.builder().topic("alo-1", 2).count(5_000).idPrefix("alo")
                .build();
        TestRecords.produce(a.bootstrapServers(), produced);
        Map<String, String> props = flow("alo-1");
        props.put("flink.delivery.guarantee", "at-least-once");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of("alo-1"), TIMEOUT);
        }
        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(TestRecords.ofTopic(produced, "alo-1"))
                .verify(b.bootstrapServers(), remote("alo-1"), TIMEOUT);
        assertThat(report.missingCount()).as(report.toString()).isZero();
        assertThat(report.unexpectedCount()).as(report.toString()).isZero();
    }
}
