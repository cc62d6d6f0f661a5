package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.config.MirrorConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/** The job graph: one heartbeat emitter per heartbeat-emitting pair, and replication only for enabled pairs. */
class HeartbeatWiringTest {

    private static Set<String> uids(Map<String, String> props) {
        MirrorJob job = new MirrorJob(MirrorConfig.parse(props));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        job.build(env);
        return env.getStreamGraph().getStreamNodes().stream().map(StreamNode::getTransformationUID)
                .collect(Collectors.toSet());
    }

    private static Map<String, String> oneFlow() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B");
        props.put("A.bootstrap.servers", "a:9092");
        props.put("B.bootstrap.servers", "b:9092");
        props.put("A->B.enabled", "true");
        return props;
    }

    @Test
    void shouldEmitHeartbeatsBothWaysButReplicateOnlyTheEnabledFlow() {
        Set<String> uids = uids(oneFlow());

        for (String pair : new String[] {"A-B", "B-A"}) {
            assertThat(uids).contains("mirror-" + pair + "-heartbeats-ticks", "mirror-" + pair + "-heartbeats",
                    "mirror-" + pair + "-heartbeats-sink");
        }
        assertThat(uids).contains("mirror-A-B-source", "mirror-A-B-sink");
        assertThat(uids).filteredOn(uid -> uid.startsWith("mirror-B-A-"))
                .containsExactlyInAnyOrder("mirror-B-A-heartbeats-ticks", "mirror-B-A-heartbeats",
                        "mirror-B-A-heartbeats-sink");
    }

    @Test
    void shouldAddNoEmitterWhenHeartbeatsAreDisabled() {
        Map<String, String> props = oneFlow();
        props.put("emit.heartbeats.enabled", "false");

        assertThat(uids(props)).noneMatch(uid -> uid.contains("heartbeats")).contains("mirror-A-B-source");
    }
}
