package io.flinkmirror.testutils;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import io.flinkmirror.job.MirrorJob;
import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.udfs.offsets.KafkaReader;
import io.flinkmirror.udfs.record.MirrorRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * Runs the real Flink Mirror job graph (the one {@code flink run} submits) on the test's MiniCluster, from MM2-style
 * properties, and tells when a flow has caught up with its source.
 */
public final class MirrorRunner implements AutoCloseable {

    private final JobClient client;
    private final MirrorConfig config;

    private MirrorRunner(JobClient client, MirrorConfig config) {
        this.client = client;
        this.config = config;
    }

    /** Properties for one flow {@code A->B} between two local clusters, with test-friendly Flink settings. */
    public static Map<String, String> flowProperties(LocalKafkaCluster a, LocalKafkaCluster b) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", a.name() + ", " + b.name());
        props.put(a.name() + ".bootstrap.servers", a.bootstrapServers());
        props.put(b.name() + ".bootstrap.servers", b.bootstrapServers());
        props.put(a.name() + "->" + b.name() + ".enabled", "true");
        props.put("refresh.topics.interval.seconds", "2");
        props.put("flink.execution.checkpointing.interval", "1 s");
        props.put("flink.restart-strategy.type", "none");
        props.put("flink.parallelism.default", "2");
        return props;
    }

    /** As {@link #flowProperties(LocalKafkaCluster, LocalKafkaCluster)}, replicating the topics matching a regex. */
    public static Map<String, String> flowProperties(LocalKafkaCluster a, LocalKafkaCluster b, String topicsRegex) {
        Map<String, String> props = flowProperties(a, b);
        props.put(a.name() + "->" + b.name() + ".topics", topicsRegex);
        return props;
    }

    /** Starts the job described by {@code props}. */
    public static MirrorRunner start(Map<String, String> props) throws Exception {
        return start(props, (flow, records) -> records);
    }

    /** Starts the job, passing each flow's replicated records through {@code beforeSink}. */
    public static MirrorRunner start(Map<String, String> props,
            BiFunction<FlowConfig, DataStream<MirrorRecord>, DataStream<MirrorRecord>> beforeSink) throws Exception {
        return start(new MirrorJob(MirrorConfig.parse(props), beforeSink));
    }

    /** Starts {@code job} as built (e.g. with the flows the preflight turned topic ACL sync off for). */
    public static MirrorRunner start(MirrorJob job) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(job.flinkConfiguration());
        job.build(env);
        return new MirrorRunner(env.executeAsync(job.jobName()), job.config());
    }

    /** The newest completed checkpoint ({@code chk-N} with a {@code _metadata} file) under {@code dir}. */
    public static Optional<Path> latestRetainedCheckpoint(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata")).map(Path::getParent)
                    .filter(p -> p.getFileName().toString().startsWith("chk-"))
                    .max(Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString().substring(4))));
        }
    }

    public JobClient client() {
        return client;
    }

    /**
     * Waits until flow {@code source->target} has replicated and committed everything currently readable (read
     * committed) in {@code topics}: the source group's offsets, committed by the job when a checkpoint completes
     * (together with the sink's transactions), reach the source's end offsets.
     */
    public void awaitCaughtUp(LocalKafkaCluster source, String target, List<String> topics, Duration timeout) {
        awaitCaughtUp(source, target, topics, timeout, () -> "job " + jobStatus(), this::failIfTerminated);
    }

    /** As {@link #awaitCaughtUp(LocalKafkaCluster, String, List, Duration)}, for a job running anywhere. */
    public static void awaitCaughtUp(LocalKafkaCluster source, String target, List<String> topics, Duration timeout,
                                     java.util.function.Supplier<String> jobState) {
        awaitCaughtUp(source, target, topics, timeout, jobState, () -> { });
    }

    private static void awaitCaughtUp(LocalKafkaCluster source, String target, List<String> topics,
                                      Duration timeout, java.util.function.Supplier<String> jobState,
                                      Runnable failFast) {
        String group = "flink-mirror-" + source.name() + "-" + target;
        Admin admin = source.admin();
        Map<TopicPartition, Long> lag = new HashMap<>();
        Poll.until("flow " + source.name() + "->" + target + " to catch up on " + topics, timeout, () -> {
            failFast.run();
            try {
                Map<TopicPartition, OffsetSpec> request = new HashMap<>();
                admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values().forEach(d ->
                        d.partitions().forEach(p -> request.put(new TopicPartition(d.name(), p.partition()),
                                OffsetSpec.latest())));
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                lag.clear();
                admin.listOffsets(request, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                        .get(10, TimeUnit.SECONDS).forEach((tp, info) -> {
                            OffsetAndMetadata c = committed.get(tp);
                            long from = c == null ? 0 : c.offset();
                            // Only control markers (transaction commits/aborts) may lie between what the job
                            // committed (last record + 1) and the end offset.
                            if (info.offset() > from && hasRecords(source, tp, from, info.offset())) {
                                lag.put(tp, info.offset() - from);
                            }
                        });
                return lag.isEmpty();
            } catch (Exception e) {
                lag.put(new TopicPartition("error: " + e, -1), -1L);
                return false;
            }
        }, () -> "behind: " + lag + ", " + jobState.get());
    }

    /** Whether a committed record may sit in {@code [from, to)} of {@code tp} (see {@link KafkaReader}). */
    private static boolean hasRecords(LocalKafkaCluster cluster, TopicPartition tp, long from, long to) {
        try (KafkaReader reader = new KafkaReader(cluster.clientProperties())) {
            return reader.mayHaveRecords(tp, from, to);
        }
    }

    /** Throws an {@link AssertionError} with the job's failure if it has ended (it should run until closed). */
    private void failIfTerminated() {
        try {
            if (client.getJobStatus().get(5, TimeUnit.SECONDS).isGloballyTerminalState()) {
                client.getJobExecutionResult().get(5, TimeUnit.SECONDS);
                throw new AssertionError("job ended before catching up: " + jobStatus());
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("job failed before catching up", e.getCause());
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            // unknown for now: the next poll asks again
        }
    }

    public String jobStatus() {
        try {
            return client.getJobStatus().get(5, TimeUnit.SECONDS).toString();
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    @Override
    public void close() throws Exception {
        if (!client.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            client.cancel().get(60, TimeUnit.SECONDS);
        }
    }
}
