package io.flinkmirror.udfs.topic;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.udfs.filter.DefaultTopicFilter;
import io.flinkmirror.udfs.policy.DefaultReplicationPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicSelectorTest {

    private final TopicSelector aToB = new TopicSelector(
            new DefaultTopicFilter(List.of(".*"), DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT),
            new DefaultReplicationPolicy(), "B");

    @Test
    void shouldReplicateLocalAndThirdPartyRemoteTopics() {
        assertThat(aToB.shouldReplicate("orders")).isTrue();
        assertThat(aToB.shouldReplicate("C.orders")).isTrue();
    }

    @Test
    void shouldNotSendTopicsBackToTheClusterTheyCameFrom() {
        assertThat(aToB.shouldReplicate("B.orders")).isFalse();
        assertThat(aToB.shouldReplicate("C.B.orders")).isFalse();
        assertThat(aToB.isCycle("C.orders")).isFalse();
    }

    @Test
    void shouldNeverReplicateInternalTopics() {
        assertThat(aToB.shouldReplicate("__consumer_offsets")).isFalse();
        assertThat(aToB.shouldReplicate("mm2-offset-syncs.B.internal")).isFalse();
        assertThat(aToB.shouldReplicate("A.checkpoints.internal")).isFalse();
        assertThat(aToB.shouldReplicate("connect-offsets-internal")).isFalse();
    }

    @Test
    void shouldReplicateHeartbeatsEvenWhenTheFilterDoesNot() {
        TopicSelector onlyOrders = new TopicSelector(new DefaultTopicFilter(List.of("orders"), List.of()),
                new DefaultReplicationPolicy(), "B");
        assertThat(onlyOrders.shouldReplicate("heartbeats")).isTrue();
        assertThat(onlyOrders.shouldReplicate("C.heartbeats")).isTrue();
        assertThat(onlyOrders.shouldReplicate("payments")).isFalse();
    }
}
