package io.flinkmirror.udfs.policy;

import java.io.Serializable;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Defines which topics are "remote topics" and how they are named, as MirrorMaker 2's
 * {@code org.apache.kafka.connect.mirror.ReplicationPolicy} does. Implementations must be serializable: they travel
 * inside the Flink job graph.
 */
public interface ReplicationPolicy extends Serializable {

    /** Name of {@code topic} from cluster {@code sourceClusterAlias} once replicated, e.g. {@code A.topic}. */
    String formatRemoteTopic(String sourceClusterAlias, String topic);

    /** Alias of the cluster {@code topic} was replicated from, or null if it is not a remote topic. */
    String topicSource(String topic);

    /** Name of the topic on the cluster it was replicated from, or null if it is not a remote topic. */
    String upstreamTopic(String topic);

    /**
     * A regex matching every name {@link #formatRemoteTopic} gives the topics of {@code sourceClusterAlias} (it may
     * match more). The exactly-once sink looks for its own open transactions on the partitions of the target topics
     * matching it when it restores; {@code .*} (every topic of the target) unless the policy knows better.
     */
    default Pattern remoteTopicPattern(String sourceClusterAlias) {
        return Pattern.compile(".*");
    }

    /**
     * The prefix shared by the remote names of every source topic starting with {@code prefix}, or null when the
     * policy cannot name one. A prefix can be named when the policy builds a remote name as fixed text followed by the
     * source name ({@code A.} + name for the default policy, nothing for the identity policy): then a topic starts with
     * {@code prefix} exactly when its remote name starts with the answer. This default checks that on a few probe
     * names and answers null for policies that rename otherwise (a suffix, a rewrite).
     */
    default String remoteTopicPrefix(String sourceClusterAlias, String prefix) {
        String remote = formatRemoteTopic(sourceClusterAlias, prefix);
        if (remote == null) {
            return null;
        }
        for (String probe : List.of("x", "-0", ".y", "_z")) {
            if (!(remote + probe).equals(formatRemoteTopic(sourceClusterAlias, prefix + probe))) {
                return null;
            }
        }
        return remote;
    }

    /** Name of the topic on the cluster where it originated, following every hop back. */
    default String originalTopic(String topic) {
        String upstream = upstreamTopic(topic);
        if (upstream == null || upstream.equals(topic)) {
            return topic;
        }
        return originalTopic(upstream);
    }

    /** Name of the heartbeats topic on a cluster. */
    default String heartbeatsTopic() {
        return "heartbeats";
    }

    /** Name of the offset-syncs topic for replication into {@code clusterAlias}. */
    default String offsetSyncsTopic(String clusterAlias) {
        return "mm2-offset-syncs." + clusterAlias + ".internal";
    }

    /**
     * Name of the topic, on the target cluster, recording which topic ACLs the flow from {@code clusterAlias} created
     * there (Flink Mirror's own; MM2 keeps no such record). An {@code mm2-*.internal} name, so that neither MM2 nor
     * Flink Mirror ever replicates it.
     */
    default String topicAclsTopic(String clusterAlias) {
        return "mm2-topic-acls." + clusterAlias + ".internal";
    }

    /**
     * Name of the topic on the target where flows from {@code clusterAlias} record their progress per source
     * partition, in the same transaction as the records (Flink Mirror's own, like MM2's {@code mm2-offsets.*}).
     */
    default String progressTopic(String clusterAlias) {
        return "mm2-progress." + clusterAlias + ".internal";
    }

    /**
     * Name of MirrorMaker 2's Connect offsets topic of flows from {@code clusterAlias} (dedicated mode, on the
     * target): where a hand-over from MM2 finds MM2's progress.
     */
    default String mm2OffsetsTopic(String clusterAlias) {
        return "mm2-offsets." + clusterAlias + ".internal";
    }

    /** Name of the checkpoints topic carrying group offsets translated from {@code clusterAlias}. */
    default String checkpointsTopic(String clusterAlias) {
        return clusterAlias + ".checkpoints.internal";
    }

    /** Whether {@code topic} is a heartbeats topic, local ({@code heartbeats}) or remote ({@code A.heartbeats}). */
    default boolean isHeartbeatsTopic(String topic) {
        return heartbeatsTopic().equals(originalTopic(topic));
    }

    /** Whether {@code topic} is a checkpoints topic, e.g. {@code A.checkpoints.internal}. */
    default boolean isCheckpointsTopic(String topic) {
        return topic.endsWith(".checkpoints.internal");
    }

    /**
     * Whether {@code topic} is one of MirrorMaker 2's own topics: {@code mm2-*.internal} (offset syncs, and Connect's
     * {@code mm2-offsets/-configs/-status} topics) or a checkpoints topic. Since Kafka 4.0 (KAFKA-17200, KIP-1074) a
     * user topic merely ending in {@code .internal} is no longer treated as internal.
     */
    default boolean isMM2InternalTopic(String topic) {
        return topic.startsWith("mm2") && topic.endsWith(".internal") || isCheckpointsTopic(topic);
    }

    /**
     * Whether {@code topic} is internal to Kafka ({@code __*}, {@code .*}) or to MirrorMaker 2 and must never be
     * replicated. Topics ending in {@code -internal}/{@code .internal} are kept out by the default
     * {@code topics.exclude} instead, which users may override (MM2 4.x behaviour).
     */
    default boolean isInternalTopic(String topic) {
        boolean isKafkaInternal = topic.startsWith("__") || topic.startsWith(".");
        return isMM2InternalTopic(topic) || isKafkaInternal;
    }
}
