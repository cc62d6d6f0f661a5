package io.flinkmirror.job.config;

import io.flinkmirror.udfs.filter.DefaultGroupFilter;
import io.flinkmirror.udfs.filter.DefaultTopicFilter;
import io.flinkmirror.udfs.filter.GroupFilter;
import io.flinkmirror.udfs.filter.TopicFilter;
import io.flinkmirror.udfs.policy.IdentityReplicationPolicy;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.topic.TopicSelector;
import io.flinkmirror.udfs.transform.ErrorTolerance;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The settings of one replication flow {@code source->target}, typed and validated. Every flow-level key is read from
 * {@code <source>-><target>.<key>} if present, else from the top-level {@code <key>}, else its default
 * ({@link MirrorConfig#documentedKeys()}).
 *
 * <h2>Kafka client properties</h2>
 * Computed as MirrorMaker 2.x (up to 4.2, dedicated mode) computes them, keeping its surprises. For the source
 * consumer of flow A->B, from weakest to strongest:
 * <ol>
 *   <li>{@code A->B.source.cluster.<k>} (cluster-wide keys only);</li>
 *   <li>{@code A->B.consumer.<k>} (the connector-level client override);</li>
 *   <li>top-level {@code <k>}, then {@code A.<k>}, for the cluster-wide keys {@code bootstrap.servers},
 *       {@code security.protocol}, {@code ssl.*}, {@code sasl.*} only: MM2 copies them into
 *       {@code A.consumer.<k>} unless that is set, so they beat {@code A->B.consumer.<k>};</li>
 *   <li>{@code A.consumer.<k>};</li>
 *   <li>{@code A->B.source.consumer.<k>} (the only per-flow key that beats the cluster's settings).</li>
 * </ol>
 * The other clients follow the same chain with their side and kind: {@link #targetProducerProps()} uses
 * {@code B.*}, {@code A->B.producer.*}, {@code B.producer.*}, {@code A->B.target.producer.*}, plus the Connect
 * per-connector override {@code A->B.producer.override.*} on top (MM2 writes replicated records with the Connect
 * worker's producer, which honours it); admins use {@code admin.}. MM2 has no {@code A->B.A.consumer.*}. Ignored by
 * MM2, hence here: top-level {@code consumer.*}/{@code producer.*}/{@code admin.*}, {@code A.<k>} for non cluster-wide
 * client keys (e.g. {@code A.client.id}), and {@code A->B.<k>} for cluster-wide keys (e.g.
 * {@code A->B.security.protocol}). Consumers always get {@code enable.auto.commit=false} and default
 * {@code auto.offset.reset=earliest}, as in MM2. Keys a client does not define are dropped. MM2's generated
 * {@code client.id} suffixes are not added.
 *
 * <h2>Differences from MirrorMaker 2</h2>
 * {@code replication.factor} defaults to -1 (keep the source topic's; MM2: 2), {@code refresh.topics.interval.seconds}
 * and {@code sync.topic.acls.interval.seconds} to 10 (MM2: 600), {@code offset-syncs.topic.location} to target (MM2:
 * source). An interval of {@link Duration#ZERO} means disabled, whether set to 0 or switched off by its
 * {@code *.enabled=false} key.
 */
public final class FlowConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Which cluster holds the flow's offset-syncs topic ({@code offset-syncs.topic.location}). */
    public enum Location {
        SOURCE, TARGET;

        /** As written in the config file. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final String EXACTLY_ONCE = "exactly-once";

    private final String source;
    private final String target;
    private final Map<String, String> sourceConsumerProps;
    private final Map<String, String> sourceProducerProps;
    private final Map<String, String> sourceAdminProps;
    private final Map<String, String> targetProducerProps;
    private final Map<String, String> targetConsumerProps;
    private final Map<String, String> targetAdminProps;
    private final ReplicationPolicy replicationPolicy;
    private final TopicFilter topicFilter;
    private final GroupFilter groupFilter;
    private final int replicationFactor;
    private final int offsetSyncsTopicReplicationFactor;
    private final int checkpointsTopicReplicationFactor;
    private final int heartbeatsTopicReplicationFactor;
    private final boolean syncTopicConfigs;
    private final Duration syncTopicConfigsInterval;
    private final Duration syncTopicAclsInterval;
    private final List<String> configPropertiesExclude;
    private final Duration refreshTopicsInterval;
    private final Duration refreshGroupsInterval;
    private final boolean replicateHeartbeats;
    private final Duration emitCheckpointsInterval;
    private final Duration exactOffsetWindow;
    private final Duration emitHeartbeatsInterval;
    private final boolean syncGroupOffsets;
    private final Duration syncGroupOffsetsInterval;
    private final Location offsetSyncsTopicLocation;
    private final boolean emitOffsetSyncs;
    private final long offsetLagMax;
    private final boolean exactlyOnce;
    private final Duration sinkTransactionTimeout;
    private final boolean provenanceHeader;
    private final long throttleBytesPerSecond;
    private final String unknownTarget;
    private final RecordTransformer recordTransformer;

    private FlowConfig(FlowSettings settings) {
        this.source = settings.source();
        this.target = settings.target();
        ClientProps clients = new ClientProps(settings.raw(), source, target);
        this.sourceConsumerProps = clients.sourceConsumer();
        this.sourceProducerProps = clients.sourceProducer();
        this.sourceAdminProps = clients.sourceAdmin();
        this.targetProducerProps = clients.targetProducer();
        this.targetConsumerProps = clients.targetConsumer();
        this.targetAdminProps = clients.targetAdmin();

        this.replicationPolicy = settings.replicationPolicy();
        this.topicFilter = settings.instance(ConfigKeys.TOPIC_FILTER_CLASS, TopicFilter.class,
                new DefaultTopicFilter(settings.get(ConfigKeys.TOPICS), settings.get(ConfigKeys.TOPICS_EXCLUDE)),
                "org.apache.kafka.connect.mirror.DefaultTopicFilter", DefaultTopicFilter.class.getName());
        this.groupFilter = settings.instance(ConfigKeys.GROUP_FILTER_CLASS, GroupFilter.class,
                new DefaultGroupFilter(settings.get(ConfigKeys.GROUPS), settings.get(ConfigKeys.GROUPS_EXCLUDE)),
                "org.apache.kafka.connect.mirror.DefaultGroupFilter", DefaultGroupFilter.class.getName());
        this.replicationFactor = settings.get(ConfigKeys.REPLICATION_FACTOR);
        this.offsetSyncsTopicReplicationFactor = settings.get(ConfigKeys.OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR);
        this.checkpointsTopicReplicationFactor = settings.get(ConfigKeys.CHECKPOINTS_TOPIC_REPLICATION_FACTOR);
        this.heartbeatsTopicReplicationFactor = settings.get(ConfigKeys.HEARTBEATS_TOPIC_REPLICATION_FACTOR);
        this.syncTopicConfigs = settings.get(ConfigKeys.SYNC_TOPIC_CONFIGS_ENABLED);
        this.syncTopicConfigsInterval = settings.get(ConfigKeys.SYNC_TOPIC_CONFIGS_INTERVAL);
        this.syncTopicAclsInterval = settings.interval(ConfigKeys.SYNC_TOPIC_ACLS_ENABLED,
                ConfigKeys.SYNC_TOPIC_ACLS_INTERVAL);
        this.configPropertiesExclude = settings.get(ConfigKeys.CONFIG_PROPERTIES_EXCLUDE);
        this.refreshTopicsInterval = settings.interval(ConfigKeys.REFRESH_TOPICS_ENABLED,
                ConfigKeys.REFRESH_TOPICS_INTERVAL);
        this.refreshGroupsInterval = settings.interval(ConfigKeys.REFRESH_GROUPS_ENABLED,
                ConfigKeys.REFRESH_GROUPS_INTERVAL);
        this.replicateHeartbeats = settings.get(ConfigKeys.HEARTBEATS_REPLICATION_ENABLED);
        this.emitCheckpointsInterval = settings.interval(ConfigKeys.EMIT_CHECKPOINTS_ENABLED,
                ConfigKeys.EMIT_CHECKPOINTS_INTERVAL);
        this.emitHeartbeatsInterval = settings.interval(ConfigKeys.EMIT_HEARTBEATS_ENABLED,
                ConfigKeys.EMIT_HEARTBEATS_INTERVAL);
        this.syncGroupOffsets = settings.get(ConfigKeys.SYNC_GROUP_OFFSETS_ENABLED);
        this.syncGroupOffsetsInterval = settings.get(ConfigKeys.SYNC_GROUP_OFFSETS_INTERVAL);
        this.offsetSyncsTopicLocation = Location.valueOf(
                settings.get(ConfigKeys.OFFSET_SYNCS_TOPIC_LOCATION).toUpperCase(Locale.ROOT));
        this.offsetLagMax = settings.get(ConfigKeys.OFFSET_LAG_MAX);
        this.emitOffsetSyncs = settings.get(ConfigKeys.EMIT_OFFSET_SYNCS_ENABLED);
        this.exactlyOnce = EXACTLY_ONCE.equals(settings.get(ConfigKeys.DELIVERY_GUARANTEE));
        this.sinkTransactionTimeout = settings.get(ConfigKeys.SINK_TRANSACTION_TIMEOUT);
        this.exactOffsetWindow = settings.get(ConfigKeys.EXACT_OFFSET_WINDOW);
        this.provenanceHeader = settings.isSet(ConfigKeys.PROVENANCE_HEADER)
                ? settings.get(ConfigKeys.PROVENANCE_HEADER)
                : replicationPolicy instanceof IdentityReplicationPolicy;
        this.throttleBytesPerSecond = settings.get(ConfigKeys.THROTTLE_BYTES_PER_SECOND);
        this.unknownTarget = settings.isSet(ConfigKeys.UNKNOWN_TARGET) ? settings.get(ConfigKeys.UNKNOWN_TARGET)
                : replicationPolicy instanceof IdentityReplicationPolicy ? "earliest" : "fail";
        this.recordTransformer = recordTransformer(settings, name());
    }

    /**
     * The flow's transforms ({@code transforms}, {@code transforms.*}, {@code predicates}, {@code predicates.*}), its
     * record function ({@code flink.record.function.*}) and {@code errors.tolerance}, each key per flow if set there,
     * else top level; built once here so that a bad class or option fails at config time. (MM2 4.2 reads only
     * {@code transforms} and {@code predicates} at the top level, not their {@code .<alias>.*} options; applying
     * those too is what such a file means.)
     */
    private static RecordTransformer recordTransformer(FlowSettings settings, String flow) {
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> keysAsSet = new LinkedHashMap<>();
        Map<String, String> options = new LinkedHashMap<>();
        String flowPrefix = flow + ".";
        for (boolean perFlow : new boolean[] {false, true}) {
            settings.raw().forEach((key, value) -> {
                if (perFlow != key.startsWith(flowPrefix) || (perFlow && key.length() == flowPrefix.length())) {
                    return;
                }
                String name = perFlow ? key.substring(flowPrefix.length()) : key;
                if (name.equals(ConfigKeys.TRANSFORMS.key()) || name.equals(ConfigKeys.PREDICATES.key())
                        || KeyChecker.isTransformOption(name)) {
                    props.put(name, value);
                    keysAsSet.put(name, key);
                } else if (KeyChecker.isRecordFunctionOption(name)
                        && !name.equals(ConfigKeys.RECORD_FUNCTION_CLASS.key())) {
                    options.put(name.substring(KeyChecker.RECORD_FUNCTION_PREFIX.length()), value);
                }
            });
        }
        ErrorTolerance tolerance = ErrorTolerance.valueOf(
                settings.get(ConfigKeys.ERRORS_TOLERANCE).toUpperCase(Locale.ROOT));
        String functionClass = settings.isSet(ConfigKeys.RECORD_FUNCTION_CLASS)
                ? settings.value(ConfigKeys.RECORD_FUNCTION_CLASS) : null;
        RecordTransformer transformer = new RecordTransformer(flow, settings.source(), props, keysAsSet,
                functionClass, settings.name(ConfigKeys.RECORD_FUNCTION_CLASS), options, tolerance);
        try {
            transformer.validate();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage(), e);
        }
        return transformer;
    }

    /** Resolves and validates flow {@code source->target} from the (provider-resolved) properties. */
    static FlowConfig resolve(Map<String, String> raw, String source, String target) {
        return new FlowConfig(new FlowSettings(raw, source, target));
    }

    /** Alias of the cluster replicated from. */
    public String source() {
        return source;
    }

    /** Alias of the cluster replicated to. */
    public String target() {
        return target;
    }

    /** The flow's name as MM2 writes it: {@code A->B}. */
    public String name() {
        return source + ScopedKey.FLOW_ARROW + target;
    }

    /** Properties of the consumer reading the source topics (bootstrap, security and overrides). */
    public Map<String, String> sourceConsumerProps() {
        return sourceConsumerProps;
    }

    /** Properties of a producer writing to the source cluster (offset syncs or heartbeats located there). */
    public Map<String, String> sourceProducerProps() {
        return sourceProducerProps;
    }

    /** Properties of the admin client of the source cluster. */
    public Map<String, String> sourceAdminProps() {
        return sourceAdminProps;
    }

    /** Properties of the producer writing replicated records (and offset syncs) to the target cluster. */
    public Map<String, String> targetProducerProps() {
        return targetProducerProps;
    }

    /** Properties of a consumer reading from the target cluster (offset syncs, checkpoints). */
    public Map<String, String> targetConsumerProps() {
        return targetConsumerProps;
    }

    /** Properties of the admin client of the target cluster. */
    public Map<String, String> targetAdminProps() {
        return targetAdminProps;
    }

    /** Remote topic naming ({@code replication.policy.class}, {@code replication.policy.separator}). */
    public ReplicationPolicy replicationPolicy() {
        return replicationPolicy;
    }

    /** Which source topics to replicate ({@code topics}, {@code topics.exclude}, {@code topic.filter.class}). */
    public TopicFilter topicFilter() {
        return topicFilter;
    }

    /**
     * Which source topics the flow replicates, as {@link #topicFilter()} selects them, minus what the replication
     * policy marks as internal or as replicated from {@link #target()} (no loops).
     */
    public TopicSelector topicSelector() {
        return new TopicSelector(topicFilter, replicationPolicy, target, replicateHeartbeats);
    }

    /**
     * The source consumer group of the flow: {@code <source>.consumer.group.id}, else {@code flink-mirror-A-B}. The
     * job commits its read positions there for lag monitoring; it never starts from them but in one case (see
     * ResumeFromTarget).
     */
    public String sourceGroupId() {
        return sourceConsumerProps.getOrDefault(ConsumerConfig.GROUP_ID_CONFIG, "flink-mirror-" + source + "-" + target);
    }

    /** Which groups to translate offsets for ({@code groups}, {@code groups.exclude}, {@code group.filter.class}). */
    public GroupFilter groupFilter() {
        return groupFilter;
    }

    /** Replication factor of created remote topics; -1 keeps the source topic's (MM2's default is 2). */
    public int replicationFactor() {
        return replicationFactor;
    }

    /** Whether remote topics get their source topic's configuration ({@code sync.topic.configs.enabled}). */
    public boolean syncTopicConfigs() {
        return syncTopicConfigs;
    }

    /** Time between topic configuration syncs ({@code sync.topic.configs.interval.seconds}). */
    public Duration syncTopicConfigsInterval() {
        return syncTopicConfigsInterval;
    }

    /** Whether topic ACLs are synced to the target ({@code sync.topic.acls.enabled} and a non-zero interval). */
    public boolean syncTopicAcls() {
        return !syncTopicAclsInterval.isZero();
    }

    /** Time between topic ACL syncs; zero when disabled (our default 10 s, MM2's 600 s). */
    public Duration syncTopicAclsInterval() {
        return syncTopicAclsInterval;
    }

    /** Name of the topic on the target recording the topic ACLs this flow created there. */
    public String topicAclsTopic() {
        return replicationPolicy.topicAclsTopic(source);
    }

    /** Regexes of topic configuration properties never synced ({@code config.properties.exclude}). */
    public List<String> configPropertiesExclude() {
        return configPropertiesExclude;
    }

    /** Time between checks for new topics and partitions; zero when disabled (our default 10 s, MM2's 600 s). */
    public Duration refreshTopicsInterval() {
        return refreshTopicsInterval;
    }

    /** Time between checks for new consumer groups; zero when disabled. */
    public Duration refreshGroupsInterval() {
        return refreshGroupsInterval;
    }

    /** Whether heartbeats topics are replicated even if the topic filter excludes them. */
    public boolean replicateHeartbeats() {
        return replicateHeartbeats;
    }

    /** How long the offset mapping stays exact for groups behind ({@code flink.offset-mapping.exact.window.seconds}). */
    public Duration exactOffsetWindow() {
        return exactOffsetWindow;
    }

    /** Time between checkpoints (translated group offsets); zero when disabled. */
    public Duration emitCheckpointsInterval() {
        return emitCheckpointsInterval;
    }

    /** Time between heartbeats; zero when disabled. */
    public Duration emitHeartbeatsInterval() {
        return emitHeartbeatsInterval;
    }

    /** Whether translated offsets are committed to the target's consumer groups. */
    public boolean syncGroupOffsets() {
        return syncGroupOffsets;
    }

    /** Time between group offset syncs, when {@link #syncGroupOffsets()}. */
    public Duration syncGroupOffsetsInterval() {
        return syncGroupOffsetsInterval;
    }

    /** Where the offset-syncs topic lives: the target (our default) or the source cluster (MM2's default). */
    public Location offsetSyncsTopicLocation() {
        return offsetSyncsTopicLocation;
    }

    /** Admin client properties of the cluster holding the offset-syncs topic. */
    public Map<String, String> offsetSyncsAdminProps() {
        return offsetSyncsTopicLocation == Location.SOURCE ? sourceAdminProps : targetAdminProps;
    }

    /** Producer properties for the cluster holding the offset-syncs topic. */
    public Map<String, String> offsetSyncsProducerProps() {
        return offsetSyncsTopicLocation == Location.SOURCE ? sourceProducerProps : targetProducerProps;
    }

    /** Whether offset syncs are written ({@code emit.offset-syncs.enabled}). */
    public boolean emitOffsetSyncs() {
        return emitOffsetSyncs;
    }

    /** Whether the offset-mapping side stream runs: for offset syncs, checkpoints, or both. */
    public boolean offsetMapping() {
        return emitOffsetSyncs || !emitCheckpointsInterval.isZero();
    }

    /** {@code offset.lag.max}: read, but it has no effect (see its documentation in docs/configuration.md's table). */
    public long offsetLagMax() {
        return offsetLagMax;
    }

    /** Name of the offset-syncs topic, on the cluster given by {@link #offsetSyncsTopicLocation()}, as MM2 names it. */
    public String offsetSyncsTopic() {
        String otherCluster = offsetSyncsTopicLocation == Location.SOURCE ? target : source;
        return replicationPolicy.offsetSyncsTopic(otherCluster);
    }

    /** Name of the checkpoints topic on the target cluster, e.g. {@code A.checkpoints.internal}. */
    public String checkpointsTopic() {
        return replicationPolicy.checkpointsTopic(source);
    }

    /** The flow's progress topic on the target ({@code mm2-progress.<source>.internal}). */
    public String progressTopic() {
        return replicationPolicy.progressTopic(source);
    }

    /** MirrorMaker 2's offsets topic for this source on the target ({@code mm2-offsets.<source>.internal}). */
    public String mm2OffsetsTopic() {
        return replicationPolicy.mm2OffsetsTopic(source);
    }

    /** Replication factor of the offset-syncs topic when created; -1: the broker's default. */
    public int offsetSyncsTopicReplicationFactor() {
        return offsetSyncsTopicReplicationFactor;
    }

    /** Replication factor of the checkpoints topic when created; -1: the broker's default. */
    public int checkpointsTopicReplicationFactor() {
        return checkpointsTopicReplicationFactor;
    }

    /** Replication factor of the heartbeats topic when created; -1: the broker's default. */
    public int heartbeatsTopicReplicationFactor() {
        return heartbeatsTopicReplicationFactor;
    }

    /** Name of the heartbeats topic. */
    public String heartbeatsTopic() {
        return replicationPolicy.heartbeatsTopic();
    }

    /** Whether the sink is transactional ({@code flink.delivery.guarantee = exactly-once}, the default). */
    public boolean exactlyOnce() {
        return exactlyOnce;
    }

    /** Producer transaction timeout of the exactly-once sink ({@code flink.sink.transaction.timeout.ms}). */
    public Duration sinkTransactionTimeout() {
        return sinkTransactionTimeout;
    }

    /** Whether records carry a provenance header (default: only with IdentityReplicationPolicy). */
    public boolean provenanceHeader() {
        return provenanceHeader;
    }

    /**
     * Most bytes per second the flow reads from its source, over all its source subtasks
     * ({@code flink.throttle.bytes.per.second}); 0 means unlimited.
     */
    public long throttleBytesPerSecond() {
        return throttleBytesPerSecond;
    }

    /**
     * What a start without state does with a target partition holding records of unknown origin
     * ({@code flink.start.unknown-target}): {@code fail}, {@code source-group} or {@code earliest}.
     */
    public String unknownTarget() {
        return unknownTarget;
    }

    /**
     * The flow's record transforms and record function (see {@link RecordTransformer}); {@code active()} is false
     * when neither is configured.
     */
    public RecordTransformer recordTransformer() {
        return recordTransformer;
    }

    @Override
    public String toString() {
        return "FlowConfig{" + name() + ", policy=" + replicationPolicy + ", " + topicFilter + ", " + groupFilter
                + ", replicationFactor=" + replicationFactor + ", refreshTopicsInterval=" + refreshTopicsInterval
                + ", offsetSyncsTopicLocation=" + offsetSyncsTopicLocation
                + ", exactlyOnce=" + exactlyOnce + ", provenanceHeader=" + provenanceHeader
                + ", throttleBytesPerSecond=" + throttleBytesPerSecond + "}";
    }
}
