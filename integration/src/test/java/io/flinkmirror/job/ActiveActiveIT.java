package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A<->B in one job: no record ever crosses back, with either replication policy. */
class ActiveActiveIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    /** Fresh clusters for each test: with topics = .* both ways, earlier tests' topics would interfere. */
    @RegisterExtension
    final KafkaClusters kafka = KafkaClusters.of(2);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    LocalKafkaCluster a;
    LocalKafkaCluster b;

    @BeforeEach
    void clusters() {
        a = kafka.get(0);
        b = kafka.get(1);
    }

    private Map<String, String> bothWays() {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(b.name() + "->" + a.name() + ".enabled", "true");
        props.put("topics", "orders.*|" + a.name() + "\\..*|" + b.name() + "\\..*");
        return props;
    }

    /** Creates {@code orders} (2 partitions) on {@code cluster} and produces {@code count} records into it. */
    private static List<ProducedRecord> produceOrders(LocalKafkaCluster cluster, int count, String idPrefix) {
        cluster.createTopic("orders", 2);
        List<ProducedRecord> records = TestRecords.builder().topic("orders", 2).count(count).idPrefix(idPrefix)
                .build();
        TestRecords.produce(cluster.bootstrapServers(), records);
        return records;
    }

    private static Set<String> userTopics(LocalKafkaCluster cluster) throws Exception {
        return cluster.admin().listTopics().names().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldNotLoopWithDefaultReplicationPolicy() throws Exception {
        List<ProducedRecord> fromA = produceOrders(a, 1_000, "a");
        List<ProducedRecord> fromB = produceOrders(b, 700, "b");

        try (MirrorRunner mirror = MirrorRunner.start(bothWays())) {
            mirror.awaitCaughtUp(a, b.name(), List.of("orders"), TIMEOUT);
            mirror.awaitCaughtUp(b, a.name(), List.of("orders"), TIMEOUT);
            // B.orders now exists on A and A.orders on B, and both match "topics". A topic created after that and
            // seen replicated proves a full topic discovery ran on both sides with the remote topics present.
            a.createTopic("orders-late", 1);
            b.createTopic("orders-late", 1);
            TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("orders-late", 1).count(5)
                    .idPrefix("la").build());
            TestRecords.produce(b.bootstrapServers(), TestRecords.builder().topic("orders-late", 1).count(5)
                    .idPrefix("lb").build());
            mirror.awaitCaughtUp(a, b.name(), List.of("orders-late"), TIMEOUT);
            mirror.awaitCaughtUp(b, a.name(), List.of("orders-late"), TIMEOUT);
        }
        assertThat(userTopics(a)).contains("orders", b.name() + ".orders")
                .noneMatch(t -> t.startsWith(a.name() + "."));
        assertThat(userTopics(b)).contains("orders", a.name() + ".orders")
                .noneMatch(t -> t.startsWith(b.name() + "."));
        ExactlyOnceChecker.expecting(fromA).verify(b.bootstrapServers(), a.name() + ".orders", TIMEOUT)
                .assertExactlyOnce();
        ExactlyOnceChecker.expecting(fromB).verify(a.bootstrapServers(), b.name() + ".orders", TIMEOUT)
                .assertExactlyOnce();
        ExactlyOnceChecker.expecting(fromA).verify(a.bootstrapServers(), "orders", TIMEOUT).assertExactlyOnce();
        ExactlyOnceChecker.expecting(fromB).verify(b.bootstrapServers(), "orders", TIMEOUT).assertExactlyOnce();
    }

    @Test
    void shouldNotLoopWithIdentityReplicationPolicy() throws Exception {
        List<ProducedRecord> fromA = produceOrders(a, 1_000, "a");
        List<ProducedRecord> fromB = produceOrders(b, 700, "b");

        Map<String, String> props = bothWays();
        props.put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            // Both flows read "orders" to its end twice over: first the native records, then the other side's
            // copies (which carry the provenance header and must be dropped, not sent back).
            mirror.awaitCaughtUp(a, b.name(), List.of("orders"), TIMEOUT);
            mirror.awaitCaughtUp(b, a.name(), List.of("orders"), TIMEOUT);
            mirror.awaitCaughtUp(a, b.name(), List.of("orders"), TIMEOUT);
            mirror.awaitCaughtUp(b, a.name(), List.of("orders"), TIMEOUT);
        }
        long onA = count(a, "orders");
        long onB = count(b, "orders");
        assertThat(onA).as("records in A's orders").isEqualTo(fromA.size() + fromB.size());
        assertThat(onB).as("records in B's orders").isEqualTo(fromA.size() + fromB.size());
    }

    private static long count(LocalKafkaCluster cluster, String topic) {
        return ExactlyOnceChecker.expecting(List.of()).verify(cluster.bootstrapServers(), topic, TIMEOUT)
                .actualCount();
    }
}
