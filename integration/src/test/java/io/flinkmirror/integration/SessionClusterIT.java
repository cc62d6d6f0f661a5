package io.flinkmirror.integration;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.cli.local.LocalFlinkCluster;
import io.flinkmirror.cli.rest.FlinkRest;
import io.flinkmirror.testutils.ContinuousProducer;
import io.flinkmirror.testutils.ExactlyOnceChecker;
import io.flinkmirror.testutils.MirrorRunner;
import io.flinkmirror.testutils.OffsetMappingAssertions;
import io.flinkmirror.testutils.Poll;
import io.flinkmirror.testutils.TwoClusterTest;
import io.flinkmirror.udfs.mm2.Checkpoint;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.rest.messages.checkpoints.CheckpointingStatistics.RestoredCheckpointStatistics;
import org.apache.flink.runtime.rest.messages.job.JobDetailsInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job jar on a real Flink session cluster ({@code bin/mirror cluster start}: JobManager and TaskManager as their
 * own JVMs), deployed with {@code bin/mirror submit}, upgraded with {@code bin/mirror upgrade} (stop-with-savepoint,
 * resubmit) while a producer keeps writing, recovering from a SIGKILLed TaskManager, then cancelled and submitted
 * again without a savepoint (it resumes from its newest retained checkpoint). After every step every record is on the
 * target exactly once, and Flink's checkpoint ids and the MM2 checkpoints (translated group offsets) never go back.
 */
class SessionClusterIT extends TwoClusterTest {

    private static final Logger LOG = LoggerFactory.getLogger(SessionClusterIT.class);

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final String GROUP = "upgrade-app";
    private static final Pattern SAVEPOINT = Pattern.compile("with savepoint (\\S+)");

    @TempDir
    static Path dir;
    static LocalFlinkCluster cluster;
    static FlinkRest rest;

    /** The highest Flink checkpoint id seen so far, over all jobs of the scenario. */
    private long lastCheckpointId = -1;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = LocalFlinkCluster.at(dir.resolve("flink"));
        int restPort = Processes.freePort();
        Processes.Started start = Processes.mirror(dir, "cluster-start", "cluster", "start",
                "--dir", cluster.dir().toString(), "--rest-port", String.valueOf(restPort),
                "--rpc-port", String.valueOf(Processes.freePort()),
                "--jobmanager-memory", "768m", "--taskmanager-memory", "1280m",
                // a killed TaskManager is noticed within seconds, not the default 50 s
                "-D", "heartbeat.interval=1000", "-D", "heartbeat.timeout=10000");
        assertThat(start.awaitExit(Duration.ofSeconds(180))).as("cluster start: %s %s", start.out(), start.err())
                .isZero();
        rest = new FlinkRest("http://localhost:" + restPort);
    }

    @AfterAll
    static void stopCluster() throws Exception {
        if (cluster != null) {
            Processes.Started stop = Processes.mirror(dir, "cluster-stop", "cluster", "stop", "--dir",
                    cluster.dir().toString());
            stop.awaitExit(Duration.ofSeconds(90));
            cluster.stop(Duration.ofSeconds(10)); // in case the command could not
        }
    }

    @Test
    void shouldStayExactlyOnceAcrossSavepointUpgradesRescalingAndTaskManagerLoss() throws Exception {
        a.createTopic("up-a", 4);
        a.createTopic("up-b", 2);
        commitGroupOffsets(); // the group exists before the job starts, so its offsets are translated
        Path v1 = config("v1.properties", "up-a");
        Path v2 = config("v2.properties", "up-a, up-b");

        try (ContinuousProducer producer = new ContinuousProducer(a.bootstrapServers(), Map.of("up-a", 4, "up-b", 2),
                10, Duration.ofMillis(50))) {
            long started = System.nanoTime();
            step("submit through REST at parallelism 2");
            Processes.Started submit = mirror("submit", "submit", "--config", v1.toString(), "--flink-rest",
                    rest.url(), "--parallelism", "2");
            assertThat(submit.out()).contains("RUNNING");
            String first = runningJob();
            String job = first;
            assertThat(rest.jobsOverview()).anySatisfy(j -> {
                assertThat(j.getJobId().toHexString()).isEqualTo(first);
                assertThat(j.getStatus().name()).isEqualTo("RUNNING");
            });
            assertThat(httpGet(rest.url() + "/")).contains("<title>Apache Flink Web Dashboard</title>");
            awaitCheckpointAfter(job, -1);
            verify(producer, List.of("up-a"), job);

            step("(a) stop-with-savepoint and resubmit unchanged");
            job = upgrade(producer, job, v1, null, 2, List.of("up-a"));

            step("(b) resubmit with up-b added to the flow's topics");
            job = upgrade(producer, job, v2, null, 2, List.of("up-a", "up-b"));

            step("(c) parallelism 2 -> 1");
            job = upgrade(producer, job, v2, 1, 1, List.of("up-a", "up-b"));
            step("(c) parallelism 1 -> 3");
            job = upgrade(producer, job, v2, 3, 3, List.of("up-a", "up-b"));

            step("SIGKILL the TaskManager, start a new one");
            long beforeKill = awaitCheckpointAfter(job, lastCheckpointId);
            LocalFlinkCluster.ProcessState tm = cluster.taskManager();
            assertThat(tm.alive()).isTrue();
            ProcessHandle.of(tm.pid()).orElseThrow().destroyForcibly();
            ProcessHandle.of(tm.pid()).ifPresent(h -> h.onExit().join());
            Processes.Started restart = mirror("tm-restart", "cluster", "start", "--dir", cluster.dir().toString());
            assertThat(restart.out()).contains("taskmanager running");
            assertThat(cluster.taskManager().pid()).isNotEqualTo(tm.pid());
            String recovered = job;
            Poll.until("job " + job + " to restore a checkpoint after the TaskManager loss", TIMEOUT, () -> {
                long restored = rest.latestRestoredCheckpoint(recovered).map(RestoredCheckpointStatistics::getId).orElse(-1L);
                return restored >= beforeKill
                        && "RUNNING".equals(rest.job(recovered).getJobStatus().name());
            }, () -> "job " + rest.job(recovered).getJobStatus().name() + ", restored "
                    + rest.latestRestoredCheckpoint(recovered));
            RestoredCheckpointStatistics afterKill = rest.latestRestoredCheckpoint(job).orElseThrow();
            assertThat(afterKill.isSavepoint()).isFalse();
            awaitCheckpointAfter(job, afterKill.getId());
            verify(producer, List.of("up-a", "up-b"), job);

            step("cancel (no savepoint), then submit without one: resumes from the newest retained checkpoint");
            long beforeCancel = awaitCheckpointAfter(job, lastCheckpointId);
            mirror("cancel", "stop", "--flink-rest", rest.url());
            String cancelled = job;
            Poll.until("job " + job + " CANCELED in the REST API", Duration.ofSeconds(60),
                    () -> "CANCELED".equals(rest.job(cancelled).getJobStatus().name()));
            Processes.Started resubmit = mirror("resubmit", "submit", "--config", v2.toString(), "--flink-rest",
                    rest.url(), "--parallelism", "3");
            assertThat(resubmit.out()).contains("RUNNING", "restored from checkpoint");
            String resumed = runningJob();
            RestoredCheckpointStatistics fromCheckpoint = rest.latestRestoredCheckpoint(resumed).orElseThrow();
            assertThat(fromCheckpoint.getExternalPath()).as("restored: %s", fromCheckpoint)
                    .containsPattern("/flink-mirror/[0-9a-f]{32}/chk-\\d+$");
            assertThat(fromCheckpoint.getId()).isGreaterThanOrEqualTo(beforeCancel);
            awaitCheckpointAfter(resumed, fromCheckpoint.getId());
            verify(producer, List.of("up-a", "up-b"), resumed);
            job = resumed;

            assertMm2CheckpointsNeverWentBack();
            LOG.info("Scenario done in {} s, {} records produced", (System.nanoTime() - started) / 1_000_000_000,
                    producer.produced("up-a").size() + producer.produced("up-b").size());
            mirror("stop", "stop", "--flink-rest", rest.url());
        }
    }

    /**
     * {@code bin/mirror upgrade} of {@code job} while the producer writes; the new job must start from the savepoint,
     * run at {@code expectedParallelism}, and continue Flink's checkpoint ids. Returns the new job's id.
     */
    private String upgrade(ContinuousProducer producer, String job, Path config, Integer parallelism,
                           int expectedParallelism, List<String> topics) throws Exception {
        long before = awaitCheckpointAfter(job, lastCheckpointId);
        List<String> args = new ArrayList<>(List.of("upgrade", "--config", config.toString(), "--flink-rest",
                rest.url(), "--savepoint-dir", dir.resolve("savepoints").toString()));
        if (parallelism != null) {
            args.addAll(List.of("--parallelism", String.valueOf(parallelism)));
        }
        Processes.Started upgrade = mirror("upgrade-" + System.nanoTime(), args.toArray(String[]::new));
        Matcher m = SAVEPOINT.matcher(upgrade.out());
        assertThat(m.find()).as("savepoint path in: %s", upgrade.out()).isTrue();
        String savepoint = m.group(1);
        // upgrade waited until the JobManager reported the old job FINISHED; the REST API's job details are cached
        // for a few seconds, so they may still say RUNNING (a fresh-clone CI run saw that).
        Poll.until("job " + job + " FINISHED in the REST API", Duration.ofSeconds(30),
                () -> "FINISHED".equals(rest.job(job).getJobStatus().name()),
                () -> "job " + job + " is " + rest.job(job).getJobStatus().name());
        String next = runningJob();
        assertThat(next).isNotEqualTo(job);

        RestoredCheckpointStatistics restored = rest.latestRestoredCheckpoint(next).orElseThrow();
        assertThat(restored.isSavepoint()).as("restored: %s", restored).isTrue();
        assertThat(Path.of(URI.create(restored.getExternalPath()).getPath()))
                .isEqualTo(Path.of(URI.create(savepoint).getPath()));
        assertThat(restored.getId()).as("savepoint id after the old job's checkpoints").isGreaterThan(before);
        awaitCheckpointAfter(next, restored.getId());
        for (JobDetailsInfo.JobVertexDetailsInfo vertex : rest.job(next).getJobVertexInfos()) {
            if (vertex.getName().contains("Replicate")) {
                assertThat(vertex.getParallelism()).as(vertex.getName()).isEqualTo(expectedParallelism);
            }
        }
        verify(producer, topics, next);
        return next;
    }

    /**
     * Pauses the producer, waits until the job has replicated everything, checks every topic exactly once, commits
     * the group's offsets (for the MM2 checkpoints) and resumes the producer.
     */
    private void verify(ContinuousProducer producer, List<String> topics, String job) throws Exception {
        producer.pause();
        try {
            MirrorRunner.awaitCaughtUp(a, b.name(), topics, TIMEOUT, () -> "job " + job + " "
                    + rest.job(job).getJobStatus().name());
            for (String topic : topics) {
                ExactlyOnceChecker.Report report = ExactlyOnceChecker.expecting(producer.produced(topic))
                        .verify(b.bootstrapServers(), a.name() + "." + topic, TIMEOUT);
                LOG.info("{}", report);
                assertThat(report.missingCount()).as("missing; %s", report).isZero();
                assertThat(report.duplicatedCount()).as("duplicated; %s", report).isZero();
                report.assertExactlyOnce();
            }
            commitGroupOffsets();
        } finally {
            producer.resume();
        }
    }

    /** Waits for a completed checkpoint of {@code job} with an id above {@code after}; returns its id. */
    private long awaitCheckpointAfter(String job, long after) {
        long[] id = {-1};
        Poll.until("a checkpoint of job " + job + " after #" + after, TIMEOUT, () -> {
            id[0] = rest.latestCompletedCheckpoint(job).map(c -> c.getId()).orElse(-1L);
            return id[0] > after;
        }, () -> "latest " + id[0] + ", job " + rest.job(job).getJobStatus().name());
        assertThat(id[0]).as("checkpoint ids never go back").isGreaterThan(lastCheckpointId);
        lastCheckpointId = id[0];
        return id[0];
    }

    /** Commits the group's offsets on A at the current end of up-a, for the job to translate. */
    private static void commitGroupOffsets() throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int p = 0; p < 4; p++) {
            TopicPartition tp = new TopicPartition("up-a", p);
            long end = a.admin().listOffsets(Map.of(tp, OffsetSpec.latest()))
                    .partitionResult(tp).get(10, TimeUnit.SECONDS).offset();
            offsets.put(tp, new OffsetAndMetadata(end));
        }
        a.admin().alterConsumerGroupOffsets(GROUP, offsets).all().get(10, TimeUnit.SECONDS);
    }

    /**
     * Every MM2 checkpoint the jobs wrote for the group, in log order per partition: downstream offsets never
     * decrease across the upgrades and the TaskManager loss, and the last ones translate the last committed offsets.
     */
    private static void assertMm2CheckpointsNeverWentBack() throws Exception {
        String topic = a.name() + ".checkpoints.internal";
        // Checkpoints name the remote topic (cluster-0.up-a), as MM2's do.
        Map<TopicPartition, Long> committed = new HashMap<>();
        a.admin().listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                .forEach((tp, o) -> committed.put(new TopicPartition(a.name() + "." + tp.topic(), tp.partition()),
                        o.offset()));
        Map<TopicPartition, List<Checkpoint>> seen = new HashMap<>();
        Poll.until("checkpoints of " + GROUP + " for its last committed offsets", TIMEOUT, () -> {
            seen.clear();
            readCheckpoints(topic).stream().filter(c -> c.consumerGroupId().equals(GROUP))
                    .forEach(c -> seen.computeIfAbsent(c.topicPartition(), k -> new ArrayList<>()).add(c));
            return committed.entrySet().stream().allMatch(e -> seen.containsKey(e.getKey())
                    && last(seen.get(e.getKey())).upstreamOffset() == e.getValue());
        }, () -> "committed " + committed + ", last checkpoints " + seen.values().stream().map(
                SessionClusterIT::last).toList());
        seen.forEach((tp, checkpoints) -> {
            for (int i = 1; i < checkpoints.size(); i++) {
                assertThat(checkpoints.get(i).downstreamOffset()).as("%s checkpoint #%d after %s", tp, i,
                        checkpoints.get(i - 1)).isGreaterThanOrEqualTo(checkpoints.get(i - 1).downstreamOffset());
                assertThat(checkpoints.get(i).upstreamOffset()).isGreaterThanOrEqualTo(
                        checkpoints.get(i - 1).upstreamOffset());
            }
        });
        assertThat(seen.values().stream().mapToInt(List::size).sum()).as("checkpoints over all steps")
                .isGreaterThan(4 * 3);
    }

    private static Checkpoint last(List<Checkpoint> list) {
        return list.get(list.size() - 1);
    }

    private static List<Checkpoint> readCheckpoints(String topic) {
        return OffsetMappingAssertions.readAll(b, topic).stream()
                .map(r -> Checkpoint.deserialize(r.key(), r.value())).toList();
    }

    private Path config(String name, String topics) throws Exception {
        Map<String, String> props = MirrorRunner.flowProperties(a, b);
        String flow = a.name() + "->" + b.name();
        props.remove("flink.parallelism.default"); // given at submit
        props.put(flow + ".topics", topics);
        props.put("flink.restart-strategy.type", "fixed-delay");
        // Enough attempts for a replacement TaskManager that takes a minute or more to register on a loaded machine
        // (CI saw 72 s, and the job FAILED after 20 attempts).
        props.put("flink.restart-strategy.fixed-delay.attempts", "200");
        props.put("flink.restart-strategy.fixed-delay.delay", "1 s");
        props.put("emit.checkpoints.interval.seconds", "1");
        props.put("groups", GROUP);
        props.put("emit.heartbeats.enabled", "false");
        StringBuilder text = new StringBuilder();
        props.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    /** The one RUNNING job of the cluster. */
    private static String runningJob() {
        List<String> running = new ArrayList<>();
        rest.jobsOverview().forEach(j -> {
            if ("RUNNING".equals(j.getStatus().name())) {
                running.add(j.getJobId().toHexString());
            }
        });
        assertThat(running).hasSize(1);
        return running.get(0);
    }

    /** Runs {@code bin/mirror ARGS} to completion and asserts it succeeded. */
    private static Processes.Started mirror(String name, String... args) throws Exception {
        Processes.Started run = Processes.mirror(dir, name, args);
        int code = run.awaitExit(Duration.ofSeconds(240));
        assertThat(code).as("bin/mirror %s\nstdout: %s\nstderr: %s", String.join(" ", args), run.out(), run.err())
                .isZero();
        LOG.info("bin/mirror {}: {}", String.join(" ", args), run.out().strip());
        return run;
    }

    private static String httpGet(String url) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    private static void step(String description) {
        LOG.info("=== {}", description);
    }
}
