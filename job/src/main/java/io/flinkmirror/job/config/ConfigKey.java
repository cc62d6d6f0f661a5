package io.flinkmirror.job.config;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One configuration key Flink Mirror gives a meaning to: its name, value syntax, default, doc, and the parser that
 * turns a value into what the job uses (as Flink's {@code ConfigOption<T>} does). The option table of
 * docs/configuration.md is generated from these ({@link MirrorConfig#documentedKeys()}), and the default it shows
 * is the one parsed when the key is not set, so docs and behaviour cannot drift.
 *
 * <p>{@code key} may contain placeholders: {@code <alias>} for a cluster alias, {@code <source>-><target>} for a flow,
 * {@code <key>} for a Kafka client property. Such keys, and keys read by their own code ({@code clusters}), have no
 * parser.
 *
 * @param defaultValue the value used when the key is not set (parsed like a set value), or null: no default, or one
 *                     that depends on other keys ({@code defaultDoc} says which)
 * @param defaultDoc   how the docs render a default that depends on other keys, or null
 */
public record ConfigKey<T>(String key, Type type, String defaultValue, String defaultDoc, String doc,
                           Parser<T> parser) {

    /** The value syntax of a key. */
    public enum Type {
        /** Free text. */
        STRING,
        /** Comma-separated list. */
        LIST,
        /** {@code true} or {@code false}, case-insensitive. */
        BOOLEAN,
        /** A 32-bit integer. */
        INT,
        /** A 64-bit integer. */
        LONG,
        /** A fully qualified class name. */
        CLASS,
        /** One of a fixed set of words. */
        ENUM
    }

    /** Parses a value of key {@code key} (the name as set, for errors that name it). */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(String key, String value);
    }

    public ConfigKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(doc, "doc");
    }

    /** The default rendered for documentation: the value, what it depends on, or {@code (none)}. */
    public String defaultText() {
        return defaultDoc != null ? defaultDoc : defaultValue == null ? "(none)" : defaultValue;
    }

    /** Parses {@code value}, set as {@code setKey}; a key without a parser has no typed value. */
    T parse(String setKey, String value) {
        if (parser == null) {
            throw new IllegalStateException("Key " + key + " has no parser");
        }
        return parser.parse(setKey, value);
    }

    // ---- Kinds of keys --------------------------------------------------------------------------------------------

    /** A key read by its own code (a template such as {@code <alias>.<key>}, or {@code clusters}). */
    static ConfigKey<String> documented(String key, Type type, String defaultValue, String doc) {
        return new ConfigKey<>(key, type, defaultValue, null, doc, null);
    }

    static ConfigKey<Boolean> bool(String key, String defaultValue, String doc) {
        return new ConfigKey<>(key, Type.BOOLEAN, defaultValue, null, doc, ConfigValues::bool);
    }

    /** A boolean whose default depends on other keys ({@code defaultDoc} says how). */
    static ConfigKey<Boolean> boolWithDependentDefault(String key, String defaultDoc, String doc) {
        return new ConfigKey<>(key, Type.BOOLEAN, null, defaultDoc, doc, ConfigValues::bool);
    }

    /** Whole seconds, 0 or more. */
    static ConfigKey<Duration> seconds(String key, String defaultValue, String doc) {
        return new ConfigKey<>(key, Type.LONG, defaultValue, null, doc, ConfigValues::seconds);
    }

    /** Milliseconds, more than 0. */
    static ConfigKey<Duration> positiveMillis(String key, String defaultValue, String doc) {
        return new ConfigKey<>(key, Type.LONG, defaultValue, null, doc, ConfigValues::positiveMillis);
    }

    static ConfigKey<Long> nonNegativeLong(String key, String defaultValue, String doc) {
        return new ConfigKey<>(key, Type.LONG, defaultValue, null, doc,
                (k, v) -> ConfigValues.nonNegativeLong(k, v, "expected a non-negative integer"));
    }

    /** A topic replication factor: -1 (the broker's or the source's) or 1 and more. */
    static ConfigKey<Integer> replicationFactor(String key, String defaultValue, String doc) {
        return new ConfigKey<>(key, Type.INT, defaultValue, null, doc, ConfigValues::replicationFactor);
    }

    /** One of {@code allowed}, returned as allowed spells it. */
    static ConfigKey<String> oneOf(String key, String defaultValue, String doc, boolean ignoreCase,
                                   String... allowed) {
        return new ConfigKey<>(key, Type.ENUM, defaultValue, null, doc,
                (k, v) -> ConfigValues.oneOf(k, v, ignoreCase, allowed));
    }

    /** Comma-separated regexes, each checked to compile. */
    static ConfigKey<List<String>> regexes(String key, String defaultValue, String doc) {
        return new ConfigKey<>(key, Type.LIST, defaultValue, null, doc,
                (k, v) -> List.copyOf(ConfigValues.regexList(k, v)));
    }

    /** Free text, as set. */
    static ConfigKey<String> string(String key, Type type, String defaultValue, String doc) {
        return new ConfigKey<>(key, type, defaultValue, null, doc, (k, v) -> v);
    }
}
