package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Client property precedence, as MirrorMaker 2's MirrorMakerConfig and MirrorConnectorConfig compute it. */
class ClientPropsTest {

    private static FlowConfig flow(Map<String, String> extra) {
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.putAll(extra);
        return MirrorConfig.parse(props).flows().get(0);
    }

    @Test
    void clusterKeysBeatTopLevelKeys() {
        FlowConfig flow = flow(Map.of(
                "security.protocol", "SSL",
                "A.security.protocol", "SASL_SSL",
                "A.sasl.jaas.config", "org.example.Login required;",
                "ssl.truststore.location", "/etc/truststore.jks"));

        assertThat(flow.sourceConsumerProps())
                .containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.jaas.config", "org.example.Login required;")
                .containsEntry("ssl.truststore.location", "/etc/truststore.jks");
        assertThat(flow.sourceAdminProps()).containsEntry("security.protocol", "SASL_SSL");
        assertThat(flow.targetProducerProps())
                .containsEntry("security.protocol", "SSL")
                .doesNotContainKey("sasl.jaas.config");
        assertThat(flow.targetAdminProps()).containsEntry("bootstrap.servers", "b1:9092");
    }

    @Test
    void clientKindKeysBeatClusterKeys() {
        FlowConfig flow = flow(Map.of(
                "A.security.protocol", "SASL_SSL",
                "A.consumer.security.protocol", "SASL_PLAINTEXT"));

        assertThat(flow.sourceConsumerProps()).containsEntry("security.protocol", "SASL_PLAINTEXT");
        assertThat(flow.sourceAdminProps()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void perFlowSideKeysBeatClusterClientKeysWhichBeatPerFlowClientKeys() {
        FlowConfig all = flow(Map.of(
                "A->B.consumer.max.poll.records", "3",
                "A.consumer.max.poll.records", "5",
                "A->B.source.consumer.max.poll.records", "7"));
        assertThat(all.sourceConsumerProps()).containsEntry("max.poll.records", "7");

        FlowConfig noSide = flow(Map.of(
                "A->B.consumer.max.poll.records", "3",
                "A.consumer.max.poll.records", "5"));
        assertThat(noSide.sourceConsumerProps()).containsEntry("max.poll.records", "5");

        FlowConfig flowOnly = flow(Map.of("A->B.consumer.max.poll.records", "3"));
        assertThat(flowOnly.sourceConsumerProps()).containsEntry("max.poll.records", "3");
        // The connector-level consumer.* applies to the flow's target consumer too.
        assertThat(flowOnly.targetConsumerProps()).containsEntry("max.poll.records", "3");
    }

    @Test
    void perFlowClientKeyLosesEvenToTopLevelClusterWideKey() {
        FlowConfig flow = flow(Map.of(
                "security.protocol", "SASL_SSL",
                "A->B.consumer.security.protocol", "SSL"));

        assertThat(flow.sourceConsumerProps()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void targetProducerChainEndsWithConnectProducerOverride() {
        FlowConfig flow = flow(Map.of(
                "A->B.producer.compression.type", "gzip",
                "B.producer.compression.type", "zstd",
                "B.producer.linger.ms", "20",
                "A->B.target.producer.linger.ms", "50",
                "A->B.producer.override.compression.type", "lz4"));

        assertThat(flow.targetProducerProps())
                .containsEntry("compression.type", "lz4")
                .containsEntry("linger.ms", "50")
                .containsEntry("bootstrap.servers", "b1:9092");
        assertThat(flow.sourceProducerProps()).containsEntry("compression.type", "gzip");
    }

    @Test
    void perFlowClusterKeysAreTheWeakest() {
        FlowConfig flow = flow(Map.of("A->B.source.cluster.security.protocol", "SSL"));
        assertThat(flow.sourceConsumerProps()).containsEntry("security.protocol", "SSL");

        FlowConfig shadowed = flow(Map.of(
                "A->B.source.cluster.security.protocol", "SSL",
                "A.security.protocol", "SASL_SSL"));
        assertThat(shadowed.sourceConsumerProps()).containsEntry("security.protocol", "SASL_SSL");
    }

    @Test
    void topLevelBootstrapServersServeClustersWithoutTheirOwn() {
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.remove("B.bootstrap.servers");
        props.put("bootstrap.servers", "shared:9092");

        FlowConfig flow = MirrorConfig.parse(props).flows().get(0);

        assertThat(flow.targetProducerProps()).containsEntry("bootstrap.servers", "shared:9092");
        assertThat(flow.sourceConsumerProps()).containsEntry("bootstrap.servers", "a1:9092,a2:9092");
    }

    @Test
    void consumersNeverAutoCommitAndStartFromEarliestUnlessTold() {
        FlowConfig defaults = flow(Map.of());
        assertThat(defaults.sourceConsumerProps())
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("auto.offset.reset", "earliest");

        FlowConfig overridden = flow(Map.of(
                "A.consumer.auto.offset.reset", "latest",
                "A.consumer.enable.auto.commit", "true"));
        assertThat(overridden.sourceConsumerProps())
                .containsEntry("enable.auto.commit", "false")
                .containsEntry("auto.offset.reset", "latest");
    }

    @Test
    void keysAClientDoesNotDefineAreDropped() {
        // MM2 leaks its own consumer.poll.timeout.ms into the consumer as "poll.timeout.ms".
        FlowConfig flow = flow(Map.of("A->B.consumer.poll.timeout.ms", "500"));

        assertThat(flow.sourceConsumerProps()).doesNotContainKey("poll.timeout.ms");
    }
}
