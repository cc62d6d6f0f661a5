package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkmirror.udfs.filter.DefaultGroupFilter;
import io.flinkmirror.udfs.filter.DefaultTopicFilter;
import io.flinkmirror.udfs.policy.DefaultReplicationPolicy;
import io.flinkmirror.udfs.policy.IdentityReplicationPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorConfigTest {

    /** Equivalent of apache/kafka's config/connect-mirror-maker.properties (MM2's sample file), comments included. */
    private static final String MM2_SAMPLE = """
            # Sample MirrorMaker 2.0 top-level configuration file
            # Run with ./bin/connect-mirror-maker.sh connect-mirror-maker.properties

            # specify any number of cluster aliases
            clusters = A, B

            # connection information for each cluster
            A.bootstrap.servers = A_host1:9092, A_host2:9092, A_host3:9092
            B.bootstrap.servers = B_host1:9092, B_host2:9092, B_host3:9092

            # enable and configure individual replication flows
            A->B.enabled = true
            A->B.topics = .*

            B->A.enabled = true
            B->A.topics = .*

            # replication factor of newly created remote topics
            replication.factor=1

            # replication factor of MM2's internal topics
            checkpoints.topic.replication.factor=1
            heartbeats.topic.replication.factor=1
            offset-syncs.topic.replication.factor=1

            # replication factor of Connect's internal topics
            offset.storage.replication.factor=1
            status.storage.replication.factor=1
            config.storage.replication.factor=1

            # customize as needed
            # replication.policy.separator = _
            # sync.topic.acls.enabled = false
            # emit.heartbeats.interval.seconds = 5
            """;

    @TempDir
    Path dir;

    @Test
    void mirrorMakersSampleFileLoadsUnchanged() throws Exception {
        Path file = write("connect-mirror-maker.properties", MM2_SAMPLE);

        MirrorConfig config = MirrorConfig.load(file);

        assertThat(config.clusters()).containsExactly("A", "B");
        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("A->B", "B->A");
        FlowConfig ab = config.flows().get(0);
        assertThat(ab.replicationFactor()).isEqualTo(1);
        assertThat(ab.topicFilter().shouldReplicateTopic("orders")).isTrue();
        assertThat(ab.sourceConsumerProps()).containsEntry("bootstrap.servers",
                "A_host1:9092, A_host2:9092, A_host3:9092");
        assertThat(ab.targetProducerProps()).containsEntry("bootstrap.servers",
                "B_host1:9092, B_host2:9092, B_host3:9092");
        assertThat(ab.checkpointsTopicReplicationFactor()).isEqualTo(1);
        assertThat(ab.heartbeatsTopicReplicationFactor()).isEqualTo(1);
        assertThat(ab.offsetSyncsTopicReplicationFactor()).isEqualTo(1);
        assertThat(config.ignoredKeys()).containsExactly("offset.storage.replication.factor",
                "status.storage.replication.factor", "config.storage.replication.factor");
        assertThat(config.flinkOptions()).isEmpty();
    }

    @Test
    void recordTransformsAreReadPerFlowOverTopLevelAndValidatedAtParseTime() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B");
        props.put("A.bootstrap.servers", "a:9092");
        props.put("B.bootstrap.servers", "b:9092");
        props.put("A->B.enabled", "true");
        props.put("transforms", "dropDebug");
        props.put("transforms.dropDebug.type", "org.apache.kafka.connect.transforms.Filter");
        props.put("transforms.dropDebug.predicate", "isDebug");
        props.put("predicates", "isDebug");
        props.put("predicates.isDebug.type", "org.apache.kafka.connect.transforms.predicates.HasHeaderKey");
        props.put("predicates.isDebug.name", "debug");
        props.put("A->B.predicates.isDebug.name", "trace");
        props.put("errors.tolerance", "all");
        props.put("A->B.flink.record.function.class", "io.flinkmirror.udfs.transform.examples.MaskField");
        props.put("A->B.flink.record.function.field", "ssn");

        MirrorConfig config = MirrorConfig.parse(props);

        assertThat(config.ignoredKeys()).isEmpty();
        assertThat(config.flinkOptions()).isEmpty();
        assertThat(config.flows().get(0).recordTransformer().active()).isTrue();
        assertThat(config.flows().get(0).recordTransformer().toString())
                .contains("transforms=dropDebug", "MaskField", "errors.tolerance=all");

        props.put("A->B.transforms.dropDebug.type", "org.example.Missing");
        assertThatThrownBy(() -> MirrorConfig.parse(props)).isInstanceOf(ConfigException.class)
                .hasMessageContainingAll("Invalid value 'org.example.Missing' for key 'A->B.transforms.dropDebug.type'",
                        "class not found", "Transformation");
        props.remove("A->B.transforms.dropDebug.type");

        props.put("A->B.errors.tolerance", "some");
        assertThatThrownBy(() -> MirrorConfig.parse(props)).isInstanceOf(ConfigException.class)
                .hasMessageContainingAll("'some'", "'A->B.errors.tolerance'", "none", "all");
        props.remove("A->B.errors.tolerance");

        props.put("A->B.transforms", "route");
        props.put("A->B.transforms.route.type", "org.apache.kafka.connect.transforms.TimestampRouter");
        assertThatThrownBy(() -> MirrorConfig.parse(props)).isInstanceOf(ConfigException.class)
                .hasMessageContainingAll("'A->B.transforms.route.type'", "renames topics");

        props.put("A->B.transforms", " ");
        props.put("A->B.flink.record.function.class", "java.lang.String");
        assertThatThrownBy(() -> MirrorConfig.parse(props)).isInstanceOf(ConfigException.class)
                .hasMessageContainingAll("'A->B.flink.record.function.class'", "RecordFunction");
        props.remove("A->B.flink.record.function.class");
        assertThat(MirrorConfig.parse(props).flows().get(0).recordTransformer().active()).isFalse();
    }

    @Test
    void connectWorkerAndConnectorKeysAreAcceptedAndReportedAsIgnored() {
        Map<String, String> props = MirrorConfigValidationTest.base();
        Map<String, String> connectKeys = new LinkedHashMap<>();
        connectKeys.put("tasks.max", "4");
        connectKeys.put("A->B.tasks.max", "8");
        connectKeys.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        connectKeys.put("value.converter.schemas.enable", "false");
        connectKeys.put("plugin.path", "/opt/plugins");
        connectKeys.put("plugin.discovery", "service_load");
        connectKeys.put("listeners", "http://:8083");
        connectKeys.put("dedicated.mode.enable.internal.rest", "true");
        connectKeys.put("exactly.once.source.support", "enabled");
        connectKeys.put("offset.flush.interval.ms", "10000");
        connectKeys.put("consumer.poll.timeout.ms", "500");
        connectKeys.put("B.offset.storage.topic", "mm2-offsets");
        connectKeys.put("status.storage.topic", "mm2-status");
        connectKeys.put("config.storage.topic", "mm2-configs");
        connectKeys.put("consumer.max.poll.records", "100");
        connectKeys.put("A.client.id", "mm2-a");
        connectKeys.put("A->B.security.protocol", "SSL");
        connectKeys.put("C.bootstrap.servers", "c:9092");
        props.putAll(connectKeys);

        MirrorConfig config = MirrorConfig.parse(props);

        assertThat(config.ignoredKeys()).containsExactlyElementsOf(connectKeys.keySet());
        assertThat(config.flows()).hasSize(1);
        assertThat(config.flows().get(0).sourceConsumerProps())
                .doesNotContainKeys("max.poll.records", "client.id")
                .doesNotContainEntry("security.protocol", "SSL");
    }

    @Test
    void defaults() {
        FlowConfig flow = MirrorConfig.parse(MirrorConfigValidationTest.base()).flows().get(0);

        assertThat(flow.source()).isEqualTo("A");
        assertThat(flow.target()).isEqualTo("B");
        assertThat(flow.name()).isEqualTo("A->B");
        assertThat(flow.replicationPolicy()).isEqualTo(new DefaultReplicationPolicy("."));
        assertThat(flow.replicationFactor()).isEqualTo(-1);
        assertThat(flow.checkpointsTopicReplicationFactor()).isEqualTo(-1);
        assertThat(flow.heartbeatsTopicReplicationFactor()).isEqualTo(-1);
        assertThat(flow.offsetSyncsTopicReplicationFactor()).isEqualTo(-1);
        assertThat(flow.syncTopicConfigs()).isTrue();
        assertThat(flow.syncTopicConfigsInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(flow.syncTopicAcls()).isTrue();
        assertThat(flow.syncTopicAclsInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(flow.topicAclsTopic()).isEqualTo("mm2-topic-acls.A.internal");
        assertThat(flow.refreshTopicsInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(flow.refreshGroupsInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(flow.emitCheckpointsInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(flow.emitHeartbeatsInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(flow.syncGroupOffsets()).isFalse();
        assertThat(flow.syncGroupOffsetsInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(flow.offsetSyncsTopicLocation()).isEqualTo(FlowConfig.Location.TARGET);
        assertThat(flow.offsetSyncsTopic()).isEqualTo("mm2-offset-syncs.A.internal");
        assertThat(flow.checkpointsTopic()).isEqualTo("A.checkpoints.internal");
        assertThat(flow.heartbeatsTopic()).isEqualTo("heartbeats");
        assertThat(flow.offsetLagMax()).isEqualTo(100);
        assertThat(flow.replicateHeartbeats()).isTrue();
        assertThat(flow.exactlyOnce()).isTrue();
        assertThat(flow.sinkTransactionTimeout()).isEqualTo(Duration.ofMinutes(15));
        assertThat(flow.provenanceHeader()).isFalse();
        assertThat(flow.throttleBytesPerSecond()).isZero();
        assertThat(flow.configPropertiesExclude()).contains("min\\.insync\\.replicas");
        assertThat(((DefaultTopicFilter) flow.topicFilter()).excludeRegexes())
                .isEqualTo(DefaultTopicFilter.TOPICS_EXCLUDE_DEFAULT);
        assertThat(((DefaultGroupFilter) flow.groupFilter()).excludeRegexes())
                .isEqualTo(DefaultGroupFilter.GROUPS_EXCLUDE_DEFAULT);
        assertThat(flow.topicFilter().shouldReplicateTopic("__consumer_offsets")).isFalse();
        assertThat(flow.groupFilter().shouldReplicateGroup("console-consumer-1")).isFalse();
    }

    @Test
    void severalFlowsInFileOrderWithPerFlowOverrides() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B, C");
        props.put("A.bootstrap.servers", "a:9092");
        props.put("B.bootstrap.servers", "b:9092");
        props.put("C.bootstrap.servers", "c:9092");
        props.put("topics", "orders.*");
        props.put("refresh.topics.interval.seconds", "30");
        props.put("C->A.enabled", "true");
        props.put("C->A.topics", "payments");
        props.put("A->B.enabled", "true");
        props.put("A->B.refresh.topics.interval.seconds", "5");
        props.put("A->B.flink.delivery.guarantee", "at-least-once");
        props.put("flink.throttle.bytes.per.second", "1000000");
        props.put("A->B.flink.throttle.bytes.per.second", "0");
        props.put("B->C.enabled", "false");

        List<FlowConfig> flows = MirrorConfig.parse(props).flows();

        assertThat(flows).extracting(FlowConfig::name).containsExactly("C->A", "A->B");
        FlowConfig ca = flows.get(0);
        FlowConfig ab = flows.get(1);
        assertThat(ca.topicFilter().shouldReplicateTopic("payments")).isTrue();
        assertThat(ca.topicFilter().shouldReplicateTopic("orders-1")).isFalse();
        assertThat(ab.topicFilter().shouldReplicateTopic("orders-1")).isTrue();
        assertThat(ca.refreshTopicsInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(ab.refreshTopicsInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(ca.exactlyOnce()).isTrue();
        assertThat(ab.exactlyOnce()).isFalse();
        assertThat(ca.throttleBytesPerSecond()).isEqualTo(1_000_000);
        assertThat(ab.throttleBytesPerSecond()).isZero();
        assertThat(ca.sourceConsumerProps()).containsEntry("bootstrap.servers", "c:9092");
        assertThat(ca.targetProducerProps()).containsEntry("bootstrap.servers", "a:9092");
    }

    @Test
    void topLevelEnabledTurnsOnEveryPairWithHeartbeatsAsInMirrorMaker() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("clusters", "A, B");
        props.put("A.bootstrap.servers", "a:9092");
        props.put("B.bootstrap.servers", "b:9092");
        props.put("enabled", "true");
        assertThat(MirrorConfig.parse(props).flows()).extracting(FlowConfig::name).containsExactly("A->B", "B->A");

        props.put("B->A.emit.heartbeats.enabled", "false");
        assertThat(MirrorConfig.parse(props).flows()).extracting(FlowConfig::name).containsExactly("A->B");

        props.put("emit.heartbeats.enabled", "false");
        assertThatThrownBy(() -> MirrorConfig.parse(props)).hasMessageContaining("No replication flow is enabled");

        props.put("B->A.enabled", "true");
        assertThat(MirrorConfig.parse(props).flows()).extracting(FlowConfig::name).containsExactly("B->A");
        FlowConfig ba = MirrorConfig.parse(props).flows().get(0);
        assertThat(ba.emitHeartbeatsInterval()).isEqualTo(Duration.ZERO);
    }

    @Test
    void disabledSwitchesAndZeroIntervalsGiveZeroDurations() {
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.put("refresh.topics.enabled", "false");
        props.put("emit.checkpoints.enabled", "FALSE");
        props.put("A->B.emit.heartbeats.interval.seconds", "0");
        props.put("sync.group.offsets.enabled", "true");
        props.put("sync.group.offsets.interval.seconds", "15");

        FlowConfig flow = MirrorConfig.parse(props).flows().get(0);

        assertThat(flow.refreshTopicsInterval()).isZero();
        assertThat(flow.emitCheckpointsInterval()).isZero();
        assertThat(flow.emitHeartbeatsInterval()).isZero();
        assertThat(flow.syncGroupOffsets()).isTrue();
        assertThat(flow.syncGroupOffsetsInterval()).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void topicAclSyncIsSwitchedOffByItsKeyOrAZeroIntervalPerFlow() {
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.put("sync.topic.acls.interval.seconds", "30");
        assertThat(MirrorConfig.parse(props).flows().get(0).syncTopicAclsInterval()).isEqualTo(Duration.ofSeconds(30));
        props.put("A->B.sync.topic.acls.enabled", "false");
        assertThat(MirrorConfig.parse(props).flows().get(0).syncTopicAcls()).isFalse();
        props.remove("A->B.sync.topic.acls.enabled");
        props.put("A->B.sync.topic.acls.interval.seconds", "0");
        assertThat(MirrorConfig.parse(props).flows().get(0).syncTopicAcls()).isFalse();
        assertThat(MirrorConfig.parse(props).ignoredKeys()).isEmpty();
    }

    @Test
    void mirrorMakersPolicyNamesSeparatorAndProvenanceDefault() {
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.put("replication.policy.class", "org.apache.kafka.connect.mirror.IdentityReplicationPolicy");
        props.put("replication.policy.separator", "_");
        props.put("offset-syncs.topic.location", "source");

        FlowConfig flow = MirrorConfig.parse(props).flows().get(0);

        assertThat(flow.replicationPolicy()).isInstanceOf(IdentityReplicationPolicy.class);
        assertThat(flow.replicationPolicy().topicSource("orders")).isEqualTo("A");
        assertThat(flow.replicationPolicy().formatRemoteTopic("A", "heartbeats")).isEqualTo("A_heartbeats");
        assertThat(flow.provenanceHeader()).isTrue();
        assertThat(flow.offsetSyncsTopic()).isEqualTo("mm2-offset-syncs_B_internal");

        props.put("A->B.flink.provenance.header.enabled", "false");
        props.put("replication.policy.internal.topic.separator.enabled", "false");
        FlowConfig overridden = MirrorConfig.parse(props).flows().get(0);
        assertThat(overridden.provenanceHeader()).isFalse();
        assertThat(overridden.offsetSyncsTopic()).isEqualTo("mm2-offset-syncs.B.internal");
    }

    @Test
    void flinkOptionsAreStrippedAndOurFlinkKeysAreNotPassedOn() {
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.put("flink.execution.checkpointing.interval", "10 s");
        props.put("flink.parallelism.default", "4");
        props.put("flink.delivery.guarantee", "AT-LEAST-ONCE");
        props.put("flink.sink.transaction.timeout.ms", "60000");
        props.put("flink.throttle.bytes.per.second", "5000000");

        MirrorConfig config = MirrorConfig.parse(props);

        assertThat(config.flinkOptions()).containsExactly(
                Map.entry("execution.checkpointing.interval", "10 s"), Map.entry("parallelism.default", "4"));
        assertThat(config.flows().get(0).exactlyOnce()).isFalse();
        assertThat(config.flows().get(0).sinkTransactionTimeout()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void resolvesConfigProviderReferencesAsMirrorMakerDoes() throws Exception {
        Path secrets = write("secrets.properties", "jaas=org.example.Login required;\nservers=a9:9092\n");
        Map<String, String> props = MirrorConfigValidationTest.base();
        props.put("config.providers", "file");
        props.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        props.put("A.bootstrap.servers", "${file:" + secrets + ":servers}");
        props.put("A.sasl.jaas.config", "${file:" + secrets + ":jaas}");

        FlowConfig flow = MirrorConfig.parse(props).flows().get(0);

        assertThat(flow.sourceConsumerProps())
                .containsEntry("bootstrap.servers", "a9:9092")
                .containsEntry("sasl.jaas.config", "org.example.Login required;");
    }

    @Test
    void loadKeepsFileOrderAndPropertiesEscapes() throws Exception {
        Path file = write("mm2.properties", """
                clusters = A, B
                A.bootstrap.servers = a:9092
                B.bootstrap.servers = b:9092
                B->A.enabled = true
                A->B.enabled = true
                A->B.topics = orders, \\
                    payments
                """);

        MirrorConfig config = MirrorConfig.load(file);

        assertThat(config.flows()).extracting(FlowConfig::name).containsExactly("B->A", "A->B");
        assertThat(config.flows().get(1).topicFilter().shouldReplicateTopic("payments")).isTrue();
    }

    @Test
    void missingFileIsAConfigException() {
        assertThatThrownBy(() -> MirrorConfig.load(dir.resolve("nope.properties")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.properties");
    }

    @Test
    void flowConfigSurvivesJavaSerialization() throws Exception {
        FlowConfig flow = MirrorConfig.parse(MirrorConfigValidationTest.base()).flows().get(0);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(flow);
        }
        FlowConfig copy;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (FlowConfig) in.readObject();
        }

        assertThat(copy.name()).isEqualTo("A->B");
        assertThat(copy.sourceConsumerProps()).isEqualTo(flow.sourceConsumerProps());
        assertThat(copy.replicationPolicy().formatRemoteTopic("A", "t")).isEqualTo("A.t");
        assertThat(copy.topicFilter().shouldReplicateTopic("t")).isTrue();
    }

    @Test
    void documentedKeysHaveUniqueNamesDocsAndOurDefaults() {
        List<ConfigKey<?>> keys = MirrorConfig.documentedKeys();
        Set<String> names = new HashSet<>();
        for (ConfigKey<?> key : keys) {
            assertThat(names.add(key.key())).as("duplicate %s", key.key()).isTrue();
            assertThat(key.doc()).isNotBlank();
        }
        assertThat(keys).anySatisfy(key -> {
            assertThat(key.key()).isEqualTo("refresh.topics.interval.seconds");
            assertThat(key.defaultValue()).isEqualTo("10");
            assertThat(key.doc()).contains("600");
        });
        assertThat(keys).anySatisfy(key -> {
            assertThat(key.key()).isEqualTo("replication.factor");
            assertThat(key.defaultValue()).isEqualTo("-1");
        });
        assertThat(keys).extracting(ConfigKey::key).contains("clusters", "<alias>.bootstrap.servers",
                "<source>-><target>.enabled", "flink.delivery.guarantee", "offset-syncs.topic.location");
    }

    private Path write(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.ISO_8859_1);
        return file;
    }
}
