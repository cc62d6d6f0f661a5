package io.flinkmirror.job.config;

import io.flinkmirror.udfs.policy.ReplicationPolicies;
import io.flinkmirror.udfs.policy.ReplicationPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Looks flow-level keys up per flow, then top level, then default; parses them with one-line errors. */
record FlowSettings(Map<String, String> raw, String source, String target) {

    /** The key actually set for {@code key} (per-flow or top-level), or null if neither is set. */
    String keyFor(ConfigKey<?> key) {
        String flowKey = source + ScopedKey.FLOW_ARROW + target + "." + key.key();
        if (raw.containsKey(flowKey)) {
            return flowKey;
        }
        return raw.containsKey(key.key()) ? key.key() : null;
    }

    boolean isSet(ConfigKey<?> key) {
        return keyFor(key) != null;
    }

    String value(ConfigKey<?> key) {
        String setKey = keyFor(key);
        return setKey == null ? key.defaultValue() : raw.get(setKey);
    }

    String name(ConfigKey<?> key) {
        String setKey = keyFor(key);
        return setKey == null ? key.key() : setKey;
    }

    /** The key's value as it parses it: set per flow, else top level, else its default. */
    <T> T get(ConfigKey<T> key) {
        String value = value(key);
        if (value == null) {
            throw new IllegalStateException("Key " + key.key() + " has no default: check isSet first");
        }
        return key.parse(name(key), value);
    }

    /** Zero if {@code enabled} is false, else the interval in seconds (zero also meaning disabled). */
    Duration interval(ConfigKey<Boolean> enabled, ConfigKey<Duration> intervalSeconds) {
        Duration interval = get(intervalSeconds);
        return get(enabled) ? interval : Duration.ZERO;
    }

    <T> T instance(ConfigKey<String> key, Class<T> type, T builtIn, String... builtInNames) {
        if (!isSet(key) || List.of(builtInNames).contains(value(key).trim())) {
            return builtIn;
        }
        return ConfigValues.instance(name(key), value(key), type, builtInNames);
    }

    ReplicationPolicy replicationPolicy() {
        boolean internalSeparator = get(ConfigKeys.INTERNAL_TOPIC_SEPARATOR_ENABLED);
        String separator = value(ConfigKeys.REPLICATION_POLICY_SEPARATOR);
        if (separator.isEmpty()) {
            throw ConfigException.invalidValue(name(ConfigKeys.REPLICATION_POLICY_SEPARATOR), separator,
                    "expected a non-empty separator, e.g. '.' or '_'");
        }
        String className = value(ConfigKeys.REPLICATION_POLICY_CLASS);
        try {
            return ReplicationPolicies.create(className, separator, source, internalSeparator);
        } catch (IllegalArgumentException e) {
            throw ConfigException.invalidValue(name(ConfigKeys.REPLICATION_POLICY_CLASS), className,
                    "expected " + ReplicationPolicies.allowedValues());
        }
    }
}
