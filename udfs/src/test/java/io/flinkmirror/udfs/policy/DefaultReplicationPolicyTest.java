package io.flinkmirror.udfs.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class DefaultReplicationPolicyTest {

    private final DefaultReplicationPolicy dot = new DefaultReplicationPolicy();
    private final DefaultReplicationPolicy underscores = new DefaultReplicationPolicy("__");

    @Test
    void formatsRemoteTopicWithAliasAndSeparator() {
        assertThat(dot.formatRemoteTopic("A", "orders")).isEqualTo("A.orders");
        assertThat(dot.formatRemoteTopic("B", "A.orders")).isEqualTo("B.A.orders");
        assertThat(underscores.formatRemoteTopic("A", "orders")).isEqualTo("A__orders");
        assertThat(new DefaultReplicationPolicy("-").formatRemoteTopic("us-west", "t")).isEqualTo("us-west-t");
    }

    @Test
    void namesTheRemotePrefixOfASourcePrefix() {
        assertThat(dot.remoteTopicPrefix("A", "orders")).isEqualTo("A.orders");
        assertThat(underscores.remoteTopicPrefix("A", "orders")).isEqualTo("A__orders");
        IdentityReplicationPolicy identity = new IdentityReplicationPolicy(".", "A");
        assertThat(identity.remoteTopicPrefix("A", "orders")).isEqualTo("orders");
        assertThat(identity.remoteTopicPrefix("A", "heartbeats"))
                .as("heartbeats is renamed, names starting with it are not").isNull();
    }

    @Test
    void namesTheTopicAclsTopicAsAnInternalTopic() {
        assertThat(dot.topicAclsTopic("A")).isEqualTo("mm2-topic-acls.A.internal");
        assertThat(underscores.topicAclsTopic("A")).isEqualTo("mm2-topic-acls__A__internal");
        assertThat(new DefaultReplicationPolicy("__", false).topicAclsTopic("A")).isEqualTo("mm2-topic-acls.A.internal");
        assertThat(dot.isInternalTopic(dot.topicAclsTopic("A"))).isTrue();
        assertThat(underscores.isInternalTopic(underscores.topicAclsTopic("A"))).isTrue();
    }

    @Test
    void nullSeparatorMeansDotAndEmptySeparatorIsRejected() {
        assertThat(new DefaultReplicationPolicy(null).separator()).isEqualTo(".");
        assertThatThrownBy(() -> new DefaultReplicationPolicy("")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesMultiHopRemoteTopics() {
        assertThat(dot.topicSource("B.A.orders")).isEqualTo("B");
        assertThat(dot.upstreamTopic("B.A.orders")).isEqualTo("A.orders");
        assertThat(dot.originalTopic("B.A.orders")).isEqualTo("orders");
        assertThat(dot.topicSource("A.orders")).isEqualTo("A");
        assertThat(dot.upstreamTopic("A.orders")).isEqualTo("orders");
    }

    @Test
    void localTopicIsNotRemote() {
        assertThat(dot.topicSource("orders")).isNull();
        assertThat(dot.upstreamTopic("orders")).isNull();
        assertThat(dot.originalTopic("orders")).isEqualTo("orders");
    }

    @Test
    void splitsLikeMirrorMakerOnEdgeCases() {
        // Trailing empty parts are dropped, as String.split does in MM2.
        assertThat(dot.topicSource("A.")).isNull();
        assertThat(dot.topicSource("A..")).isNull();
        assertThat(dot.topicSource("")).isNull();
        assertThat(dot.topicSource("...")).isNull();
        // A leading separator yields the empty alias.
        assertThat(dot.topicSource(".orders")).isEmpty();
        assertThat(dot.upstreamTopic(".orders")).isEqualTo("orders");
        // Consecutive separators: the first one splits.
        assertThat(dot.topicSource("a..b")).isEqualTo("a");
        assertThat(dot.upstreamTopic("a..b")).isEqualTo(".b");
        assertThat(dot.originalTopic("a..b")).isEqualTo("b");
    }

    @Test
    void multiCharacterSeparator() {
        assertThat(underscores.topicSource("B__A__orders")).isEqualTo("B");
        assertThat(underscores.upstreamTopic("B__A__orders")).isEqualTo("A__orders");
        assertThat(underscores.originalTopic("B__A__orders")).isEqualTo("orders");
        assertThat(underscores.topicSource("A.orders")).isNull();
        // Non-overlapping, left to right: "A___b" splits into "A" and "_b".
        assertThat(underscores.topicSource("A___b")).isEqualTo("A");
        assertThat(underscores.upstreamTopic("A___b")).isEqualTo("_b");
    }

    @Test
    void separatorIsLiteralNotRegex() {
        DefaultReplicationPolicy pipe = new DefaultReplicationPolicy("|");
        assertThat(pipe.topicSource("A|orders")).isEqualTo("A");
        assertThat(pipe.topicSource("orders")).isNull();
    }

    @Test
    void offsetSyncsAndCheckpointsTopicsUseTheSeparator() {
        assertThat(dot.offsetSyncsTopic("B")).isEqualTo("mm2-offset-syncs.B.internal");
        assertThat(dot.checkpointsTopic("A")).isEqualTo("A.checkpoints.internal");
        assertThat(underscores.offsetSyncsTopic("B")).isEqualTo("mm2-offset-syncs__B__internal");
        assertThat(underscores.checkpointsTopic("A")).isEqualTo("A__checkpoints__internal");
    }

    @Test
    void internalTopicSeparatorCanBeDisabledForPreKip690Names() {
        DefaultReplicationPolicy legacy = new DefaultReplicationPolicy("__", false);
        assertThat(legacy.offsetSyncsTopic("B")).isEqualTo("mm2-offset-syncs.B.internal");
        assertThat(legacy.checkpointsTopic("A")).isEqualTo("A.checkpoints.internal");
        assertThat(legacy.isCheckpointsTopic("A.checkpoints.internal")).isTrue();
        assertThat(legacy.formatRemoteTopic("A", "orders")).isEqualTo("A__orders");
    }

    @Test
    void heartbeatsTopicIgnoresTheSeparator() {
        assertThat(dot.heartbeatsTopic()).isEqualTo("heartbeats");
        assertThat(underscores.heartbeatsTopic()).isEqualTo("heartbeats");
    }

    @Test
    void recognisesLocalAndRemoteHeartbeatsTopics() {
        assertThat(dot.isHeartbeatsTopic("heartbeats")).isTrue();
        assertThat(dot.isHeartbeatsTopic("A.heartbeats")).isTrue();
        assertThat(dot.isHeartbeatsTopic("B.A.heartbeats")).isTrue();
        assertThat(dot.isHeartbeatsTopic("A.myheartbeats")).isFalse();
        assertThat(dot.isHeartbeatsTopic("heartbeats.A")).isFalse();
        assertThat(underscores.isHeartbeatsTopic("A__heartbeats")).isTrue();
        assertThat(underscores.isHeartbeatsTopic("A.heartbeats")).isFalse();
    }

    @Test
    void recognisesCheckpointsTopics() {
        assertThat(dot.isCheckpointsTopic("A.checkpoints.internal")).isTrue();
        assertThat(dot.isCheckpointsTopic("checkpoints.internal")).isFalse();
        assertThat(underscores.isCheckpointsTopic("A__checkpoints__internal")).isTrue();
        assertThat(underscores.isCheckpointsTopic("A.checkpoints.internal")).isFalse();
    }

    @Test
    void mm2InternalTopicsAreMm2PrefixedOrCheckpoints() {
        assertThat(dot.isMM2InternalTopic("mm2-offset-syncs.B.internal")).isTrue();
        assertThat(dot.isMM2InternalTopic("mm2-offsets.A.internal")).isTrue();
        assertThat(dot.isMM2InternalTopic("mm2-configs.A.internal")).isTrue();
        assertThat(dot.isMM2InternalTopic("A.checkpoints.internal")).isTrue();
        // Since Kafka 4.0 (KIP-1074) a user topic ending in .internal is not an MM2 topic.
        assertThat(dot.isMM2InternalTopic("orders.internal")).isFalse();
        assertThat(dot.isMM2InternalTopic("heartbeats")).isFalse();
        assertThat(underscores.isMM2InternalTopic("mm2-offset-syncs__B__internal")).isTrue();
        assertThat(underscores.isMM2InternalTopic("mm2-offsets.A.internal")).isFalse();
    }

    @Test
    void internalTopicsAreKafkaOrMm2Topics() {
        assertThat(dot.isInternalTopic("__consumer_offsets")).isTrue();
        assertThat(dot.isInternalTopic("__transaction_state")).isTrue();
        assertThat(dot.isInternalTopic(".hidden")).isTrue();
        assertThat(dot.isInternalTopic("mm2-status.A.internal")).isTrue();
        assertThat(dot.isInternalTopic("B.checkpoints.internal")).isTrue();
        assertThat(dot.isInternalTopic("orders.internal")).isFalse();
        assertThat(dot.isInternalTopic("connect-offsets-internal")).isFalse();
        assertThat(dot.isInternalTopic("orders")).isFalse();
        assertThat(dot.isInternalTopic("heartbeats")).isFalse();
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ReplicationPolicy copy = roundTrip(underscores);
        assertThat(copy).isEqualTo(underscores);
        assertThat(copy.formatRemoteTopic("A", "t")).isEqualTo("A__t");
    }

    static ReplicationPolicy roundTrip(ReplicationPolicy policy) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(policy);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (ReplicationPolicy) in.readObject();
        }
    }
}
