package io.flinkmirror.udfs.offsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkmirror.cli.local.LocalKafkaCluster;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.TopicDescription;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MM2's {@code checkpoints/heartbeats/offset-syncs.topic.replication.factor} reach the internal topics Flink Mirror
 * creates; without them the broker's {@code default.replication.factor} applies.
 */
class InternalTopicsIT {

    @TempDir
    Path dir;

    @Test
    void shouldCreateInternalTopicsWithTheConfiguredReplicationFactorOrTheBrokersDefault() throws Exception {
        try (LocalKafkaCluster kafka = LocalKafkaCluster.start("internal-topics", dir,
                Map.of("default.replication.factor", "1"))) {
            Map<String, String> admin = kafka.clientProperties();

            // One broker: 1 replica explicitly or by the broker's default; 2 replicas are refused by the broker,
            // which shows that the configured factor is what the creation asks for.
            InternalTopics.ensure(admin, "A.checkpoints.internal", 1);
            InternalTopics.ensure(admin, "heartbeats", -1);
            InternalTopics.ensure(admin, "A.checkpoints.internal", 1); // exists: nothing to do

            Map<String, TopicDescription> topics = kafka.admin()
                    .describeTopics(List.of("A.checkpoints.internal", "heartbeats")).allTopicNames().get();
            assertThat(topics.get("A.checkpoints.internal").partitions()).singleElement()
                    .satisfies(p -> assertThat(p.replicas()).hasSize(1));
            assertThat(topics.get("heartbeats").partitions()).singleElement()
                    .satisfies(p -> assertThat(p.replicas()).hasSize(1));
            assertThatThrownBy(() -> InternalTopics.ensure(admin, "mm2-offset-syncs.A.internal", 2))
                    .hasMessageContaining("could not create internal topic mm2-offset-syncs.A.internal")
                    .hasMessageContaining("replication factor");
        }
    }
}
