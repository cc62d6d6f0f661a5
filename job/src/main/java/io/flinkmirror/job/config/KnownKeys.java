package io.flinkmirror.job.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Every key MirrorMaker 2 (Kafka 4.2, dedicated mode) accepts, without its alias or flow prefix: MM2's connector and
 * driver keys, the Kafka Connect worker, REST and connector-framework keys MM2 forwards, and the Kafka client keys.
 * Also answers which of them Flink Mirror applies, and suggests the nearest known key for a typo.
 */
final class KnownKeys {

    /** Client keys MM2 copies from the top level and from {@code <alias>.} to every client (MM2's CLIENT_CONFIG_DEF). */
    static final Set<String> CLUSTER_CLIENT_KEYS = clusterClientKeys();

    static final Set<String> CONSUMER_KEYS = Set.copyOf(ConsumerConfig.configNames());
    static final Set<String> PRODUCER_KEYS = Set.copyOf(ProducerConfig.configNames());
    static final Set<String> ADMIN_KEYS = Set.copyOf(AdminClientConfig.configNames());

    /** Client prefixes and the keys valid after each. */
    static final Map<String, Set<String>> CLIENT_PREFIXES = Map.of(
            "consumer.", CONSUMER_KEYS, "producer.", PRODUCER_KEYS, "admin.", ADMIN_KEYS);

    /** MM2's connector keys (MirrorSourceConfig, MirrorCheckpointConfig, MirrorHeartbeatConfig and their base). */
    static final List<String> MM2_CONNECTOR_KEYS = List.of(
            "enabled", "source.cluster.alias", "target.cluster.alias", "admin.timeout.ms",
            "replication.policy.class", "replication.policy.separator",
            "replication.policy.internal.topic.separator.enabled", "forwarding.admin.class", "metric.reporters",
            "topics", "topics.exclude", "config.properties.exclude", "topic.filter.class",
            "config.property.filter.class", "use.defaults.from", "consumer.poll.timeout.ms",
            "refresh.topics.enabled", "refresh.topics.interval.seconds", "sync.topic.configs.enabled",
            "sync.topic.configs.interval.seconds", "sync.topic.acls.enabled", "sync.topic.acls.interval.seconds",
            "replication.factor", "offset-syncs.topic.replication.factor", "offset.lag.max",
            "offset-syncs.topic.location", "emit.offset-syncs.enabled", "heartbeats.replication.enabled",
            "groups", "groups.exclude", "group.filter.class", "refresh.groups.enabled",
            "refresh.groups.interval.seconds", "emit.checkpoints.enabled", "emit.checkpoints.interval.seconds",
            "sync.group.offsets.enabled", "sync.group.offsets.interval.seconds", "checkpoints.topic.replication.factor",
            "emit.heartbeats.enabled", "emit.heartbeats.interval.seconds", "heartbeats.topic.replication.factor",
            "task.assigned.partitions", "task.assigned.groups", "task.index");

    /** MirrorMakerConfig's own keys. */
    private static final List<String> MM2_DRIVER_KEYS = List.of(
            "clusters", "dedicated.mode.enable.internal.rest", "config.providers");

    /** Kafka Connect connector-framework keys (ConnectorConfig, SourceConnectorConfig). */
    private static final List<String> CONNECT_CONNECTOR_KEYS = List.of(
            "name", "connector.class", "tasks.max", "tasks.max.enforce", "key.converter", "value.converter",
            "header.converter", "transforms", "predicates", "config.action.reload", "errors.retry.timeout",
            "errors.retry.delay.max.ms", "errors.tolerance", "errors.log.enable", "errors.log.include.messages",
            "connector.plugin.version", "key.converter.plugin.version", "value.converter.plugin.version",
            "header.converter.plugin.version", "exactly.once.support", "transaction.boundary",
            "transaction.boundary.interval.ms", "offsets.storage.topic", "topic.creation.groups");

    /** Kafka Connect worker keys (WorkerConfig, DistributedConfig, RestServerConfig) MM2 passes to its herders. */
    private static final List<String> CONNECT_WORKER_KEYS = List.of(
            "group.id", "offset.flush.interval.ms", "offset.flush.timeout.ms", "task.shutdown.graceful.timeout.ms",
            "plugin.path", "plugin.discovery", "connector.client.config.override.policy", "topic.tracking.enable",
            "topic.tracking.allow.reset", "topic.creation.enable", "session.timeout.ms", "heartbeat.interval.ms",
            "rebalance.timeout.ms", "worker.sync.timeout.ms", "worker.unsync.backoff.ms", "offset.storage.topic",
            "offset.storage.partitions", "offset.storage.replication.factor", "offset.storage.file.filename",
            "config.storage.topic", "config.storage.replication.factor", "status.storage.topic",
            "status.storage.partitions", "status.storage.replication.factor", "connect.protocol",
            "scheduled.rebalance.max.delay.ms", "inter.worker.key.generation.algorithm", "inter.worker.key.size",
            "inter.worker.key.ttl.ms", "inter.worker.signature.algorithm", "inter.worker.verification.algorithms",
            "exactly.once.source.support", "listeners", "rest.advertised.host.name", "rest.advertised.port",
            "rest.advertised.listener", "access.control.allow.origin", "access.control.allow.methods",
            "admin.listeners", "rest.extension.classes", "response.http.headers.config", "ssl.client.auth");

    /** Prefixes under which MM2 or Connect accept open-ended keys. */
    private static final List<String> OPEN_PREFIXES = List.of(
            "config.providers.", "transforms.", "predicates.", "key.converter.", "value.converter.",
            "header.converter.", "topic.creation.", CommonClientConfigs.METRICS_CONTEXT_PREFIX, "listeners.https.",
            "admin.listeners.https.");

    /** Keys MirrorMaker 2 removed in Kafka 4.0, with what to do instead. */
    static final Map<String, String> REMOVED_KEYS = Map.of(
            "topics.blacklist", "use 'topics.exclude'",
            "groups.blacklist", "use 'groups.exclude'",
            "config.properties.blacklist", "use 'config.properties.exclude'",
            "use.incremental.alter.configs", "MirrorMaker 2 always uses incremental alter configs now; delete it",
            "add.source.alias.to.metrics", "the source alias is always in the metrics now; delete it",
            "auto.include.jmx.reporter", "list JmxReporter in 'metric.reporters' instead");

    /** Exact keys valid at any scope, prefixed client keys included. */
    private static final Set<String> EXACT = exactKeys();

    /** Candidates for "did you mean" (exact keys plus our flink.* keys). */
    private static final List<String> SUGGESTIONS = suggestions();

    private KnownKeys() {
    }

    /** Whether MirrorMaker 2 accepts {@code name} (the key without its alias or flow prefix). */
    static boolean isKnown(String name) {
        if (EXACT.contains(name)) {
            return true;
        }
        for (String prefix : OPEN_PREFIXES) {
            if (name.startsWith(prefix) && name.length() > prefix.length()) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code name} is a client key of {@code prefix}'s client kind, e.g. {@code consumer.} + max.poll.records. */
    static boolean isClientKey(String prefix, String name) {
        return name.startsWith(prefix) && CLIENT_PREFIXES.get(prefix).contains(name.substring(prefix.length()));
    }

    /** Whether {@code name} is {@code consumer.k}, {@code producer.k} or {@code admin.k} for a valid client key k. */
    static boolean isAnyClientKey(String name) {
        for (String prefix : CLIENT_PREFIXES.keySet()) {
            if (isClientKey(prefix, name)) {
                return true;
            }
        }
        return false;
    }

    /** The known key nearest to {@code name} by edit distance, or null if none is close enough to be a typo. */
    static String nearest(String name, List<String> extraCandidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        List<String> candidates = new ArrayList<>(SUGGESTIONS);
        candidates.addAll(extraCandidates);
        for (String candidate : candidates) {
            if (Math.abs(candidate.length() - name.length()) >= bestDistance) {
                continue;
            }
            int distance = editDistance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? best : null;
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Set<String> clusterClientKeys() {
        Set<String> keys = new TreeSet<>(new ConfigDef().withClientSslSupport().withClientSaslSupport().names());
        keys.add(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
        keys.add(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
        return Set.copyOf(keys);
    }

    private static Set<String> exactKeys() {
        Set<String> keys = new LinkedHashSet<>();
        keys.addAll(MM2_CONNECTOR_KEYS);
        keys.addAll(MM2_DRIVER_KEYS);
        keys.addAll(CONNECT_CONNECTOR_KEYS);
        keys.addAll(CONNECT_WORKER_KEYS);
        keys.addAll(CONSUMER_KEYS);
        keys.addAll(PRODUCER_KEYS);
        keys.addAll(ADMIN_KEYS);
        for (Map.Entry<String, Set<String>> client : CLIENT_PREFIXES.entrySet()) {
            String kind = client.getKey();
            for (String key : client.getValue()) {
                keys.add(kind + key);
                keys.add("source." + kind + key);
                keys.add("target." + kind + key);
                keys.add(kind.replace(".", ".override.") + key);
            }
        }
        for (String key : CLUSTER_CLIENT_KEYS) {
            keys.add("source.cluster." + key);
            keys.add("target.cluster." + key);
        }
        return Set.copyOf(keys);
    }

    private static List<String> suggestions() {
        List<String> keys = new ArrayList<>(new TreeSet<>(EXACT));
        for (ConfigKey<?> key : ConfigKeys.FLINK_KEYS) {
            keys.add(key.key());
        }
        return List.copyOf(keys);
    }
}
