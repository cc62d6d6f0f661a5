package io.flinkmirror.udfs.policy;

import java.util.regex.Pattern;

import java.util.Objects;

/**
 * Keeps topic names unchanged, as MirrorMaker 2's {@code org.apache.kafka.connect.mirror.IdentityReplicationPolicy}:
 * useful for one-way replication and migrations. It cannot detect cycles, so the topology must be acyclic.
 *
 * <p>Heartbeats topics are the exception: any topic whose name ends with {@code heartbeats} is named as by
 * {@link DefaultReplicationPolicy} ({@code A.heartbeats}), using the separator. For every other topic
 * {@link #topicSource} returns the configured source cluster alias (MM2's {@code source.cluster.alias}, which MM2 sets
 * to the flow's source), or null when none was given.
 */
public class IdentityReplicationPolicy extends DefaultReplicationPolicy {

    private static final long serialVersionUID = 1L;

    private final String sourceClusterAlias;

    /** A policy with separator {@code "."} and no source cluster alias. */
    public IdentityReplicationPolicy() {
        this(SEPARATOR_DEFAULT, null);
    }

    /** A policy with separator {@code "."} (used for heartbeats topics) and the given source alias (may be null). */
    public IdentityReplicationPolicy(String separator, String sourceClusterAlias) {
        this(separator, INTERNAL_TOPIC_SEPARATOR_ENABLED_DEFAULT, sourceClusterAlias);
    }

    /** A policy as {@link #IdentityReplicationPolicy(String, String)}, choosing the internal topic separator too. */
    public IdentityReplicationPolicy(String separator, boolean internalTopicSeparatorEnabled,
                                     String sourceClusterAlias) {
        super(separator, internalTopicSeparatorEnabled);
        this.sourceClusterAlias = sourceClusterAlias;
    }

    /** The alias {@link #topicSource} reports for non-heartbeats topics, or null. */
    public String sourceClusterAlias() {
        return sourceClusterAlias;
    }

    /** Returns {@code topic} unchanged, except heartbeats topics which get the {@code alias + separator} prefix. */
    @Override
    public String formatRemoteTopic(String sourceClusterAlias, String topic) {
        return looksLikeHeartbeat(topic) ? super.formatRemoteTopic(sourceClusterAlias, topic) : topic;
    }

    /** The configured source cluster alias (possibly null); for heartbeats topics, the prefix before the separator. */
    @Override
    public String topicSource(String topic) {
        return looksLikeHeartbeat(topic) ? super.topicSource(topic) : sourceClusterAlias;
    }

    /** Returns {@code topic} itself, except for heartbeats topics which are parsed as by the default policy. */
    @Override
    public String upstreamTopic(String topic) {
        return looksLikeHeartbeat(topic) ? super.upstreamTopic(topic) : topic;
    }

    /** Any name: remote topics keep their source names. */
    @Override
    public Pattern remoteTopicPattern(String sourceClusterAlias) {
        return Pattern.compile(".*");
    }

    private boolean looksLikeHeartbeat(String topic) {
        return topic != null && topic.endsWith(heartbeatsTopic());
    }

    @Override
    public boolean equals(Object o) {
        return super.equals(o) && Objects.equals(sourceClusterAlias, ((IdentityReplicationPolicy) o).sourceClusterAlias);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + Objects.hashCode(sourceClusterAlias);
    }

    @Override
    public String toString() {
        return "IdentityReplicationPolicy{separator='" + separator() + "', sourceClusterAlias=" + sourceClusterAlias + "}";
    }
}
