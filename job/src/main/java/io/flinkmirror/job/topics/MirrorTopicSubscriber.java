package io.flinkmirror.job.topics;

import io.flinkmirror.udfs.offsets.InternalTopics;
import io.flinkmirror.udfs.topic.TopicSelector;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.connector.kafka.source.enumerator.subscriber.KafkaSubscriber;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The source side's topic discovery for one flow. KafkaSource's enumerator calls it at start and then every
 * {@code refresh.topics.interval.seconds}: it selects the source topics MirrorMaker 2 would replicate and, before
 * handing their partitions to the readers, brings the target topics up to date through {@link TargetTopicManager}.
 * New topics and partitions are therefore replicated without a restart, and never before their target exists. Topic
 * ACLs are synced on the same occasion when due ({@link TopicAclSync}).
 */
public final class MirrorTopicSubscriber implements KafkaSubscriber {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(MirrorTopicSubscriber.class);
    private static final long TIMEOUT_MS = 60_000;

    private final String flow;
    private final TopicSelector selector;
    private final TargetTopicManager manager;
    private final HashMap<String, Object> targetAdminProps;
    private final TopicAclSync aclSync;

    private transient Map<String, Integer> known;
    /** The flow's progress topic, created on the target before the first partition is handed out; may be null. */
    private String progressTopic;
    private int progressReplicationFactor = -1;

    public MirrorTopicSubscriber(String flow, TopicSelector selector, TargetTopicManager manager,
                                 Map<String, ?> targetAdminProps) {
        this(flow, selector, manager, targetAdminProps, null);
    }

    /** A subscriber that also syncs topic ACLs at each discovery when they are due ({@code aclSync} may be null). */
    public MirrorTopicSubscriber(String flow, TopicSelector selector, TargetTopicManager manager,
                                 Map<String, ?> targetAdminProps, TopicAclSync aclSync) {
        this.flow = flow;
        this.selector = selector;
        this.manager = manager;
        this.targetAdminProps = new HashMap<>(targetAdminProps);
        this.aclSync = aclSync;
    }

    /**
     * Creates the flow's progress topic on the target (compacted, 1 partition, {@code replicationFactor} replicas or
     * the broker's default for -1) at the first discovery, before any split is handed to a reader.
     */
    public MirrorTopicSubscriber withProgressTopic(String topic, int replicationFactor) {
        this.progressTopic = topic;
        this.progressReplicationFactor = replicationFactor;
        return this;
    }

    @Override
    public Set<TopicPartition> getSubscribedTopicPartitions(AdminClient sourceAdmin) {
        try {
            if (known == null && progressTopic != null) {
                // Segments roll every 10 minutes so that the cleaner keeps the topic at about one record per
                // partition: a start reads all of it.
                InternalTopics.ensure(stringProps(targetAdminProps), progressTopic, progressReplicationFactor,
                        Map.of("segment.ms", "600000"));
            }
            Set<String> topics = new TreeSet<>();
            for (String topic : sourceAdmin.listTopics().names().get(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                if (selector.shouldReplicate(topic)) {
                    topics.add(topic);
                }
            }
            Map<String, TopicDescription> descriptions = describe(sourceAdmin, topics);
            try (Admin target = Admin.create(targetAdminProps)) {
                manager.sync(sourceAdmin, target, descriptions);
                if (aclSync != null) {
                    aclSync.maybeSync(sourceAdmin, target); // never throws: ACLs never stop the data
                }
            }
            Set<TopicPartition> partitions = new HashSet<>();
            descriptions.values().forEach(d -> d.partitions().forEach(
                    p -> partitions.add(new TopicPartition(d.name(), p.partition()))));
            logChanges(descriptions);
            return partitions;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(flow + " interrupted while discovering topics", e);
        } catch (Exception e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(flow + " topic discovery failed: " + cause, cause);
        }
    }

    private static Map<String, String> stringProps(Map<String, Object> props) {
        Map<String, String> out = new HashMap<>();
        props.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    /** Describes the topics, skipping those deleted since they were listed. */
    private static Map<String, TopicDescription> describe(Admin admin, Set<String> topics) throws Exception {
        Map<String, TopicDescription> result = new HashMap<>();
        for (Map.Entry<String, KafkaFuture<TopicDescription>> e :
                admin.describeTopics(topics).topicNameValues().entrySet()) {
            try {
                result.put(e.getKey(), e.getValue().get(TIMEOUT_MS, TimeUnit.MILLISECONDS));
            } catch (ExecutionException ex) {
                if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw ex;
                }
            }
        }
        return result;
    }

    private void logChanges(Map<String, TopicDescription> descriptions) {
        if (known == null) {
            known = new HashMap<>();
        }
        List<String> added = descriptions.keySet().stream().filter(t -> !known.containsKey(t)).sorted().toList();
        if (!added.isEmpty()) {
            LOG.info("{} replicating {} new topic(s): {}", flow, added.size(), added);
        }
        descriptions.forEach((t, d) -> {
            Integer before = known.put(t, d.partitions().size());
            if (before != null && before < d.partitions().size()) {
                LOG.info("{} source topic {} grew from {} to {} partitions", flow, t, before, d.partitions().size());
            }
        });
        known.keySet().stream().filter(t -> !descriptions.containsKey(t)).sorted().forEach(t -> LOG.warn(
                "{} source topic {} was deleted: replication of it stops, its target topic keeps what was replicated"
                        + " before, the other topics go on", flow, t));
        known.keySet().retainAll(descriptions.keySet());
    }
}
