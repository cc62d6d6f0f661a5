package io.flinkmirror.udfs.topic;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultConfigPropertyFilterTest {

    @Test
    void shouldExcludeMirrorMakerDefaultsAndKeepTheRest() {
        DefaultConfigPropertyFilter filter = new DefaultConfigPropertyFilter();
        assertThat(filter.shouldReplicateConfigProperty("min.insync.replicas")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("unclean.leader.election.enable")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("message.timestamp.type")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("message.timestamp.difference.max.ms")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("leader.replication.throttled.replicas")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("follower.replication.throttled.replicas")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("retention.ms")).isTrue();
        assertThat(filter.shouldReplicateConfigProperty("cleanup.policy")).isTrue();
    }

    @Test
    void shouldUseFullMatchOfCustomExclusions() {
        DefaultConfigPropertyFilter filter = new DefaultConfigPropertyFilter(List.of("retention\\..*"));
        assertThat(filter.shouldReplicateConfigProperty("retention.ms")).isFalse();
        assertThat(filter.shouldReplicateConfigProperty("min.insync.replicas")).isTrue();
        assertThat(filter.shouldReplicateConfigProperty("x.retention.ms")).isTrue();
    }
}
