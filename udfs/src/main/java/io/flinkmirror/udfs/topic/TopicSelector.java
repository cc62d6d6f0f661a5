package io.flinkmirror.udfs.topic;

import io.flinkmirror.udfs.filter.TopicFilter;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import java.io.Serializable;
import java.util.Objects;

/**
 * Which source topics a flow {@code source->target} replicates: MirrorMaker 2's rule. A topic is replicated when the
 * topic filter accepts it (heartbeats topics always are), it is not internal, and replicating it would not form a
 * cycle, that is it did not come from the target cluster at any earlier hop.
 */
public final class TopicSelector implements Serializable {

    private static final long serialVersionUID = 1L;

    private final TopicFilter filter;
    private final ReplicationPolicy policy;
    private final String targetAlias;
    private final boolean replicateHeartbeats;

    public TopicSelector(TopicFilter filter, ReplicationPolicy policy, String targetAlias) {
        this(filter, policy, targetAlias, true);
    }

    /** A selector; {@code replicateHeartbeats} false leaves heartbeats topics to the topic filter alone. */
    public TopicSelector(TopicFilter filter, ReplicationPolicy policy, String targetAlias,
                         boolean replicateHeartbeats) {
        this.filter = Objects.requireNonNull(filter, "filter");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.targetAlias = Objects.requireNonNull(targetAlias, "targetAlias");
        this.replicateHeartbeats = replicateHeartbeats;
    }

    /** Whether the flow replicates source topic {@code topic}. */
    public boolean shouldReplicate(String topic) {
        return (filter.shouldReplicateTopic(topic) || (replicateHeartbeats && policy.isHeartbeatsTopic(topic)))
                && !policy.isInternalTopic(topic)
                && !isCycle(topic);
    }

    /** Whether {@code topic} was replicated from the target cluster at some hop. */
    public boolean isCycle(String topic) {
        String current = topic;
        while (true) {
            String source = policy.topicSource(current);
            if (source == null) {
                return false;
            }
            if (source.equals(targetAlias)) {
                return true;
            }
            String upstream = policy.upstreamTopic(current);
            if (upstream == null || upstream.equals(current)) {
                return false;
            }
            current = upstream;
        }
    }
}
