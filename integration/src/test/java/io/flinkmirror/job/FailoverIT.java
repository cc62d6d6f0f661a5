package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.OffsetsCommand;
import io.flinkmirror.cli.failover.CheckpointReader;
import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.testutils.Deadline;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.KafkaClusters;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.ProducedRecord;
import io.flinkmirror.testutils.TestRecords;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Failing a consumer group over from the source cluster to the target with {@code bin/mirror offsets translate}: the
 * group resumes on the target exactly where it stopped on the source, the command refuses to touch a group that is
 * active on the target, and without {@code --apply} it changes nothing.
 */
class FailoverIT extends TwoClusterTest {

    @RegisterExtension
    static final MiniClusterExtension FLINK = KafkaClusters.flink();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    static Path dir;

    @Test
    void shouldResumeGroupOnTargetExactlyWhereItStoppedOnSource() throws Exception {
        String topic = "fo-orders";
        String group = "fo-orders-app";
        a.createTopic(topic, 3);
        Map<String, String> props = flow(topic);

        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            // 4,000 records in rounds, so the sink commits several transactions per partition (their markers make
            // target offsets drift from source offsets), with aborted transactions leaving gaps on the source.
            List<ProducedRecord> produced = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                List<ProducedRecord> records = TestRecords.builder().topic(topic, 3).count(500).seed(round)
                        .idPrefix("fo" + round).build();
                TestRecords.produce(a.bootstrapServers(), records);
                produced.addAll(records);
                if (round % 3 == 1) {
                    TestRecords.produceTransactional(a.bootstrapServers(), TestRecords.builder().topic(topic, 3)
                            .count(60).seed(100 + round).idPrefix("aborted" + round).build(), false);
                }
                Thread.sleep(1200); // spreads the rounds over several Flink checkpoints (interval 1 s)
            }
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            List<ProducedRecord> readOnA = consumeHalfOnSource(group, topic);
            Map<TopicPartition, Long> committedOnA = committed(a, group);
            assertThat(committedOnA).hasSize(3).allSatisfy((tp, offset) -> assertThat(offset).isPositive());
            assertThat(awaitCheckpoints(group, committedOnA).values()).as("translation is not the identity here")
                    .anySatisfy(c -> assertThat(c.downstreamOffset()).isNotEqualTo(c.upstreamOffset()));

            Result result = offsets("translate", "--config", configFile("exact", props), "--group", group,
                    "--apply");
            assertThat(result.code()).as("exit code; %s", result).isEqualTo(OffsetsCommand.OK);
            assertThat(result.out()).contains("Checkpoints match", "Committed 3 offset(s)");

            List<ProducedRecord> readOnB = consumeRestOnTarget(group, a.name() + "." + topic);
            List<ProducedRecord> union = new ArrayList<>(readOnA);
            readOnB.forEach(r -> union.add(r.withTopic(topic)));
            ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(produced).compare(topic, union);
            assertThat(report.missingCount()).as("missing; %s", report).isZero();
            assertThat(report.duplicatedCount()).as("duplicated; %s", report).isZero();
            report.assertExactlyOnce();
            assertThat(readOnA.size() + readOnB.size()).isEqualTo(produced.size());
        }
    }

    @Test
    void shouldRefuseToApplyWhileGroupHasActiveMemberOnTarget() throws Exception {
        String topic = "fo-busy";
        String group = "fo-busy-app";
        String remote = a.name() + "." + topic;
        a.createTopic(topic, 3);
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic(topic, 3).count(600).idPrefix("busy")
                .build());
        Map<String, String> props = flow(topic);
        Path config = configFile("busy", props);

        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            Map<TopicPartition, Long> onA = Map.of(new TopicPartition(topic, 0), 100L,
                    new TopicPartition(topic, 1), 150L, new TopicPartition(topic, 2), 30L);
            commit(a, group, onA);
            Map<TopicPartition, Checkpoint> checkpoints = awaitCheckpoints(group, onA);
            Map<TopicPartition, Long> before = Map.of(new TopicPartition(remote, 0), 7L,
                    new TopicPartition(remote, 1), 7L, new TopicPartition(remote, 2), 7L);
            commit(b, group, before);

            try (ActiveMember member = ActiveMember.join(group, remote)) {
                Result refused = offsets("translate", "--config", config.toString(), "--group", group, "--apply");
                assertThat(refused.code()).as("exit code; %s", refused).isEqualTo(OffsetsCommand.GROUP_ACTIVE);
                assertThat(refused.err().strip()).doesNotContain("\n")
                        .contains("Refusing", "'" + group + "'", b.name(), "STABLE", "1 member");
                assertThat(committed(b, group)).isEqualTo(before);
            }

            // Once the member has left, the same command commits the translated offsets.
            Poll.until("group " + group + " to be empty on " + b.name(), TIMEOUT,
                    () -> describe(b, group).groupState() == GroupState.EMPTY);
            Result applied = offsets("translate", "--config", config.toString(), "--group", group, "--apply");
            assertThat(applied.code()).as("exit code; %s", applied).isEqualTo(OffsetsCommand.OK);
            Map<TopicPartition, Long> translated = new HashMap<>();
            checkpoints.forEach((tp, c) -> translated.put(tp, c.downstreamOffset()));
            assertThat(committed(b, group)).isEqualTo(translated);
        }
    }

    @Test
    void shouldPrintTranslationWithoutChangingAnythingWhenNotApplying() throws Exception {
        String topic = "fo-dry";
        String group = "fo-dry-app";
        String remote = a.name() + "." + topic;
        a.createTopic(topic, 2);
        TestRecords.produce(a.bootstrapServers(), TestRecords.builder().topic(topic, 2).count(400).idPrefix("dry")
                .build());
        Map<String, String> props = flow(topic);
        Path config = configFile("dry", props);

        try (MirrorRunner mirror = MirrorRunner.start(props)) {
            mirror.awaitCaughtUp(a, b.name(), List.of(topic), TIMEOUT);
            Map<TopicPartition, Long> onA = Map.of(new TopicPartition(topic, 0), 50L,
                    new TopicPartition(topic, 1), 120L);
            commit(a, group, onA);
            Map<TopicPartition, Checkpoint> checkpoints = awaitCheckpoints(group, onA);

            Result result = offsets("translate", "--config", config.toString(), "--group", group);
            assertThat(result.code()).as("exit code; %s", result).isEqualTo(OffsetsCommand.OK);
            for (Checkpoint c : checkpoints.values()) {
                assertThat(result.out()).containsPattern("(?m)^" + remote.replace(".", "\\.") + " +"
                        + c.partition() + " +" + c.upstreamOffset() + " +" + c.downstreamOffset() + " +- +"
                        + c.upstreamOffset() + " +commit$");
            }
            assertThat(result.out()).contains("Dry run, nothing committed");
            assertThat(committed(b, group)).isEmpty();

            Result unknown = offsets("translate", "--config", config.toString(), "--group", "fo-nobody");
            assertThat(unknown.code()).as("exit code; %s", unknown).isEqualTo(OffsetsCommand.NO_CHECKPOINT);
            assertThat(unknown.err()).contains("No checkpoint for group 'fo-nobody'");
        }
    }

    @Test
    void shouldListFlowsWhenTargetFlowIsAmbiguous() throws Exception {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(b.name() + "->" + a.name() + ".enabled", "true");
        String config = configFile("ambiguous", props).toString();

        Result result = offsets("translate", "--config", config, "--group", "g");
        assertThat(result.code()).isEqualTo(OffsetsCommand.CONFIG_ERROR);
        assertThat(result.err()).contains(a.name() + "->" + b.name(), b.name() + "->" + a.name(), "--from");
        assertThat(offsets("translate", "--config", config, "--group", "g", "--from", "nowhere").err())
                .contains("No enabled flow nowhere->*");
    }

    private static Map<String, String> flow(String topics) {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", topics);
        props.put("emit.checkpoints.interval.seconds", "1");
        return props;
    }

    private static Path configFile(String name, Map<String, String> props) throws IOException {
        Properties properties = new Properties();
        properties.putAll(props);
        Path file = dir.resolve(name + ".properties");
        try (Writer writer = Files.newBufferedWriter(file, java.nio.charset.StandardCharsets.ISO_8859_1)) {
            properties.store(writer, "FailoverIT " + name);
        }
        return file;
    }

    private record Result(int code, String out, String err) {
    }

    /** Runs {@code bin/mirror offsets ...} in-process. */
    private static Result offsets(Object... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new OffsetsCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        String[] strings = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            strings[i] = args[i].toString();
        }
        int code = cli.execute(strings);
        System.out.println("offsets " + String.join(" ", strings) + " -> exit " + code + "\n" + out + err);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Group {@code group} reads about half of every partition of {@code topic} on the source as an application does
     * (subscribe, poll), commits what it read, and leaves. Returns what it read, in order.
     */
    private static List<ProducedRecord> consumeHalfOnSource(String group, String topic) {
        List<ProducedRecord> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(a, group, "earliest")) {
            consumer.subscribe(List.of(topic));
            Map<TopicPartition, Long> half = new HashMap<>();
            Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
            Set<TopicPartition> done = new HashSet<>();
            Deadline deadline = Deadline.in(TIMEOUT);
            while (done.size() < 3) {
                deadline.check("group " + group + " to read half of " + topic + " (done: " + done + ")");
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (done.contains(tp)) {
                        continue; // fetched before the pause took effect: not read, not committed
                    }
                    read.add(ProducedRecord.from(r));
                    next.put(tp, new OffsetAndMetadata(r.offset() + 1, "read on " + a.name()));
                    long stopAt = half.computeIfAbsent(tp, p -> consumer.endOffsets(List.of(p)).get(p) / 2);
                    if (r.offset() + 1 >= stopAt) {
                        done.add(tp);
                        consumer.pause(List.of(tp));
                    }
                }
            }
            consumer.commitSync(next);
        }
        return read;
    }

    /**
     * Group {@code group} reads {@code topic} on the target from its committed offsets (none would fail: no reset)
     * up to the end, with read_committed. Returns what it read, in order.
     */
    private static List<ProducedRecord> consumeRestOnTarget(String group, String topic) {
        List<ProducedRecord> read = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(b, group, "none")) {
            consumer.subscribe(List.of(topic));
            Deadline deadline = Deadline.in(TIMEOUT);
            Map<TopicPartition, Long> end = new HashMap<>();
            while (consumer.assignment().size() < 3 || consumer.assignment().stream()
                    .anyMatch(tp -> consumer.position(tp) < end.computeIfAbsent(tp,
                            p -> consumer.endOffsets(List.of(p)).get(p)))) {
                deadline.check("group " + group + " to read " + topic + " to its end on " + b.name());
                consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(ProducedRecord.from(r)));
            }
            consumer.commitSync();
        }
        return read;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(LocalKafkaCluster cluster, String group, String reset) {
        Properties props = new Properties();
        props.put("bootstrap.servers", cluster.bootstrapServers());
        props.put("group.id", group);
        props.put("isolation.level", "read_committed");
        props.put("enable.auto.commit", "false");
        props.put("auto.offset.reset", reset);
        props.put("max.poll.records", "50");
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** A consumer in {@code group} on the target, subscribed and polling in a thread (it never commits). */
    private static final class ActiveMember implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stop;

        private ActiveMember(String group, String topic) {
            consumer = consumer(b, group, "earliest");
            thread = new Thread(() -> {
                try {
                    consumer.subscribe(List.of(topic));
                    while (!stop) {
                        consumer.poll(Duration.ofMillis(100));
                    }
                } catch (WakeupException e) {
                    // closing
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    consumer.close(Duration.ofSeconds(10));
                }
            }, "failover-it-active-member");
            thread.start();
        }

        static ActiveMember join(String group, String topic) {
            ActiveMember member = new ActiveMember(group, topic);
            try {
                Poll.until("a stable member in group " + group + " on " + b.name(), TIMEOUT, () -> {
                    ConsumerGroupDescription d = describe(b, group);
                    return d.groupState() == GroupState.STABLE && d.members().size() == 1;
                }, () -> describe(b, group) + ", member failure " + member.failure.get());
            } catch (AssertionError e) {
                member.stop = true;
                member.consumer.wakeup();
                throw e;
            }
            return member;
        }

        @Override
        public void close() throws InterruptedException {
            stop = true;
            consumer.wakeup();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("member thread still running").isFalse();
            assertThat(failure.get()).as("member thread failure").isNull();
        }
    }

    private static ConsumerGroupDescription describe(LocalKafkaCluster cluster, String group) {
        try {
            return cluster.admin().describeConsumerGroups(List.of(group)).describedGroups().get(group)
                    .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("describe " + group + " on " + cluster.name(), e);
        }
    }

    private static void commit(LocalKafkaCluster cluster, String group, Map<TopicPartition, Long> offsets)
            throws Exception {
        Map<TopicPartition, OffsetAndMetadata> request = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> request.put(tp, new OffsetAndMetadata(offset)));
        cluster.admin().alterConsumerGroupOffsets(group, request).all().get(10, TimeUnit.SECONDS);
    }

    private static Map<TopicPartition, Long> committed(LocalKafkaCluster cluster, String group) throws Exception {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        cluster.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .forEach((tp, om) -> offsets.put(tp, om.offset()));
        return offsets;
    }

    /**
     * Waits until the checkpoints topic on the target holds, for every source partition in {@code committedOnSource},
     * a checkpoint of {@code group} at exactly that source offset; returns them by remote partition.
     */
    private static Map<TopicPartition, Checkpoint> awaitCheckpoints(String group,
                                                                   Map<TopicPartition, Long> committedOnSource) {
        AtomicReference<Map<TopicPartition, Checkpoint>> latest = new AtomicReference<>(Map.of());
        List<String> missing = new ArrayList<>();
        Poll.until("checkpoints of " + group + " at " + committedOnSource, TIMEOUT, () -> {
            latest.set(CheckpointReader.latest(b.name(), Map.of("bootstrap.servers", b.bootstrapServers()),
                    a.name() + ".checkpoints.internal", group, Duration.ofSeconds(30)));
            missing.clear();
            committedOnSource.forEach((tp, offset) -> {
                Checkpoint c = latest.get().get(new TopicPartition(a.name() + "." + tp.topic(), tp.partition()));
                if (c == null || c.upstreamOffset() != offset) {
                    missing.add(tp + "=" + offset + " (have " + c + ")");
                }
            });
            return missing.isEmpty();
        }, () -> "missing " + missing);
        return latest.get();
    }
}
