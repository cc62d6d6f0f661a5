package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.integration.bench.ChildJvm;
import io.flinkmirror.testutils.Compaction;
import io.flinkmirror.testutils.CompactedReplicaCheck;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.LiveTail;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TopicReads;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.udfs.mm2.Checkpoint;
import io.flinkmirror.udfs.progress.ProgressStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.mirror.RemoteClusterUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hand-over from a running MirrorMaker 2: real MirrorMaker 2 (4.2, dedicated mode, a child JVM) replicates a
 * plain and a compacted topic (log cleaner busy on both clusters) while a transactional producer writes to them, is
 * stopped, and Flink Mirror starts with the same MM2 file (without state) on the target MM2 wrote. It continues
 * where MM2's committed progress ({@code mm2-offsets.<source>.internal}) ends:
 * <ul>
 *   <li>MM2 in exactly-once mode: 0 missing, 0 duplicated on the plain topic (read_committed) and on the compacted one
 *       as followed live ({@link CompactedReplicaCheck});</li>
 *   <li>MM2 in its default (at-least-once) mode, SIGKILLed: 0 missing; records copied twice only after MM2's last
 *       committed progress (what MM2 itself would copy again on its own restart);</li>
 * </ul>
 * and groups committed after the hand-over are translated exactly, read back with MM2's own
 * {@code RemoteClusterUtils.translateOffsets}.
 */
class Mm2HandOverIT {

    private static final Logger LOG = LoggerFactory.getLogger(Mm2HandOverIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();
    /** A pair per test: MirrorMaker 2's internal topics are named after the cluster aliases. */
    @RegisterExtension
    static final KafkaClusters KAFKA = KafkaClusters.of(4);

    private LocalKafkaCluster a;
    private LocalKafkaCluster b;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    @Test
    void shouldContinueExactlyWhereMirrorMaker2InExactlyOnceModeStopped() throws Exception {
        a = KAFKA.get(0);
        b = KAFKA.get(1);
        handOver("hx", true);
    }

    @Test
    void shouldContinueAfterMirrorMaker2InItsDefaultModeDiesCopyingAgainOnlyWhatMm2WouldHave() throws Exception {
        a = KAFKA.get(2);
        b = KAFKA.get(3);
        handOver("ha", false);
    }

    private void handOver(String name, boolean exactlyOnce) throws Exception {
        String orders = name + "-orders";
        String compacted = name + "-compacted";
        a.createTopic(orders, 3);
        a.createTopic(compacted, 2, Compaction.EAGER);
        List<String> topics = List.of(orders, compacted);
        Map<String, String> mm2 = mm2File(name, exactlyOnce);
        Path file = dir.resolve("mm2.properties");
        Files.writeString(file, mm2.entrySet().stream().map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining("\n", "", "\n")));
        OffsetMappingAssertions mapping = new OffsetMappingAssertions(a, b, TIMEOUT);
        Map<TopicPartition, Long> mm2Resume;
        try (LiveTail sourceTail = new LiveTail(a.clientProperties(), Pattern.compile(Pattern.quote(name) + "-.*"));
             LiveTail targetTail = new LiveTail(b.clientProperties(),
                     Pattern.compile(Pattern.quote(a.name() + "." + name) + "-.*"))) {
            TransactionalFeed feed = new TransactionalFeed(a.bootstrapServers(), Map.of(orders, 3, compacted, 2), 20,
                    Duration.ofMillis(50), 5);
            try {
                try (ChildJvm mirrorMaker = startMirrorMaker2(file)) {
                    Poll.until("MirrorMaker 2 to replicate and commit its progress", TIMEOUT, () -> {
                        mirrorMaker.checkAlive();
                        return mm2Progress().keySet().containsAll(List.of(new TopicPartition(orders, 0),
                                new TopicPartition(compacted, 0)));
                    });
                    Thread.sleep(5_000);
                    if (!exactlyOnce) {
                        // At-least-once: MM2 dies (SIGKILL) with records copied after its last offset commit.
                        ProcessHandle.of(mirrorMaker.pid()).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } // stopped (SIGTERM, then its shutdown), or already dead
                mm2Resume = mm2Progress();
                LOG.info("{}: MirrorMaker 2 stopped; its committed progress: {}", name, mm2Resume);
                assertThat(targetTail.seen(a.name() + "." + orders)).as("records MM2 replicated").isNotEmpty();

                Map<String, String> props = new LinkedHashMap<>(mm2);
                props.put("flink.pipeline.name", "handover-" + name);
                props.put("flink.parallelism.default", "2");
                props.put("flink.restart-strategy.type", "none");
                try (MirrorRunner flinkMirror = MirrorRunner.start(props)) {
                    Thread.sleep(5_000);
                    feed.close();
                    flinkMirror.awaitCaughtUp(a, b.name(), topics, TIMEOUT);
                    Map<String, Map<TopicPartition, Long>> groups = new HashMap<>();
                    groups.put(name + "-after", groupAfter(mm2Resume, topics, new Random(name.hashCode())));
                    groups.put(name + "-end", TopicReads.logEnds(a, topics));
                    groups.forEach((group, offsets) -> commit(mapping, group, offsets));
                    Map<String, Map<TopicPartition, Checkpoint>> latest = mapping.awaitCheckpoints(groups);

                    String remoteOrders = a.name() + "." + orders;
                    if (exactlyOnce) {
                        ExactlyOnceChecker.expecting(feed.committed(orders))
                                .verify(b.bootstrapServers(), remoteOrders, TIMEOUT).assertExactlyOnce();
                        String remote = a.name() + "." + compacted;
                        sourceTail.awaitReached(compacted, TopicReads.ends(a, compacted), TIMEOUT);
                        targetTail.awaitReached(remote, TopicReads.ends(b, remote), TIMEOUT);
                        new CompactedReplicaCheck(compacted, sourceTail.seen(compacted), targetTail.seen(remote),
                                TopicReads.readAll(a, compacted), TopicReads.readAll(b, remote)).assertExactlyOnce();
                    } else {
                        ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(feed.committed(orders))
                                .verify(b.bootstrapServers(), remoteOrders, TIMEOUT);
                        assertThat(report.missingCount()).as("missing in %s: %s", remoteOrders, report).isZero();
                        assertThat(report.unexpectedCount()).as("unexpected in %s", remoteOrders).isZero();
                        assertCopiedAgainOnlyAfter(mm2Resume, orders, sourceTail, targetTail);
                    }
                    // Exact, and what MM2's own client library reads.
                    mapping.assertExact(onlyTopic(latest, remoteOrders));
                    for (String group : groups.keySet()) {
                        Map<TopicPartition, OffsetAndMetadata> translated = RemoteClusterUtils.translateOffsets(
                                Map.of("bootstrap.servers", b.bootstrapServers()), a.name(), group,
                                Duration.ofSeconds(30));
                        latest.get(group).forEach((tp, c) -> assertThat(translated.get(
                                new TopicPartition(c.topic(), c.partition())))
                                .as("RemoteClusterUtils on %s %s", group, tp)
                                .isEqualTo(new OffsetAndMetadata(c.downstreamOffset())));
                    }
                }
            } finally {
                feed.close();
            }
        }
    }

    /** Every record the target saw twice comes from at or after where MM2's committed progress ended. */
    private void assertCopiedAgainOnlyAfter(Map<TopicPartition, Long> mm2Resume, String topic, LiveTail sourceTail,
                                            LiveTail targetTail) {
        Map<Integer, List<LiveTail.Seen>> source = sourceTail.seen(topic);
        Map<Integer, List<LiveTail.Seen>> target = targetTail.seen(a.name() + "." + topic);
        List<String> wrong = new ArrayList<>();
        int twice = 0;
        for (Map.Entry<Integer, List<LiveTail.Seen>> e : target.entrySet()) {
            Map<ProducedRecord, Long> sourceOffsets = new HashMap<>();
            source.getOrDefault(e.getKey(), List.of()).forEach(s -> sourceOffsets.put(s.record(), s.offset()));
            Map<ProducedRecord, Integer> counts = new HashMap<>();
            for (LiveTail.Seen s : e.getValue()) {
                if (counts.merge(s.record(), 1, Integer::sum) == 2) {
                    twice++;
                    long up = sourceOffsets.getOrDefault(s.record(), -1L);
                    long resume = mm2Resume.getOrDefault(new TopicPartition(topic, e.getKey()), 0L);
                    if (up < resume) {
                        wrong.add(topic + "-" + e.getKey() + "@" + up + " (MM2's progress ended at " + resume + ")");
                    }
                }
            }
        }
        LOG.info("{}: {} records copied twice after the hand-over from MM2 in at-least-once mode", topic, twice);
        assertThat(wrong).as("copied twice although MM2 had committed its progress past them").isEmpty();
    }

    private Map<TopicPartition, Long> mm2Progress() {
        return new ProgressStore(b.clientProperties()).mm2Offsets("mm2-offsets." + a.name() + ".internal", a.name())
                .latest();
    }

    private Map<String, String> mm2File(String name, boolean exactlyOnce) {
        String s = a.name();
        String t = b.name();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", s + ", " + t);
        props.put(s + ".bootstrap.servers", a.bootstrapServers());
        props.put(t + ".bootstrap.servers", b.bootstrapServers());
        props.put(s + "->" + t + ".enabled", "true");
        props.put(s + "->" + t + ".topics", name + "-.*");
        props.put(t + "->" + s + ".emit.heartbeats.enabled", "false");
        props.put("emit.heartbeats.enabled", "false");
        props.put("tasks.max", "2");
        props.put("replication.factor", "1");
        props.put("offset-syncs.topic.location", "target");
        props.put("offset-syncs.topic.replication.factor", "1");
        props.put("checkpoints.topic.replication.factor", "1");
        props.put("heartbeats.topic.replication.factor", "1");
        props.put("offset.storage.replication.factor", "1");
        props.put("status.storage.replication.factor", "1");
        props.put("config.storage.replication.factor", "1");
        props.put("refresh.topics.interval.seconds", "2");
        props.put("refresh.groups.interval.seconds", "2");
        props.put("emit.checkpoints.interval.seconds", "1");
        props.put("sync.topic.acls.enabled", "false");
        props.put(t + ".offset.flush.interval.ms", "2000");
        props.put(s + ".consumer.isolation.level", "read_committed");
        if (exactlyOnce) {
            // KIP-618, a worker setting: under the target cluster's alias.
            props.put(t + ".exactly.once.source.support", "enabled");
        }
        return props;
    }

    private ChildJvm startMirrorMaker2(Path file) throws Exception {
        String classpath = Files.readString(Paths.get(System.getProperty("bench.peer.classpath.file"))).trim();
        Path log4j = dir.resolve("log4j2-mm2.properties");
        Files.writeString(log4j, String.join("\n", "status = warn", "appender.out.type = Console",
                "appender.out.name = out", "appender.out.layout.type = PatternLayout",
                "appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p [%t] %c{1} - %m%n", "rootLogger.level = WARN",
                "rootLogger.appenderRef.out.ref = out", "logger.mirror.name = org.apache.kafka.connect.mirror",
                "logger.mirror.level = INFO", ""));
        return ChildJvm.start("mirror-maker-2", dir, List.of("-Xms128M", "-Xmx512M", "-Djava.io.tmpdir=" + dir,
                "-Dlog4j2.configurationFile=" + log4j), classpath, "org.apache.kafka.connect.mirror.MirrorMaker",
                List.of(file.toString()));
    }

    /** A group at random offsets at or after where MM2's progress ended (data Flink Mirror replicated). */
    private Map<TopicPartition, Long> groupAfter(Map<TopicPartition, Long> mm2Resume, List<String> topics,
                                                       Random random) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        TopicReads.logEnds(a, topics).forEach((tp, end) -> {
            long from = Math.min(end, mm2Resume.getOrDefault(tp, 0L));
            offsets.put(tp, from + (long) (random.nextDouble() * (end - from)));
        });
        return offsets;
    }

    private static void commit(OffsetMappingAssertions mapping, String group, Map<TopicPartition, Long> offsets) {
        try {
            mapping.commit(group, offsets);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Map<TopicPartition, Checkpoint>> onlyTopic(
            Map<String, Map<TopicPartition, Checkpoint>> checkpoints, String remoteTopic) {
        Map<String, Map<TopicPartition, Checkpoint>> out = new HashMap<>();
        checkpoints.forEach((group, byTp) -> byTp.forEach((tp, c) -> {
            if (c.topic().equals(remoteTopic)) {
                out.computeIfAbsent(group, g -> new HashMap<>()).put(tp, c);
            }
        }));
        return out;
    }
}
