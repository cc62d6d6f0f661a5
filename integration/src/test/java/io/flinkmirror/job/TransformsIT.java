package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * MirrorMaker 2's {@code transforms} / {@code predicates} keys with Kafka's own SMTs (Filter with HasHeaderKey,
 * InsertHeader, ExtractField) and the example record function (MaskField), on the real job: what reaches the target
 * is exactly the transformed kept records (read_committed: 0 missing, 0 duplicated), group offsets at dropped records
 * translate, through MM2's own {@code RemoteClusterUtils.translateOffsets}, to the next record written, a failing
 * transform stops the job or is skipped as {@code errors.tolerance} says, and a start without state finds the
 * transformed records on the target.
 */
class TransformsIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int PARTITIONS = 2;
    /** Recent, so that retention deletes nothing during the test. */
    private static final long BASE_TS = System.currentTimeMillis() - 60_000;

    /** Drops records with a {@code debug} header, tags the others, masks their password field. */
    private static Map<String, String> flow(String topic) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        String flow = a.name() + "->" + b.name() + ".";
        props.put("emit.heartbeats.enabled", "false");
        props.put("emit.checkpoints.interval.seconds", "1");
        props.put("flink.pipeline.name", "transforms-" + topic);
        props.put(flow + "transforms", "dropDebug, tag");
        props.put(flow + "transforms.dropDebug.type", "org.apache.kafka.connect.transforms.Filter");
        props.put(flow + "transforms.dropDebug.predicate", "isDebug");
        props.put("transforms.tag.type", "org.apache.kafka.connect.transforms.InsertHeader");
        props.put("transforms.tag.header", "mirrored");
        props.put("transforms.tag.value.literal", "yes");
        props.put(flow + "predicates", "isDebug");
        props.put("predicates.isDebug.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        props.put("predicates.isDebug.name", "debug");
        props.put(flow + "flink.record.function.class", "io.flinkmirror.udfs.transform.examples.MaskField");
        props.put("flink.record.function.field", "password");
        return props;
    }

    /** {@code n} records per partition; every third one carries a {@code debug} header, the last three never. */
    private static List<ProducedRecord> records(String topic, String prefix, int n) {
        List<ProducedRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < PARTITIONS; p++) {
                String id = prefix + "-" + p + "-" + i;
                String value = "{\"id\":\"" + id + "\",\"password\":\"secret-" + i + "\"}";
                records.add(i % 3 == 0 && i < n - 3
                        ? ProducedRecord.of(topic, p, id, value, BASE_TS + i, ProducedRecord.Header.of("debug", "1"))
                        : ProducedRecord.of(topic, p, id, value, BASE_TS + i,
                                ProducedRecord.Header.of("trace", id)));
            }
        }
        return records;
    }

    private static boolean dropped(ProducedRecord r) {
        return r.headers().stream().anyMatch(h -> h.key().equals("debug"));
    }

    /** What the flow writes for a kept source record. */
    private static ProducedRecord replica(ProducedRecord r) {
        List<ProducedRecord.Header> headers = new ArrayList<>(r.headers());
        headers.add(ProducedRecord.Header.of("mirrored", "yes"));
        String masked = r.valueString().replaceAll("\"password\":\"[^\"]*\"", "\"password\":\"***\"");
        return ProducedRecord.of(a.name() + "." + r.topic(), r.partition(), r.keyString(), masked, r.timestamp(),
                headers.toArray(new ProducedRecord.Header[0]));
    }

    private static List<ProducedRecord> replicas(List<ProducedRecord> source) {
        return source.stream().filter(r -> !dropped(r)).map(TransformsIT::replica).toList();
    }

    @Test
    void shouldWriteExactlyTheTransformedKeptRecordsAndTranslateDroppedOffsetsToTheNextRecord() throws Exception {
        String topic = "tr-orders";
        a.createTopic(topic, PARTITIONS);
        List<ProducedRecord> plain = records(topic, "plain", 150);
        TestRecords.produce(a.bootstrapServers(), plain);
        List<ProducedRecord> committedTxn = records(topic, "txn", 30);
        TestRecords.produceTransactional(a.bootstrapServers(), committedTxn, true);
        TestRecords.produceTransactional(a.bootstrapServers(), records(topic, "aborted", 20), false);
        List<ProducedRecord> tail = records(topic, "tail", 30);
        TestRecords.produce(a.bootstrapServers(), tail);
        List<ProducedRecord> all = new ArrayList<>(plain);
        all.addAll(committedTxn);
        all.addAll(tail);

        try (MirrorRunner mirror = MirrorRunner.start(flow(topic))) {
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(replicas(all))
                    .verify(b.bootstrapServers(), a.name() + "." + topic, TIMEOUT).assertExactlyOnce();
            assertThat(report.actualCount()).isEqualTo(replicas(all).size()).isLessThan(all.size());

            // Groups at every kind of source offset: dropped records, kept ones, aborted ones, markers, both ends.
            Map<TopicPartition, TreeMap<Long, ProducedRecord>> source = committedByOffset(a, topic);
            Map<String, Map<TopicPartition, Long>> committed = new LinkedHashMap<>();
            OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
            for (int g = 0; g < 24; g++) {
                Map<TopicPartition, Long> offsets = new HashMap<>();
                for (TopicPartition tp : source.keySet()) {
                    long end = OffsetMappingAssertions.endOffset(a, tp);
                    List<Long> droppedOffsets = source.get(tp).entrySet().stream()
                            .filter(e -> dropped(e.getValue())).map(Map.Entry::getKey).toList();
                    long offset = g == 0 ? 0 : g == 1 ? end : g < 16 ? droppedOffsets.get(g * 7 % droppedOffsets.size())
                            : (g * 37L) % end;
                    offsets.put(tp, offset);
                }
                mapping.commit("tr-group-" + g, offsets);
                committed.put("tr-group-" + g, offsets);
            }
            Map<String, Map<TopicPartition, Checkpoint>> checkpoints = mapping.awaitCheckpoints(committed);
            assertThat(checkpoints).isNotEmpty();

            Map<String, Object> targetProps = Map.of("bootstrap.servers", b.bootstrapServers());
            Map<TopicPartition, TreeMap<Long, ProducedRecord>> target = committedByOffset(b, a.name() + "." + topic);
            int droppedChecked = 0;
            for (Map.Entry<String, Map<TopicPartition, Long>> group : committed.entrySet()) {
                Map<TopicPartition, OffsetAndMetadata> translated = RemoteClusterUtils.translateOffsets(targetProps,
                        a.name(), group.getKey(), Duration.ofSeconds(30));
                for (Map.Entry<TopicPartition, Long> e : group.getValue().entrySet()) {
                    TopicPartition tp = e.getKey();
                    long g = e.getValue();
                    long d = translated.get(new TopicPartition(a.name() + "." + tp.topic(), tp.partition())).offset();
                    Optional<ProducedRecord> next = source.get(tp).tailMap(g, true).values().stream()
                            .filter(r -> !dropped(r)).findFirst();
                    Map.Entry<Long, ProducedRecord> atTarget = target.get(
                            new TopicPartition(a.name() + "." + tp.topic(), tp.partition())).ceilingEntry(d);
                    assertThat(Optional.ofNullable(atTarget).map(Map.Entry::getValue))
                            .as("%s at source offset %d (dropped: %s) -> target offset %d", group.getKey(), g,
                                    source.get(tp).containsKey(g) && dropped(source.get(tp).get(g)), d)
                            .isEqualTo(next.map(TransformsIT::replica));
                    if (source.get(tp).containsKey(g) && dropped(source.get(tp).get(g))) {
                        droppedChecked++;
                    }
                }
            }
            assertThat(droppedChecked).as("group offsets at dropped records").isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void shouldSkipRecordsATransformFailsOnWithToleranceAllAndStopNamingThemWithNone() throws Exception {
        String topic = "tr-poison";
        a.createTopic(topic, 1);
        List<ProducedRecord> records = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            records.add(i % 10 == 5
                    ? ProducedRecord.of(topic, 0, "k" + i, "v" + i, BASE_TS + i, ProducedRecord.Header.of("poison", "1"))
                    : ProducedRecord.of(topic, 0, "k" + i, "v" + i, BASE_TS + i));
        }
        TestRecords.produce(a.bootstrapServers(), records);
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topic);
        props.put("emit.heartbeats.enabled", "false");
        props.put("transforms", "explode");
        // ExtractField needs a Struct or Map: it fails on MM2's bytes, here only on records with a 'poison' header.
        props.put("transforms.explode.type", "org.apache.kafka.connect.transforms.ExtractField$Value");
        props.put("transforms.explode.field", "x");
        props.put("transforms.explode.predicate", "isPoison");
        props.put("predicates", "isPoison");
        props.put("predicates.isPoison.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        props.put("predicates.isPoison.name", "poison");

        props.put("errors.tolerance", "none");
        // One job name for both runs, as a user restarts the job with the fixed setting: its failed run may have left
        // a transaction open on the target (records sent before the poison record), which the next start of the
        // same job aborts; another job's transactional ids would leave it to block read_committed readers.
        props.put("flink.pipeline.name", "transforms-poison");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            Poll.until("the job to fail on the poison record", TIMEOUT, () -> {
                try {
                    return mirror.client().getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState();
                } catch (Exception e) {
                    return false;
                }
            });
            String failure;
            try {
                mirror.client().getJobExecutionResult().get(10, TimeUnit.SECONDS);
                failure = "(no failure)";
            } catch (Exception e) {
                failure = ExceptionUtils.stringifyException(e);
            }
            assertThat(failure).contains(a.name() + "->" + b.name() + " transform 'explode' (transforms.explode.type "
                            + "= org.apache.kafka.connect.transforms.ExtractField$Value) failed on record "
                            + topic + "-0@5");
        }

        props.put("errors.tolerance", "all");
        try (LogCapture logs = LogCapture.start(Level.WARN); MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            List<ProducedRecord> expected = records.stream()
                    .filter(r -> r.headers().isEmpty()).map(r -> r.withTopic(a.name() + "." + topic)).toList();
            ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), a.name() + "." + topic, TIMEOUT)
                    .assertExactlyOnce();
            assertThat(logs.linesContaining("errors.tolerance = all: record " + topic + "-0@5 skipped"))
                    .as("one line for the first skipped record").hasSize(1);
            assertThat(logs.linesContaining("errors.tolerance = all")).as("rate-limited").hasSizeLessThan(3);
        }
    }

    @Test
    void shouldResumeWithoutStateAfterTheLastTransformedRecordOnTheTarget() throws Exception {
        String topic = "tr-resume";
        a.createTopic(topic, PARTITIONS);
        List<ProducedRecord> first = records(topic, "first", 200);
        TestRecords.produce(a.bootstrapServers(), first);
        try (MirrorRunner mirror = MirrorRunner.start(flow(topic))) {
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
        }
        List<ProducedRecord> second = records(topic, "second", 100);
        TestRecords.produce(a.bootstrapServers(), second);
        // The source group says nothing was copied: only the flow's committed progress on the target avoids copies.
        Map<TopicPartition, OffsetAndMetadata> rewind = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            rewind.put(new TopicPartition(topic, p), new OffsetAndMetadata(0));
        }
        a.admin().alterConsumerGroupOffsets("flink-mirror-" + a.name() + "-" + b.name(), rewind).all()
                .get(30, TimeUnit.SECONDS);

        try (LogCapture logs = LogCapture.start(Level.INFO); MirrorRunner mirror = MirrorRunner.start(flow(topic))) {
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            List<ProducedRecord> all = new ArrayList<>(first);
            all.addAll(second);
            try {
                ExactlyOnceChecker.expecting(replicas(all)).verify(b.bootstrapServers(), a.name() + "." + topic,
                        TIMEOUT).assertExactlyOnce();
            } catch (AssertionError e) {
                logs.lines().stream().filter(l -> !l.startsWith("DEBUG") && (l.contains("Resume") || l.contains("ransaction")
                        || l.startsWith("WARN") || l.contains("Lingering") || l.contains("Superseded")))
                        .forEach(l -> System.err.println("CAPTURED " + l.split("\n")[0]));
                throw e;
            }
            assertThat(logs.linesContaining("starting without state: " + PARTITIONS
                    + " partitions resume from their committed progress on " + b.name())).isNotEmpty();
        }
    }

    /** Committed records of every partition of {@code topic} on {@code cluster}, by offset. */
    private static Map<TopicPartition, TreeMap<Long, ProducedRecord>> committedByOffset(LocalKafkaCluster cluster,
                                                                                       String topic) {
        Map<TopicPartition, TreeMap<Long, ProducedRecord>> byPartition = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : OffsetMappingAssertions.readAll(cluster, topic, true)) {
            byPartition.computeIfAbsent(new TopicPartition(topic, r.partition()), k -> new TreeMap<>())
                    .put(r.offset(), ProducedRecord.from(r));
        }
        return byPartition;
    }
}
