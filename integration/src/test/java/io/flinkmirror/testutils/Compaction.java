package io.flinkmirror.testutils;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;

/** Real log compaction on a real broker, to give a source topic offset gaps. */
public final class Compaction {

    private Compaction() {}

    /** Topic configs that let the log cleaner compact a topic within seconds. */
    public static final Map<String, String> EAGER = Map.of("cleanup.policy", "compact", "segment.ms", "100",
            "min.cleanable.dirty.ratio", "0.01", "delete.retention.ms", "100", "min.compaction.lag.ms", "0");

    /**
     * Produces {@code produced} (to a topic created with {@link #EAGER}), waits until the log cleaner removed more
     * than half of it, then turns compaction off so the topic no longer changes. Returns the survivors, per partition
     * in offset order.
     */
    public static List<ProducedRecord> compact(LocalKafkaCluster cluster, String topic, int partitions,
                                               List<ProducedRecord> produced, Duration timeout) throws Exception {
        TestRecords.produce(cluster.bootstrapServers(), produced);
        int[] rolls = {0};
        Poll.until("the log cleaner to compact " + topic + " (offset gaps)", timeout, () -> {
            // The active segment is never cleaned: a new record rolls it (segment.ms = 100). Kafka rolls on record
            // timestamps (new batch's max timestamp - the segment's first), not on wall-clock time: these carry now.
            TestRecords.produce(cluster.bootstrapServers(), TestRecords.builder().topic(topic, partitions).count(2)
                    .keySpace(1).nullKeyRatio(0).tombstoneRatio(0).idPrefix("roll" + rolls[0]++)
                    .baseTimestamp(System.currentTimeMillis()).timestampSpread(Duration.ZERO).build());
            return readAll(cluster, topic, timeout).size() < produced.size() / 2;
        });
        cluster.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                List.of(new AlterConfigOp(new ConfigEntry("cleanup.policy", "delete"), AlterConfigOp.OpType.SET))))
                .all().get(10, TimeUnit.SECONDS);
        return readAll(cluster, topic, timeout);
    }

    /** Every committed record of {@code topic}, per partition in offset order. */
    public static List<ProducedRecord> readAll(LocalKafkaCluster cluster, String topic, Duration timeout) {
        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(List.of())
                .verify(cluster.bootstrapServers(), topic, timeout);
        List<ProducedRecord> records = new ArrayList<>();
        report.unexpected().stream()
                .sorted(Comparator.comparingInt((ExactlyOnceChecker.Located l) -> l.record().partition())
                        .thenComparingLong(ExactlyOnceChecker.Located::offset))
                .forEach(l -> records.add(l.record().withTopic(topic)));
        return records;
    }
}
