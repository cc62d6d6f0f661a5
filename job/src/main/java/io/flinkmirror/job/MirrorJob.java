package io.flinkmirror.job;

import io.flinkmirror.job.config.FlowConfig;
import io.flinkmirror.job.config.MirrorConfig;
import io.flinkmirror.job.sink.CommitGuardSink;
import io.flinkmirror.job.sink.CommitterDecorators;
import io.flinkmirror.udfs.heartbeat.HeartbeatFunction;
import io.flinkmirror.udfs.offsets.EncodedRecord;
import io.flinkmirror.udfs.offsets.GroupOffset;
import io.flinkmirror.udfs.offsets.GroupOffsetPoller;
import io.flinkmirror.udfs.offsets.GroupOffsetSyncFunction;
import io.flinkmirror.udfs.offsets.OffsetMappingFunction;
import io.flinkmirror.udfs.offsets.OffsetMappingSettings;
import io.flinkmirror.udfs.offsets.OffsetTrackingOperator;
import io.flinkmirror.udfs.offsets.PartitionWrites;
import io.flinkmirror.udfs.record.MirrorRecord;
import io.flinkmirror.udfs.record.RecordSizeLimit;
import io.flinkmirror.udfs.replicate.ReplicateFunction;
import io.flinkmirror.udfs.replicate.ReplicatedRecords;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.function.SerializableFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the Flink Mirror job graph: one pipeline per enabled flow {@code A->B},
 * KafkaSource(A) -> {@link ReplicateFunction} -> KafkaSink(B), plus one heartbeat emitter per pair that emits
 * heartbeats ({@link MirrorConfig#heartbeatFlows()}, replicating or not). The graph is the same whether the job runs in an
 * embedded Flink ({@code bin/mirror run}) or is submitted to a cluster ({@code flink run}).
 */
public final class MirrorJob {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorJob.class);

    /**
     * Checkpoint interval when the config does not set {@code flink.execution.checkpointing.interval}: how often the
     * exactly-once sink commits, so about how long a record waits to be visible to read_committed readers.
     */
    public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofMillis(200);
    /**
     * Checkpoint interval while a flow is catching up, when the config does not set
     * {@code flink.execution.checkpointing.interval-during-backlog}: larger transactions, full throughput.
     */
    public static final Duration DEFAULT_BACKLOG_CHECKPOINT_INTERVAL = Duration.ofSeconds(5);
    /** Longest wait between two restarts after failures, unless {@code flink.restart-strategy.*} says otherwise. */
    public static final String DEFAULT_MAX_RESTART_BACKOFF = "10 s";
    /** Job name when the config does not set {@code flink.pipeline.name}. */
    public static final String DEFAULT_JOB_NAME = "flink-mirror";

    /**
     * Records per partition whose offset mapping a start without state rebuilds from the target: group offsets
     * within them translate exactly again (older ones keep the checkpoints written before).
     */
    static final long HISTORY_RECORDS = 100_000;

    private final MirrorConfig config;
    private final BiFunction<FlowConfig, DataStream<MirrorRecord>, DataStream<MirrorRecord>> beforeSink;
    private SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> committerDecorator =
            c -> c;
    /** Flows whose topic ACL sync the preflight turned off (rights missing; it logged why). */
    private final Set<String> topicAclSyncOff = new HashSet<>();

    public MirrorJob(MirrorConfig config) {
        this(config, (flow, records) -> records);
    }

    /**
     * A job whose replicated records pass through {@code beforeSink} on their way to each flow's sink: an extension
     * point for extra stages (tests use it to inject failures into the real pipeline).
     */
    public MirrorJob(MirrorConfig config,
                     BiFunction<FlowConfig, DataStream<MirrorRecord>, DataStream<MirrorRecord>> beforeSink) {
        this.config = config;
        this.beforeSink = beforeSink;
        CommitterDecorators.requested().ifPresent(decorator -> {
            LOG.warn("Committer decorator {} (-D{}): every flow's commits go through it", decorator.getClass().getName(),
                    CommitterDecorators.PROPERTY);
            this.committerDecorator = decorator;
        });
    }

    /** Decorates every flow's sink committer: tests use it to hold commits back (a fault injection point). */
    public MirrorJob withCommitterDecorator(
            SerializableFunction<Committer<KafkaCommittable>, Committer<KafkaCommittable>> decorator) {
        this.committerDecorator = decorator;
        return this;
    }

    /**
     * Turns topic ACL sync off for the named flows ({@code A->B}): the preflight found rights missing for it and said
     * so in one WARN line each ({@link Preflight.Report#topicAclSyncOff()}).
     */
    public MirrorJob withoutTopicAclSync(Collection<String> flows) {
        topicAclSyncOff.addAll(flows);
        return this;
    }

    public MirrorConfig config() {
        return config;
    }

    /** Flink configuration of the job: our defaults, overridden by the config file's {@code flink.*} keys. */
    public Configuration flinkConfiguration() {
        Configuration conf = new Configuration();
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, DEFAULT_CHECKPOINT_INTERVAL);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL_DURING_BACKLOG, DEFAULT_BACKLOG_CHECKPOINT_INTERVAL);
        conf.set(PipelineOptions.OBJECT_REUSE, true);
        conf.set(PipelineOptions.NAME, DEFAULT_JOB_NAME);
        // A replicator retries for ever, soon: a lost TaskManager or broker costs seconds, not Flink's 1-minute
        // back-off ceiling (exponential-delay's default).
        conf.setString("restart-strategy.type", "exponential-delay");
        conf.setString("restart-strategy.exponential-delay.initial-backoff", "1 s");
        conf.setString("restart-strategy.exponential-delay.max-backoff", DEFAULT_MAX_RESTART_BACKOFF);
        conf.addAll(Configuration.fromMap(config.flinkOptions()));
        return conf;
    }

    /** The job name: {@code flink.pipeline.name}, or {@value #DEFAULT_JOB_NAME}. */
    public String jobName() {
        return flinkConfiguration().get(PipelineOptions.NAME);
    }

    /** Adds every enabled flow's pipeline and every pair's heartbeat emitter to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        if (!config.ignoredKeys().isEmpty()) {
            LOG.info("Keys with no effect in Flink Mirror (Kafka Connect / MirrorMaker 2 worker settings): {}",
                    config.ignoredKeys());
        }
        for (FlowConfig flow : config.flows()) {
            addFlow(env, flow);
        }
        for (FlowConfig flow : config.heartbeatFlows()) {
            addHeartbeats(env, flow);
        }
    }

    /**
     * MirrorMaker 2's heartbeat connector for pair {@code A->B}: every {@code emit.heartbeats.interval.seconds}, a
     * heartbeat {@code A->B} into B's heartbeats topic. The normal replication pipelines carry heartbeats topics on
     * ({@code heartbeats} on A becomes {@code A.heartbeats} on B), which MM2's {@code MirrorClient} reads to find
     * upstream clusters and replication hops.
     */
    private void addHeartbeats(StreamExecutionEnvironment env, FlowConfig flow) {
        String a = flow.source();
        String b = flow.target();
        Duration interval = flow.emitHeartbeatsInterval();
        LOG.info("{} emitting heartbeats to {} on {} every {}", flow.name(), flow.heartbeatsTopic(), b, interval);
        DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(i -> i, Long.MAX_VALUE,
                RateLimiterStrategy.perSecond(1_000.0 / interval.toMillis()), Types.LONG);
        env.fromSource(ticks, WatermarkStrategy.noWatermarks(), MirrorOperator.HEARTBEAT_TICKS.displayName(a, b))
                .uid(MirrorOperator.HEARTBEAT_TICKS.uid(a, b)).setParallelism(1)
                .map(new HeartbeatFunction(a, b, flow.heartbeatsTopic(), flow.targetAdminProps(),
                        flow.heartbeatsTopicReplicationFactor()))
                .uid(MirrorOperator.HEARTBEAT.uid(a, b))
                .name(MirrorOperator.HEARTBEAT.displayName(a, b)).setParallelism(1)
                .sinkTo(KafkaConnectors.internalTopicSink(flow.targetProducerProps()))
                .uid(MirrorOperator.HEARTBEAT_SINK.uid(a, b))
                .name(MirrorOperator.HEARTBEAT_SINK.displayName(a, b)).setParallelism(1);
    }

    private void addFlow(StreamExecutionEnvironment env, FlowConfig flow) {
        String a = flow.source();
        String b = flow.target();
        boolean syncTopicAcls = flow.syncTopicAcls() && !topicAclSyncOff.contains(flow.name());
        LOG.info("{} replicating with {} ({}), topic refresh every {}, topic ACL sync {}{}", flow.name(),
                flow.replicationPolicy().getClass().getSimpleName(),
                flow.exactlyOnce() ? "exactly-once" : "at-least-once", flow.refreshTopicsInterval(),
                syncTopicAcls ? "every " + flow.syncTopicAclsInterval() : "off",
                flow.recordTransformer().active() ? ", " + flow.recordTransformer() : "");

        DataStream<MirrorRecord> records = env
                .fromSource(KafkaConnectors.source(flow, transactionalIdPrefix(flow), backlogInterval(),
                                syncTopicAcls),
                        WatermarkStrategy.noWatermarks(), MirrorOperator.SOURCE.displayName(a, b))
                .uid(MirrorOperator.SOURCE.uid(a, b));

        SingleOutputStreamOperator<MirrorRecord> replicated = records
                .process(new ReplicateFunction(a, b, flow.replicationPolicy(), flow.provenanceHeader())
                        .withSizeLimit(new RecordSizeLimit(b, flow.targetAdminProps(), flow.targetProducerProps()))
                        .withTransformer(flow.recordTransformer()))
                .uid(MirrorOperator.REPLICATE.uid(a, b))
                .name(MirrorOperator.REPLICATE.displayName(a, b));

        SingleOutputStreamOperator<MirrorRecord> tracked = beforeSink.apply(flow, replicated)
                .transform(MirrorOperator.OFFSET_TRACKER.displayName(a, b), TypeInformation.of(MirrorRecord.class),
                        new OffsetTrackingOperator())
                .uid(MirrorOperator.OFFSET_TRACKER.uid(a, b));
        tracked.sinkTo(new CommitGuardSink(flow.name(), KafkaConnectors.sink(flow, transactionalIdPrefix(flow)),
                committerDecorator, KafkaConnectors.supersededCommits(flow, transactionalIdPrefix(flow)))
                        .withProgress(flow.progressTopic(), flow.exactlyOnce()))
                .uid(MirrorOperator.SINK.uid(a, b))
                .name(MirrorOperator.SINK.displayName(a, b));
        if (flow.offsetMapping()) {
            addOffsetMapping(env, flow, tracked.getSideOutput(OffsetTrackingOperator.WRITES));
        }
    }

    /**
     * The side stream: what each sink transaction wrote -> exact offset mapping per source partition -> offset syncs
     * and translated group offsets (checkpoints), in MirrorMaker 2's formats.
     */
    private void addOffsetMapping(StreamExecutionEnvironment env, FlowConfig flow, DataStream<PartitionWrites> writes) {
        String a = flow.source();
        String b = flow.target();

        DataStream<GroupOffset> groupOffsets;
        Duration interval = flow.emitCheckpointsInterval();
        if (interval.isZero()) {
            // No polling: an empty stream, with uids so that savepoints do not depend on generated ids.
            groupOffsets = env.fromData(GroupOffset.class, new GroupOffset("", "", 0, 0L, ""))
                    .uid(MirrorOperator.GROUP_OFFSET_TICKS.uid(a, b))
                    .name(MirrorOperator.GROUP_OFFSET_TICKS.displayName(a, b))
                    .filter(g -> false).uid(MirrorOperator.GROUP_OFFSET_POLLER.uid(a, b))
                    .name(MirrorOperator.GROUP_OFFSET_POLLER.displayName(a, b) + " (off)");
        } else {
            DataGeneratorSource<Long> ticks = new DataGeneratorSource<>(i -> i, Long.MAX_VALUE,
                    RateLimiterStrategy.perSecond(1_000.0 / interval.toMillis()), Types.LONG);
            groupOffsets = env.fromSource(ticks, WatermarkStrategy.noWatermarks(),
                            MirrorOperator.GROUP_OFFSET_TICKS.displayName(a, b))
                    .uid(MirrorOperator.GROUP_OFFSET_TICKS.uid(a, b)).setParallelism(1)
                    .process(new GroupOffsetPoller(flow.name(), flow.groupFilter(),
                            flow.topicSelector(), flow.sourceAdminProps()))
                    .uid(MirrorOperator.GROUP_OFFSET_POLLER.uid(a, b))
                    .name(MirrorOperator.GROUP_OFFSET_POLLER.displayName(a, b)).setParallelism(1);
        }

        SingleOutputStreamOperator<EncodedRecord> checkpoints = writes
                .keyBy(PartitionWrites::sourceKey)
                .connect(groupOffsets.keyBy(GroupOffset::sourceKey))
                .process(new OffsetMappingFunction(new OffsetMappingSettings(flow.name(), flow.offsetSyncsTopic(),
                        flow.checkpointsTopic(), flow.sourceConsumerProps(), flow.targetConsumerProps(),
                        flow.offsetSyncsAdminProps(), flow.targetAdminProps(), flow.exactOffsetWindow(),
                        flow.exactlyOnce(), new OffsetMappingSettings.History(flow.replicationPolicy(), a,
                                new ReplicatedRecords(b, flow.provenanceHeader()).withTransforms(
                                        flow.recordTransformer(), flow.replicationPolicy(), a), HISTORY_RECORDS),
                        flow.offsetSyncsTopicReplicationFactor(), flow.checkpointsTopicReplicationFactor())
                        .withProgress(flow.progressTopic())))
                .uid(MirrorOperator.OFFSET_MAPPING.uid(a, b))
                .name(MirrorOperator.OFFSET_MAPPING.displayName(a, b));
        checkpoints.sinkTo(KafkaConnectors.internalTopicSink(flow.targetProducerProps()))
                .uid(MirrorOperator.CHECKPOINTS_SINK.uid(a, b))
                .name(MirrorOperator.CHECKPOINTS_SINK.displayName(a, b));
        if (flow.emitOffsetSyncs()) {
            checkpoints.getSideOutput(OffsetMappingFunction.OFFSET_SYNCS)
                    .sinkTo(KafkaConnectors.internalTopicSink(flow.offsetSyncsProducerProps()))
                    .uid(MirrorOperator.OFFSET_SYNCS_SINK.uid(a, b))
                    .name(MirrorOperator.OFFSET_SYNCS_SINK.displayName(a, b));
        }
        if (flow.syncGroupOffsets() && !flow.syncGroupOffsetsInterval().isZero()) {
            checkpoints.keyBy(GroupOffsetSyncFunction::groupOf)
                    .process(new GroupOffsetSyncFunction(flow.name(), flow.syncGroupOffsetsInterval().toMillis(),
                            flow.targetAdminProps()))
                    .uid(MirrorOperator.GROUP_OFFSET_SYNC.uid(a, b))
                    .name(MirrorOperator.GROUP_OFFSET_SYNC.displayName(a, b))
                    .sinkTo(new DiscardingSink<>())
                    .uid(MirrorOperator.GROUP_OFFSET_SYNC_END.uid(a, b))
                    .name(MirrorOperator.GROUP_OFFSET_SYNC_END.displayName(a, b));
        }
    }

    /**
     * The checkpoint interval while catching up, if it is longer than the normal one (else a backlog changes nothing
     * and the sources do not look for one).
     */
    private Duration backlogInterval() {
        Configuration conf = flinkConfiguration();
        Duration normal = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        Duration backlog = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL_DURING_BACKLOG);
        return normal == null || backlog == null || backlog.compareTo(normal) <= 0 ? null : backlog;
    }

    /** Stable per job and flow, so a restarted job fences and aborts the transactions of its previous run. */
    String transactionalIdPrefix(FlowConfig flow) {
        return (jobName() + "-" + flow.source() + "-" + flow.target()).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
