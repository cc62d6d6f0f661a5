package io.flinkmirror.job.config;

import io.flinkmirror.udfs.filter.GroupFilter;
import io.flinkmirror.udfs.filter.TopicFilter;
import io.flinkmirror.udfs.policy.IdentityReplicationPolicy;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.topic.TopicSelector;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * The settings of one replication flow {@code source->target}, typed and validated. Every flow-level key is read from
 * {@code <source>-><target>.<key>} if present, else from the top-level {@code <key>}, else its default
 * ({@link MirrorConfig#documentedKeys()}).
 *
 * Kafka client properties are computed as MirrorMaker 2 computes them: see {@link ClientProps}.
 *
 * <h2>Differences from MirrorMaker 2</h2>
 * {@code replication.factor} defaults to -1 (keep the source topic's; MM2: 2), {@code refresh.topics.interval.seconds}
 * and {@code sync.topic.acls.interval.seconds} to 10 (MM2: 600), {@code offset-syncs.topic.location} to target (MM2:
 * source). An interval of {@link Duration#ZERO} means disabled, whether set to 0 or switched off by its
 * {@code *.enabled=false} key.
 *
 * @param source alias of the cluster replicated from
 * @param target alias of the cluster replicated to
 * @param sourceConsumerProps properties of the consumer reading the source topics (bootstrap, security and overrides)
 * @param sourceProducerProps properties of a producer writing to the source cluster (offset syncs or heartbeats located
 *     there)
 * @param sourceAdminProps properties of the admin client of the source cluster
 * @param targetProducerProps properties of the producer writing replicated records (and offset syncs) to the target
 *     cluster
 * @param targetConsumerProps properties of a consumer reading from the target cluster (offset syncs, checkpoints)
 * @param targetAdminProps properties of the admin client of the target cluster
 * @param replicationPolicy remote topic naming ({@code replication.policy.class}, {@code replication.policy.separator})
 * @param topicFilter which source topics to replicate ({@code topics}, {@code topics.exclude}, {@code
 *     topic.filter.class})
 * @param groupFilter which groups to translate offsets for ({@code groups}, {@code groups.exclude}, {@code
 *     group.filter.class})
 * @param replicationFactor replication factor of created remote topics; -1 keeps the source topic's (MM2's default is
 *     2)
 * @param offsetSyncsTopicReplicationFactor replication factor of the offset-syncs topic when created; -1: the broker's
 *     default
 * @param checkpointsTopicReplicationFactor replication factor of the checkpoints topic when created; -1: the broker's
 *     default
 * @param heartbeatsTopicReplicationFactor replication factor of the heartbeats topic when created; -1: the broker's
 *     default
 * @param syncTopicConfigs whether remote topics get their source topic's configuration ({@code
 *     sync.topic.configs.enabled})
 * @param syncTopicConfigsInterval time between topic configuration syncs ({@code sync.topic.configs.interval.seconds})
 * @param syncTopicAclsInterval time between topic ACL syncs; zero when disabled (our default 10 s, MM2's 600 s)
 * @param configPropertiesExclude regexes of topic configuration properties never synced ({@code
 *     config.properties.exclude})
 * @param refreshTopicsInterval time between checks for new topics and partitions; zero when disabled (our default 10 s,
 *     MM2's 600 s)
 * @param refreshGroupsInterval time between checks for new consumer groups; zero when disabled
 * @param replicateHeartbeats whether heartbeats topics are replicated even if the topic filter excludes them
 * @param emitCheckpointsInterval time between checkpoints (translated group offsets); zero when disabled
 * @param exactOffsetWindow how long the offset mapping stays exact for groups behind ({@code
 *     flink.offset-mapping.exact.window.seconds})
 * @param emitHeartbeatsInterval time between heartbeats; zero when disabled
 * @param syncGroupOffsets whether translated offsets are committed to the target's consumer groups
 * @param syncGroupOffsetsInterval time between group offset syncs, when {@link #syncGroupOffsets()}
 * @param offsetSyncsTopicLocation where the offset-syncs topic lives: the target (our default) or the source cluster
 *     (MM2's default)
 * @param emitOffsetSyncs whether offset syncs are written ({@code emit.offset-syncs.enabled})
 * @param offsetLagMax {@code offset.lag.max}: read, but it has no effect (see its documentation in
 *     docs/configuration.md's table)
 * @param exactlyOnce whether the sink is transactional ({@code flink.delivery.guarantee = exactly-once}, the default)
 * @param sinkTransactionTimeout producer transaction timeout of the exactly-once sink ({@code
 *     flink.sink.transaction.timeout.ms})
 * @param provenanceHeader whether records carry a provenance header (default: only with IdentityReplicationPolicy)
 * @param throttleBytesPerSecond most bytes per second the flow reads from its source, over all its source subtasks
 *     ({@code flink.throttle.bytes.per.second}); 0 means unlimited
 * @param unknownTarget what a start without state does with a target partition holding records of unknown origin
 *     ({@code flink.start.unknown-target}): {@code fail}, {@code source-group} or {@code earliest}
 * @param recordTransformer the flow's record transforms and record function (see {@link RecordTransformer}); {@code
 *     active()} is false when neither is configured
 */
public record FlowConfig(String source,
                         String target,
                         Map<String, String> sourceConsumerProps,
                         Map<String, String> sourceProducerProps,
                         Map<String, String> sourceAdminProps,
                         Map<String, String> targetProducerProps,
                         Map<String, String> targetConsumerProps,
                         Map<String, String> targetAdminProps,
                         ReplicationPolicy replicationPolicy,
                         TopicFilter topicFilter,
                         GroupFilter groupFilter,
                         int replicationFactor,
                         int offsetSyncsTopicReplicationFactor,
                         int checkpointsTopicReplicationFactor,
                         int heartbeatsTopicReplicationFactor,
                         boolean syncTopicConfigs,
                         Duration syncTopicConfigsInterval,
                         Duration syncTopicAclsInterval,
                         List<String> configPropertiesExclude,
                         Duration refreshTopicsInterval,
                         Duration refreshGroupsInterval,
                         boolean replicateHeartbeats,
                         Duration emitCheckpointsInterval,
                         Duration exactOffsetWindow,
                         Duration emitHeartbeatsInterval,
                         boolean syncGroupOffsets,
                         Duration syncGroupOffsetsInterval,
                         Location offsetSyncsTopicLocation,
                         boolean emitOffsetSyncs,
                         long offsetLagMax,
                         boolean exactlyOnce,
                         Duration sinkTransactionTimeout,
                         boolean provenanceHeader,
                         long throttleBytesPerSecond,
                         String unknownTarget,
                         RecordTransformer recordTransformer) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Which cluster holds the flow's offset-syncs topic ({@code offset-syncs.topic.location}). */
    public enum Location {
        SOURCE, TARGET;

        /** As written in the config file. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }




    /** Resolves and validates flow {@code source->target} from the (provider-resolved) properties. */
    static FlowConfig resolve(Map<String, String> raw, String source, String target) {
        return FlowResolver.resolve(new FlowSettings(raw, source, target));
    }



    /** The flow's name as MM2 writes it: {@code A->B}. */
    public String name() {
        return source + ScopedKey.FLOW_ARROW + target;
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





    /** Whether topic ACLs are synced to the target ({@code sync.topic.acls.enabled} and a non-zero interval). */
    public boolean syncTopicAcls() {
        return !syncTopicAclsInterval.isZero();
    }


    /** Name of the topic on the target recording the topic ACLs this flow created there. */
    public String topicAclsTopic() {
        return replicationPolicy.topicAclsTopic(source);
    }











    /** Admin client properties of the cluster holding the offset-syncs topic. */
    public Map<String, String> offsetSyncsAdminProps() {
        return offsetSyncsTopicLocation == Location.SOURCE ? sourceAdminProps : targetAdminProps;
    }

    /** Producer properties for the cluster holding the offset-syncs topic. */
    public Map<String, String> offsetSyncsProducerProps() {
        return offsetSyncsTopicLocation == Location.SOURCE ? sourceProducerProps : targetProducerProps;
    }


    /** Whether the offset-mapping side stream runs: for offset syncs, checkpoints, or both. */
    public boolean offsetMapping() {
        return emitOffsetSyncs || !emitCheckpointsInterval.isZero();
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




    /** Name of the heartbeats topic. */
    public String heartbeatsTopic() {
        return replicationPolicy.heartbeatsTopic();
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
