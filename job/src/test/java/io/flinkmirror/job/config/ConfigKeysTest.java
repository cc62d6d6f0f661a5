package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The typed keys: the default docs/configuration.md shows is the default the job parses and uses. */
class ConfigKeysTest {

    @Test
    void shouldParseEveryDocumentedDefaultWithTheKeysOwnParser() {
        List<String> parsed = new ArrayList<>();
        for (ConfigKey<?> key : ConfigKeys.ALL) {
            if (key.parser() != null && key.defaultValue() != null) {
                assertThatCode(() -> key.parse(key.key(), key.defaultValue())).as(key.key())
                        .doesNotThrowAnyException();
                parsed.add(key.key());
            }
        }
        assertThat(parsed).contains("refresh.topics.interval.seconds", "offset-syncs.topic.location",
                "flink.sink.transaction.timeout.ms", "topics", "replication.factor");
    }

    @Test
    void shouldListEveryKeyOnceBuiltFromItsGroups() {
        assertThat(ConfigKeys.ALL).doesNotHaveDuplicates()
                .containsAll(ConfigKeys.FLOW_KEYS).containsAll(ConfigKeys.TOPOLOGY_KEYS)
                .containsAll(ConfigKeys.OTHER_KEYS)
                .hasSize(ConfigKeys.TOPOLOGY_KEYS.size() + ConfigKeys.FLOW_KEYS.size() + ConfigKeys.OTHER_KEYS.size());
        assertThat(ConfigKeys.FLOW_KEYS).containsAll(ConfigKeys.FLINK_KEYS);
        // Keys a flow reads have a parser; templates and keys read by their own code do not.
        assertThat(ConfigKeys.FLOW_KEYS).allSatisfy(key -> assertThat(key.parser()).as(key.key()).isNotNull());
    }

    @Test
    void shouldGiveAFlowTheParsedDefaultsOfUnsetKeys() {
        FlowConfig flow = MirrorConfig.parse(MirrorConfigValidationTest.base()).flows().get(0);

        assertThat(flow.refreshTopicsInterval()).isEqualTo(parsedDefault(ConfigKeys.REFRESH_TOPICS_INTERVAL));
        assertThat(flow.emitCheckpointsInterval()).isEqualTo(parsedDefault(ConfigKeys.EMIT_CHECKPOINTS_INTERVAL));
        assertThat(flow.syncTopicConfigsInterval()).isEqualTo(parsedDefault(ConfigKeys.SYNC_TOPIC_CONFIGS_INTERVAL));
        assertThat(flow.sinkTransactionTimeout()).isEqualTo(parsedDefault(ConfigKeys.SINK_TRANSACTION_TIMEOUT));
        assertThat(flow.replicationFactor()).isEqualTo(parsedDefault(ConfigKeys.REPLICATION_FACTOR));
        assertThat(flow.offsetLagMax()).isEqualTo(parsedDefault(ConfigKeys.OFFSET_LAG_MAX));
        assertThat(flow.configPropertiesExclude()).isEqualTo(parsedDefault(ConfigKeys.CONFIG_PROPERTIES_EXCLUDE));
        assertThat(flow.offsetSyncsTopicLocation().configValue())
                .isEqualTo(parsedDefault(ConfigKeys.OFFSET_SYNCS_TOPIC_LOCATION));
        assertThat(flow.exactlyOnce()).isEqualTo("exactly-once".equals(parsedDefault(ConfigKeys.DELIVERY_GUARANTEE)));
    }

    private static <T> T parsedDefault(ConfigKey<T> key) {
        return key.parse(key.key(), key.defaultValue());
    }
}
