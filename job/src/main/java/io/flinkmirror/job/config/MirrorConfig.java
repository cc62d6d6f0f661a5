package io.flinkmirror.job.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A Flink Mirror configuration, read from MirrorMaker 2's own properties format as MM2's dedicated mode
 * ({@code MirrorMakerConfig}) reads it:
 * <pre>
 *   clusters = A, B
 *   A.bootstrap.servers = a1:9092
 *   A.security.protocol = SASL_SSL          # cluster-wide client key of A
 *   B.producer.compression.type = zstd      # B's producers only
 *   A->B.enabled = true                     # flow A->B replicates
 *   A->B.topics = orders.*, payments        # per-flow, wins over the top-level key
 *   replication.factor = 3                  # top level: every flow
 *   flink.execution.checkpointing.interval = 10 s   # a Flink option
 * </pre>
 * A key is top level, {@code <alias>.<key>} for one cluster, or {@code <source>-><target>.<key>} for one flow. Every
 * key MM2 4.2 accepts is accepted; those with no meaning for a Flink job are listed by {@link #ignoredKeys()}. A key
 * MM2 would not know, a bad value or an unrunnable topology fails with a one-line {@link ConfigException}.
 *
 * <p>Flows are enabled as in MM2 ({@code MirrorMakerConfig.clusterPairs}): {@code A->B} replicates if
 * {@code A->B.enabled} is true, or if it is unset, the top-level {@code enabled} is true and heartbeats are enabled for
 * the pair ({@code A->B.emit.heartbeats.enabled}, else {@code emit.heartbeats.enabled}, default true).
 *
 * <p>Heartbeats follow MM2's herder rule: a pair {@code A->B} has a herder if {@code A->B.enabled} is true or its
 * heartbeats are enabled, and every herder emits heartbeats into its target, whether or not it replicates. So with
 * the defaults every ordered pair of {@code clusters} emits ({@link #heartbeatFlows()}), which is how the cluster at
 * the start of a chain gets the {@code heartbeats} topic that the next flow replicates.
 */
public final class MirrorConfig {

    private final List<String> clusters;
    private final List<FlowConfig> flows;
    private final List<FlowConfig> heartbeatFlows;
    private final Map<String, String> flinkOptions;
    private final Set<String> ignoredKeys;

    private MirrorConfig(List<String> clusters, List<FlowConfig> flows, List<FlowConfig> heartbeatFlows,
                         Map<String, String> flinkOptions, Set<String> ignoredKeys) {
        this.clusters = clusters;
        this.flows = flows;
        this.heartbeatFlows = heartbeatFlows;
        this.flinkOptions = flinkOptions;
        this.ignoredKeys = ignoredKeys;
    }

    /** Reads an MM2 properties file (ISO-8859-1 with escapes, as MM2 reads it), keeping the order of its keys. */
    public static MirrorConfig load(Path file) {
        Map<String, String> ordered = new LinkedHashMap<>();
        Properties properties = new Properties() {
            private static final long serialVersionUID = 1L;

            @Override
            public synchronized Object put(Object key, Object value) {
                ordered.put((String) key, (String) value);
                return super.put(key, value);
            }
        };
        try (InputStream in = Files.newInputStream(file)) {
            properties.load(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Configuration file '" + file + "' does not exist", e);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException("Cannot read configuration file '" + file + "': " + e.getMessage(), e);
        }
        return parse(ordered);
    }

    /** Parses and validates properties; flows come in the order their keys first appear in {@code properties}. */
    public static MirrorConfig parse(Map<String, String> properties) {
        Map<String, String> raw = new LinkedHashMap<>();
        properties.forEach((key, value) -> raw.put(key.trim(), value == null ? "" : value));

        String clustersValue = raw.get(ConfigKeys.CLUSTERS.key());
        if (clustersValue == null || clustersValue.isBlank()) {
            throw new ConfigException("Missing key 'clusters': list the cluster aliases, e.g. 'clusters = A, B'");
        }
        List<String> clusters = ConfigValues.clusters(ConfigKeys.CLUSTERS.key(), clustersValue);

        Map<String, String> resolved = ConfigProviders.resolve(raw);
        KeyChecker checker = new KeyChecker(clusters);
        Map<String, String> flinkOptions = new LinkedHashMap<>();
        Set<String> ignoredKeys = new LinkedHashSet<>();
        Map<String, Integer> flowOrder = new HashMap<>();
        for (String key : raw.keySet()) {
            ScopedKey scoped = ScopedKey.parse(key, clusters);
            KeyChecker.Use use = checker.check(scoped);
            if (use == KeyChecker.Use.IGNORED) {
                ignoredKeys.add(key);
            } else if (use == KeyChecker.Use.FLINK_OPTION) {
                flinkOptions.put(key.substring(ScopedKey.FLINK_PREFIX.length()), resolved.get(key));
            }
            if (scoped.scope() == ScopedKey.Scope.FLOW) {
                flowOrder.putIfAbsent(scoped.flow(), flowOrder.size());
            }
            boolean clusterScoped = scoped.scope() == ScopedKey.Scope.ALIAS || scoped.scope() == ScopedKey.Scope.TOP;
            if (clusterScoped && scoped.name().equals("bootstrap.servers")) {
                ConfigValues.bootstrapServers(key, resolved.get(key));
            }
        }

        List<FlowConfig> flows = new ArrayList<>();
        List<FlowConfig> heartbeatFlows = new ArrayList<>();
        for (String[] pair : pairsInOrder(clusters, flowOrder)) {
            // Resolving every pair validates every top-level and per-flow value, enabled or not.
            FlowConfig flow = FlowConfig.resolve(resolved, pair[0], pair[1]);
            if (isEnabled(resolved, pair[0], pair[1])) {
                requireBootstrap(resolved, pair[0], flow);
                requireBootstrap(resolved, pair[1], flow);
                flows.add(flow);
            }
            if (emitsHeartbeats(resolved, pair[1], flow)) {
                heartbeatFlows.add(flow);
            }
        }
        if (flows.isEmpty()) {
            throw new ConfigException("No replication flow is enabled: set '<source>-><target>.enabled = true' for "
                    + "at least one pair of the clusters in 'clusters' (" + String.join(", ", clusters)
                    + "), e.g. '" + clusters.get(0) + "->" + (clusters.size() > 1 ? clusters.get(1) : "B")
                    + ".enabled = true'");
        }
        requireOwnSourceGroups(resolved, flows);
        return new MirrorConfig(List.copyOf(clusters), List.copyOf(flows), List.copyOf(heartbeatFlows),
                Collections.unmodifiableMap(flinkOptions), Collections.unmodifiableSet(ignoredKeys));
    }

    /**
     * Flows reading the same source (fan-out) must commit their read positions to different consumer groups: one
     * group shared by two flows would hold whichever flow committed last, so lag, catching-up detection and the
     * fallback start position of each would follow the other's progress. The default groups
     * ({@code flink-mirror-<source>-<target>}) differ; a cluster-wide {@code A.consumer.group.id} makes them equal.
     */
    private static void requireOwnSourceGroups(Map<String, String> resolved, List<FlowConfig> flows) {
        Map<List<String>, FlowConfig> byGroup = new HashMap<>();
        for (FlowConfig flow : flows) {
            FlowConfig other = byGroup.putIfAbsent(List.of(flow.source(), flow.sourceGroupId()), flow);
            if (other != null) {
                String key = groupIdKey(resolved, flow);
                throw new ConfigException("Flows " + other.name() + " and " + flow.name() + " would both commit their "
                        + "read positions to consumer group '" + flow.sourceGroupId() + "' on cluster '"
                        + flow.source() + "'" + (key == null ? "" : " (" + key + ")") + ": give each flow its own, "
                        + "e.g. " + flow.name() + ".source.consumer.group.id = " + flow.sourceGroupId() + "-"
                        + flow.target() + ", or leave group.id unset (default flink-mirror-<source>-<target>)");
            }
        }
    }

    /** The key that set the flow's source consumer group, strongest first (see FlowConfig), or null. */
    private static String groupIdKey(Map<String, String> resolved, FlowConfig flow) {
        for (String key : List.of(flow.name() + ".source.consumer.group.id", flow.source() + ".consumer.group.id",
                flow.name() + ".consumer.group.id")) {
            if (resolved.containsKey(key)) {
                return key;
            }
        }
        return null;
    }

    /** The keys Flink Mirror gives a meaning to, with type, default and doc, in docs/configuration.md's order. */
    public static List<ConfigKey<?>> documentedKeys() {
        return ConfigKeys.ALL;
    }

    /** The cluster aliases of {@code clusters}, in order. */
    public List<String> clusters() {
        return clusters;
    }

    /** The enabled flows, in the order their keys first appear in the file (then in {@code clusters} order). */
    public List<FlowConfig> flows() {
        return flows;
    }

    /**
     * The pairs that emit heartbeats into their target, in the order of {@link #flows()}'s pairs: every pair whose
     * MM2 herder exists and whose {@code emit.heartbeats.interval.seconds} is not 0, replicating or not (see the class
     * javadoc). A pair whose target has no {@code bootstrap.servers} (a cluster listed but used by no flow) is skipped.
     */
    public List<FlowConfig> heartbeatFlows() {
        return heartbeatFlows;
    }

    /**
     * Admin client properties of every cluster the job talks to (sources and targets of {@link #flows()}, targets of
     * {@link #heartbeatFlows()}), by alias, in that order; the first flow naming a cluster gives its properties.
     */
    public Map<String, Map<String, String>> clusterAdminProps() {
        Map<String, Map<String, String>> clusters = new LinkedHashMap<>();
        for (FlowConfig flow : flows) {
            clusters.putIfAbsent(flow.source(), flow.sourceAdminProps());
            clusters.putIfAbsent(flow.target(), flow.targetAdminProps());
        }
        for (FlowConfig flow : heartbeatFlows) {
            clusters.putIfAbsent(flow.target(), flow.targetAdminProps());
        }
        return clusters;
    }

    /** Flink options: every {@code flink.*} key but ours, with the {@code flink.} prefix removed. */
    public Map<String, String> flinkOptions() {
        return flinkOptions;
    }

    /** Keys MirrorMaker 2 accepts that have no effect on this job (Connect worker keys...), in file order. */
    public Set<String> ignoredKeys() {
        return ignoredKeys;
    }

    @Override
    public String toString() {
        return "MirrorConfig{clusters=" + clusters + ", flows=" + flows + ", heartbeatFlows="
                + heartbeatFlows.stream().map(FlowConfig::name).toList() + ", flinkOptions=" + flinkOptions.keySet()
                + ", ignoredKeys=" + ignoredKeys + "}";
    }

    /** MM2's rule: a herder exists if the flow or its heartbeats are enabled; it replicates if 'enabled' is true. */
    private static boolean isEnabled(Map<String, String> raw, String source, String target) {
        String prefix = source + ScopedKey.FLOW_ARROW + target + ".";
        String heartbeatsKey = ConfigKeys.EMIT_HEARTBEATS_ENABLED.key();
        boolean heartbeats = true;
        for (String key : List.of(heartbeatsKey, prefix + heartbeatsKey)) {
            if (raw.containsKey(key)) {
                heartbeats = ConfigValues.bool(key, raw.get(key));
            }
        }
        String flowEnabledKey = prefix + "enabled";
        if (raw.containsKey(flowEnabledKey)) {
            return ConfigValues.bool(flowEnabledKey, raw.get(flowEnabledKey));
        }
        return heartbeats && raw.containsKey("enabled") && ConfigValues.bool("enabled", raw.get("enabled"));
    }

    /**
     * Whether the herder of {@code flow} emits heartbeats. A non-zero interval implies heartbeats are enabled for the
     * pair, hence that its herder exists ({@link #isEnabled}), whether or not it replicates.
     */
    private static boolean emitsHeartbeats(Map<String, String> raw, String target, FlowConfig flow) {
        boolean targetKnown = raw.containsKey(target + ".bootstrap.servers") || raw.containsKey("bootstrap.servers");
        return !flow.emitHeartbeatsInterval().isZero() && targetKnown;
    }

    private static void requireBootstrap(Map<String, String> raw, String alias, FlowConfig flow) {
        String key = alias + ".bootstrap.servers";
        if (!raw.containsKey(key) && !raw.containsKey("bootstrap.servers")) {
            throw new ConfigException("Missing key '" + key + "': cluster '" + alias + "' is used by enabled flow "
                    + flow.name() + "; set it to the cluster's host:port list");
        }
    }

    /** Every ordered pair of distinct clusters: those named in the file first, in file order, then the rest. */
    private static List<String[]> pairsInOrder(List<String> clusters, Map<String, Integer> flowOrder) {
        List<String[]> pairs = new ArrayList<>();
        for (String source : clusters) {
            for (String target : clusters) {
                if (!source.equals(target)) {
                    pairs.add(new String[] {source, target});
                }
            }
        }
        pairs.sort(Comparator.comparingInt(pair -> flowOrder.getOrDefault(
                pair[0] + ScopedKey.FLOW_ARROW + pair[1], Integer.MAX_VALUE)));
        return pairs;
    }
}
