package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which pairs emit heartbeats: MirrorMaker 2's herder rule ({@code MirrorMakerConfig.clusterPairs}). */
class HeartbeatFlowsTest {

    private static Map<String, String> chain() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B, C");
        props.put("A.bootstrap.servers", "a:9092");
        props.put("B.bootstrap.servers", "b:9092");
        props.put("C.bootstrap.servers", "c:9092");
        props.put("A->B.enabled", "true");
        props.put("B->C.enabled", "true");
        return props;
    }

    @Test
    void everyPairEmitsHeartbeatsByDefaultButOnlyEnabledPairsReplicate() {
        MirrorConfig config = MirrorConfig.parse(chain());

        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("A->B", "B->C");
        assertThat(config.heartbeatFlows()).extracting(FlowConfig::name)
                .containsExactly("A->B", "B->C", "A->C", "B->A", "C->A", "C->B");
        assertThat(config.heartbeatFlows()).allSatisfy(flow -> {
            assertThat(flow.emitHeartbeatsInterval()).isEqualTo(Duration.ofSeconds(1));
            assertThat(flow.heartbeatsTopic()).isEqualTo("heartbeats");
        });
    }

    @Test
    void heartbeatOnlyPairWritesToItsTargetCluster() {
        FlowConfig ba = MirrorConfig.parse(chain()).heartbeatFlows().stream()
                .filter(flow -> flow.name().equals("B->A")).findFirst().orElseThrow();

        assertThat(ba.targetProducerProps()).containsEntry("bootstrap.servers", "a:9092");
        assertThat(ba.targetAdminProps()).containsEntry("bootstrap.servers", "a:9092");
    }

    @Test
    void intervalAndPerPairSwitchesAreHonoured() {
        Map<String, String> props = chain();
        props.put("emit.heartbeats.interval.seconds", "5");
        props.put("C->A.emit.heartbeats.enabled", "false");
        props.put("C->B.emit.heartbeats.interval.seconds", "0");

        MirrorConfig config = MirrorConfig.parse(props);

        assertThat(config.heartbeatFlows()).extracting(FlowConfig::name)
                .containsExactly("A->B", "B->C", "A->C", "B->A");
        assertThat(config.heartbeatFlows()).extracting(FlowConfig::emitHeartbeatsInterval)
                .containsOnly(Duration.ofSeconds(5));
    }

    @Test
    void globallyDisabledHeartbeatsLeaveOnlyReplicatingPairsWithoutEmitters() {
        Map<String, String> props = chain();
        props.put("emit.heartbeats.enabled", "false");

        MirrorConfig config = MirrorConfig.parse(props);

        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("A->B", "B->C");
        assertThat(config.heartbeatFlows()).isEmpty();

        props.put("A->B.emit.heartbeats.enabled", "true");
        assertThat(MirrorConfig.parse(props).heartbeatFlows()).extracting(FlowConfig::name).containsExactly("A->B");
    }

    @Test
    void zeroIntervalDisablesEveryEmitter() {
        Map<String, String> props = chain();
        props.put("emit.heartbeats.interval.seconds", "0");

        assertThat(MirrorConfig.parse(props).heartbeatFlows()).isEmpty();
    }

    @Test
    void clusterWithoutBootstrapServersGetsNoHeartbeats() {
        Map<String, String> props = chain();
        props.put("clusters", "A, B, C, D");

        assertThat(MirrorConfig.parse(props).heartbeatFlows()).extracting(FlowConfig::name)
                .doesNotContain("A->D", "B->D", "C->D")
                .contains("D->A", "D->B", "D->C");
    }
}
