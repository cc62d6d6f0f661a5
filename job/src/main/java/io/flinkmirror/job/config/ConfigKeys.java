package io.flinkmirror.job.config;

import static io.flinkmirror.job.config.ConfigKey.Type.BOOLEAN;
import static io.flinkmirror.job.config.ConfigKey.Type.CLASS;
import static io.flinkmirror.job.config.ConfigKey.Type.ENUM;
import static io.flinkmirror.job.config.ConfigKey.Type.INT;
import static io.flinkmirror.job.config.ConfigKey.Type.LIST;
import static io.flinkmirror.job.config.ConfigKey.Type.LONG;
import static io.flinkmirror.job.config.ConfigKey.Type.STRING;

import io.flinkmirror.udfs.filter.DefaultGroupFilter;
import io.flinkmirror.udfs.filter.DefaultTopicFilter;
import io.flinkmirror.udfs.policy.ReplicationPolicies;
import java.util.List;

/**
 * The keys Flink Mirror gives a meaning to, each with its type, default and doc. MirrorMaker 2 keys keep MM2's names;
 * where our default differs from MM2's the doc says so. Every flow-level key can be set at the top level (all flows)
 * or as {@code <source>-><target>.<key>} (one flow, wins over the top level).
 */
final class ConfigKeys {

    private ConfigKeys() {
    }

    // ---- Topology -------------------------------------------------------------------------------------------------

    static final ConfigKey CLUSTERS = new ConfigKey("clusters", LIST, null,
            "Aliases of the Kafka clusters, e.g. 'A, B'. Required.");
    static final ConfigKey BOOTSTRAP_SERVERS = new ConfigKey("<alias>.bootstrap.servers", LIST, null,
            "host:port list of cluster <alias>. Required for every cluster of an enabled flow (a top-level "
                    + "bootstrap.servers applies to clusters without their own).");
    static final ConfigKey ENABLED = new ConfigKey("<source>-><target>.enabled", BOOLEAN, "false",
            "Whether the flow replicates. A top-level 'enabled' applies to every pair whose MM2 herder exists "
                    + "(heartbeats enabled), as in MM2.");
    static final ConfigKey CLIENT_PROPS = new ConfigKey("<alias>.<key>", STRING, null,
            "Kafka client settings of cluster <alias>: bootstrap.servers, security.protocol, ssl.*, sasl.* apply to "
                    + "all its clients; <alias>.consumer.<key>, <alias>.producer.<key>, <alias>.admin.<key> to one kind "
                    + "(MM2 precedence, see FlowConfig).");
    static final ConfigKey FLOW_CLIENT_PROPS = new ConfigKey("<source>-><target>.source.consumer.<key>", STRING, null,
            "Per-flow client override; also target.producer.*, source.admin.*, target.admin.*, target.consumer.*, "
                    + "source.producer.*, and the weaker consumer.*/producer.*/admin.* and producer.override.* "
                    + "(MM2 precedence, see FlowConfig).");

    // ---- Naming ---------------------------------------------------------------------------------------------------

    static final ConfigKey REPLICATION_POLICY_CLASS = new ConfigKey("replication.policy.class", CLASS,
            ReplicationPolicies.MM2_DEFAULT_POLICY,
            "Remote topic naming: " + ReplicationPolicies.allowedValues() + ".");
    static final ConfigKey REPLICATION_POLICY_SEPARATOR = new ConfigKey("replication.policy.separator", STRING, ".",
            "Separator between the source alias and the topic in remote topic names (DefaultReplicationPolicy) "
                    + "and in heartbeats topic names (IdentityReplicationPolicy).");
    static final ConfigKey INTERNAL_TOPIC_SEPARATOR_ENABLED = new ConfigKey(
            "replication.policy.internal.topic.separator.enabled", BOOLEAN, "true",
            "Whether the separator is also used in offset-syncs and checkpoints topic names; false keeps the '.' "
                    + "names of MM2 before KIP-690.");

    // ---- Topics ---------------------------------------------------------------------------------------------------

    static final ConfigKey TOPICS = new ConfigKey("topics", LIST, String.join(", ",
            DefaultTopicFilter.TOPICS_INCLUDE_DEFAULT),
            "Regexes of source topics to replicate, matched against the whole name.");
    static final ConfigKey TOPICS_EXCLUDE = new ConfigKey("topics.exclude", LIST, String.join(", ",
            DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT),
            "Regexes of source topics never to replicate; excludes win over includes.");
    static final ConfigKey TOPIC_FILTER_CLASS = new ConfigKey("topic.filter.class", CLASS,
            "org.apache.kafka.connect.mirror.DefaultTopicFilter",
            "MM2's DefaultTopicFilter (ours), or a class implementing io.flinkmirror.udfs.filter.TopicFilter with a "
                    + "public no-arg constructor.");
    static final ConfigKey REPLICATION_FACTOR = new ConfigKey("replication.factor", INT, "-1",
            "Replication factor of created remote topics; -1 keeps the source topic's. MM2's default is 2.");
    static final ConfigKey REFRESH_TOPICS_ENABLED = new ConfigKey("refresh.topics.enabled", BOOLEAN, "true",
            "Whether new topics and partitions are picked up while running.");
    static final ConfigKey REFRESH_TOPICS_INTERVAL = new ConfigKey("refresh.topics.interval.seconds", LONG, "10",
            "Seconds between checks for new topics and partitions; 0 disables. MM2's default is 600.");
    static final ConfigKey SYNC_TOPIC_CONFIGS_ENABLED = new ConfigKey("sync.topic.configs.enabled", BOOLEAN, "true",
            "Whether remote topics get their source topic's configuration.");
    static final ConfigKey SYNC_TOPIC_CONFIGS_INTERVAL = new ConfigKey("sync.topic.configs.interval.seconds", LONG,
            "10", "Seconds between config syncs of existing remote topics, checked at each topic refresh (new "
                    + "topics get their configs at creation). MM2's default is 600.");
    static final ConfigKey CONFIG_PROPERTIES_EXCLUDE = new ConfigKey("config.properties.exclude", LIST,
            "follower\\.replication\\.throttled\\.replicas, leader\\.replication\\.throttled\\.replicas, "
                    + "message\\.timestamp\\.difference\\.max\\.ms, message\\.timestamp\\.type, "
                    + "unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas",
            "Regexes of topic configuration properties never synced.");
    static final ConfigKey HEARTBEATS_REPLICATION_ENABLED = new ConfigKey("heartbeats.replication.enabled", BOOLEAN,
            "true", "Whether heartbeats topics are replicated even when the topic filter excludes them (KIP-1089).");

    // ---- Offsets --------------------------------------------------------------------------------------------------

    static final ConfigKey GROUPS = new ConfigKey("groups", LIST, String.join(", ",
            DefaultGroupFilter.GROUPS_INCLUDE_DEFAULT),
            "Regexes of consumer groups whose offsets are translated, matched against the whole name.");
    static final ConfigKey GROUPS_EXCLUDE = new ConfigKey("groups.exclude", LIST, String.join(", ",
            DefaultGroupFilter.GROUPS_EXCLUDE_DEFAULT),
            "Regexes of consumer groups never translated; excludes win over includes.");
    static final ConfigKey GROUP_FILTER_CLASS = new ConfigKey("group.filter.class", CLASS,
            "org.apache.kafka.connect.mirror.DefaultGroupFilter",
            "MM2's DefaultGroupFilter (ours), or a class implementing io.flinkmirror.udfs.filter.GroupFilter with a "
                    + "public no-arg constructor.");
    static final ConfigKey REFRESH_GROUPS_ENABLED = new ConfigKey("refresh.groups.enabled", BOOLEAN, "true",
            "No effect (checked, then unused): the consumer groups are listed again at every checkpoint emission "
                    + "(emit.checkpoints.interval.seconds), so new groups are always picked up.");
    static final ConfigKey REFRESH_GROUPS_INTERVAL = new ConfigKey("refresh.groups.interval.seconds", LONG, "600",
            "No effect (checked, then unused): see refresh.groups.enabled.");
    static final ConfigKey EMIT_CHECKPOINTS_ENABLED = new ConfigKey("emit.checkpoints.enabled", BOOLEAN, "true",
            "Whether translated group offsets are written to the checkpoints topic on the target.");
    static final ConfigKey EMIT_CHECKPOINTS_INTERVAL = new ConfigKey("emit.checkpoints.interval.seconds", LONG, "60",
            "Seconds between checkpoints; 0 disables.");
    static final ConfigKey SYNC_GROUP_OFFSETS_ENABLED = new ConfigKey("sync.group.offsets.enabled", BOOLEAN, "false",
            "Whether translated offsets are committed to the target's groups (when they have no active member).");
    static final ConfigKey SYNC_GROUP_OFFSETS_INTERVAL = new ConfigKey("sync.group.offsets.interval.seconds", LONG,
            "60", "Seconds between group offset syncs.");
    static final ConfigKey EMIT_OFFSET_SYNCS_ENABLED = new ConfigKey("emit.offset-syncs.enabled", BOOLEAN, "true",
            "Whether offset syncs are written. With emit.checkpoints.enabled=false too, the offset-mapping side "
                    + "stream is not run at all.");
    static final ConfigKey OFFSET_SYNCS_TOPIC_LOCATION = new ConfigKey("offset-syncs.topic.location", ENUM, "target",
            "Cluster holding the offset-syncs topic: source or target. MM2's default is source.");
    static final ConfigKey OFFSET_LAG_MAX = new ConfigKey("offset.lag.max", LONG, "100",
            "No effect (checked, then unused): an offset sync is written for every run of consecutive offsets of "
                    + "every committed transaction, which keeps translation exact; MM2 writes one every offset.lag.max "
                    + "records.");

    // ---- Heartbeats -----------------------------------------------------------------------------------------------

    static final ConfigKey EMIT_HEARTBEATS_ENABLED = new ConfigKey("emit.heartbeats.enabled", BOOLEAN, "true",
            "Whether heartbeats are emitted; as in MM2 it also decides, with 'enabled', which flows exist.");
    static final ConfigKey EMIT_HEARTBEATS_INTERVAL = new ConfigKey("emit.heartbeats.interval.seconds", LONG, "1",
            "Seconds between heartbeats; 0 disables.");

    // ---- Flink ----------------------------------------------------------------------------------------------------

    static final ConfigKey DELIVERY_GUARANTEE = new ConfigKey("flink.delivery.guarantee", ENUM, "exactly-once",
            "exactly-once (transactional sink, committed on Flink checkpoints) or at-least-once.");
    static final ConfigKey SINK_TRANSACTION_TIMEOUT = new ConfigKey("flink.sink.transaction.timeout.ms", LONG,
            "900000", "transaction.timeout.ms of the exactly-once sink's producer; must exceed the checkpoint "
                    + "interval plus recovery time and stay within the brokers' transaction.max.timeout.ms.");
    static final ConfigKey PROVENANCE_HEADER = new ConfigKey("flink.provenance.header.enabled", BOOLEAN,
            "true for IdentityReplicationPolicy, false otherwise",
            "Whether replicated records carry a header naming their source cluster, so identity-named topics "
                    + "cannot loop.");
    static final ConfigKey FLINK_OPTIONS = new ConfigKey("flink.<option>", STRING, null,
            "Any other flink.* key is a Flink option with the prefix removed, e.g. "
                    + "flink.execution.checkpointing.interval = 10 s.");
    static final ConfigKey CONFIG_PROVIDERS = new ConfigKey("config.providers", LIST, "",
            "Names of Kafka ConfigProviders resolving ${provider:path:key} in values, each configured with "
                    + "config.providers.<name>.class and config.providers.<name>.param.<param>, as in MM2.");

    /** Flow-level keys, settable top-level or per flow; their names as written in the file. */
    static final List<ConfigKey> FLOW_KEYS = List.of(
            REPLICATION_POLICY_CLASS, REPLICATION_POLICY_SEPARATOR, INTERNAL_TOPIC_SEPARATOR_ENABLED,
            TOPICS, TOPICS_EXCLUDE, TOPIC_FILTER_CLASS, REPLICATION_FACTOR, REFRESH_TOPICS_ENABLED,
            REFRESH_TOPICS_INTERVAL, SYNC_TOPIC_CONFIGS_ENABLED, SYNC_TOPIC_CONFIGS_INTERVAL, CONFIG_PROPERTIES_EXCLUDE,
            HEARTBEATS_REPLICATION_ENABLED, GROUPS, GROUPS_EXCLUDE, GROUP_FILTER_CLASS, REFRESH_GROUPS_ENABLED,
            REFRESH_GROUPS_INTERVAL, EMIT_CHECKPOINTS_ENABLED, EMIT_CHECKPOINTS_INTERVAL, SYNC_GROUP_OFFSETS_ENABLED,
            SYNC_GROUP_OFFSETS_INTERVAL, EMIT_OFFSET_SYNCS_ENABLED, OFFSET_SYNCS_TOPIC_LOCATION, OFFSET_LAG_MAX,
            EMIT_HEARTBEATS_ENABLED,
            EMIT_HEARTBEATS_INTERVAL, DELIVERY_GUARANTEE, SINK_TRANSACTION_TIMEOUT, PROVENANCE_HEADER);

    /** Our own flink.* keys (not passed to Flink). */
    static final List<ConfigKey> FLINK_KEYS = List.of(DELIVERY_GUARANTEE, SINK_TRANSACTION_TIMEOUT, PROVENANCE_HEADER);

    /** Every documented key, in README order. */
    static final List<ConfigKey> ALL = List.of(
            CLUSTERS, BOOTSTRAP_SERVERS, ENABLED, CLIENT_PROPS, FLOW_CLIENT_PROPS,
            REPLICATION_POLICY_CLASS, REPLICATION_POLICY_SEPARATOR, INTERNAL_TOPIC_SEPARATOR_ENABLED,
            TOPICS, TOPICS_EXCLUDE, TOPIC_FILTER_CLASS, REPLICATION_FACTOR, REFRESH_TOPICS_ENABLED,
            REFRESH_TOPICS_INTERVAL, SYNC_TOPIC_CONFIGS_ENABLED, SYNC_TOPIC_CONFIGS_INTERVAL, CONFIG_PROPERTIES_EXCLUDE,
            HEARTBEATS_REPLICATION_ENABLED,
            GROUPS, GROUPS_EXCLUDE, GROUP_FILTER_CLASS, REFRESH_GROUPS_ENABLED, REFRESH_GROUPS_INTERVAL,
            EMIT_CHECKPOINTS_ENABLED, EMIT_CHECKPOINTS_INTERVAL, SYNC_GROUP_OFFSETS_ENABLED, SYNC_GROUP_OFFSETS_INTERVAL,
            EMIT_OFFSET_SYNCS_ENABLED, OFFSET_SYNCS_TOPIC_LOCATION, OFFSET_LAG_MAX,
            EMIT_HEARTBEATS_ENABLED, EMIT_HEARTBEATS_INTERVAL,
            DELIVERY_GUARANTEE, SINK_TRANSACTION_TIMEOUT, PROVENANCE_HEADER, FLINK_OPTIONS, CONFIG_PROVIDERS);
}
