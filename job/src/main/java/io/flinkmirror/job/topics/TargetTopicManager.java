package io.flinkmirror.job.topics;

import io.flinkmirror.udfs.policy.ReplicationPolicy;
import io.flinkmirror.udfs.topic.ConfigPropertyFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the target topics of one flow in step with their source topics: creates missing target topics (source
 * partition count, configured or source replication factor, synced configs), grows partitions, and syncs topic
 * configs. Runs before the source is allowed to read a new topic or partition, so the sink never writes to a topic or
 * partition that does not exist yet.
 *
 * <p>Invariants: a target topic never has fewer partitions than its source once {@link #sync} returns; a partition is
 * only reported ready once the target broker answers {@code listOffsets} for it (Kafka 4.2 may lose the first batch
 * otherwise); topic configs matched by the {@link ConfigPropertyFilter} exclusions are never touched on the target.
 */
public final class TargetTopicManager implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private static final Logger LOG = LoggerFactory.getLogger(TargetTopicManager.class);
    private static final long TIMEOUT_MS = 60_000;
    private static final long ATTEMPT_MS = 5_000;

    private final String flow;
    private final String sourceAlias;
    private final ReplicationPolicy policy;
    private final int replicationFactor;
    private final boolean syncConfigs;
    private final Duration configSyncInterval;
    private final ConfigPropertyFilter configFilter;

    private transient long nextConfigSyncNanos;
    private transient boolean configSyncScheduled;

    public TargetTopicManager(String sourceAlias, String targetAlias, ReplicationPolicy policy, int replicationFactor,
                              boolean syncConfigs, Duration configSyncInterval, ConfigPropertyFilter configFilter) {
        this.flow = sourceAlias + "->" + targetAlias;
        this.sourceAlias = sourceAlias;
        this.policy = policy;
        this.replicationFactor = replicationFactor;
        this.syncConfigs = syncConfigs;
        this.configSyncInterval = configSyncInterval;
        this.configFilter = configFilter;
    }

    /** Brings every target topic of {@code sourceTopics} up to date; returns once new partitions are writable. */
    public void sync(Admin source, Admin target, Map<String, TopicDescription> sourceTopics) throws Exception {
        if (sourceTopics.isEmpty()) {
            return;
        }
        Map<String, String> targetNames = new HashMap<>();
        sourceTopics.keySet().forEach(t -> targetNames.put(t, policy.formatRemoteTopic(sourceAlias, t)));
        Map<String, TopicDescription> existing = describeExisting(target, targetNames.values());
        Map<String, Map<String, String>> sourceConfigs = syncConfigs ? dynamicConfigs(source, sourceTopics.keySet())
                : Map.of();

        List<NewTopic> toCreate = new ArrayList<>();
        Map<String, NewPartitions> toGrow = new HashMap<>();
        List<TopicPartition> newPartitions = new ArrayList<>();
        for (TopicDescription src : sourceTopics.values()) {
            String name = targetNames.get(src.name());
            int partitions = src.partitions().size();
            TopicDescription dst = existing.get(name);
            if (dst == null) {
                short rf = (short) (replicationFactor > 0 ? replicationFactor
                        : src.partitions().get(0).replicas().size());
                NewTopic topic = new NewTopic(name, partitions, rf);
                topic.configs(sourceConfigs.getOrDefault(src.name(), Map.of()));
                toCreate.add(topic);
                for (int p = 0; p < partitions; p++) {
                    newPartitions.add(new TopicPartition(name, p));
                }
            } else if (dst.partitions().size() < partitions) {
                toGrow.put(name, NewPartitions.increaseTo(partitions));
                for (int p = dst.partitions().size(); p < partitions; p++) {
                    newPartitions.add(new TopicPartition(name, p));
                }
            } else if (dst.partitions().size() > partitions) {
                LOG.warn("{} target topic {} has {} partitions, more than source topic {} ({}); records keep their "
                        + "partition number", flow, name, dst.partitions().size(), src.name(), partitions);
            }
        }
        create(target, toCreate);
        grow(target, toGrow);
        if (syncConfigs && configSyncDue()) {
            alterConfigs(target, sourceConfigs, targetNames, existing.keySet());
        }
        awaitWritable(target, newPartitions);
    }

    /** Whether existing target topics' configs are due for a sync ({@code sync.topic.configs.interval.seconds}). */
    private boolean configSyncDue() {
        long now = System.nanoTime();
        if (configSyncScheduled && now - nextConfigSyncNanos < 0) {
            return false;
        }
        configSyncScheduled = true;
        nextConfigSyncNanos = now + configSyncInterval.toNanos();
        return true;
    }

    private Map<String, TopicDescription> describeExisting(Admin target, Collection<String> names) throws Exception {
        Map<String, TopicDescription> existing = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e :
                target.describeTopics(names).topicNameValues().entrySet()) {
            try {
                existing.put(e.getKey(), e.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw ex;
                }
            }
        }
        return existing;
    }

    /** Topic configs set on the source topics (not broker or static defaults), minus excluded properties. */
    private Map<String, Map<String, String>> dynamicConfigs(Admin admin, Collection<String> topics) throws Exception {
        List<ConfigResource> resources = topics.stream()
                .map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all()
                .get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        Map<String, Map<String, String>> result = new HashMap<>();
        configs.forEach((resource, config) -> {
            Map<String, String> values = new HashMap<>();
            for (ConfigEntry entry : config.entries()) {
                if (entry.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG
                        && configFilter.shouldReplicateConfigProperty(entry.name())) {
                    values.put(entry.name(), entry.value());
                }
            }
            result.put(resource.name(), values);
        });
        return result;
    }

    private void create(Admin target, List<NewTopic> topics) throws Exception {
        if (topics.isEmpty()) {
            return;
        }
        for (Map.Entry<String, KafkaFuture<Void>> e : target.createTopics(topics).values().entrySet()) {
            try {
                e.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
                NewTopic t = topics.stream().filter(n -> n.name().equals(e.getKey())).findFirst().orElseThrow();
                LOG.info("{} created target topic {} with {} partitions, replication factor {}, configs {}",
                        flow, t.name(), t.numPartitions(), t.replicationFactor(), t.configs());
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException(flow + " could not create target topic " + e.getKey() + ": "
                            + ex.getCause().getMessage(), ex.getCause());
                }
            }
        }
    }

    private void grow(Admin target, Map<String, NewPartitions> growth) throws Exception {
        if (growth.isEmpty()) {
            return;
        }
        target.createPartitions(growth).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        growth.forEach((topic, np) -> LOG.info("{} grew target topic {} to {} partitions", flow, topic,
                np.totalCount()));
    }

    private void alterConfigs(Admin target, Map<String, Map<String, String>> sourceConfigs,
                              Map<String, String> targetNames, Collection<String> existingTargets) throws Exception {
        List<String> existingSources = sourceConfigs.keySet().stream()
                .filter(t -> existingTargets.contains(targetNames.get(t))).toList();
        if (existingSources.isEmpty()) {
            return;
        }
        Map<String, Map<String, String>> targetConfigs =
                dynamicConfigs(target, existingSources.stream().map(targetNames::get).toList());
        Map<ConfigResource, Collection<AlterConfigOp>> ops = new HashMap<>();
        for (String src : existingSources) {
            String dst = targetNames.get(src);
            Map<String, String> want = sourceConfigs.get(src);
            Map<String, String> have = targetConfigs.getOrDefault(dst, Map.of());
            List<AlterConfigOp> changes = new ArrayList<>();
            want.forEach((k, v) -> {
                if (!v.equals(have.get(k))) {
                    changes.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET));
                }
            });
            have.keySet().stream().filter(k -> !want.containsKey(k)).forEach(k ->
                    changes.add(new AlterConfigOp(new ConfigEntry(k, null), AlterConfigOp.OpType.DELETE)));
            if (!changes.isEmpty()) {
                ops.put(new ConfigResource(ConfigResource.Type.TOPIC, dst), changes);
                LOG.info("{} syncing configs of target topic {}: {}", flow, dst, describe(changes));
            }
        }
        if (!ops.isEmpty()) {
            target.incrementalAlterConfigs(ops).all().get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        }
    }

    private static String describe(List<AlterConfigOp> changes) {
        return changes.stream().map(op -> op.opType() == AlterConfigOp.OpType.DELETE
                ? "-" + op.configEntry().name()
                : op.configEntry().name() + "=" + op.configEntry().value()).toList().toString();
    }

    /**
     * Waits until every partition answers {@code listOffsets}. Each attempt is short: an admin call issued while a
     * broker restarts can wait for its whole timeout even after the broker is back, so a new call is made instead.
     */
    private void awaitWritable(Admin target, List<TopicPartition> partitions) throws Exception {
        if (partitions.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, OffsetSpec.latest()));
        long deadline = System.nanoTime() + Duration.ofMillis(TIMEOUT_MS).toNanos();
        Optional<Throwable> last = Optional.empty();
        for (long left = TIMEOUT_MS; left > 0; left = (deadline - System.nanoTime()) / 1_000_000) {
            int attemptMs = (int) Math.min(ATTEMPT_MS, left);
            try {
                target.listOffsets(request, new ListOffsetsOptions().timeoutMs(attemptMs)).all()
                        .get(attemptMs + 1_000L, TimeUnit.MILLISECONDS);
                return;
            } catch (ExecutionException e) {
                last = Optional.of(e.getCause());
                Thread.sleep(100);
            } catch (TimeoutException e) {
                last = Optional.of(e);
            }
        }
        throw new IllegalStateException(flow + " target partitions " + partitions + " not writable after "
                + TIMEOUT_MS + " ms" + last.map(e -> ": " + e).orElse(""));
    }
}
