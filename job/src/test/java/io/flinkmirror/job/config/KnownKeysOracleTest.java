package io.flinkmirror.job.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.mirror.MirrorCheckpointConfig;
import org.apache.kafka.connect.mirror.MirrorConnectorConfig;
import org.apache.kafka.connect.mirror.MirrorHeartbeatConfig;
import org.apache.kafka.connect.mirror.MirrorMakerConfig;
import org.apache.kafka.connect.mirror.MirrorSourceConfig;
import org.apache.kafka.connect.runtime.ConnectorConfig;
import org.apache.kafka.connect.runtime.SourceConnectorConfig;
import org.apache.kafka.connect.runtime.distributed.Crypto;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.junit.jupiter.api.Test;

/**
 * MirrorMaker 2's own config definitions (connect-mirror 4.2, on the test classpath only) as the oracle for the keys
 * {@link KnownKeys} lists by hand: every key MM2 defines is known to us, and every MM2 connector key we list is one
 * MM2 defines.
 */
class KnownKeysOracleTest {

    @Test
    void shouldKnowEveryKeyOfMirrorMakersConnectors() throws Exception {
        Set<String> mm2 = connectorKeys();

        assertThat(mm2).isNotEmpty().allSatisfy(key -> assertThat(KnownKeys.isKnown(key)).as(key).isTrue());
    }

    @Test
    void shouldListOnlyConnectorKeysMirrorMakerDefines() throws Exception {
        Set<String> mm2 = connectorKeys();

        assertThat(KnownKeys.MM2_CONNECTOR_KEYS).allSatisfy(key -> assertThat(mm2).as(key).contains(key));
    }

    @Test
    void shouldKnowTheDriverAndConnectFrameworkKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        keys.add(MirrorMakerConfig.CLUSTERS_CONFIG);
        keys.add(MirrorMakerConfig.CONFIG_PROVIDERS_CONFIG);
        keys.addAll(ConnectorConfig.configDef().names());
        keys.addAll(SourceConnectorConfig.configDef().names());
        // The worker keys MM2 passes to its herders (DistributedConfig's definition is private: by reflection).
        Method worker = DistributedConfig.class.getDeclaredMethod("config", Crypto.class);
        worker.setAccessible(true);
        keys.addAll(((ConfigDef) worker.invoke(null, Crypto.SYSTEM)).names());

        assertThat(keys).allSatisfy(key -> assertThat(KnownKeys.isKnown(key)).as(key).isTrue());
    }

    /**
     * The keys of MM2's three connectors, their tasks and their default filters (the ConfigDefs are not public: read
     * by reflection).
     */
    private static Set<String> connectorKeys() throws Exception {
        Set<String> keys = new TreeSet<>();
        for (Class<?> config : new Class<?>[] {MirrorSourceConfig.class, MirrorCheckpointConfig.class,
                MirrorHeartbeatConfig.class}) {
            keys.addAll(configDef(config, "CONNECTOR_CONFIG_DEF").names());
        }
        keys.addAll(configDef(MirrorConnectorConfig.class, "BASE_CONNECTOR_CONFIG_DEF").names());
        for (String task : new String[] {"MirrorSourceTaskConfig", "MirrorCheckpointTaskConfig"}) {
            keys.addAll(configDef(Class.forName("org.apache.kafka.connect.mirror." + task), "TASK_CONFIG_DEF")
                    .names());
        }
        // The default config.property.filter.class reads its own key from the connector's config.
        keys.addAll(configDef(Class.forName(
                "org.apache.kafka.connect.mirror.DefaultConfigPropertyFilter$ConfigPropertyFilterConfig"), "DEF").names());
        keys.removeAll(ConnectorConfig.configDef().names()); // Connect's own, checked with the framework keys
        return keys;
    }

    private static ConfigDef configDef(Class<?> type, String field) throws Exception {
        Field f = type.getDeclaredField(field);
        f.setAccessible(true);
        return (ConfigDef) f.get(null);
    }
}
