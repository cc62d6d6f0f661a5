package io.flinkmirror.job;

import static io.flinkmirror.job.SavepointFixture.GROUP;
import static io.flinkmirror.job.SavepointFixture.PARTITIONS;
import static io.flinkmirror.job.SavepointFixture.TARGET_TOPIC;
import static io.flinkmirror.job.SavepointFixture.TOPIC;
import static io.flinkmirror.job.SavepointFixture.TOPIC_CONFIG;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.failover.CheckpointReader;
import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * State compatibility: every committed savepoint fixture ({@code savepoints/fixtures/<version>/}) restores into this
 * release's job, which then continues exactly-once and keeps translating offsets exactly from the restored mapping.
 * The Kafka state the savepoint refers to is rebuilt on fresh brokers from the fixture's description (see
 * {@link SavepointFixture}). {@link #generate} takes this release's fixture ({@code -Dsavepoint.fixture.generate=true}).
 */
class SavepointFixtureIT {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final int ROUND_1 = 600;
    private static final int ROUND_2 = 300;

    @TempDir
    Path dir;

    /** Fresh clusters named as the fixture's flow ({@code source->target}: the aliases are part of the uids). */
    private record Clusters(LocalKafkaCluster source, LocalKafkaCluster target) implements AutoCloseable {
        static Clusters start(Path dir) {
            LocalKafkaCluster source = LocalKafkaCluster.start("source", dir);
            try {
                return new Clusters(source, LocalKafkaCluster.start("target", dir));
            } catch (RuntimeException e) {
                source.close();
                throw e;
            }
        }

        @Override
        public void close() {
            source.close();
            target.close();
        }
    }

    static Stream<Path> fixtures() throws Exception {
        try (Stream<Path> dirs = Files.list(SavepointFixture.fixturesDir())) {
            List<Path> found = dirs.filter(d -> Files.exists(d.resolve("savepoint/_metadata")))
                    .sorted(Comparator.comparing(Path::toString)).toList();
            assertThat(found).as("savepoint fixtures in %s", SavepointFixture.fixturesDir()).isNotEmpty();
            return found.stream();
        }
    }

    @ParameterizedTest(name = "fixture {0}")
    @MethodSource("fixtures")
    void shouldRestoreFixtureAndContinueExactlyOnce(Path fixture) throws Exception {
        SavepointFixture.Description description =
                SavepointFixture.Description.read(fixture.resolve("fixture.properties"));
        try (Clusters clusters = Clusters.start(dir)) {
            restore(fixture, description, clusters.source(), clusters.target());
        }
    }

    private void restore(Path fixture, SavepointFixture.Description description, LocalKafkaCluster source,
                         LocalKafkaCluster target) throws Exception {
        // The Kafka state the savepoint refers to: the source's records at the same offsets, the target's
        // replicated records and transaction markers at the same offsets, the group's offsets.
        source.createTopic(TOPIC, PARTITIONS, TOPIC_CONFIG);
        List<ProducedRecord> round1 = SavepointFixture.records(1, description.count());
        TestRecords.produce(source.bootstrapServers(), round1);
        assertThat(SavepointFixture.endOffsets(source, TOPIC)).isEqualTo(description.sourceEnds());
        target.createTopic(TARGET_TOPIC, PARTITIONS, TOPIC_CONFIG);
        SavepointFixture.rebuildTarget(target, round1, description.targetTransactions());
        // Commit markers land shortly after commitTransaction returns.
        Poll.until("the rebuilt target to match the fixture", TIMEOUT, () -> {
            try {
                return SavepointFixture.targetTransactions(target).equals(description.targetTransactions());
            } catch (Exception e) {
                return false;
            }
        });
        SavepointFixture.commitGroup(source, description.groupOffsets());

        Map<String, String> props = SavepointFixture.jobProperties(source, target);
        props.put("flink.execution.state-recovery.path", fixture.resolve("savepoint").toUri().toString());
        // A throttle the fixtures' jobs did not have (high enough not to slow this test): the source's state and
        // serializers are the same with and without one, so adding it keeps every savepoint restorable.
        props.put("source->target.flink.throttle.bytes.per.second", "50000000");
        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            List<ProducedRecord> round2 = SavepointFixture.records(2, ROUND_2);
            TestRecords.produce(source.bootstrapServers(), round2);
            mirror.awaitCaughtUp(source, "target", List.of(TOPIC), TIMEOUT);
            List<ProducedRecord> all = new ArrayList<>(round1);
            all.addAll(round2);
            ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(all)
                    .verify(target.bootstrapServers(), TARGET_TOPIC, TIMEOUT);
            assertThat(report.missingCount()).as("missing; %s", report).isZero();
            assertThat(report.duplicatedCount()).as("duplicated (round 1 copied again?); %s", report).isZero();
            report.assertExactlyOnce();

            // The restored offset mapping still matches the target: a group offset inside round 2 (its second
            // record of each partition) translates to exactly where that record sits on the target.
            Map<String, Long> targetOffsets = targetOffsetsById(target);
            Map<Integer, Long> moved = new TreeMap<>();
            Map<TopicPartition, Long> expected = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                int partition = p;
                List<ProducedRecord> inPartition = round2.stream().filter(r -> r.partition() == partition).toList();
                assertThat(inPartition).hasSizeGreaterThan(2);
                moved.put(p, description.sourceEnds().get(p) + 1);
                expected.put(new TopicPartition(TOPIC, p), targetOffsets.get(TestRecords.idOf(inPartition.get(1))));
            }
            SavepointFixture.commitGroup(source, moved);
            Map<TopicPartition, Long> translated = new HashMap<>();
            Poll.until("checkpoints of " + GROUP + " for offsets " + moved, TIMEOUT, () -> {
                translated.clear();
                CheckpointReader.latest("target", Map.of("bootstrap.servers", target.bootstrapServers()),
                        "source.checkpoints.internal", GROUP, Duration.ofSeconds(10)).forEach((tp, c) -> {
                            if (c.upstreamOffset() == moved.get(tp.partition())) {
                                translated.put(new TopicPartition(TOPIC, tp.partition()), c.downstreamOffset());
                            }
                        });
                return translated.size() == PARTITIONS;
            }, () -> "translated so far " + translated);
            assertThat(translated).isEqualTo(expected);
        }
    }

    /**
     * Takes this release's fixture into {@code savepoints/fixtures/<CURRENT_VERSION>/}, replacing it. Run with
     * {@code mvn -B -pl job -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false
     * -Dit.test=SavepointFixtureIT#generate -Dsavepoint.fixture.generate=true}.
     */
    @Test
    @EnabledIfSystemProperty(named = "savepoint.fixture.generate", matches = "true")
    void generate() throws Exception {
        try (Clusters clusters = Clusters.start(dir)) {
            generate(clusters.source(), clusters.target());
        }
    }

    private void generate(LocalKafkaCluster source, LocalKafkaCluster target) throws Exception {
        source.createTopic(TOPIC, PARTITIONS, TOPIC_CONFIG);
        List<ProducedRecord> round1 = SavepointFixture.records(1, ROUND_1);
        Path taken = dir.resolve("savepoints");
        Map<Integer, Long> ends;
        Map<Integer, Long> group = new TreeMap<>();
        try (MirrorRunner mirror = MirrorRunner.start(SavepointFixture.jobProperties(source, target))) {
            // In three parts, each replicated before the next: several transactions (and markers) per partition.
            for (int part = 0; part < 3; part++) {
                TestRecords.produce(source.bootstrapServers(), round1.subList(part * ROUND_1 / 3,
                        (part + 1) * ROUND_1 / 3));
                mirror.awaitCaughtUp(source, "target", List.of(TOPIC), TIMEOUT);
            }
            ends = SavepointFixture.endOffsets(source, TOPIC);
            ends.forEach((p, end) -> group.put(p, end / 2));
            SavepointFixture.commitGroup(source, group);
            Poll.until("checkpoints of " + GROUP, TIMEOUT, () -> CheckpointReader.latest("target",
                    Map.of("bootstrap.servers", target.bootstrapServers()), "source.checkpoints.internal", GROUP,
                    Duration.ofSeconds(10)).size() == PARTITIONS);
            String path = mirror.client().stopWithSavepoint(false, taken.toUri().toString(),
                    SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);
            taken = Path.of(java.net.URI.create(path));
        }
        SavepointFixture.Description description = new SavepointFixture.Description(ROUND_1, ends, group,
                SavepointFixture.targetTransactions(target));

        Path fixture = SavepointFixture.fixturesDir().resolve(SavepointFixture.CURRENT_VERSION);
        if (Files.exists(fixture)) {
            try (Stream<Path> old = Files.walk(fixture)) {
                old.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(fixture.resolve("savepoint"));
        try (Stream<Path> files = Files.list(taken)) {
            for (Path file : files.toList()) {
                Files.copy(file, fixture.resolve("savepoint").resolve(file.getFileName()));
            }
        }
        description.write(fixture.resolve("fixture.properties"), EnvironmentInformation.getVersion());
    }

    /** Offset on the target of every committed record, by its TestRecords id. */
    private static Map<String, Long> targetOffsetsById(LocalKafkaCluster target) {
        Map<String, Long> offsets = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : OffsetMappingAssertions.readAll(target, TARGET_TOPIC, true)) {
            offsets.put(TestRecords.idOf(ProducedRecord.from(r)), r.offset());
        }
        return offsets;
    }
}
