package io.flinkmirror.udfs.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Objects;

/**
 * Prefixes replicated topics with their source cluster alias, as MirrorMaker 2's
 * {@code org.apache.kafka.connect.mirror.DefaultReplicationPolicy}: {@code topic} from cluster {@code A} becomes
 * {@code A.topic}, and {@code B.A.topic} after a second hop.
 *
 * <p>The separator ({@code replication.policy.separator}, default {@code "."}) is used in remote topic names and,
 * unless {@code replication.policy.internal.topic.separator.enabled=false}, also in the names of the offset-syncs and
 * checkpoints topics ({@code mm2-offset-syncs__B__internal} with separator {@code "__"}). The heartbeats topic is always
 * {@code heartbeats}.
 */
public class DefaultReplicationPolicy implements ReplicationPolicy {

    private static final long serialVersionUID = 1L;

    /** MM2's {@code replication.policy.separator} default. */
    public static final String SEPARATOR_DEFAULT = ".";

    /** MM2's {@code replication.policy.internal.topic.separator.enabled} default. */
    public static final boolean INTERNAL_TOPIC_SEPARATOR_ENABLED_DEFAULT = true;

    private final String separator;
    private final boolean internalTopicSeparatorEnabled;

    /** A policy with MM2's defaults: separator {@code "."}. */
    public DefaultReplicationPolicy() {
        this(SEPARATOR_DEFAULT, INTERNAL_TOPIC_SEPARATOR_ENABLED_DEFAULT);
    }

    /** A policy using {@code separator} (null means {@code "."}) in remote and internal topic names. */
    public DefaultReplicationPolicy(String separator) {
        this(separator, INTERNAL_TOPIC_SEPARATOR_ENABLED_DEFAULT);
    }

    /**
     * A policy using {@code separator} (null means {@code "."}); internal topics use it only if
     * {@code internalTopicSeparatorEnabled}, otherwise {@code "."} as MirrorMaker 2 before KIP-690.
     */
    public DefaultReplicationPolicy(String separator, boolean internalTopicSeparatorEnabled) {
        String sep = separator == null ? SEPARATOR_DEFAULT : separator;
        if (sep.isEmpty()) {
            throw new IllegalArgumentException("The replication policy separator must not be empty");
        }
        this.separator = sep;
        this.internalTopicSeparatorEnabled = internalTopicSeparatorEnabled;
    }

    /** The separator between the source cluster alias and the topic name. */
    public String separator() {
        return separator;
    }

    /** Whether the separator is also used in the names of the offset-syncs and checkpoints topics. */
    public boolean internalTopicSeparatorEnabled() {
        return internalTopicSeparatorEnabled;
    }

    @Override
    public String formatRemoteTopic(String sourceClusterAlias, String topic) {
        return sourceClusterAlias + separator + topic;
    }

    /** Names starting with {@code sourceClusterAlias + separator}. */
    @Override
    public Pattern remoteTopicPattern(String sourceClusterAlias) {
        return Pattern.compile(Pattern.quote(sourceClusterAlias + separator) + ".+");
    }

    /**
     * The text before the first separator, provided some non-empty text follows a separator; as MM2, which splits the
     * name on the separator and drops trailing empty parts, {@code "A."} and {@code "topic"} are not remote topics but
     * {@code ".topic"} is (from the alias {@code ""}).
     */
    @Override
    public String topicSource(String topic) {
        List<String> parts = splitOnSeparator(topic);
        return parts.size() < 2 ? null : parts.get(0);
    }

    @Override
    public String upstreamTopic(String topic) {
        String source = topicSource(topic);
        return source == null ? null : topic.substring(source.length() + separator.length());
    }

    @Override
    public String offsetSyncsTopic(String clusterAlias) {
        return "mm2-offset-syncs" + internalSeparator() + clusterAlias + internalSuffix();
    }

    @Override
    public String topicAclsTopic(String clusterAlias) {
        return "mm2-topic-acls" + internalSeparator() + clusterAlias + internalSuffix();
    }

    @Override
    public String checkpointsTopic(String clusterAlias) {
        return clusterAlias + checkpointsTopicSuffix();
    }

    @Override
    public boolean isCheckpointsTopic(String topic) {
        return topic.endsWith(checkpointsTopicSuffix());
    }

    @Override
    public boolean isMM2InternalTopic(String topic) {
        return topic.startsWith("mm2") && topic.endsWith(internalSuffix()) || isCheckpointsTopic(topic);
    }

    private String internalSeparator() {
        return internalTopicSeparatorEnabled ? separator : SEPARATOR_DEFAULT;
    }

    private String internalSuffix() {
        return internalSeparator() + "internal";
    }

    private String checkpointsTopicSuffix() {
        return internalSeparator() + "checkpoints" + internalSuffix();
    }

    /** Splits on every occurrence of the separator, left to right, then drops trailing empty parts. */
    private List<String> splitOnSeparator(String topic) {
        List<String> parts = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = topic.indexOf(separator, from)) >= 0) {
            parts.add(topic.substring(from, at));
            from = at + separator.length();
        }
        parts.add(topic.substring(from));
        int size = parts.size();
        while (size > 0 && parts.get(size - 1).isEmpty()) {
            parts.remove(--size);
        }
        return parts;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        DefaultReplicationPolicy that = (DefaultReplicationPolicy) o;
        return separator.equals(that.separator) && internalTopicSeparatorEnabled == that.internalTopicSeparatorEnabled;
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), separator, internalTopicSeparatorEnabled);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "{separator='" + separator + "'}";
    }
}
