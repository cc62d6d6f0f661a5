package io.flinkmirror.job.config;

import io.flinkmirror.udfs.filter.DefaultGroupFilter;
import io.flinkmirror.udfs.filter.DefaultTopicFilter;
import io.flinkmirror.udfs.filter.GroupFilter;
import io.flinkmirror.udfs.filter.TopicFilter;
import io.flinkmirror.udfs.policy.IdentityReplicationPolicy;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.transform.RecordTransformer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads every flow-level key of one flow ({@link FlowSettings}) into its typed, validated {@link FlowConfig}. */
final class FlowResolver {

    private static final String EXACTLY_ONCE = "exactly-once";

    private FlowResolver() {}

    static FlowConfig resolve(FlowSettings settings) {
        String source = settings.source();
        String target = settings.target();
        ClientProps clients = new ClientProps(settings.raw(), source, target);
        Map<String, String> sourceConsumerProps = clients.sourceConsumer();
        Map<String, String> sourceProducerProps = clients.sourceProducer();
        Map<String, String> sourceAdminProps = clients.sourceAdmin();
        Map<String, String> targetProducerProps = clients.targetProducer();
        Map<String, String> targetConsumerProps = clients.targetConsumer();
        Map<String, String> targetAdminProps = clients.targetAdmin();

        ReplicationPolicy replicationPolicy = settings.replicationPolicy();
        TopicFilter topicFilter = settings.instance(ConfigKeys.TOPIC_FILTER_CLASS, TopicFilter.class,
                new DefaultTopicFilter(settings.get(ConfigKeys.TOPICS), settings.get(ConfigKeys.TOPICS_EXCLUDE)),
                "org.apache.kafka.connect.mirror.DefaultTopicFilter", DefaultTopicFilter.class.getName());
        GroupFilter groupFilter = settings.instance(ConfigKeys.GROUP_FILTER_CLASS, GroupFilter.class,
                new DefaultGroupFilter(settings.get(ConfigKeys.GROUPS), settings.get(ConfigKeys.GROUPS_EXCLUDE)),
                "org.apache.kafka.connect.mirror.DefaultGroupFilter", DefaultGroupFilter.class.getName());
        int replicationFactor = settings.get(ConfigKeys.REPLICATION_FACTOR);
        int offsetSyncsTopicReplicationFactor = settings.get(ConfigKeys.OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR);
        int checkpointsTopicReplicationFactor = settings.get(ConfigKeys.CHECKPOINTS_TOPIC_REPLICATION_FACTOR);
        int heartbeatsTopicReplicationFactor = settings.get(ConfigKeys.HEARTBEATS_TOPIC_REPLICATION_FACTOR);
        boolean syncTopicConfigs = settings.get(ConfigKeys.SYNC_TOPIC_CONFIGS_ENABLED);
        Duration syncTopicConfigsInterval = settings.get(ConfigKeys.SYNC_TOPIC_CONFIGS_INTERVAL);
        Duration syncTopicAclsInterval = settings.interval(ConfigKeys.SYNC_TOPIC_ACLS_ENABLED,
                ConfigKeys.SYNC_TOPIC_ACLS_INTERVAL);
        List<String> configPropertiesExclude = settings.get(ConfigKeys.CONFIG_PROPERTIES_EXCLUDE);
        Duration refreshTopicsInterval = settings.interval(ConfigKeys.REFRESH_TOPICS_ENABLED,
                ConfigKeys.REFRESH_TOPICS_INTERVAL);
        Duration refreshGroupsInterval = settings.interval(ConfigKeys.REFRESH_GROUPS_ENABLED,
                ConfigKeys.REFRESH_GROUPS_INTERVAL);
        boolean replicateHeartbeats = settings.get(ConfigKeys.HEARTBEATS_REPLICATION_ENABLED);
        Duration emitCheckpointsInterval = settings.interval(ConfigKeys.EMIT_CHECKPOINTS_ENABLED,
                ConfigKeys.EMIT_CHECKPOINTS_INTERVAL);
        Duration emitHeartbeatsInterval = settings.interval(ConfigKeys.EMIT_HEARTBEATS_ENABLED,
                ConfigKeys.EMIT_HEARTBEATS_INTERVAL);
        boolean syncGroupOffsets = settings.get(ConfigKeys.SYNC_GROUP_OFFSETS_ENABLED);
        Duration syncGroupOffsetsInterval = settings.get(ConfigKeys.SYNC_GROUP_OFFSETS_INTERVAL);
        FlowConfig.Location offsetSyncsTopicLocation = FlowConfig.Location.valueOf(
                settings.get(ConfigKeys.OFFSET_SYNCS_TOPIC_LOCATION).toUpperCase(Locale.ROOT));
        long offsetLagMax = settings.get(ConfigKeys.OFFSET_LAG_MAX);
        boolean emitOffsetSyncs = settings.get(ConfigKeys.EMIT_OFFSET_SYNCS_ENABLED);
        boolean exactlyOnce = EXACTLY_ONCE.equals(settings.get(ConfigKeys.DELIVERY_GUARANTEE));
        Duration sinkTransactionTimeout = settings.get(ConfigKeys.SINK_TRANSACTION_TIMEOUT);
        Duration exactOffsetWindow = settings.get(ConfigKeys.EXACT_OFFSET_WINDOW);
        boolean provenanceHeader = settings.isSet(ConfigKeys.PROVENANCE_HEADER)
                ? settings.get(ConfigKeys.PROVENANCE_HEADER)
                : replicationPolicy instanceof IdentityReplicationPolicy;
        long throttleBytesPerSecond = settings.get(ConfigKeys.THROTTLE_BYTES_PER_SECOND);
        String unknownTarget = settings.isSet(ConfigKeys.UNKNOWN_TARGET) ? settings.get(ConfigKeys.UNKNOWN_TARGET)
                : replicationPolicy instanceof IdentityReplicationPolicy ? "earliest" : "fail";
        RecordTransformer recordTransformer = FlowTransforms.of(settings, source + ScopedKey.FLOW_ARROW + target);
        return new FlowConfig(source, target, sourceConsumerProps, sourceProducerProps, sourceAdminProps,
                targetProducerProps, targetConsumerProps, targetAdminProps, replicationPolicy, topicFilter,
                groupFilter, replicationFactor, offsetSyncsTopicReplicationFactor, checkpointsTopicReplicationFactor,
                heartbeatsTopicReplicationFactor, syncTopicConfigs, syncTopicConfigsInterval, syncTopicAclsInterval,
                configPropertiesExclude, refreshTopicsInterval, refreshGroupsInterval, replicateHeartbeats,
                emitCheckpointsInterval, exactOffsetWindow, emitHeartbeatsInterval, syncGroupOffsets,
                syncGroupOffsetsInterval, offsetSyncsTopicLocation, emitOffsetSyncs, offsetLagMax, exactlyOnce,
                sinkTransactionTimeout, provenanceHeader, throttleBytesPerSecond, unknownTarget, recordTransformer);
    }
}
