package io.flinkmirror.job.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Computes a flow's Kafka client properties exactly as MirrorMaker 2 (dedicated mode) does, by rebuilding the same
 * intermediate maps: {@code MirrorMakerConfig.clusterProps(alias)}, then the connector config of
 * {@code connectorBaseConfig(source->target)}, then {@code MirrorConnectorConfig.sourceConsumerConfig()} and friends.
 *
 * <p>The resulting precedence, as MirrorMaker 2.x (up to 4.2, dedicated mode) has it, surprises kept. For the source
 * consumer of flow A->B, from weakest to strongest:
 * <ol>
 *   <li>{@code A->B.source.cluster.<k>} (cluster-wide keys only);</li>
 *   <li>{@code A->B.consumer.<k>} (the connector-level client override);</li>
 *   <li>top-level {@code <k>}, then {@code A.<k>}, for the cluster-wide keys {@code bootstrap.servers},
 *       {@code security.protocol}, {@code ssl.*}, {@code sasl.*} only: MM2 copies them into
 *       {@code A.consumer.<k>} unless that is set, so they beat {@code A->B.consumer.<k>};</li>
 *   <li>{@code A.consumer.<k>};</li>
 *   <li>{@code A->B.source.consumer.<k>} (the only per-flow key that beats the cluster's settings).</li>
 * </ol>
 * The other clients follow the same chain with their side and kind: {@link FlowConfig#targetProducerProps()} uses
 * {@code B.*}, {@code A->B.producer.*}, {@code B.producer.*}, {@code A->B.target.producer.*}, plus the Connect
 * per-connector override {@code A->B.producer.override.*} on top (MM2 writes replicated records with the Connect
 * worker's producer, which honours it); admins use {@code admin.}. MM2 has no {@code A->B.A.consumer.*}. Ignored by
 * MM2, hence here: top-level {@code consumer.*}/{@code producer.*}/{@code admin.*}, {@code A.<k>} for non cluster-wide
 * client keys (e.g. {@code A.client.id}), and {@code A->B.<k>} for cluster-wide keys (e.g.
 * {@code A->B.security.protocol}). Consumers always get {@code enable.auto.commit=false} and default
 * {@code auto.offset.reset=earliest}, as in MM2. Keys a client does not define are dropped. MM2's generated
 * {@code client.id} suffixes are not added.
 */
final class ClientProps {

    private static final String CONSUMER = "consumer.";
    private static final String PRODUCER = "producer.";
    private static final String ADMIN = "admin.";

    /** The connector-level view of one flow: {@code source.cluster.*}, {@code source.consumer.*}, ..., flow keys. */
    private final Map<String, String> connector;

    ClientProps(Map<String, String> raw, String source, String target) {
        Map<String, String> props = new LinkedHashMap<>();
        splitClusterProps(props, "source.", clusterProps(raw, source));
        splitClusterProps(props, "target.", clusterProps(raw, target));
        props.putAll(stripped(raw, source + ScopedKey.FLOW_ARROW + target + "."));
        this.connector = props;
    }

    /** The consumer reading the flow's source topics (MM2's source consumer). */
    Map<String, String> sourceConsumer() {
        return consumer(client("source.", CONSUMER));
    }

    /** The consumer reading from the target (MM2's target consumer: offset syncs there, checkpoints). */
    Map<String, String> targetConsumer() {
        return consumer(client("target.", CONSUMER));
    }

    /** The producer writing to the source (offset syncs or heartbeats on the source). */
    Map<String, String> sourceProducer() {
        return client("source.", PRODUCER);
    }

    /**
     * The producer writing replicated records to the target. In MM2 that is the Connect worker's producer, configured
     * from {@code <target>.producer.*} and the connector's {@code producer.override.*}; for the offset-syncs producer
     * MM2 uses the connector chain. Here both are one chain with {@code producer.override.*} on top.
     */
    Map<String, String> targetProducer() {
        Map<String, String> props = new LinkedHashMap<>(client("target.", PRODUCER));
        putClientKeys(props, stripped(connector, "producer.override."), KnownKeys.PRODUCER_KEYS);
        return sorted(props);
    }

    /** The admin client of the source. */
    Map<String, String> sourceAdmin() {
        return client("source.", ADMIN);
    }

    /** The admin client of the target. */
    Map<String, String> targetAdmin() {
        return client("target.", ADMIN);
    }

    /**
     * MM2's {@code clusterProps(alias)}: every {@code <alias>.} key stripped; then cluster-wide client keys copied to
     * {@code consumer./producer./admin.} unless set there; then top-level cluster-wide client keys as a fallback.
     */
    static Map<String, String> clusterProps(Map<String, String> raw, String alias) {
        Map<String, String> props = new LinkedHashMap<>(stripped(raw, alias + "."));
        for (String key : KnownKeys.CLUSTER_CLIENT_KEYS) {
            String value = props.get(key);
            if (value != null) {
                props.putIfAbsent(PRODUCER + key, value);
                props.putIfAbsent(CONSUMER + key, value);
                props.putIfAbsent(ADMIN + key, value);
            }
        }
        for (String key : KnownKeys.CLUSTER_CLIENT_KEYS) {
            String value = raw.get(key);
            if (value != null) {
                props.putIfAbsent(PRODUCER + key, value);
                props.putIfAbsent(CONSUMER + key, value);
                props.putIfAbsent(ADMIN + key, value);
                props.putIfAbsent(key, value);
            }
        }
        return props;
    }

    /** MM2's clusterConfigsWithPrefix / clientConfigsWithPrefix: client-kind keys under side, others under side.cluster. */
    private static void splitClusterProps(Map<String, String> into, String side, Map<String, String> clusterProps) {
        for (Map.Entry<String, String> entry : clusterProps.entrySet()) {
            String key = entry.getKey();
            boolean clientKind = key.startsWith("consumer") || key.startsWith("producer") || key.startsWith("admin");
            into.put((clientKind ? side : side + "cluster.") + key, entry.getValue());
        }
    }

    /** MirrorConnectorConfig's chain: side.cluster.* (cluster-wide keys only) < kind.* < side.kind.*. */
    private Map<String, String> client(String side, String kind) {
        Set<String> valid = KnownKeys.CLIENT_PREFIXES.get(kind);
        Map<String, String> props = new LinkedHashMap<>();
        Map<String, String> cluster = stripped(connector, side + "cluster.");
        cluster.keySet().retainAll(KnownKeys.CLUSTER_CLIENT_KEYS);
        putClientKeys(props, cluster, valid);
        putClientKeys(props, stripped(connector, kind), valid);
        putClientKeys(props, stripped(connector, side + kind), valid);
        return sorted(props);
    }

    /** MM2 always disables auto-commit and defaults to reading from the earliest offset. */
    private static Map<String, String> consumer(Map<String, String> props) {
        Map<String, String> result = new TreeMap<>(props);
        result.put("enable.auto.commit", "false");
        result.putIfAbsent("auto.offset.reset", "earliest");
        return Collections.unmodifiableMap(result);
    }

    /** Copies the keys the client knows; MM2 would pass the others on to be ignored with a warning. */
    private static void putClientKeys(Map<String, String> into, Map<String, String> from, Set<String> valid) {
        for (Map.Entry<String, String> entry : from.entrySet()) {
            if (valid.contains(entry.getKey())) {
                into.put(entry.getKey(), entry.getValue());
            }
        }
    }

    private static Map<String, String> stripped(Map<String, String> props, String prefix) {
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : props.entrySet()) {
            if (entry.getKey().startsWith(prefix)) {
                result.put(entry.getKey().substring(prefix.length()), entry.getValue());
            }
        }
        return result;
    }

    private static Map<String, String> sorted(Map<String, String> props) {
        return Collections.unmodifiableMap(new TreeMap<>(props));
    }
}
