package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.JobMetrics;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LogCapture;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.ProducedRecord.Header;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.client.program.rest.RestClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.DefaultRecord;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Records and topics at the edges: empty and huge headers; a record exactly at the target's {@code max.message.bytes}
 * and one over it (the job stops naming it, and replicates it once the limit is raised: never skipped); a source
 * topic deleted while replicating; source records deleted while the job was stopped (reported and counted, where
 * MirrorMaker 2 skips silently).
 */
class DataEdgeCasesIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static Map<String, String> flow(String topics) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b, topics);
        props.put("emit.heartbeats.enabled", "false");
        return props;
    }

    private static String remote(String topic) {
        return a.name() + "." + topic;
    }

    private static ExactlyOnceChecker.Report verify(List<ProducedRecord> expected, String topic) {
        return ExactlyOnceChecker.expecting(expected).verify(b.bootstrapServers(), remote(topic), TIMEOUT);
    }

    @Test
    void shouldReplicateEmptyAndHugeHeadersExactlyOnce() throws Exception {
        String t = "edge-headers";
        a.createTopic(t, 1);
        long ts = System.currentTimeMillis();
        List<Header> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(Header.of("h" + i, "v" + i));
        }
        byte[] big = new byte[512 * 1024];
        Arrays.fill(big, (byte) 'x');
        List<ProducedRecord> records = List.of(
                new ProducedRecord(t, 0, bytes("k0"), bytes("no headers"), List.of(), ts),
                new ProducedRecord(t, 0, bytes("k1"), bytes("empty key and value"), List.of(new Header("",
                        new byte[0])), ts),
                new ProducedRecord(t, 0, bytes("k2"), bytes("null value"), List.of(new Header("n", null)), ts),
                new ProducedRecord(t, 0, bytes("k3"), bytes("500 headers"), many, ts),
                new ProducedRecord(t, 0, bytes("k4"), bytes("a 512 KiB header"), List.of(new Header("big", big)), ts),
                new ProducedRecord(t, 0, null, null, List.of(new Header("", null)), ts));
        TestRecords.produce(a.bootstrapServers(), records);
        try (MirrorRunner mirror = MirrorRunner.start(flow(t))) {
            mirror.awaitCaughtUp(a, b.name(), List.of(t), TIMEOUT);
        }
        verify(records, t).assertExactlyOnce();
    }

    @Test
    void shouldStopNamingTheRecordOverTheTargetMaxMessageBytesAndNeverSkipIt() throws Exception {
        String t = "edge-big";
        int limit = 20_000;
        a.createTopic(t, 1);
        // The target topic exists with a lower limit than the source's (config sync off: it would raise it).
        b.admin().createTopics(List.of(new NewTopic(remote(t), 1, (short) 1)
                .configs(Map.of("max.message.bytes", String.valueOf(limit))))).all().get(10, TimeUnit.SECONDS);
        long ts = System.currentTimeMillis();
        List<ProducedRecord> fitting = List.of(record(t, "small-0", 100, ts), record(t, "at-limit", limit, ts),
                record(t, "small-1", 100, ts));
        List<ProducedRecord> rest = List.of(record(t, "over-limit", limit + 1, ts), record(t, "small-2", 100, ts));
        Map<String, String> props = flow(t);
        props.put("sync.topic.configs.enabled", "false");

        TestRecords.produce(a.bootstrapServers(), fitting);
        String failure;
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(t), TIMEOUT);
            verify(fitting, t).assertExactlyOnce();
            TestRecords.produce(a.bootstrapServers(), rest);
            try {
                mirror.client().getJobExecutionResult().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                throw new AssertionError("the job went on past a record it cannot write");
            } catch (ExecutionException e) {
                failure = causes(e);
            }
        }
        System.out.println("over-limit failure: " + failure);
        assertThat(failure).contains("record " + t + "-0@3 is 20,001 bytes as a record batch, over max.message.bytes"
                + "=20,000 of target topic " + remote(t) + " on cluster '" + b.name() + "': raise max.message.bytes");
        verify(fitting, t).assertExactlyOnce(); // nothing skipped past, nothing half-written

        b.admin().incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, remote(t)),
                List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", String.valueOf(2 * limit)),
                        AlterConfigOp.OpType.SET)))).all().get(10, TimeUnit.SECONDS);
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(t), TIMEOUT);
        }
        List<ProducedRecord> all = new ArrayList<>(fitting);
        all.addAll(rest);
        verify(all, t).assertExactlyOnce();
    }

    /** A record whose batch of one, as the producer writes it uncompressed, is exactly {@code batchBytes} long. */
    private static ProducedRecord record(String topic, String key, int batchBytes, long ts) {
        byte[] k = bytes(key);
        for (int valueSize = batchBytes; valueSize > 0; valueSize--) {
            int size = DefaultRecordBatch.RECORD_BATCH_OVERHEAD
                    + DefaultRecord.sizeInBytes(0, 0L, k.length, valueSize, new RecordHeader[0]);
            if (size == batchBytes) {
                byte[] value = new byte[valueSize];
                Arrays.fill(value, (byte) 'v');
                return new ProducedRecord(topic, 0, k, value, List.of(), ts);
            }
        }
        throw new IllegalArgumentException("no value size gives a batch of " + batchBytes + " bytes");
    }

    @Test
    void shouldKeepReplicatingOtherTopicsWhenASourceTopicIsDeleted() throws Exception {
        a.createTopic("edge-keep", 2);
        a.createTopic("edge-gone", 2);
        List<ProducedRecord> keep = TestRecords.builder().topic("edge-keep", 2).count(2_000).idPrefix("keep")
                .build();
        TestRecords.produce(a.bootstrapServers(), keep.subList(0, 1_000));
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic("edge-gone", 2).count(500)
                .idPrefix("gone").build());
        List<String> warnings;
        try (LogCapture logs = LogCapture.start(Level.WARN);
                MirrorRunner mirror = MirrorRunner.start(flow("edge-keep|edge-gone"))) {
            mirror.awaitCaughtUp(a, b.name(), List.of("edge-keep", "edge-gone"), TIMEOUT);
            a.admin().deleteTopics(List.of("edge-gone")).all().get(10, TimeUnit.SECONDS);
            TestRecords.produce(a.bootstrapServers(), keep.subList(1_000, 2_000));
            mirror.awaitCaughtUp(a, b.name(), List.of("edge-keep"), TIMEOUT);
            Poll.until("the deletion to be explained in the log", TIMEOUT,
                    () -> !logs.linesContaining("source topic edge-gone was deleted").isEmpty());
            warnings = logs.linesContaining("edge-gone");
        }
        verify(keep, "edge-keep").assertExactlyOnce();
        assertThat(warnings.stream().filter(l -> l.contains("was deleted")).count()).isEqualTo(1);
        // Never re-created by the job's own consumer (brokers auto-create topics on fetch by default).
        assertThat(a.admin().listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("edge-gone");
    }

    @Test
    void shouldReportAndCountRecordsDeletedOnTheSourceWhileTheJobWasStopped(
            @InjectClusterClient RestClusterClient<?> rest) throws Exception {
        String t = "edge-retention";
        a.createTopic(t, 2);
        List<ProducedRecord> first = TestRecords.builder().topic(t, 2).count(1_000).idPrefix("before").build();
        List<ProducedRecord> second = TestRecords.builder().topic(t, 2).count(1_000).idPrefix("while-down").build();
        TestRecords.produce(a.bootstrapServers(), first);
        Path checkpoints = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "checkpoints-");
        Map<String, String> props = flow(t);
        props.put("flink.execution.checkpointing.dir", checkpoints.toUri().toString());
        props.put("flink.execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(t), TIMEOUT);
            mirror.client().cancel().get(60, TimeUnit.SECONDS);
        }
        // While the job is down: more records, then the oldest unreplicated half of them is deleted.
        TestRecords.produce(a.bootstrapServers(), second);
        List<ProducedRecord> expected = new ArrayList<>(first);
        Map<TopicPartition, RecordsToDelete> delete = new HashMap<>();
        List<String> ranges = new ArrayList<>();
        long lost = 0;
        for (int p = 0; p < 2; p++) {
            int partition = p;
            long before = first.stream().filter(r -> r.partition() == partition).count();
            List<ProducedRecord> down = second.stream().filter(r -> r.partition() == partition).toList();
            int cut = down.size() / 2;
            delete.put(new TopicPartition(t, p), RecordsToDelete.beforeOffset(before + cut));
            expected.addAll(down.subList(cut, down.size()));
            ranges.add(t + "-" + p + ": source offsets " + before + " to " + (before + cut - 1) + " were deleted");
            lost += cut;
        }
        a.admin().deleteRecords(delete).all().get(10, TimeUnit.SECONDS);

        props.put("flink.execution.state-recovery.path", MirrorRunner.latestRetainedCheckpoint(checkpoints)
                .orElseThrow().toUri().toString());
        List<String> reported;
        try (LogCapture logs = LogCapture.start(Level.WARN); MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(t), TIMEOUT);
            long want = lost;
            try (JobMetrics metrics = new JobMetrics(rest.getWebInterfaceURL(), mirror.client().getJobID())) {
                Poll.until("records-lost-to-retention to count " + lost, TIMEOUT,
                        () -> metrics.aggregate(id -> id.endsWith(".records-lost-to-retention"), "sum") == want);
            }
            reported = logs.linesContaining("were deleted on the source");
        }
        verify(expected, t).assertExactlyOnce();
        System.out.println("reported: " + reported);
        assertThat(reported).hasSize(2);
        for (String range : ranges) {
            assertThat(reported).anyMatch(l -> l.contains(range));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}
