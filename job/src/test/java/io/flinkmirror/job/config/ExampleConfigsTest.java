package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The example configs in conf/ are valid and mean what their comments say. */
class ExampleConfigsTest {

    @Test
    void shouldLoadTheActivePassiveExample() {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "mirror.properties"));
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("primary->backup");
        FlowConfig flow = config.flows().get(0);
        assertThat(flow.topicFilter().shouldReplicateTopic("orders-eu")).isTrue();
        assertThat(flow.topicFilter().shouldReplicateTopic("payments")).isTrue();
        assertThat(flow.topicFilter().shouldReplicateTopic("clicks")).isFalse();
        assertThat(flow.exactlyOnce()).isTrue();
        assertThat(config.flinkOptions()).containsEntry("execution.checkpointing.interval", "200 ms")
                .containsEntry("execution.checkpointing.interval-during-backlog", "5 s");
    }

    @Test
    void shouldLoadTheMirrorMaker2ActivePassiveExampleWithItsTransformsAndSyncs() {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "mm2-active-passive.properties"));
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("primary->backup");
        FlowConfig flow = config.flows().get(0);
        assertThat(flow.topicFilter().shouldReplicateTopic("orders")).isTrue();
        assertThat(flow.topicFilter().shouldReplicateTopic("payments-eu")).isTrue();
        assertThat(flow.topicFilter().shouldReplicateTopic("orders-archive")).isFalse();
        assertThat(flow.recordTransformer().active()).isTrue();
        assertThat(flow.recordTransformer().toString()).contains("dropDebug").contains("stripInternal");
        assertThat(flow.syncTopicAcls()).isTrue();
        assertThat(flow.syncTopicAclsInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(flow.syncTopicConfigs()).isTrue();
        assertThat(flow.syncGroupOffsets()).isTrue();
        assertThat(flow.emitCheckpointsInterval()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(flow.replicationFactor()).isEqualTo(1);
        assertThat(flow.exactlyOnce()).as("the default, no flink.* key needed").isTrue();
        assertThat(config.flinkOptions()).isEmpty();
    }

    @Test
    void shouldLoadTheActiveActiveExampleAsTwoFlows() {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "active-active.properties"));
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("east->west", "west->east");
        assertThat(config.flows().get(0).replicationPolicy().formatRemoteTopic("east", "orders"))
                .isEqualTo("east.orders");
    }

    @Test
    void shouldLoadTheHubAndSpokeExampleAsTwoFlowsIntoOneTarget() {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "hub-and-spoke.properties"));
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactlyInAnyOrder("eu->central",
                "us->central");
        assertThat(config.flows()).extracting(FlowConfig::checkpointsTopic).containsExactlyInAnyOrder(
                "eu.checkpoints.internal", "us.checkpoints.internal");
        assertThat(config.flows()).extracting(FlowConfig::offsetSyncsTopic).containsExactlyInAnyOrder(
                "mm2-offset-syncs.eu.internal", "mm2-offset-syncs.us.internal");
        assertThat(config.flows()).extracting(FlowConfig::throttleBytesPerSecond).containsExactlyInAnyOrder(0L,
                20_000_000L);
    }

    @Test
    void shouldLoadTheFanOutExampleAsTwoFlowsFromOneSource() {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "fan-out.properties"));
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactlyInAnyOrder("primary->dr",
                "primary->analytics");
        assertThat(config.flows()).extracting(FlowConfig::sourceGroupId).containsExactlyInAnyOrder(
                "flink-mirror-primary-dr", "flink-mirror-primary-analytics");
        FlowConfig analytics = config.flows().stream().filter(f -> f.target().equals("analytics")).findFirst()
                .orElseThrow();
        assertThat(analytics.throttleBytesPerSecond()).isEqualTo(50_000_000L);
        assertThat(analytics.topicFilter().shouldReplicateTopic("payments")).isFalse();
    }

    @Test
    void shouldLoadThePrometheusExampleWithAReporterFlinkCanLoad() throws Exception {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "prometheus.properties"));
        String factory = config.flinkOptions().get("metrics.reporter.prom.factory.class");
        assertThat(factory).isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(Class.forName(factory)).isNotNull(); // on bin/mirror's classpath
        assertThat(config.flinkOptions()).containsEntry("metrics.reporter.prom.port", "9249");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldDescribeASavepointUpgradedDeploymentWhoseConfigTheJobReads(@TempDir Path dir) throws Exception {
        List<Map<String, Object>> docs = new ArrayList<>();
        new Load(LoadSettings.builder().build()).loadAllFromString(
                Files.readString(Paths.get("..", "conf", "flink-deployment.yaml")))
                .forEach(doc -> docs.add((Map<String, Object>) doc));
        Map<String, Object> configMap = docs.get(0);
        Map<String, Object> deployment = docs.get(1);
        assertThat(configMap.get("kind")).isEqualTo("ConfigMap");
        assertThat(deployment.get("kind")).isEqualTo("FlinkDeployment");

        Path properties = dir.resolve("mirror.properties");
        Files.writeString(properties, (String) ((Map<String, Object>) configMap.get("data")).get("mirror.properties"));
        assertThat(MirrorConfig.load(properties).flows()).extracting(FlowConfig::name).containsExactly("A->B");

        Map<String, Object> spec = (Map<String, Object>) deployment.get("spec");
        Map<String, Object> job = (Map<String, Object>) spec.get("job");
        assertThat(job.get("upgradeMode")).isEqualTo("savepoint");
        assertThat(job.get("args")).isEqualTo(List.of("--config", "/opt/flink-mirror/mirror.properties"));
        assertThat((Map<String, Object>) spec.get("flinkConfiguration")).containsKeys(
                CheckpointingOptions.SAVEPOINT_DIRECTORY.key(), CheckpointingOptions.CHECKPOINTS_DIRECTORY.key());
    }
}
