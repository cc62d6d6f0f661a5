package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.config.MirrorConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Savepoint compatibility of the job graph: every operator, in every shape the config can give, has a stable uid
 * from {@link MirrorOperator} (generated ids change when the graph changes, and state under them would be lost). Flink
 * derives the sink committers' uids from the sinks' ({@code Sink Committer: mirror-A-B-sink}).
 */
class OperatorUidsTest {

    private static List<StreamNode> nodes(Map<String, String> extra) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B");
        props.put("A.bootstrap.servers", "a:9092");
        props.put("B.bootstrap.servers", "b:9092");
        props.put("A->B.enabled", "true");
        props.putAll(extra);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        new MirrorJob(MirrorConfig.parse(props)).build(env);
        return List.copyOf(env.getStreamGraph().getStreamNodes());
    }

    @Test
    void shouldGiveEveryOperatorAStableUidInEveryGraphShape() {
        for (Map<String, String> shape : List.of(
                Map.<String, String>of(),
                Map.of("sync.group.offsets.enabled", "true"),
                Map.of("emit.checkpoints.interval.seconds", "0"),
                Map.of("emit.checkpoints.enabled", "false", "emit.offset-syncs.enabled", "false"),
                Map.of("offset-syncs.topic.location", "source", "B->A.enabled", "true"))) {
            List<StreamNode> nodes = nodes(shape);
            assertThat(nodes).as("graph for %s", shape).isNotEmpty().allSatisfy(node ->
                    assertThat(node.getTransformationUID()).as("uid of '%s' with %s", node.getOperatorName(), shape)
                            .isNotNull().matches("(Sink Committer: )?mirror-.+"));
        }
    }
}
