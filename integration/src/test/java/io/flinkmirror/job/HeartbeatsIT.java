package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.connect.mirror.Heartbeat;
import org.apache.kafka.connect.mirror.MirrorClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats in a chain A->B->C run by one job: MirrorMaker 2's own {@code MirrorClient} (connect-mirror-client) finds
 * the upstream clusters and their replication hops on B and C from the heartbeats topics our job emits and replicates.
 */
class HeartbeatsIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(3);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    static List<LocalKafkaCluster> clusters;

    @BeforeAll
    static void clusters() {
        clusters = List.of(KAFKA.get(0), KAFKA.get(1), KAFKA.get(2));
    }

    /** Clusters A, B, C; only A->B and B->C replicate, every pair emits heartbeats (MM2's defaults). */
    private static Map<String, String> chain(LocalKafkaCluster a, LocalKafkaCluster b, LocalKafkaCluster c) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", a.name() + ", " + b.name() + ", " + c.name());
        for (LocalKafkaCluster cluster : List.of(a, b, c)) {
            props.put(cluster.name() + ".bootstrap.servers", cluster.bootstrapServers());
        }
        props.put(a.name() + "->" + b.name() + ".enabled", "true");
        props.put(b.name() + "->" + c.name() + ".enabled", "true");
        props.put("emit.heartbeats.interval.seconds", "1");
        props.put("refresh.topics.interval.seconds", "1");
        props.put("flink.execution.checkpointing.interval", "1 s");
        props.put("flink.restart-strategy.type", "none");
        props.put("flink.parallelism.default", "1");
        return props;
    }

    /** What MM2's client says about {@code cluster}: upstream clusters, hops from each, heartbeats topics. */
    private record View(Set<String> upstream, Map<String, Integer> hops, Set<String> heartbeatTopics) {

        static View of(LocalKafkaCluster cluster, List<String> aliases) {
            MirrorClient client = new MirrorClient(Map.<String, Object>of("bootstrap.servers",
                    cluster.bootstrapServers()));
            try {
                Map<String, Integer> hops = new LinkedHashMap<>();
                for (String alias : aliases) {
                    hops.put(alias, client.replicationHops(alias));
                }
                return new View(client.upstreamClusters(), hops, client.heartbeatTopics());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while asking MirrorClient about " + cluster, e);
            } finally {
                client.close();
            }
        }
    }

    @Test
    void mirrorClientShouldSeeUpstreamClustersAndHopsAcrossTwoHops() throws Exception {
        LocalKafkaCluster a = clusters.get(0);
        LocalKafkaCluster b = clusters.get(1);
        LocalKafkaCluster c = clusters.get(2);
        String aa = a.name();
        String bb = b.name();
        String cc = c.name();
        AtomicReference<View> onB = new AtomicReference<>();
        AtomicReference<View> onC = new AtomicReference<>();

        try (MirrorRunner mirror = MirrorRunner.start(chain(a, b, c))) {
            Poll.until("MirrorClient on C to see " + bb + " (1 hop) and " + aa + " (2 hops) upstream", TIMEOUT, () -> {
                View view = View.of(c, List.of(aa, bb));
                onC.set(view);
                return view.upstream().equals(Set.of(bb, aa))
                        && view.hops().equals(Map.of(aa, 2, bb, 1))
                        && view.heartbeatTopics().containsAll(Set.of("heartbeats", bb + ".heartbeats",
                                bb + "." + aa + ".heartbeats"));
            }, () -> "C: " + onC.get() + ", " + mirror.client().getJobStatus().join());
            Poll.until("MirrorClient on B to see " + aa + " (1 hop) upstream", TIMEOUT, () -> {
                View view = View.of(b, List.of(aa, cc));
                onB.set(view);
                return view.upstream().equals(Set.of(aa)) && view.hops().equals(Map.of(aa, 1, cc, -1))
                        && view.heartbeatTopics().containsAll(Set.of("heartbeats", aa + ".heartbeats"));
            }, () -> "B: " + onB.get());

            // C's own heartbeats topic: the B->C flow and the heartbeat-only pair A->C both write into it.
            Poll.until("heartbeats B->C and A->C in C's heartbeats topic, as MM2 reads them", TIMEOUT,
                    () -> flowsIn(c, "heartbeats").containsAll(Set.of(bb + "->" + cc, aa + "->" + cc)),
                    () -> "seen: " + flowsIn(c, "heartbeats"));
            // A's heartbeats (from heartbeat-only pairs B->A and C->A), replicated twice to reach C.
            Poll.until("heartbeats B->A and C->A in C's " + bb + "." + aa + ".heartbeats", TIMEOUT,
                    () -> flowsIn(c, bb + "." + aa + ".heartbeats").containsAll(Set.of(bb + "->" + aa,
                            cc + "->" + aa)),
                    () -> "seen: " + flowsIn(c, bb + "." + aa + ".heartbeats"));
        }
        assertThat(onC.get().heartbeatTopics()).noneMatch(t -> t.startsWith(cc + "."));
        assertThat(onB.get().upstream()).doesNotContain(cc);
    }

    /** The flows {@code source->target} of the heartbeats in {@code topic}, decoded by MM2's own Heartbeat class. */
    private static Set<String> flowsIn(LocalKafkaCluster cluster, String topic) {
        Properties props = new Properties();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("enable.auto.commit", "false");
        props.put("default.api.timeout.ms", "5000");
        Set<String> flows = new TreeSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            long deadline = System.currentTimeMillis() + 10_000;
            while (consumer.position(tp) < end && System.currentTimeMillis() < deadline) {
                consumer.poll(Duration.ofMillis(200)).records(tp).forEach(records::add);
            }
            for (ConsumerRecord<byte[], byte[]> record : records) {
                Heartbeat heartbeat = Heartbeat.deserializeRecord(record);
                flows.add(heartbeat.sourceClusterAlias() + "->" + heartbeat.targetClusterAlias());
            }
        }
        return flows;
    }
}
