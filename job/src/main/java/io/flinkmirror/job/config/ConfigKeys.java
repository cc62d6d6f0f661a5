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
import java.time.Duration;
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

    static final ConfigKey<String> CLUSTERS = ConfigKey.documented("clusters", LIST, null,
            "Aliases of the Kafka clusters, e.g. 'A, B'. Required.");
    static final ConfigKey<String> BOOTSTRAP_SERVERS = ConfigKey.documented("<alias>.bootstrap.servers", LIST, null,
            "host:port list of cluster <alias>. Required for every cluster of an enabled flow (a top-level "
                    + "bootstrap.servers applies to clusters without their own).");
    static final ConfigKey<String> ENABLED = ConfigKey.documented("<source>-><target>.enabled", BOOLEAN, "false",
            "Whether the flow replicates. A top-level 'enabled' applies to every pair whose MM2 herder exists "
                    + "(heartbeats enabled), as in MM2.");
    static final ConfigKey<String> CLIENT_PROPS = ConfigKey.documented("<alias>.<key>", STRING, null,
            "Kafka client settings of cluster <alias>: bootstrap.servers, security.protocol, ssl.*, sasl.* apply to "
                    + "all its clients; <alias>.consumer.<key>, <alias>.producer.<key>, <alias>.admin.<key> to one kind "
                    + "(MM2 precedence, see FlowConfig).");
    static final ConfigKey<String> FLOW_CLIENT_PROPS = ConfigKey.documented("<source>-><target>.source.consumer.<key>",
            STRING, null,
            "Per-flow client override; also target.producer.*, source.admin.*, target.admin.*, target.consumer.*, "
                    + "source.producer.*, and the weaker consumer.*/producer.*/admin.* and producer.override.* "
                    + "(MM2 precedence, see FlowConfig).");

    // ---- Naming ---------------------------------------------------------------------------------------------------

    static final ConfigKey<String> REPLICATION_POLICY_CLASS = ConfigKey.string("replication.policy.class", CLASS,
            ReplicationPolicies.MM2_DEFAULT_POLICY,
            "Remote topic naming: " + ReplicationPolicies.allowedValues() + ".");
    static final ConfigKey<String> REPLICATION_POLICY_SEPARATOR = ConfigKey.string("replication.policy.separator",
            STRING, ".",
            "Separator between the source alias and the topic in remote topic names (DefaultReplicationPolicy) "
                    + "and in heartbeats topic names (IdentityReplicationPolicy).");
    static final ConfigKey<Boolean> INTERNAL_TOPIC_SEPARATOR_ENABLED = ConfigKey.bool(
            "replication.policy.internal.topic.separator.enabled", "true",
            "Whether the separator is also used in offset-syncs and checkpoints topic names; false keeps the '.' "
                    + "names of MM2 before KIP-690.");

    // ---- Topics ---------------------------------------------------------------------------------------------------

    static final ConfigKey<List<String>> TOPICS = ConfigKey.regexes("topics", String.join(", ",
            DefaultTopicFilter.TOPICS_INCLUDE_DEFAULT),
            "Regexes of source topics to replicate, matched against the whole name.");
    static final ConfigKey<List<String>> TOPICS_EXCLUDE = ConfigKey.regexes("topics.exclude", String.join(", ",
            DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT),
            "Regexes of source topics never to replicate; excludes win over includes.");
    static final ConfigKey<String> TOPIC_FILTER_CLASS = ConfigKey.string("topic.filter.class", CLASS,
            "org.apache.kafka.connect.mirror.DefaultTopicFilter",
            "MM2's DefaultTopicFilter (ours), or a class implementing io.flinkmirror.udfs.filter.TopicFilter with a "
                    + "public no-arg constructor.");
    static final ConfigKey<Integer> REPLICATION_FACTOR = ConfigKey.replicationFactor("replication.factor", "-1",
            "Replication factor of created remote topics; -1 keeps the source topic's. MM2's default is 2.");
    static final ConfigKey<Boolean> REFRESH_TOPICS_ENABLED = ConfigKey.bool("refresh.topics.enabled", "true",
            "Whether new topics and partitions are picked up while running.");
    static final ConfigKey<Duration> REFRESH_TOPICS_INTERVAL = ConfigKey.seconds("refresh.topics.interval.seconds",
            "10",
            "Seconds between checks for new topics and partitions; 0 disables. MM2's default is 600.");
    static final ConfigKey<Boolean> SYNC_TOPIC_CONFIGS_ENABLED = ConfigKey.bool("sync.topic.configs.enabled", "true",
            "Whether remote topics get their source topic's configuration.");
    static final ConfigKey<Duration> SYNC_TOPIC_CONFIGS_INTERVAL = ConfigKey.seconds(
            "sync.topic.configs.interval.seconds", "10",
            "Seconds between config syncs of existing remote topics, checked at each topic refresh (new "
                    + "topics get their configs at creation). MM2's default is 600.");
    static final ConfigKey<Boolean> SYNC_TOPIC_ACLS_ENABLED = ConfigKey.bool("sync.topic.acls.enabled", "true",
            "Whether topic ACLs of replicated topics are copied to the target (literal and prefixed; ALLOW WRITE "
                    + "not copied, ALLOW ALL becomes READ), and the copies this flow created are removed when their "
                    + "source ACL goes. Needs DESCRIBE on the source cluster and ALTER on the target cluster.");
    static final ConfigKey<Duration> SYNC_TOPIC_ACLS_INTERVAL = ConfigKey.seconds(
            "sync.topic.acls.interval.seconds", "10",
            "Seconds between topic ACL syncs, checked at each topic refresh; 0 disables. MM2's default is 600.");
    static final ConfigKey<List<String>> CONFIG_PROPERTIES_EXCLUDE = ConfigKey.regexes("config.properties.exclude",
            "follower\\.replication\\.throttled\\.replicas, leader\\.replication\\.throttled\\.replicas, "
                    + "message\\.timestamp\\.difference\\.max\\.ms, message\\.timestamp\\.type, "
                    + "unclean\\.leader\\.election\\.enable, min\\.insync\\.replicas",
            "Regexes of topic configuration properties never synced.");
    static final ConfigKey<Boolean> HEARTBEATS_REPLICATION_ENABLED = ConfigKey.bool("heartbeats.replication.enabled",
            "true",
            "Whether heartbeats topics are replicated even when the topic filter excludes them (KIP-1089).");

    // ---- Offsets --------------------------------------------------------------------------------------------------

    static final ConfigKey<List<String>> GROUPS = ConfigKey.regexes("groups", String.join(", ",
            DefaultGroupFilter.GROUPS_INCLUDE_DEFAULT),
            "Regexes of consumer groups whose offsets are translated, matched against the whole name.");
    static final ConfigKey<List<String>> GROUPS_EXCLUDE = ConfigKey.regexes("groups.exclude", String.join(", ",
            DefaultGroupFilter.GROUPS_EXCLUDE_DEFAULT),
            "Regexes of consumer groups never translated; excludes win over includes.");
    static final ConfigKey<String> GROUP_FILTER_CLASS = ConfigKey.string("group.filter.class", CLASS,
            "org.apache.kafka.connect.mirror.DefaultGroupFilter",
            "MM2's DefaultGroupFilter (ours), or a class implementing io.flinkmirror.udfs.filter.GroupFilter with a "
                    + "public no-arg constructor.");
    static final ConfigKey<Boolean> REFRESH_GROUPS_ENABLED = ConfigKey.bool("refresh.groups.enabled", "true",
            "No effect (checked, then unused): the consumer groups are listed again at every checkpoint emission "
                    + "(emit.checkpoints.interval.seconds), so new groups are always picked up.");
    static final ConfigKey<Duration> REFRESH_GROUPS_INTERVAL = ConfigKey.seconds("refresh.groups.interval.seconds",
            "600",
            "No effect (checked, then unused): see refresh.groups.enabled.");
    static final ConfigKey<Boolean> EMIT_CHECKPOINTS_ENABLED = ConfigKey.bool("emit.checkpoints.enabled", "true",
            "Whether translated group offsets are written to the checkpoints topic on the target.");
    static final ConfigKey<Duration> EMIT_CHECKPOINTS_INTERVAL = ConfigKey.seconds("emit.checkpoints.interval.seconds",
            "60",
            "Seconds between checkpoints; 0 disables.");
    static final ConfigKey<Boolean> SYNC_GROUP_OFFSETS_ENABLED = ConfigKey.bool("sync.group.offsets.enabled", "false",
            "Whether translated offsets are committed to the target's groups (when they have no active member).");
    static final ConfigKey<Duration> SYNC_GROUP_OFFSETS_INTERVAL = ConfigKey.seconds(
            "sync.group.offsets.interval.seconds", "60",
            "Seconds between group offset syncs.");
    static final ConfigKey<Boolean> EMIT_OFFSET_SYNCS_ENABLED = ConfigKey.bool("emit.offset-syncs.enabled", "true",
            "Whether offset syncs are written. With emit.checkpoints.enabled=false too, the offset-mapping side "
                    + "stream is not run at all.");
    static final ConfigKey<String> OFFSET_SYNCS_TOPIC_LOCATION = ConfigKey.oneOf("offset-syncs.topic.location",
            "target",
            "Cluster holding the offset-syncs topic: source or target. MM2's default is source.", false,
            "source","target");
    static final ConfigKey<Integer> OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR = ConfigKey.replicationFactor(
            "offset-syncs.topic.replication.factor", "-1",
            "Replication factor of the offset-syncs topic when Flink Mirror creates it; -1: the broker's "
                    + "default.replication.factor. MM2's default is 3.");
    static final ConfigKey<Integer> CHECKPOINTS_TOPIC_REPLICATION_FACTOR = ConfigKey.replicationFactor(
            "checkpoints.topic.replication.factor", "-1",
            "Replication factor of the checkpoints topic when Flink Mirror creates it; -1: the broker's "
                    + "default.replication.factor. MM2's default is 3.");
    static final ConfigKey<Long> OFFSET_LAG_MAX = ConfigKey.nonNegativeLong("offset.lag.max", "100",
            "No effect (checked, then unused): an offset sync is written for every run of consecutive offsets of "
                    + "every committed transaction, which keeps translation exact; MM2 writes one every offset.lag.max "
                    + "records.");

    // ---- Heartbeats -----------------------------------------------------------------------------------------------

    static final ConfigKey<Boolean> EMIT_HEARTBEATS_ENABLED = ConfigKey.bool("emit.heartbeats.enabled", "true",
            "Whether heartbeats are emitted; as in MM2 it also decides, with 'enabled', which flows exist.");
    static final ConfigKey<Duration> EMIT_HEARTBEATS_INTERVAL = ConfigKey.seconds("emit.heartbeats.interval.seconds",
            "1",
            "Seconds between heartbeats; 0 disables.");
    static final ConfigKey<Integer> HEARTBEATS_TOPIC_REPLICATION_FACTOR = ConfigKey.replicationFactor(
            "heartbeats.topic.replication.factor", "-1",
            "Replication factor of the heartbeats topic when Flink Mirror creates it; -1: the broker's "
                    + "default.replication.factor. MM2's default is 3.");

    // ---- Record transforms ----------------------------------------------------------------------------------------

    static final ConfigKey<String> TRANSFORMS = ConfigKey.string("transforms", LIST, "",
            "Aliases of Kafka Connect transforms (SMTs) applied to every replicated record, in order, as MM2's "
                    + "source connector applies them: on a SourceRecord with bytes key, value and headers whose topic "
                    + "is the target topic. Each alias needs transforms.<alias>.type. A transform that renames the "
                    + "topic or partition is refused. Records a transform drops are not written; offset translation "
                    + "stays exact (a group at a dropped record translates to the next record written).");
    static final ConfigKey<String> PREDICATES = ConfigKey.string("predicates", LIST, "",
            "Aliases of Kafka Connect predicates, each with predicates.<alias>.type and its options; a transform "
                    + "uses one with transforms.<alias>.predicate = <predicate alias> (and .negate = true).");
    static final ConfigKey<String> ERRORS_TOLERANCE = ConfigKey.oneOf("errors.tolerance", "none",
            "What a record whose transform or record function fails does: none stops the job with an error naming "
                    + "the transform and the record; all skips the record, counted in the metric "
                    + "records-skipped-on-error and logged (one line per 10 s at most).", false,
            "none", "all");

    // ---- Flink ----------------------------------------------------------------------------------------------------

    static final ConfigKey<String> DELIVERY_GUARANTEE = ConfigKey.oneOf("flink.delivery.guarantee", "exactly-once",
            "exactly-once (transactional sink, committed on Flink checkpoints) or at-least-once.", true,
            "exactly-once","at-least-once");
    static final ConfigKey<Duration> SINK_TRANSACTION_TIMEOUT = ConfigKey.positiveMillis(
            "flink.sink.transaction.timeout.ms", "900000",
            "transaction.timeout.ms of the exactly-once sink's producer; must exceed the checkpoint "
                    + "interval plus recovery time and stay within the brokers' transaction.max.timeout.ms.");
    static final ConfigKey<Duration> EXACT_OFFSET_WINDOW = ConfigKey.seconds(
            "flink.offset-mapping.exact.window.seconds", "86400",
            "How long the offset mapping stays exact for a consumer group behind the flow (its state grows with the "
                    + "lag of the group furthest behind, up to this window). Older positions get MirrorMaker 2's "
                    + "coarse translation (at or before the exact offset: records may be read again, none skipped).");
    static final ConfigKey<Boolean> PROVENANCE_HEADER = ConfigKey.boolWithDependentDefault(
            "flink.provenance.header.enabled", "true for IdentityReplicationPolicy, false otherwise",
            "Whether replicated records carry a header naming their source cluster, so identity-named topics "
                    + "cannot loop.");
    static final ConfigKey<Long> THROTTLE_BYTES_PER_SECOND = new ConfigKey<>(
            "flink.throttle.bytes.per.second", LONG, "0", null,
            "Most bytes per second the flow reads from its source (key, value and headers of the records, summed over "
                    + "all its source subtasks however its partitions are spread); 0 means unlimited. Read at every "
                    + "start, never kept in state, so a restore from a savepoint takes the new value.",
            (k, v) -> ConfigValues.nonNegativeLong(k, v, "expected a non-negative integer (bytes per second, 0 for "
                    + "unlimited)"));
    static final ConfigKey<String> UNKNOWN_TARGET = new ConfigKey<>("flink.start.unknown-target", ConfigKey.Type.ENUM,
            null, "fail; earliest with IdentityReplicationPolicy",
            "Where a start without state begins a source partition whose target partition holds records but no "
                    + "progress this flow (or MirrorMaker 2, in mm2-offsets.<source>.internal) committed, and whose "
                    + "last records cannot be found in the source: fail stops the flow naming the partitions (remote "
                    + "topics are the flow's alone: another tool wrote them); earliest copies the source partition "
                    + "from its start (MM2's behaviour without offsets; with IdentityReplicationPolicy the target "
                    + "topic is shared with local producers, and records that came from the target are not copied "
                    + "back); source-group starts at the source consumer group's committed offset (may copy records "
                    + "again or skip some).",
            (k, v) -> ConfigValues.oneOf(k, v, true, "fail", "source-group", "earliest"));
    static final ConfigKey<String> RECORD_FUNCTION_CLASS = ConfigKey.string("flink.record.function.class", CLASS,
            null,
            "A class implementing io.flinkmirror.udfs.transform.RecordFunction (public no-arg constructor, on the "
                    + "job's classpath) run on every record after the transforms; it may change key, value, headers "
                    + "and timestamp, or drop the record (null). Per flow: <source>-><target>.flink.record.function.class.");
    static final ConfigKey<String> TRANSFORM_OPTIONS = ConfigKey.documented("transforms.<alias>.<option>", STRING,
            null,
            "Options of transform <alias>: type (the Transformation class), predicate, negate, and the options of "
                    + "the class. Top level or per flow; a per-flow key wins over the same top-level key.");
    static final ConfigKey<String> PREDICATE_OPTIONS = ConfigKey.documented("predicates.<alias>.<option>", STRING,
            null,
            "Options of predicate <alias>: type (the Predicate class, e.g. "
                    + "org.apache.kafka.connect.transforms.predicates.HasHeaderKey) and its options.");
    static final ConfigKey<String> RECORD_FUNCTION_OPTIONS = ConfigKey.documented("flink.record.function.<option>",
            STRING, null,
            "Options passed to the record function's open(); per flow as <source>-><target>.flink.record.function."
                    + "<option>, which wins over the top-level key.");
    static final ConfigKey<String> FLINK_OPTIONS = ConfigKey.documented("flink.<option>", STRING, null,
            "Any other flink.* key is a Flink option with the prefix removed, e.g. "
                    + "flink.execution.checkpointing.interval = 10 s.");
    static final ConfigKey<String> CONFIG_PROVIDERS = ConfigKey.documented("config.providers", LIST, "",
            "Names of Kafka ConfigProviders resolving ${provider:path:key} in values, each configured with "
                    + "config.providers.<name>.class and config.providers.<name>.param.<param>, as in MM2.");

    // ---- Groups (docs/configuration.md order) ----------------------------------------------------------------------

    static final List<ConfigKey<?>> TOPOLOGY_KEYS = List.of(CLUSTERS, BOOTSTRAP_SERVERS, ENABLED, CLIENT_PROPS,
            FLOW_CLIENT_PROPS);
    static final List<ConfigKey<?>> NAMING_KEYS = List.of(REPLICATION_POLICY_CLASS, REPLICATION_POLICY_SEPARATOR,
            INTERNAL_TOPIC_SEPARATOR_ENABLED);
    static final List<ConfigKey<?>> TOPIC_KEYS = List.of(TOPICS, TOPICS_EXCLUDE, TOPIC_FILTER_CLASS,
            REPLICATION_FACTOR, REFRESH_TOPICS_ENABLED, REFRESH_TOPICS_INTERVAL, SYNC_TOPIC_CONFIGS_ENABLED,
            SYNC_TOPIC_CONFIGS_INTERVAL, SYNC_TOPIC_ACLS_ENABLED, SYNC_TOPIC_ACLS_INTERVAL, CONFIG_PROPERTIES_EXCLUDE,
            HEARTBEATS_REPLICATION_ENABLED);
    static final List<ConfigKey<?>> OFFSET_KEYS = List.of(GROUPS, GROUPS_EXCLUDE, GROUP_FILTER_CLASS,
            REFRESH_GROUPS_ENABLED, REFRESH_GROUPS_INTERVAL, EMIT_CHECKPOINTS_ENABLED, EMIT_CHECKPOINTS_INTERVAL,
            SYNC_GROUP_OFFSETS_ENABLED, SYNC_GROUP_OFFSETS_INTERVAL, EMIT_OFFSET_SYNCS_ENABLED,
            OFFSET_SYNCS_TOPIC_LOCATION, OFFSET_SYNCS_TOPIC_REPLICATION_FACTOR, CHECKPOINTS_TOPIC_REPLICATION_FACTOR,
            OFFSET_LAG_MAX);
    static final List<ConfigKey<?>> HEARTBEAT_KEYS = List.of(EMIT_HEARTBEATS_ENABLED, EMIT_HEARTBEATS_INTERVAL,
            HEARTBEATS_TOPIC_REPLICATION_FACTOR);
    static final List<ConfigKey<?>> TRANSFORM_KEYS = List.of(TRANSFORMS, PREDICATES, ERRORS_TOLERANCE);
    /** Our own flink.* keys (not passed to Flink). */
    static final List<ConfigKey<?>> FLINK_KEYS = List.of(DELIVERY_GUARANTEE, SINK_TRANSACTION_TIMEOUT,
            EXACT_OFFSET_WINDOW, PROVENANCE_HEADER, THROTTLE_BYTES_PER_SECOND, UNKNOWN_TARGET, RECORD_FUNCTION_CLASS);
    static final List<ConfigKey<?>> OTHER_KEYS = List.of(TRANSFORM_OPTIONS, PREDICATE_OPTIONS,
            RECORD_FUNCTION_OPTIONS, FLINK_OPTIONS, CONFIG_PROVIDERS);

    /** Flow-level keys, settable top-level or per flow; their names as written in the file. */
    static final List<ConfigKey<?>> FLOW_KEYS = concat(NAMING_KEYS, TOPIC_KEYS, OFFSET_KEYS, HEARTBEAT_KEYS,
            TRANSFORM_KEYS, FLINK_KEYS);

    /** Every documented key, in docs/configuration.md order. */
    static final List<ConfigKey<?>> ALL = concat(TOPOLOGY_KEYS, FLOW_KEYS, OTHER_KEYS);

    @SafeVarargs
    private static List<ConfigKey<?>> concat(List<ConfigKey<?>>... groups) {
        List<ConfigKey<?>> all = new java.util.ArrayList<>();
        for (List<ConfigKey<?>> group : groups) {
            all.addAll(group);
        }
        return List.copyOf(all);
    }
}
