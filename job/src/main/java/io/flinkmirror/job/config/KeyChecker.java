package io.flinkmirror.job.config;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides, for each key of a file, whether MirrorMaker 2 would know it (else a one-line error naming the nearest known
 * key), and whether Flink Mirror applies it, passes it to Flink, or ignores it.
 */
final class KeyChecker {

    /** What becomes of a known key. */
    enum Use {
        /** Flink Mirror applies it. */
        APPLIED,
        /** A Flink option: passed to Flink's configuration with the {@code flink.} prefix removed. */
        FLINK_OPTION,
        /** MM2 accepts it but it has no effect on a Flink job (Connect worker keys, keys MM2 itself drops...). */
        IGNORED
    }

    private static final Set<String> FLOW_KEY_NAMES = names(ConfigKeys.FLOW_KEYS);
    private static final Set<String> FLINK_KEY_NAMES = names(ConfigKeys.FLINK_KEYS);
    private static final String ENABLED = "enabled";
    private static final String PRODUCER_OVERRIDE = "producer.override.";
    /** Options of the record function: ours, not Flink options. */
    static final String RECORD_FUNCTION_PREFIX = "flink.record.function.";

    private final List<String> clusters;

    KeyChecker(List<String> clusters) {
        this.clusters = clusters;
    }

    /** What becomes of {@code key}; throws ConfigException for a key MM2 would not know or a flow it cannot run. */
    Use check(ScopedKey key) {
        switch (key.scope()) {
            case FLOW:
                checkFlow(key);
                checkName(key);
                return appliedPerFlow(key.name()) ? Use.APPLIED : Use.IGNORED;
            case ALIAS:
                checkName(key);
                return appliedPerCluster(key.name()) ? Use.APPLIED : Use.IGNORED;
            case FLINK:
                return checkFlink(key);
            default:
                return checkTopLevel(key);
        }
    }

    private void checkFlow(ScopedKey key) {
        for (String alias : List.of(key.source(), key.target())) {
            if (!clusters.contains(alias)) {
                throw new ConfigException("Invalid key '" + key.raw() + "': flow " + key.flow() + " names cluster '"
                        + alias + "', which is not listed in 'clusters' (" + String.join(", ", clusters) + ")");
            }
        }
        if (key.source().equals(key.target())) {
            throw new ConfigException("Invalid key '" + key.raw() + "': flow " + key.flow()
                    + " replicates a cluster onto itself; a flow needs two different clusters, e.g. "
                    + key.source() + ScopedKey.FLOW_ARROW + otherThan(key.source()));
        }
    }

    private void checkName(ScopedKey key) {
        String name = key.name();
        if (key.scope() == ScopedKey.Scope.FLOW && (FLINK_KEY_NAMES.contains(name)
                || isRecordFunctionOption(name))) {
            return;
        }
        checkRemoved(key.raw(), name);
        if (name.startsWith(ScopedKey.FLINK_PREFIX)) {
            throw new ConfigException("Unknown key '" + key.raw() + "': Flink options apply to the whole job; set '"
                    + name + "' at the top level");
        }
        if (!KnownKeys.isKnown(name)) {
            String otherKind = otherClientKind(name);
            if (otherKind != null) {
                throw new ConfigException("Unknown key '" + key.raw() + "': not a setting of that Kafka client "
                        + "(did you mean '" + key.prefix() + otherKind + "'?)");
            }
            throw unknown(key.raw(), key.prefix(), name);
        }
    }

    /** For {@code consumer.acks}: {@code producer.acks}, the same key under the client kind that defines it. */
    private static String otherClientKind(String name) {
        String side = name.startsWith("source.") ? "source." : name.startsWith("target.") ? "target." : "";
        String rest = name.substring(side.length());
        for (String kind : KnownKeys.CLIENT_PREFIXES.keySet()) {
            if (rest.startsWith(kind)) {
                String clientKey = rest.substring(kind.length());
                for (String other : List.of("producer.", "consumer.", "admin.")) {
                    if (KnownKeys.isClientKey(other, other + clientKey)) {
                        return side + other + clientKey;
                    }
                }
            }
        }
        return null;
    }

    private Use checkFlink(ScopedKey key) {
        String name = key.raw();
        if (FLINK_KEY_NAMES.contains(name)) {
            return Use.APPLIED;
        }
        for (String ours : FLINK_KEY_NAMES) {
            if (KnownKeys.editDistance(name, ours) <= 2) {
                throw new ConfigException("Unknown key '" + name + "' (did you mean '" + ours + "'?)");
            }
        }
        if (isRecordFunctionOption(name)) {
            return Use.APPLIED;
        }
        if (name.length() == ScopedKey.FLINK_PREFIX.length()) {
            throw new ConfigException("Unknown key '" + name + "': expected a Flink option after 'flink.', e.g. "
                    + "'flink.execution.checkpointing.interval'");
        }
        return Use.FLINK_OPTION;
    }

    private Use checkTopLevel(ScopedKey key) {
        String name = key.raw();
        checkRemoved(name, name);
        if (KnownKeys.isKnown(name)) {
            return appliedTopLevel(name) ? Use.APPLIED : Use.IGNORED;
        }
        int dot = name.indexOf('.');
        if (dot > 0 && KnownKeys.isKnown(name.substring(dot + 1))) {
            // <alias>.<key> for an alias not in 'clusters': MM2 never reads it.
            return Use.IGNORED;
        }
        throw unknown(name, "", name);
    }

    private static void checkRemoved(String raw, String name) {
        String advice = KnownKeys.REMOVED_KEYS.get(name);
        if (advice != null) {
            throw new ConfigException("Unknown key '" + raw + "': MirrorMaker 2 removed '" + name
                    + "' in Kafka 4.0; " + advice);
        }
    }

    private static ConfigException unknown(String raw, String prefix, String name) {
        String nearest = name.isEmpty() ? null : KnownKeys.nearest(name, List.of());
        if (nearest != null) {
            return new ConfigException("Unknown key '" + raw + "' (did you mean '" + prefix + nearest + "'?)");
        }
        return new ConfigException("Unknown key '" + raw + "': neither a MirrorMaker 2 key nor a Flink Mirror key "
                + "(see MirrorConfig.documentedKeys() / the option table in docs/configuration.md)");
    }

    /** {@code flink.record.function.<option>}: an option of the record function. */
    static boolean isRecordFunctionOption(String name) {
        return name.startsWith(RECORD_FUNCTION_PREFIX) && name.length() > RECORD_FUNCTION_PREFIX.length();
    }

    /** {@code transforms.<alias>.<option>} or {@code predicates.<alias>.<option>}: applied (Kafka Connect SMTs). */
    static boolean isTransformOption(String name) {
        return name.startsWith("transforms.") || name.startsWith("predicates.");
    }

    private static boolean appliedTopLevel(String name) {
        return name.equals("clusters") || name.equals(ENABLED) || FLOW_KEY_NAMES.contains(name)
                || isTransformOption(name)
                || KnownKeys.CLUSTER_CLIENT_KEYS.contains(name) || ConfigProviders.isProviderKey(name);
    }

    private static boolean appliedPerCluster(String name) {
        return KnownKeys.CLUSTER_CLIENT_KEYS.contains(name) || KnownKeys.isAnyClientKey(name);
    }

    private static boolean appliedPerFlow(String name) {
        if (name.equals(ENABLED) || FLOW_KEY_NAMES.contains(name) || KnownKeys.isAnyClientKey(name)
                || isTransformOption(name) || isRecordFunctionOption(name)) {
            return true;
        }
        if (name.startsWith(PRODUCER_OVERRIDE)
                && KnownKeys.PRODUCER_KEYS.contains(name.substring(PRODUCER_OVERRIDE.length()))) {
            return true;
        }
        for (String side : List.of("source.", "target.")) {
            if (name.startsWith(side)) {
                String rest = name.substring(side.length());
                if (KnownKeys.isAnyClientKey(rest) || rest.startsWith("cluster.")
                        && KnownKeys.CLUSTER_CLIENT_KEYS.contains(rest.substring("cluster.".length()))) {
                    return true;
                }
            }
        }
        return false;
    }

    private String otherThan(String alias) {
        for (String candidate : clusters) {
            if (!candidate.equals(alias)) {
                return candidate;
            }
        }
        return "<other cluster>";
    }

    private static Set<String> names(List<ConfigKey<?>> keys) {
        Set<String> names = new HashSet<>();
        for (ConfigKey<?> key : keys) {
            names.add(key.key());
        }
        return Set.copyOf(names);
    }
}
