package io.flinkmirror.udfs.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class IdentityReplicationPolicyTest {

    private final IdentityReplicationPolicy noAlias = new IdentityReplicationPolicy();
    private final IdentityReplicationPolicy fromA = new IdentityReplicationPolicy(".", "A");

    @Test
    void keepsTopicNames() {
        assertThat(fromA.formatRemoteTopic("A", "orders")).isEqualTo("orders");
        assertThat(fromA.formatRemoteTopic("A", "B.orders")).isEqualTo("B.orders");
        assertThat(fromA.upstreamTopic("orders")).isEqualTo("orders");
        assertThat(fromA.originalTopic("orders")).isEqualTo("orders");
        assertThat(fromA.originalTopic("B.orders")).isEqualTo("B.orders");
    }

    @Test
    void topicSourceIsTheConfiguredAliasOrNull() {
        assertThat(fromA.topicSource("orders")).isEqualTo("A");
        assertThat(fromA.topicSource("B.orders")).isEqualTo("A");
        assertThat(noAlias.topicSource("orders")).isNull();
        assertThat(fromA.sourceClusterAlias()).isEqualTo("A");
    }

    @Test
    void heartbeatsAreRenamedAsByTheDefaultPolicy() {
        assertThat(fromA.formatRemoteTopic("A", "heartbeats")).isEqualTo("A.heartbeats");
        assertThat(fromA.formatRemoteTopic("B", "A.heartbeats")).isEqualTo("B.A.heartbeats");
        assertThat(fromA.topicSource("B.A.heartbeats")).isEqualTo("B");
        assertThat(fromA.upstreamTopic("B.A.heartbeats")).isEqualTo("A.heartbeats");
        assertThat(fromA.originalTopic("B.A.heartbeats")).isEqualTo("heartbeats");
        assertThat(fromA.topicSource("heartbeats")).isNull();
        assertThat(fromA.upstreamTopic("heartbeats")).isNull();
        assertThat(fromA.isHeartbeatsTopic("heartbeats")).isTrue();
        assertThat(fromA.isHeartbeatsTopic("B.A.heartbeats")).isTrue();
        assertThat(fromA.isHeartbeatsTopic("orders")).isFalse();
    }

    @Test
    void anyNameEndingInHeartbeatsIsTreatedAsHeartbeatsLikeMirrorMaker() {
        assertThat(fromA.formatRemoteTopic("A", "myheartbeats")).isEqualTo("A.myheartbeats");
        assertThat(fromA.isHeartbeatsTopic("myheartbeats")).isFalse();
    }

    @Test
    void heartbeatsUseTheSeparator() {
        IdentityReplicationPolicy underscore = new IdentityReplicationPolicy("_", "A");
        assertThat(underscore.formatRemoteTopic("A", "heartbeats")).isEqualTo("A_heartbeats");
        assertThat(underscore.topicSource("A_heartbeats")).isEqualTo("A");
        assertThat(underscore.isHeartbeatsTopic("A_heartbeats")).isTrue();
        // With "_" the dotted name is not parsed as remote: it is a local topic whose name ends in heartbeats.
        assertThat(underscore.topicSource("A.heartbeats")).isNull();
        assertThat(underscore.isHeartbeatsTopic("A.heartbeats")).isFalse();
    }

    @Test
    void internalTopicsAreNamedAsByTheDefaultPolicy() {
        assertThat(fromA.offsetSyncsTopic("B")).isEqualTo("mm2-offset-syncs.B.internal");
        assertThat(fromA.checkpointsTopic("A")).isEqualTo("A.checkpoints.internal");
        assertThat(new IdentityReplicationPolicy("__", "A").checkpointsTopic("A")).isEqualTo("A__checkpoints__internal");
        assertThat(new IdentityReplicationPolicy("__", false, "A").checkpointsTopic("A"))
                .isEqualTo("A.checkpoints.internal");
        assertThat(fromA.isInternalTopic("mm2-offset-syncs.B.internal")).isTrue();
        assertThat(fromA.isInternalTopic("__consumer_offsets")).isTrue();
        assertThat(fromA.isInternalTopic("orders")).isFalse();
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ReplicationPolicy copy = DefaultReplicationPolicyTest.roundTrip(fromA);
        assertThat(copy).isEqualTo(fromA).isInstanceOf(IdentityReplicationPolicy.class);
        assertThat(copy.topicSource("orders")).isEqualTo("A");
    }
}
