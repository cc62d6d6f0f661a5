package io.flinkmirror.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkmirror.job.config.MirrorConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.junit.jupiter.api.Test;

/**
 * Savepoint compatibility of the job graph: every operator, in every shape the config can give, has a stable uid
 * from {@link MirrorOperator} (generated ids change when the graph changes, and state under them would be lost). Flink
 * derives the sink committers' uids from the sinks' ({@code Sink Committer: mirror-A-B-sink}).
 *
 * <p>The uids of every shape are compared with the checked-in list {@code operator-uids.txt}: a renamed uid drops
 * the state under it at the next restore, so a change needs the list changed on purpose
 * ({@code mvn -pl job test -Dtest=OperatorUidsTest -Dupdate.uids=true}) and a note on savepoint compatibility.
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

    private static final List<Map<String, String>> SHAPES = List.of(
            Map.<String, String>of(),
            Map.of("sync.group.offsets.enabled", "true"),
            Map.of("emit.checkpoints.interval.seconds", "0"),
            Map.of("emit.checkpoints.enabled", "false", "emit.offset-syncs.enabled", "false"),
            Map.of("offset-syncs.topic.location", "source", "B->A.enabled", "true"));

    private static final Path LIST = Path.of("src/test/resources/operator-uids.txt");

    @Test
    void shouldGiveEveryOperatorAStableUidInEveryGraphShape() {
        for (Map<String, String> shape : SHAPES) {
            List<StreamNode> nodes = nodes(shape);
            assertThat(nodes).as("graph for %s", shape).isNotEmpty().allSatisfy(node ->
                    assertThat(node.getTransformationUID()).as("uid of '%s' with %s", node.getOperatorName(), shape)
                            .isNotNull().matches("(Sink Committer: )?mirror-.+"));
        }
    }

    @Test
    void shouldKeepTheUidsOfTheCheckedInList() throws Exception {
        StringBuilder actual = new StringBuilder("# Operator uids per graph shape (OperatorUidsTest). A change drops "
                + "the state of a renamed operator at the next restore: change this list on purpose only.\n");
        for (Map<String, String> shape : SHAPES) {
            actual.append("\n[").append(new java.util.TreeMap<>(shape)).append("]\n");
            TreeSet<String> uids = new TreeSet<>();
            nodes(shape).forEach(node -> uids.add(node.getTransformationUID()));
            uids.forEach(uid -> actual.append(uid).append('\n'));
        }
        if (Boolean.getBoolean("update.uids")) {
            Files.writeString(LIST, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual.toString()).as("operator uids against %s (a renamed uid loses its state on restore; if "
                + "intended: -Dupdate.uids=true and a savepoint note)", LIST)
                .isEqualTo(Files.readString(LIST, StandardCharsets.UTF_8));
    }
}
