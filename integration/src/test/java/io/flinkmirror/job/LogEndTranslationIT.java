package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The most common failover: the source is gone, its producers stopped, and consumers caught up sit at the log end of
 * every partition. There the last source entries are often no record: an aborted transaction with its marker, a
 * commit marker, or records a transform dropped. A group at the log end still gets an exact checkpoint (the target
 * offset after the last replica), within a few checkpoint emission intervals, with no record following.
 */
class LogEndTranslationIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 2;

    @Test
    void shouldTranslateAGroupAtTheLogEndAfterAbortedTransactionsMarkersAndDroppedRecords() throws Exception {
        String aborted = "le-aborted";
        String filtered = "le-filtered";
        a.createTopic(aborted, PARTITIONS);
        a.createTopic(filtered, PARTITIONS);
        Map<String, String> props = MirrorRunner.flowProperties(a, b, "le-.*");
        String flow = a.name() + "->" + b.name() + ".";
        props.put("flink.pipeline.name", "log-end");
        props.put("emit.heartbeats.enabled", "false");
        props.put("emit.checkpoints.interval.seconds", "1");
        props.put(flow + "transforms", "dropDebug");
        props.put(flow + "transforms.dropDebug.type", "org.apache.kafka.connect.transforms.Filter");
        props.put(flow + "transforms.dropDebug.predicate", "isDebug");
        props.put(flow + "predicates", "isDebug");
        props.put("predicates.isDebug.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        props.put("predicates.isDebug.name", "debug");
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            TestRecords.produceTransactional(a.bootstrapServers(),
                    TestRecords.builder().topic(aborted, PARTITIONS).count(200).idPrefix("kept").build(), true);
            TestRecords.produce(a.bootstrapServers(),
                    TestRecords.builder().topic(filtered, PARTITIONS).count(200).idPrefix("kept").build());
            mirror.awaitCaughtUp(a, b.name(), List.of(aborted, filtered), TIMEOUT);
            // Then, in later transactions of the mirror: le-aborted gets an aborted transaction on every partition,
            // le-filtered records the flow's transform drops (header "debug"), committed; nothing after them.
            TestRecords.produceTransactional(a.bootstrapServers(), onEveryPartition(aborted, "aborted", 10), false);
            List<ProducedRecord> debug = new ArrayList<>();
            for (ProducedRecord r : onEveryPartition(filtered, "debug", 10)) {
                debug.add(r.withHeaders(List.of(ProducedRecord.Header.of("debug", "1"))));
            }
            TestRecords.produceTransactional(a.bootstrapServers(), debug, true);
            mirror.awaitCaughtUp(a, b.name(), List.of(aborted, filtered), TIMEOUT);
            Map<TopicPartition, Long> ends = new HashMap<>();
            for (String topic : List.of(aborted, filtered)) {
                for (int p = 0; p < PARTITIONS; p++) {
                    TopicPartition tp = new TopicPartition(topic, p);
                    ends.put(tp, OffsetMappingAssertions.endOffset(a, tp));
                }
            }
            mapping.commit("at-the-end", ends);
            Map<String, Map<TopicPartition, Checkpoint>> latest = mapping.awaitCheckpoints(
                    Map.of("at-the-end", ends));
            mapping.assertExact(Map.of("at-the-end", latest.get("at-the-end")));
            for (Map.Entry<TopicPartition, Checkpoint> e : latest.get("at-the-end").entrySet()) {
                TopicPartition remote = new TopicPartition(a.name() + "." + e.getKey().topic(),
                        e.getKey().partition());
                List<Long> offsets = new ArrayList<>();
                OffsetMappingAssertions.readAll(b, remote.topic(), true).forEach(r -> {
                    if (r.partition() == remote.partition()) {
                        offsets.add(r.offset());
                    }
                });
                assertThat(e.getValue().downstreamOffset()).as("checkpoint of %s at the log end", e.getKey())
                        .isEqualTo(offsets.get(offsets.size() - 1) + 1);
            }
        }
    }

    /** {@code perPartition} records on every partition of {@code topic}. */
    private static List<ProducedRecord> onEveryPartition(String topic, String idPrefix, int perPartition) {
        List<ProducedRecord> out = new ArrayList<>();
        for (ProducedRecord r : TestRecords.builder().topic(topic, 1).count(perPartition * PARTITIONS)
                .idPrefix(idPrefix).tombstoneRatio(0).build()) {
            out.add(r.withPartition(out.size() % PARTITIONS));
        }
        return out;
    }
}
