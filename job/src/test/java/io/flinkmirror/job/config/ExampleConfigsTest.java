package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

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
        assertThat(config.flinkOptions()).containsEntry("execution.checkpointing.interval", "5 s");
    }

    @Test
    void shouldLoadTheActiveActiveExampleAsTwoFlows() {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "active-active.properties"));
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("east->west", "west->east");
        assertThat(config.flows().get(0).replicationPolicy().formatRemoteTopic("east", "orders"))
                .isEqualTo("east.orders");
    }

    @Test
    void shouldLoadThePrometheusExampleWithAReporterFlinkCanLoad() throws Exception {
        MirrorConfig config = MirrorConfig.load(Paths.get("..", "conf", "prometheus.properties"));
        String factory = config.flinkOptions().get("metrics.reporter.prom.factory.class");
        assertThat(factory).isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
        assertThat(Class.forName(factory)).isNotNull(); // on bin/mirror's classpath
        assertThat(config.flinkOptions()).containsEntry("metrics.reporter.prom.port", "9249");
    }
}
