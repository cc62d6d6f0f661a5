package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.MirrorClient;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The topologies MirrorMaker 2 users run, each as one job over three real clusters: hub-and-spoke (two sources into
 * one target, {@code A->C} and {@code B->C}, with the same topic and group names on both sources) and fan-out
 * ({@code A->B} and {@code A->C}). Every flow is exactly-once (read_committed: 0 missing, 0 duplicated) and translates
 * group offsets exactly, read back with MirrorMaker 2's {@code RemoteClusterUtils.translateOffsets}; internal topics,
 * transactional ids and heartbeats of the flows sharing a cluster stay apart.
 */
class TopologiesIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    /** Fresh clusters for each test: each topology starts from empty clusters. */
    @RegisterExtension
    final KafkaClusters kafka = KafkaClusters.of(3);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String TOPIC = "orders";
    private static final List<String> GROUPS = List.of("billing", "audit", "search");

    LocalKafkaCluster a;
    LocalKafkaCluster b;
    LocalKafkaCluster c;

    @BeforeEach
    void clusters() {
        a = kafka.get(0);
        b = kafka.get(1);
        c = kafka.get(2);
    }

    /** One job with the given flows over clusters a, b and c, test-friendly Flink settings. */
    private Map<String, String> job(LocalKafkaCluster[]... flows) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", a.name() + ", " + b.name() + ", " + c.name());
        for (LocalKafkaCluster cluster : List.of(a, b, c)) {
            props.put(cluster.name() + ".bootstrap.servers", cluster.bootstrapServers());
        }
        for (LocalKafkaCluster[] flow : flows) {
            props.put(flow[0].name() + "->" + flow[1].name() + ".enabled", "true");
        }
        props.put("topics", TOPIC);
        props.put("emit.checkpoints.interval.seconds", "1");
        props.put("refresh.topics.interval.seconds", "2");
        props.put("flink.execution.checkpointing.interval", "1 s");
        props.put("flink.restart-strategy.type", "none");
        props.put("flink.parallelism.default", "2");
        return props;
    }

    private static LocalKafkaCluster[] flow(LocalKafkaCluster source, LocalKafkaCluster target) {
        return new LocalKafkaCluster[] {source, target};
    }

    /** {@code orders} on {@code cluster}: plain records, then a committed and an aborted transaction (offset gaps). */
    private static List<ProducedRecord> produceOrders(LocalKafkaCluster cluster, int partitions, String idPrefix) {
        cluster.createTopic(TOPIC, partitions);
        List<ProducedRecord> plain = TestRecords.builder().topic(TOPIC, partitions).count(600).idPrefix(idPrefix)
                .build();
        TestRecords.produce(cluster.bootstrapServers(), plain);
        List<ProducedRecord> committed = TestRecords.builder().topic(TOPIC, partitions).count(200)
                .idPrefix(idPrefix + "c").build();
        TestRecords.produceTransactional(cluster.bootstrapServers(), committed, true);
        TestRecords.produceTransactional(cluster.bootstrapServers(), TestRecords.builder().topic(TOPIC, partitions)
                .count(100).idPrefix(idPrefix + "a").build(), false);
        List<ProducedRecord> all = new ArrayList<>(plain);
        all.addAll(committed);
        return all;
    }

    /**
     * Commits the same group names on {@code source} at random offsets (one at the start, one at the end), checks
     * that flow {@code source->target} writes an exact checkpoint for each, and that MM2's client library reads the
     * same translation from the target.
     */
    private void assertExactTranslation(LocalKafkaCluster source, LocalKafkaCluster target, int partitions,
                                        long seed) throws Exception {
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(source, target, TIMEOUT);
        Random random = new Random(seed);
        Map<String, Map<TopicPartition, Long>> committed = new HashMap<>();
        for (int i = 0; i < GROUPS.size(); i++) {
            Map<TopicPartition, Long> offsets = new HashMap<>();
            for (int p = 0; p < partitions; p++) {
                TopicPartition tp = new TopicPartition(TOPIC, p);
                long end = OffsetMappingAssertions.endOffset(source, tp);
                offsets.put(tp, i == 0 ? 0 : i == 1 ? end : random.nextLong(end + 1));
            }
            mapping.commit(GROUPS.get(i), offsets);
            committed.put(GROUPS.get(i), offsets);
        }
        Map<String, Map<TopicPartition, Checkpoint>> checkpoints = mapping.awaitCheckpoints(committed);
        mapping.assertExact(checkpoints);
        mapping.assertEveryCheckpointExact();
        mapping.assertOffsetSyncsPointAtTheirRecords();

        Map<String, Object> targetProps = Map.of("bootstrap.servers", target.bootstrapServers());
        for (String group : GROUPS) {
            Map<TopicPartition, OffsetAndMetadata> translated =
                    RemoteClusterUtils.translateOffsets(targetProps, source.name(), group, Duration.ofSeconds(30));
            for (int p = 0; p < partitions; p++) {
                assertThat(translated.get(new TopicPartition(source.name() + "." + TOPIC, p)).offset())
                        .as("RemoteClusterUtils.translateOffsets %s->%s of %s partition %d", source.name(),
                                target.name(), group, p)
                        .isEqualTo(checkpoints.get(group).get(new TopicPartition(TOPIC, p)).downstreamOffset());
            }
        }
    }

    private static Set<String> topics(LocalKafkaCluster cluster) throws Exception {
        return cluster.admin().listTopics().names().get(10, TimeUnit.SECONDS);
    }

    /** Transactional ids known to {@code cluster}'s coordinators. */
    private static Set<String> transactionalIds(LocalKafkaCluster cluster) throws Exception {
        return cluster.admin().listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                .map(TransactionListing::transactionalId).collect(Collectors.toSet());
    }

    /** Waits until MM2's MirrorClient on {@code cluster} sees exactly {@code upstream} as its upstream clusters. */
    private static void awaitUpstreamClusters(LocalKafkaCluster cluster, Set<String> upstream) {
        try (MirrorClient client = new MirrorClient(Map.of("bootstrap.servers", cluster.bootstrapServers()))) {
            Poll.until("upstream clusters of " + cluster.name() + " to be " + upstream, TIMEOUT, () -> {
                try {
                    return client.upstreamClusters().equals(upstream);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            });
            for (String alias : upstream) {
                try {
                    assertThat(client.replicationHops(alias)).as("hops from %s to %s", alias, cluster.name())
                            .isEqualTo(1);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    @Test
    void shouldAggregateTwoSourcesIntoOneTargetHubAndSpoke() throws Exception {
        List<ProducedRecord> fromA = produceOrders(a, 2, "a");
        List<ProducedRecord> fromB = produceOrders(b, 3, "b");

        try (MirrorRunner mirror = MirrorRunner.start(job(flow(a, c), flow(b, c)))) {
            mirror.awaitCaughtUp(a, c.name(), List.of(TOPIC), TIMEOUT);
            mirror.awaitCaughtUp(b, c.name(), List.of(TOPIC), TIMEOUT);
            // The same group names on both sources: each lands in its own source's checkpoints topic on C.
            assertExactTranslation(a, c, 2, 1);
            assertExactTranslation(b, c, 3, 2);
            awaitUpstreamClusters(c, Set.of(a.name(), b.name()));

            assertThat(topics(c)).contains(a.name() + "." + TOPIC, b.name() + "." + TOPIC,
                    a.name() + ".checkpoints.internal", b.name() + ".checkpoints.internal",
                    "mm2-offset-syncs." + a.name() + ".internal", "mm2-offset-syncs." + b.name() + ".internal",
                    "heartbeats", a.name() + ".heartbeats", b.name() + ".heartbeats")
                    .doesNotContain(TOPIC);
            // Each flow writes C with transactional ids of its own.
            Set<String> ids = transactionalIds(c);
            String prefixA = "flink-mirror-" + a.name() + "-" + c.name() + "-";
            String prefixB = "flink-mirror-" + b.name() + "-" + c.name() + "-";
            assertThat(ids).anyMatch(id -> id.startsWith(prefixA)).anyMatch(id -> id.startsWith(prefixB))
                    .allMatch(id -> id.startsWith(prefixA) || id.startsWith(prefixB));
        }
        ExactlyOnceChecker.expecting(fromA).verify(c.bootstrapServers(), a.name() + "." + TOPIC, TIMEOUT)
                .assertExactlyOnce();
        ExactlyOnceChecker.expecting(fromB).verify(c.bootstrapServers(), b.name() + "." + TOPIC, TIMEOUT)
                .assertExactlyOnce();
    }

    @Test
    void shouldCopyOneSourceToTwoTargetsFanOut() throws Exception {
        List<ProducedRecord> fromA = produceOrders(a, 3, "a");

        try (MirrorRunner mirror = MirrorRunner.start(job(flow(a, b), flow(a, c)))) {
            mirror.awaitCaughtUp(a, b.name(), List.of(TOPIC), TIMEOUT);
            mirror.awaitCaughtUp(a, c.name(), List.of(TOPIC), TIMEOUT);
            // One set of groups on A, translated by each flow into its own target's offsets.
            assertExactTranslation(a, b, 3, 3);
            assertExactTranslation(a, c, 3, 3);
            awaitUpstreamClusters(b, Set.of(a.name()));
            awaitUpstreamClusters(c, Set.of(a.name()));

            // Each flow has its own source consumer group on A, committed after its own checkpoints.
            Set<String> groups = a.admin().listGroups().all().get(10, TimeUnit.SECONDS).stream()
                    .map(g -> g.groupId()).collect(Collectors.toSet());
            assertThat(groups).contains("flink-mirror-" + a.name() + "-" + b.name(),
                    "flink-mirror-" + a.name() + "-" + c.name());
            assertThat(transactionalIds(b)).isNotEmpty()
                    .allMatch(id -> id.startsWith("flink-mirror-" + a.name() + "-" + b.name() + "-"));
            assertThat(transactionalIds(c)).isNotEmpty()
                    .allMatch(id -> id.startsWith("flink-mirror-" + a.name() + "-" + c.name() + "-"));
        }
        for (LocalKafkaCluster target : List.of(b, c)) {
            ExactlyOnceChecker.expecting(fromA).verify(target.bootstrapServers(), a.name() + "." + TOPIC, TIMEOUT)
                    .assertExactlyOnce();
        }
    }
}
